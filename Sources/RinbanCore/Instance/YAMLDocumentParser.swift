internal import CYaml

/// Reads YAML into the same `DocumentNode` tree as JSON.
///
/// This drives libyaml, as bundled by Yams (module `CYaml`), event by event rather than
/// through `Yams.compose`: Yams' composer hashes every mapping key, recursively, before it
/// returns, so one alias used as a key (`? *lol9`) makes it run for hours, and it recurses
/// once per nesting level. Here the tree is built iteratively, aliases are counted as they
/// are expanded, and keys are checked as they arrive.
///
/// Typing is JSON-like, whatever YAML 1.1 says:
/// - quoted, literal (`|`) and folded (`>`) scalars are strings;
/// - plain `null`, `Null`, `NULL`, `~` and the empty scalar are null;
/// - plain `true`, `True`, `TRUE`, `false`, `False`, `FALSE` are booleans;
/// - plain text that is a JSON number is a number (value `Double(text)`);
/// - everything else is a string: `18:00`, `2027-01-01`, `yes`, `on`, `0x1F`, `1_000`, `007`.
///
/// Tags: `!!str` (and the non-specific `!`) make a string; `!!null`, `!!bool`, `!!int` and
/// `!!float` must agree with the rules above; `!!map` and `!!seq` must agree with the
/// collection; any other tag is refused.
///
/// Keys must be scalars (or aliases of scalars); the key is the scalar's text. A key written
/// twice in one mapping is an error. One YAML document per file. Positions come from
/// libyaml, whose columns count Unicode scalars like the JSON parser's.
public enum YAMLDocumentParser {
    public static func parse(_ bytes: [UInt8]) throws(InputError) -> DocumentNode {
        try parse(bytes, limits: .standard)
    }

