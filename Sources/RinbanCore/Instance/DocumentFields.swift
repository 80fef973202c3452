/// An object of the input document whose keys have been checked against the keys its
/// type allows.
struct DocumentObject {
    let path: DocumentPath
    let position: SourcePosition
    private let members: [String: DocumentMember]

    init(path: DocumentPath, position: SourcePosition, members: [DocumentMember]) {
        self.path = path
        self.position = position
        var table: [String: DocumentMember] = [:]
        for member in members where table[member.key] == nil { table[member.key] = member }
        self.members = table
    }

    subscript(key: String) -> DocumentNode? { members[key]?.node }
    func has(_ key: String) -> Bool { members[key] != nil }
}

/// Collects input issues while reading typed values out of a document.
///
/// Every accessor reports what is wrong at the value's own path and position and
/// returns nil, so one pass reports every problem of a document.
struct IssueCollector {
    private(set) var issues: [InputIssue] = []

    var hasErrors: Bool { issues.contains { $0.severity == .error } }

    mutating func error(_ path: DocumentPath, _ position: SourcePosition?, _ message: String) {
        issues.append(InputIssue(.error, at: path, position: position, message))
    }

    mutating func warning(_ path: DocumentPath, _ position: SourcePosition?, _ message: String) {
        issues.append(InputIssue(.warning, at: path, position: position, message))
    }

    /// Issues with errors first, each group in document order.
    var sorted: [InputIssue] {
        func key(_ issue: InputIssue) -> (Int, Int, Int) {
            (issue.severity == .error ? 0 : 1, issue.position?.line ?? Int.max, issue.position?.column ?? Int.max)
        }
        return issues.enumerated().sorted { a, b in
            let ka = key(a.element), kb = key(b.element)
            return ka != kb ? ka < kb : a.offset < b.offset
        }.map(\.element)
    }

    // MARK: Structure

    /// The node as an object with only `allowed` keys (others are reported, with a
    /// suggestion when a key is a near miss).
    mutating func object(_ node: DocumentNode, _ path: DocumentPath, allowed: [String]) -> DocumentObject? {
        guard case let .object(members) = node.value else {
            error(path, node.position, "expected an object, found \(node.kindDescription)")
            return nil
        }
        for member in members where !allowed.contains(member.key) {
            var message = "unknown key \"\(member.key)\""
            if let near = nearest(member.key, in: allowed) { message += " (did you mean \"\(near)\"?)" }
            error(path / member.key, member.keyPosition, message)
        }
        return DocumentObject(path: path, position: node.position, members: members)
    }

    /// The elements of a list at `key` with their paths; nil if missing (reported when required).
    mutating func list(_ object: DocumentObject, _ key: String, required: Bool = false) -> [(DocumentNode, DocumentPath)]? {
        guard let node = object[key] else {
            if required { error(object.path / key, object.position, "missing \"\(key)\"") }
            return nil
        }
        if case .null = node.value, !required { return nil }
        guard case let .array(elements) = node.value else {
            error(object.path / key, node.position, "expected a list, found \(node.kindDescription)")
            return nil
        }
        return elements.enumerated().map { ($1, object.path / key / $0) }
    }

    mutating func required(_ object: DocumentObject, _ key: String) -> DocumentNode? {
        guard let node = object[key] else {
            error(object.path / key, object.position, "missing \"\(key)\"")
            return nil
        }
        return node
    }

    // MARK: Scalars

    mutating func string(_ node: DocumentNode, _ path: DocumentPath) -> String? {
        guard case let .string(text) = node.value else {
            error(path, node.position, "expected text, found \(node.kindDescription)")
            return nil
        }
        return text
    }

    mutating func string(_ object: DocumentObject, _ key: String, required isRequired: Bool) -> String? {
        if !isRequired && object[key] == nil { return nil }
        guard let node = required(object, key) else { return nil }
        return string(node, object.path / key)
    }

    /// A name: free text, defaulting to `fallback` (the id) when absent.
    mutating func name(_ object: DocumentObject, fallback: String) -> String {
        string(object, "name", required: false) ?? fallback
    }

    mutating func bool(_ object: DocumentObject, _ key: String, default fallback: Bool) -> Bool {
        guard let node = object[key] else { return fallback }
        guard case let .bool(value) = node.value else {
            error(object.path / key, node.position, "expected true or false, found \(node.kindDescription)")
            return fallback
        }
        return value
    }

    mutating func number(_ node: DocumentNode, _ path: DocumentPath) -> Double? {
        guard case let .number(value, _) = node.value else {
            error(path, node.position, "expected a number, found \(node.kindDescription)")
            return nil
        }
        guard value.isFinite else {
            error(path, node.position, "number out of range")
            return nil
        }
        return value
    }

