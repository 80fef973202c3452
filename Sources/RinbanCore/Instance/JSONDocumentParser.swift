/// A strict RFC 8259 JSON parser that works on bytes and records where every value starts.
///
/// - The input must be UTF-8; a UTF-8 byte order mark at the start is skipped.
/// - Positions are 1-based lines and columns; columns count Unicode scalars (see
///   `DocumentReader`).
/// - Nothing outside RFC 8259 is accepted: no comments, no trailing commas, no single quotes,
///   no leading zeros, no `NaN`. A key written twice in one object is an error.
/// - Numbers keep their text; their value is `Double(text)`. A number too large for a
///   `Double` (`1e400`) is an error rather than infinity.
/// - The parser is iterative: nesting is limited by `DocumentReader.maximumDepth`, never
///   by the stack, and the number of values by `DocumentReader.maximumNodes`.
public enum JSONDocumentParser {
    public static func parse(_ bytes: [UInt8]) throws(InputError) -> DocumentNode {
        try parse(bytes, limits: .standard)
    }

    static func parse(_ bytes: [UInt8], limits: DocumentLimits) throws(InputError) -> DocumentNode {
        let result: Result<DocumentNode, InputError> = bytes.withUnsafeBufferPointer { buffer in
            do throws(InputError) {
                let content = try InputText.content(of: buffer)
                var parser = JSONParser(bytes: content, limits: limits)
                return .success(try parser.parseDocument())
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}

// MARK: - The parser

private let quote = UInt8(ascii: "\"")
private let backslash = UInt8(ascii: "\\")
private let comma = UInt8(ascii: ",")
private let colon = UInt8(ascii: ":")
private let openBracket = UInt8(ascii: "[")
private let closeBracket = UInt8(ascii: "]")
private let openBrace = UInt8(ascii: "{")
private let closeBrace = UInt8(ascii: "}")
private let minus = UInt8(ascii: "-")
private let zero = UInt8(ascii: "0")
private let nine = UInt8(ascii: "9")

@inline(__always) private func isDigit(_ b: UInt8) -> Bool { b >= zero && b <= nine }

/// One list or object that is still open.
private struct OpenContainer {
    var isObject: Bool
    var position: SourcePosition
    var items: [DocumentNode] = []
    var members: [DocumentMember] = []
    /// The key whose value is being parsed (objects only).
    var key: String = ""
    var keyPosition = SourcePosition(line: 1, column: 1)
    /// Keys seen so far, built once an object grows past a few members.
    var keySet: Set<String>? = nil
}

private struct JSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    let limits: DocumentLimits
    var index = 0
    var nodeCount = 0
    var stack: [OpenContainer] = []
    var scratch: [UInt8] = []

    // Where the current line starts, and a cached column for an offset on it, so that the
    // positions of values in order cost time linear in the input in total.
    var line = 1
    var lineStart = 0
    var cachedOffset = 0
    var cachedColumn = 1

    init(bytes: UnsafeBufferPointer<UInt8>, limits: DocumentLimits) {
        self.bytes = bytes
        self.limits = limits
    }

    // MARK: Positions and errors

    /// The position of an offset on the current line.
    mutating func position(at offset: Int) -> SourcePosition {
        if offset < cachedOffset {
            cachedOffset = lineStart
            cachedColumn = 1
        }
        var column = cachedColumn
        var i = cachedOffset
        while i < offset {
            if bytes[i] & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        cachedOffset = offset
        cachedColumn = column
        return SourcePosition(line: line, column: column)
    }

    /// An error at any offset (positions of errors are computed from the start).
    func error(at offset: Int, _ message: String, path: DocumentPath = .root) -> InputError {
        InputError(at: path, position: InputText.position(of: offset, in: bytes), message)
    }

    func unexpected(at offset: Int, expected: String) -> InputError {
        if offset >= bytes.count {
            return error(at: offset, "unexpected end of input (\(expected))")
        }
        return error(at: offset, "unexpected character \(InputText.describeCharacter(at: offset, in: bytes)) (\(expected))")
    }

    /// What was expected where a value should start, with a hint for common slips.
    func unexpectedValue(at offset: Int) -> InputError {
        guard offset < bytes.count else { return unexpected(at: offset, expected: "expected a value") }
        let scalar = InputText.scalar(at: offset, in: bytes)
        switch scalar {
        case "'":
            return unexpected(at: offset, expected: "expected a value; JSON strings use double quotes")
        case "\u{201C}", "\u{201D}", "\u{2018}", "\u{2019}":
            return unexpected(at: offset, expected: "expected a value; use straight double quotes \"")
        case "/", "#":
            return unexpected(at: offset, expected: "expected a value; JSON has no comments")
        default:
            return unexpected(at: offset, expected: "expected a value")
        }
    }

    /// The path of the value being parsed inside `stack[0..<depth]`.
    func path(depth: Int) -> DocumentPath {
        var components: [DocumentPath.Component] = []
        for container in stack[0..<depth] {
            components.append(container.isObject ? .key(container.key) : .index(container.items.count))
        }
        return DocumentPath(components)
    }

    // MARK: Whitespace

    @inline(__always)
    mutating func skipWhitespace() {
        let count = bytes.count
        while index < count {
            let b = bytes[index]
            if b == 0x20 || b == 0x09 {
                index += 1
            } else if b == 0x0A {
                index += 1
                newLine()
            } else if b == 0x0D {
                index += 1
                if index < count && bytes[index] == 0x0A { index += 1 }
                newLine()
            } else {
                return
            }
        }
    }

    @inline(__always)
    mutating func newLine() {
        line += 1
        lineStart = index
        cachedOffset = index
        cachedColumn = 1
    }

    // MARK: Document

    mutating func parseDocument() throws(InputError) -> DocumentNode {
        skipWhitespace()
        if index >= bytes.count {
            throw error(at: index, "the document is empty")
        }
        let root = try parseTree()
        skipWhitespace()
        if index < bytes.count {
            throw error(at: index, "unexpected character \(InputText.describeCharacter(at: index, in: bytes)) after the end of the document")
        }
        return root
    }

    /// Parses one value and everything inside it, keeping open lists and objects on `stack`.
    mutating func parseTree() throws(InputError) -> DocumentNode {
        nextValue: while true {
            // A value starts here (whitespace already skipped).
            var node: DocumentNode
            let start = index
            guard start < bytes.count else { throw unexpectedValue(at: start) }
            nodeCount += 1
            if nodeCount > limits.nodes {
                throw error(at: start, "the document has more than \(InputText.grouped(limits.nodes)) values, the limit for an instance")
            }
            let position = position(at: start)
            let b = bytes[start]
            switch b {
            case openBrace, openBracket:
                if stack.count >= limits.depth {
                    throw error(at: start, "nesting is deeper than \(limits.depth) levels")
                }
                index += 1
                skipWhitespace()
                let isObject = b == openBrace
                let close = isObject ? closeBrace : closeBracket
                if index < bytes.count && bytes[index] == close {
                    index += 1
                    node = DocumentNode(isObject ? .object([]) : .array([]), at: position)
                } else {
                    stack.append(OpenContainer(isObject: isObject, position: position))
                    if isObject { try parseKey() }
                    continue nextValue
                }
            case quote:
                node = DocumentNode(.string(try parseString()), at: position)
            case minus, zero...nine:
                node = try parseNumber(at: position)
            default:
                node = try parseLiteral(at: position)
            }

            // Attach the finished value to its container; close containers that end here.
            while true {
                guard !stack.isEmpty else { return node }
                let top = stack.count - 1
                skipWhitespace()
                if stack[top].isObject {
                    stack[top].members.append(DocumentMember(key: stack[top].key, keyPosition: stack[top].keyPosition, node: node))
                    if index < bytes.count && bytes[index] == comma {
                        let commaOffset = index
                        index += 1
                        skipWhitespace()
                        if index < bytes.count && bytes[index] == closeBrace {
                            throw error(at: commaOffset, "trailing comma before \"}\"")
                        }
                        try parseKey()
                        continue nextValue
                    }
                    if index < bytes.count && bytes[index] == closeBrace {
                        index += 1
                        let container = stack.removeLast()
                        node = DocumentNode(.object(container.members), at: container.position)
                        continue
                    }
                    throw unclosed(stack[top], expected: "expected \",\" or \"}\"")
                } else {
                    stack[top].items.append(node)
                    if index < bytes.count && bytes[index] == comma {
                        let commaOffset = index
                        index += 1
                        skipWhitespace()
                        if index < bytes.count && bytes[index] == closeBracket {
                            throw error(at: commaOffset, "trailing comma before \"]\"")
                        }
                        continue nextValue
                    }
                    if index < bytes.count && bytes[index] == closeBracket {
                        index += 1
                        let container = stack.removeLast()
                        node = DocumentNode(.array(container.items), at: container.position)
                        continue
                    }
                    throw unclosed(stack[top], expected: "expected \",\" or \"]\"")
                }
            }
        }
    }

    func unclosed(_ container: OpenContainer, expected: String) -> InputError {
        if index >= bytes.count {
            let bracket = container.isObject ? "{" : "["
            return error(at: index, "unexpected end of input (the \"\(bracket)\" at \(container.position) is not closed)")
        }
        return unexpected(at: index, expected: expected)
    }

    /// Parses `"key" :` for the object on top of the stack, leaving the index at its value.
    mutating func parseKey() throws(InputError) {
        let top = stack.count - 1
        guard index < bytes.count, bytes[index] == quote else {
            if index >= bytes.count { throw unclosed(stack[top], expected: "expected a key in double quotes") }
            throw unexpected(at: index, expected: "expected a key in double quotes")
        }
        let keyOffset = index
        let keyPosition = position(at: keyOffset)
        let key = try parseString()
        if let first = firstOccurrence(of: key, in: &stack[top]) {
            throw InputError(at: path(depth: top), position: keyPosition,
                             "duplicate key \(InputText.quoted(key)) (first at \(first))")
        }
        stack[top].key = key
        stack[top].keyPosition = keyPosition
        skipWhitespace()
        guard index < bytes.count, bytes[index] == colon else {
            throw unexpected(at: index, expected: "expected \":\" after the key")
        }
        index += 1
        skipWhitespace()
    }

    /// Where `key` was written before in this object, if it was; remembers it otherwise.
    func firstOccurrence(of key: String, in container: inout OpenContainer) -> SourcePosition? {
        if container.keySet == nil && container.members.count < 12 {
            for member in container.members where member.key == key { return member.keyPosition }
            return nil
        }
        if container.keySet == nil {
            container.keySet = Set(container.members.map(\.key))
        }
        if container.keySet!.insert(key).inserted { return nil }
        return container.members.first { $0.key == key }?.keyPosition
    }

    // MARK: Strings

    /// Parses a string whose opening quote is at `index`; leaves the index after the closing quote.
    mutating func parseString() throws(InputError) -> String {
        let open = index
        let count = bytes.count
        var i = open + 1
        // Fast path: no escapes and no control characters.
        while i < count {
            let b = bytes[i]
            if b == quote {
                index = i + 1
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[(open + 1)..<i]), as: UTF8.self)
            }
            if b == backslash || b < 0x20 { break }
            i += 1
        }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[(open + 1)..<i]))
        while true {
            guard i < count else { throw error(at: open, "unterminated string") }
            let b = bytes[i]
            if b == quote {
                index = i + 1
                return String(decoding: scratch, as: UTF8.self)
            } else if b == backslash {
                i = try parseEscape(at: i, stringStart: open)
            } else if b == 0x0A || b == 0x0D {
                throw error(at: open, "unterminated string (a line break cannot be inside a string; write \\n)")
            } else if b < 0x20 {
                let name = InputText.unicodeName(Unicode.Scalar(b))
                let escape = b == 0x09 ? "\\t" : "\\u00" + InputText.hexByte(b).dropFirst(2)
                throw error(at: i, "control character \(name) in a string (write it as \(escape))")
            } else {
                scratch.append(b)
                i += 1
            }
        }
    }

    /// Decodes the escape whose backslash is at `offset` into `scratch`; returns the offset after it.
    mutating func parseEscape(at offset: Int, stringStart: Int) throws(InputError) -> Int {
        let count = bytes.count
        guard offset + 1 < count else { throw error(at: stringStart, "unterminated string") }
        let e = bytes[offset + 1]
        switch e {
        case quote, backslash, UInt8(ascii: "/"): scratch.append(e)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            let first = try hexQuad(at: offset)
            var value = UInt32(first)
            var end = offset + 6
            if first >= 0xD800 && first <= 0xDBFF {
                // A high surrogate must be followed by an escaped low surrogate.
                guard end + 1 < count, bytes[end] == backslash, bytes[end + 1] == UInt8(ascii: "u") else {
                    throw error(at: offset, "invalid \\u escape: \(escapeText(first)) is half of a surrogate pair and is not followed by the other half")
                }
                let second = try hexQuad(at: end)
                guard second >= 0xDC00 && second <= 0xDFFF else {
                    throw error(at: offset, "invalid \\u escape: \(escapeText(first)) is half of a surrogate pair and is not followed by the other half")
                }
                value = 0x10000 + ((UInt32(first) - 0xD800) << 10) + (UInt32(second) - 0xDC00)
                end += 6
            } else if first >= 0xDC00 && first <= 0xDFFF {
                throw error(at: offset, "invalid \\u escape: \(escapeText(first)) is the second half of a surrogate pair without the first")
            }
            // Every value left is a valid scalar.
            let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
            UTF8.encode(scalar) { scratch.append($0) }
            return end
        default:
            if e == 0x0A || e == 0x0D {
                throw error(at: stringStart, "unterminated string (a line break cannot be inside a string; write \\n)")
            }
            throw error(at: offset, "invalid escape \"\\\(InputText.scalar(at: offset + 1, in: bytes).map { String(Character($0)) } ?? "?")\" in a string")
        }
        return offset + 2
    }

    func escapeText(_ value: UInt16) -> String {
        let hex = String(value, radix: 16, uppercase: true)
        return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }

    /// The four hex digits after `\u` at `offset`.
    func hexQuad(at offset: Int) throws(InputError) -> UInt16 {
        var value: UInt16 = 0
        var i = offset + 2
        while i < offset + 6 {
            guard i < bytes.count else { break }
            let b = bytes[i]
            let digit: UInt8
            switch b {
            case zero...nine: digit = b - zero
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - UInt8(ascii: "A") + 10
            default:
                return try badUnicodeEscape(at: offset)
            }
            value = value << 4 | UInt16(digit)
            i += 1
        }
        if i < offset + 6 { return try badUnicodeEscape(at: offset) }
        return value
    }

    func badUnicodeEscape(at offset: Int) throws(InputError) -> UInt16 {
        var end = offset + 2
        while end < min(bytes.count, offset + 6), bytes[end] != quote, bytes[end] >= 0x20, bytes[end] < 0x80 { end += 1 }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[offset..<end]), as: UTF8.self)
        throw error(at: offset, "invalid escape \"\(text)\" in a string (\\u needs four hex digits)")
    }

    // MARK: Numbers and literals

    mutating func parseNumber(at position: SourcePosition) throws(InputError) -> DocumentNode {
        let start = index
        let count = bytes.count
        var i = start
        if bytes[i] == minus { i += 1 }
        if i < count && bytes[i] == zero {
            i += 1
            if i < count && isDigit(bytes[i]) {
                throw error(at: start, "invalid number \(numberText(from: start)) (leading zeros are not allowed)")
            }
        } else if i < count && isDigit(bytes[i]) {
            while i < count && isDigit(bytes[i]) { i += 1 }
        } else {
            throw error(at: start, "invalid number \(numberText(from: start)) (expected a digit after \"-\")")
        }
        if i < count && bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard i < count && isDigit(bytes[i]) else {
                throw error(at: start, "invalid number \(numberText(from: start)) (expected a digit after \".\")")
            }
            while i < count && isDigit(bytes[i]) { i += 1 }
        }
        if i < count && (bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")) {
            i += 1
            if i < count && (bytes[i] == UInt8(ascii: "+") || bytes[i] == minus) { i += 1 }
            guard i < count && isDigit(bytes[i]) else {
                throw error(at: start, "invalid number \(numberText(from: start)) (expected a digit in the exponent)")
            }
            while i < count && isDigit(bytes[i]) { i += 1 }
        }
        index = i
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            throw InputError(at: path(depth: stack.count), position: position, "number \(InputText.shortened(text)) is too large")
        }
        return DocumentNode(.number(value, text: text), at: position)
    }

    /// The run of number-like characters at `offset`, quoted, for a message.
    func numberText(from offset: Int) -> String {
        var end = offset
        while end < bytes.count, end - offset < 40 {
            let b = bytes[end]
            guard isDigit(b) || b == minus || b == UInt8(ascii: "+") || b == UInt8(ascii: ".")
                || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") else { break }
            end += 1
        }
        return "\"" + String(decoding: UnsafeBufferPointer(rebasing: bytes[offset..<end]), as: UTF8.self) + "\""
    }

    mutating func parseLiteral(at position: SourcePosition) throws(InputError) -> DocumentNode {
        let start = index
        var end = start
        while end < bytes.count {
            let b = bytes[end]
            guard (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
                || isDigit(b) || b == UInt8(ascii: "_") else { break }
            end += 1
        }
        guard end > start else { throw unexpectedValue(at: start) }
        let word = UnsafeBufferPointer(rebasing: bytes[start..<end])
        index = end
        if word.elementsEqual("true".utf8) { return DocumentNode(.bool(true), at: position) }
        if word.elementsEqual("false".utf8) { return DocumentNode(.bool(false), at: position) }
        if word.elementsEqual("null".utf8) { return DocumentNode(.null, at: position) }
        let text = String(decoding: word, as: UTF8.self)
        let lower = text.lowercased()
        if lower == "true" || lower == "false" || lower == "null" {
            throw error(at: start, "unexpected word \(InputText.quoted(text)) (JSON writes true, false and null in lower case)")
        }
        throw error(at: start, "unexpected word \(InputText.quoted(text)) (expected a value; text must be in double quotes)")
    }
}