    static func parse(_ bytes: [UInt8], limits: DocumentLimits) throws(InputError) -> DocumentNode {
        let result: Result<DocumentNode, InputError> = bytes.withUnsafeBufferPointer { buffer in
            do throws(InputError) {
                let content = try InputText.content(of: buffer)
                if content.isEmpty {
                    throw InputError(position: SourcePosition(line: 1, column: 1), "the document is empty")
                }
                var composer = YAMLComposer(bytes: content, limits: limits)
                return .success(try composer.compose())
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}

// MARK: - Event stream

/// libyaml's parser over a buffer that outlives it.
private final class EventSource {
    let parser: UnsafeMutablePointer<yaml_parser_t>
    let bytes: UnsafeBufferPointer<UInt8>

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        parser = .allocate(capacity: 1)
        yaml_parser_initialize(parser)
        yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
        // Callers never pass an empty buffer, so there is always a base address.
        if let base = bytes.baseAddress {
            yaml_parser_set_input_string(parser, base, bytes.count)
        }
    }

    deinit {
        yaml_parser_delete(parser)
        parser.deallocate()
    }

    /// The next event; the caller must pass it to `yaml_event_delete`.
    func next() throws(InputError) -> yaml_event_t {
        var event = yaml_event_t()
        guard yaml_parser_parse(parser, &event) == 1 else {
            throw syntaxError()
        }
        return event
    }

    func syntaxError() -> InputError {
        let p = parser.pointee
        let problem = p.problem.map { String(cString: $0) } ?? "unknown problem"
        switch p.error {
        case YAML_MEMORY_ERROR:
            return InputError(position: SourcePosition(line: 1, column: 1), "the YAML reader ran out of memory")
        case YAML_READER_ERROR:
            let position = InputText.position(of: p.problem_offset, in: bytes)
            if problem == "control characters are not allowed", let scalar = Unicode.Scalar(UInt32(bitPattern: p.problem_value)) {
                return InputError(position: position, "control character \(InputText.unicodeName(scalar)) is not allowed in YAML")
            }
            return InputError(position: position, "YAML cannot be read: \(problem)")
        default:
            let position = SourcePosition(line: p.problem_mark.line + 1, column: p.problem_mark.column + 1)
            var message = "YAML syntax error: \(problem)"
            if let context = p.context {
                let contextPosition = SourcePosition(line: p.context_mark.line + 1, column: p.context_mark.column + 1)
                message += " (\(String(cString: context)) that starts at \(contextPosition))"
            }
            // Two slips a spreadsheet user makes often get plainer words than libyaml's.
            if problem == "found a tab character that violates indentation" {
                message = "YAML syntax error: a tab is used for indentation; indent with spaces"
            } else if problem == "found character that cannot start any token", let scalar = scalarAtMark(p.problem_mark) {
                message = scalar == "\t"
                    ? "YAML syntax error: a tab is used for indentation; indent with spaces"
                    : "YAML syntax error: \(InputText.describe(scalar)) cannot start a value; put the text in quotes"
            }
            return InputError(position: position, message)
        }
    }

    /// The character at a mark (libyaml's index counts characters, so use line and column).
    func scalarAtMark(_ mark: yaml_mark_t) -> Unicode.Scalar? {
        var line = 0
        var i = 0
        while line < mark.line && i < bytes.count {
            if bytes[i] == 0x0A { line += 1 } else if bytes[i] == 0x0D {
                if i + 1 < bytes.count && bytes[i + 1] == 0x0A { i += 1 }
                line += 1
            }
            i += 1
        }
        var column = 0
        while column < mark.column && i < bytes.count {
            i += 1
            while i < bytes.count && bytes[i] & 0xC0 == 0x80 { i += 1 }
            column += 1
        }
        return InputText.scalar(at: i, in: bytes)
    }
}

private func text(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
    guard let pointer else { return nil }
    return String(cString: pointer)
}

private func position(_ mark: yaml_mark_t) -> SourcePosition {
    SourcePosition(line: mark.line + 1, column: mark.column + 1)
}

// MARK: - Composer

private let tagPrefix = "tag:yaml.org,2002:"

/// A finished node that an alias can copy.
private struct Anchored {
    var node: DocumentNode
    /// How many values the node holds, itself included, after expansion.
    var count: Int
    /// How many levels of lists and objects it has (0 for a scalar).
    var height: Int
    /// The scalar's text, when it is a scalar (so an alias can be a key).
    var scalarText: String?
}

private struct OpenCollection {
    var isMapping: Bool
    var position: SourcePosition
    var anchor: String?
    var items: [DocumentNode] = []
    var members: [DocumentMember] = []
    /// The key whose value comes next, when one has been read (mappings only).
    var key: String?
    var keyPosition = SourcePosition(line: 1, column: 1)
    var keys: [String: SourcePosition] = [:]
    /// `nodeCount` when the collection opened, to measure it for an anchor.
    var countAtStart: Int
    /// The greatest height among its children.
    var childHeight = 0
}

private struct YAMLComposer {
    let source: EventSource
    let limits: DocumentLimits
    var anchors: [String: Anchored] = [:]
    var stack: [OpenCollection] = []
    var nodeCount = 0

    init(bytes: UnsafeBufferPointer<UInt8>, limits: DocumentLimits) {
        source = EventSource(bytes: bytes)
        self.limits = limits
    }

    /// The path of the value being read inside `stack[0..<depth]`; while a mapping's key is
    /// being read, the path of that mapping.
    func path(depth: Int) -> DocumentPath {
        var components: [DocumentPath.Component] = []
        for collection in stack[0..<depth] {
            if collection.isMapping {
                guard let key = collection.key else { break }
                components.append(.key(key))
            } else {
                components.append(.index(collection.items.count))
            }
        }
        return DocumentPath(components)
    }

    mutating func compose() throws(InputError) -> DocumentNode {
        var event = try source.next()  // stream start
        yaml_event_delete(&event)
        event = try source.next()
        if event.type == YAML_STREAM_END_EVENT {
            let end = position(event.start_mark)
            yaml_event_delete(&event)
            throw InputError(position: end, "the document is empty")
        }
        yaml_event_delete(&event)  // document start
        let root = try composeTree()
        event = try source.next()  // document end
        yaml_event_delete(&event)
        event = try source.next()
        defer { yaml_event_delete(&event) }
        if event.type == YAML_DOCUMENT_START_EVENT {
            throw InputError(position: position(event.start_mark),
                             "a second YAML document starts here; an instance file holds one document (remove the extra \"---\")")
        }
        return root
    }

    /// Reads events until the document's root node is complete.
    mutating func composeTree() throws(InputError) -> DocumentNode {
        while true {
            var event = try source.next()
            defer { yaml_event_delete(&event) }
            let start = position(event.start_mark)
            let expectingKey = stack.last.map { $0.isMapping && $0.key == nil } ?? false

            var finished: (node: DocumentNode, anchor: String?, height: Int, count: Int, scalarText: String?)
            switch event.type {
            case YAML_SCALAR_EVENT:
                let scalar = event.data.scalar
                let value = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
                let tag = text(scalar.tag)
                if expectingKey {
                    // A key is its text; only an explicit tag is checked.
                    if tag != nil {
                        _ = try typedScalar(value, tag: tag, plain: scalar.style == YAML_PLAIN_SCALAR_STYLE, at: start, depth: stack.count)
                    }
                    try acceptKey(value, at: start)
                    if let anchor = text(scalar.anchor) {
                        anchors[anchor] = Anchored(node: DocumentNode(.string(value), at: start), count: 1, height: 0, scalarText: value)
                    }
                    continue
                }
                let typed = try typedScalar(value, tag: tag, plain: scalar.style == YAML_PLAIN_SCALAR_STYLE, at: start, depth: stack.count)
                try countNodes(1, at: start)
                finished = (DocumentNode(typed, at: start), text(scalar.anchor), 0, 1, value)

            case YAML_ALIAS_EVENT:
                let name = text(event.data.alias.anchor) ?? ""
                let shownName = InputText.shortened(name)
                guard let anchored = anchors[name] else {
                    throw InputError(at: path(depth: stack.count), position: start,
                                     "alias \"*\(shownName)\" refers to no anchor \"&\(shownName)\" defined before it")
                }
                if expectingKey {
                    guard let key = anchored.scalarText else {
                        throw InputError(at: path(depth: stack.count), position: start,
                                         "a key must be text, but the alias \"*\(shownName)\" is \(anchored.node.kindDescription)")
                    }
                    try acceptKey(key, at: start)
                    continue
                }
                if stack.count + anchored.height > limits.depth {
                    throw InputError(position: start, "nesting is deeper than \(limits.depth) levels (through the alias \"*\(shownName)\")")
                }
                if anchored.count > limits.nodes - nodeCount {
                    throw InputError(position: start,
                                     "the aliases expand the document to more than \(InputText.grouped(limits.nodes)) values, the limit for an instance")
                }
                nodeCount += anchored.count
                var node = anchored.node
                node.position = start
                finished = (node, nil, anchored.height, anchored.count, anchored.scalarText)

            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                let isMapping = event.type == YAML_MAPPING_START_EVENT
                if expectingKey {
                    throw InputError(at: path(depth: stack.count), position: start,
                                     "a key must be text, not \(isMapping ? "an object" : "a list")")
                }
                let tag = isMapping ? text(event.data.mapping_start.tag) : text(event.data.sequence_start.tag)
                let anchor = isMapping ? text(event.data.mapping_start.anchor) : text(event.data.sequence_start.anchor)
                if let tag, tag != "!", tag != tagPrefix + (isMapping ? "map" : "seq") {
                    throw InputError(at: path(depth: stack.count), position: start,
                                     "unsupported tag \(displayTag(tag)) on \(isMapping ? "an object" : "a list")")
                }
                if stack.count >= limits.depth {
                    throw InputError(position: start, "nesting is deeper than \(limits.depth) levels")
                }
                try countNodes(1, at: start)
                stack.append(OpenCollection(isMapping: isMapping, position: start, anchor: anchor, countAtStart: nodeCount - 1))
                continue

            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard !stack.isEmpty else {
                    throw InputError(position: start, "YAML syntax error: unexpected end of a collection")
                }
                let collection = stack.removeLast()
                let node = collection.isMapping
                    ? DocumentNode(.object(collection.members), at: collection.position)
                    : DocumentNode(.array(collection.items), at: collection.position)
                finished = (node, collection.anchor, collection.childHeight + 1, nodeCount - collection.countAtStart, nil)

            default:
                // Stream and document events cannot occur inside a document.
                throw InputError(position: start, "YAML syntax error: unexpected structure")
            }

            if let anchor = finished.anchor {
                anchors[anchor] = Anchored(node: finished.node, count: finished.count, height: finished.height,
                                           scalarText: finished.scalarText)
            }
            guard !stack.isEmpty else { return finished.node }
            let top = stack.count - 1
            stack[top].childHeight = max(stack[top].childHeight, finished.height)
            if stack[top].isMapping {
                stack[top].members.append(DocumentMember(key: stack[top].key ?? "", keyPosition: stack[top].keyPosition, node: finished.node))
                stack[top].key = nil
            } else {
                stack[top].items.append(finished.node)
            }
        }
    }

    mutating func countNodes(_ count: Int, at position: SourcePosition) throws(InputError) {
        if count > limits.nodes - nodeCount {
            throw InputError(position: position,
                             "the document has more than \(InputText.grouped(limits.nodes)) values, the limit for an instance")
        }
        nodeCount += count
    }

    /// Records a key of the mapping on top of the stack, refusing a duplicate.
    mutating func acceptKey(_ key: String, at position: SourcePosition) throws(InputError) {
        let top = stack.count - 1
        if let first = stack[top].keys[key] {
            throw InputError(at: path(depth: top), position: position,
                             "duplicate key \(InputText.quoted(key)) (first at \(first))")
        }
        stack[top].keys[key] = position
        stack[top].key = key
        stack[top].keyPosition = position
    }

    func displayTag(_ tag: String) -> String {
        InputText.quoted(tag.hasPrefix(tagPrefix) ? "!!" + tag.dropFirst(tagPrefix.count) : tag)
    }

    /// The JSON-like value of a scalar (see `YAMLDocumentParser`).
    func typedScalar(_ value: String, tag: String?, plain: Bool, at position: SourcePosition, depth: Int) throws(InputError) -> DocumentNode.Value {
        guard let tag else {
            return plain ? try plainValue(value, at: position, depth: depth) : .string(value)
        }
        if tag == "!" || tag == tagPrefix + "str" { return .string(value) }
        let expected: String
        switch tag {
        case tagPrefix + "null": expected = "null"
        case tagPrefix + "bool": expected = "bool"
        case tagPrefix + "int": expected = "int"
        case tagPrefix + "float": expected = "float"
        default:
            throw InputError(at: path(depth: depth), position: position, "unsupported tag \(displayTag(tag))")
        }
        let typed = try plainValue(value, at: position, depth: depth)
        let matches: Bool
        switch (expected, typed) {
        case ("null", .null), ("bool", .bool), ("float", .number): matches = true
        case let ("int", .number(_, text)): matches = !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" })
        default: matches = false
        }
        guard matches else {
            throw InputError(at: path(depth: depth), position: position,
                             "\(InputText.quoted(value)) is not a valid \(displayTag(tag).dropFirst().dropLast())")
        }
        return typed
    }

    func plainValue(_ value: String, at position: SourcePosition, depth: Int) throws(InputError) -> DocumentNode.Value {
        switch value {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: break
        }
        guard isJSONNumber(value) else { return .string(value) }
        guard let number = Double(value), number.isFinite else {
            throw InputError(at: path(depth: depth), position: position, "number \(InputText.shortened(value)) is too large")
        }
        return .number(number, text: value)
    }
}

/// Whether text is exactly a JSON number: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
func isJSONNumber(_ text: String) -> Bool {
    var bytes = text.utf8.makeIterator()
    var b = bytes.next()
    func digit(_ b: UInt8?) -> Bool { b.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }
    if b == UInt8(ascii: "-") { b = bytes.next() }
    if b == UInt8(ascii: "0") {
        b = bytes.next()
    } else if digit(b) {
        while digit(b) { b = bytes.next() }
    } else {
        return false
    }
    if b == UInt8(ascii: ".") {
        b = bytes.next()
        guard digit(b) else { return false }
        while digit(b) { b = bytes.next() }
    }
    if b == UInt8(ascii: "e") || b == UInt8(ascii: "E") {
        b = bytes.next()
        if b == UInt8(ascii: "+") || b == UInt8(ascii: "-") { b = bytes.next() }
        guard digit(b) else { return false }
        while digit(b) { b = bytes.next() }
    }
    return b == nil
}