    /// A number satisfying `range` (described as `rangeText`, e.g. "≥ 0").
    mutating func number(
        _ object: DocumentObject, _ key: String, required isRequired: Bool, where valid: (Double) -> Bool,
        _ rangeText: String
    ) -> Double? {
        if !isRequired && object[key] == nil { return nil }
        guard let node = required(object, key), let value = number(node, object.path / key) else { return nil }
        guard valid(value) else {
            error(object.path / key, node.position, "\(format(value)) is out of range: must be \(rangeText)")
            return nil
        }
        return value
    }

    mutating func integer(_ node: DocumentNode, _ path: DocumentPath) -> Int? {
        guard let value = number(node, path) else { return nil }
        guard value == value.rounded(), abs(value) < 1e15 else {
            error(path, node.position, "expected a whole number, found \(format(value))")
            return nil
        }
        return Int(value)
    }

    mutating func integer(
        _ object: DocumentObject, _ key: String, required isRequired: Bool, where valid: (Int) -> Bool,
        _ rangeText: String
    ) -> Int? {
        if !isRequired && object[key] == nil { return nil }
        guard let node = required(object, key), let value = integer(node, object.path / key) else { return nil }
        guard valid(value) else {
            error(object.path / key, node.position, "\(value) is out of range: must be \(rangeText)")
            return nil
        }
        return value
    }

    mutating func date(_ node: DocumentNode, _ path: DocumentPath) -> CivilDate? {
        guard let text = string(node, path) else { return nil }
        guard let date = CivilDate(iso: text) else {
            error(path, node.position, "\"\(text)\" is not a date (YYYY-MM-DD)")
            return nil
        }
        return date
    }

    mutating func date(_ object: DocumentObject, _ key: String, required isRequired: Bool) -> CivilDate? {
        if !isRequired && object[key] == nil { return nil }
        guard let node = required(object, key) else { return nil }
        return date(node, object.path / key)
    }

    mutating func time(_ object: DocumentObject, _ key: String) -> TimeOfDay? {
        guard let node = required(object, key), let text = string(node, object.path / key) else { return nil }
        guard let time = TimeOfDay(text: text) else {
            error(object.path / key, node.position, "\"\(text)\" is not a time (HH:MM, 00:00–23:59)")
            return nil
        }
        return time
    }

    /// An id: text of 1–64 characters.
    mutating func identifier(_ node: DocumentNode, _ path: DocumentPath) -> String? {
        guard let text = string(node, path) else { return nil }
        if text.isEmpty {
            error(path, node.position, "an id must not be empty")
            return nil
        }
        if text.count > 64 {
            error(path, node.position, "id \"\(text.prefix(20))…\" is \(text.count) characters long; the limit is 64")
            return nil
        }
        return text
    }

    mutating func identifier(_ object: DocumentObject, _ key: String = "id") -> String? {
        guard let node = required(object, key) else { return nil }
        return identifier(node, object.path / key)
    }

    /// A reference to an existing id of `kind` ("clinic", "block", …).
    mutating func reference<E>(
        _ node: DocumentNode, _ path: DocumentPath, kind: String, in known: Set<Identifier<E>>
    ) -> Identifier<E>? {
        guard let text = identifier(node, path) else { return nil }
        let id = Identifier<E>(text)
        guard known.contains(id) else {
            error(path, node.position, "unknown \(kind) \"\(text)\"")
            return nil
        }
        return id
    }

    mutating func reference<E>(
        _ object: DocumentObject, _ key: String, kind: String, in known: Set<Identifier<E>>
    ) -> Identifier<E>? {
        guard let node = required(object, key) else { return nil }
        return reference(node, object.path / key, kind: kind, in: known)
    }

    /// A list of strings (skills); duplicates are harmless and merged.
    mutating func stringSet(_ object: DocumentObject, _ key: String) -> Set<String> {
        guard let elements = list(object, key) else { return [] }
        var result: Set<String> = []
        for (node, path) in elements {
            if let text = string(node, path) {
                if text.isEmpty { error(path, node.position, "must not be empty") } else { result.insert(text) }
            }
        }
        return result
    }

    /// Records ids of a collection and reports repeats ("duplicate id "c01" (first at clinics[0])").
    mutating func unique(_ id: String, _ path: DocumentPath, _ position: SourcePosition, seen: inout [String: DocumentPath], what: String = "id") {
        if let first = seen[id] {
            error(path, position, "duplicate \(what) \"\(id)\" (first at \(first))")
        } else {
            seen[id] = path
        }
    }

    func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    /// The allowed key within edit distance 2 of `key`, if exactly one is closest.
    private func nearest(_ key: String, in allowed: [String]) -> String? {
        let scored = allowed.map { ($0, editDistance(key.lowercased(), $0.lowercased())) }.filter { $0.1 <= 2 }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        return scored.filter { $0.1 == best.1 }.count == 1 ? best.0 : nil
    }
}

/// Levenshtein distance over Unicode scalars.
func editDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
    if x.isEmpty { return y.count }
    if y.isEmpty { return x.count }
    var previous = Array(0...y.count)
    var current = [Int](repeating: 0, count: y.count + 1)
    for i in 1...x.count {
        current[0] = i
        for j in 1...y.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[y.count]
}
