/// Small edits of a document tree (used to apply change files) and writing a tree as JSON.
extension DocumentNode {
    /// The members of an object (nil for any other value).
    var members: [DocumentMember]? {
        if case let .object(members) = value { return members }
        return nil
    }

    /// The elements of a list (nil for any other value).
    var elements: [DocumentNode]? {
        if case let .array(elements) = value { return elements }
        return nil
    }

    /// The value at `key` of an object.
    subscript(key key: String) -> DocumentNode? {
        members?.first { $0.key == key }?.node
    }

    /// The text of the `id` member of an object.
    var idText: String? {
        if case let .string(text)? = self[key: "id"]?.value { return text }
        return nil
    }

    /// The text of a string value.
    var text: String? {
        if case let .string(text) = value { return text }
        return nil
    }

    /// Replaces the value at `key`, or appends `key` when the object lacks it.
    mutating func set(_ key: String, _ node: DocumentNode) {
        guard var members else { return }
        if let index = members.firstIndex(where: { $0.key == key }) {
            members[index].node = node
        } else {
            members.append(DocumentMember(key: key, keyPosition: node.position, node: node))
        }
        value = .object(members)
    }

    /// Removes `key` from an object.
    mutating func remove(_ key: String) {
        guard let members else { return }
        value = .object(members.filter { $0.key != key })
    }

    /// Edits the value at `key` in place, creating it from `make` when missing.
    mutating func edit(_ key: String, creating make: () -> DocumentNode, _ body: (inout DocumentNode) -> Void) {
        var node = self[key: key] ?? make()
        body(&node)
        set(key, node)
    }

    /// Edits the elements of a list in place.
    mutating func editElements(_ body: (inout [DocumentNode]) -> Void) {
        guard var elements else { return }
        body(&elements)
        value = .array(elements)
    }

    static func string(_ text: String, at position: SourcePosition) -> DocumentNode {
        DocumentNode(.string(text), at: position)
    }

    static func number(_ number: Double, at position: SourcePosition) -> DocumentNode {
        let text = number == number.rounded() && Swift.abs(number) < 1e15 ? String(Int(number)) : String(number)
        return DocumentNode(.number(number, text: text), at: position)
    }

    static func list(_ elements: [DocumentNode] = [], at position: SourcePosition) -> DocumentNode {
        DocumentNode(.array(elements), at: position)
    }

    static func object(_ pairs: [(String, DocumentNode)] = [], at position: SourcePosition) -> DocumentNode {
        DocumentNode(.object(pairs.map { DocumentMember(key: $0.0, keyPosition: $0.1.position, node: $0.1) }), at: position)
    }

    /// The tree as JSON, two spaces per level, object members in their order. Numbers are
    /// written from their value (a whole number without a fraction), so YAML input comes
    /// out as valid JSON.
    public func jsonText() -> String {
        var out = ""
        writeJSON(into: &out, indent: 0)
        out += "\n"
        return out
    }

    private func writeJSON(into out: inout String, indent: Int) {
        switch value {
        case .null: out += "null"
        case let .bool(flag): out += flag ? "true" : "false"
        case let .number(number, _):
            out += number == number.rounded() && Swift.abs(number) < 1e15 ? String(Int(number)) : String(number)
        case let .string(text): out += jsonQuoted(text)
        case let .array(elements):
            if elements.isEmpty { out += "[]"; return }
            // Short lists of scalars stay on one line.
            if elements.count <= 12, elements.allSatisfy({ $0.members == nil && $0.elements == nil }) {
                out += "["
                for (index, element) in elements.enumerated() {
                    if index > 0 { out += ", " }
                    element.writeJSON(into: &out, indent: indent)
                }
                out += "]"
                return
            }
            out += "[\n"
            for (index, element) in elements.enumerated() {
                out += String(repeating: " ", count: indent + 2)
                element.writeJSON(into: &out, indent: indent + 2)
                out += index + 1 < elements.count ? ",\n" : "\n"
            }
            out += String(repeating: " ", count: indent) + "]"
        case let .object(members):
            if members.isEmpty { out += "{}"; return }
            out += "{\n"
            for (index, member) in members.enumerated() {
                out += String(repeating: " ", count: indent + 2) + jsonQuoted(member.key) + ": "
                member.node.writeJSON(into: &out, indent: indent + 2)
                out += index + 1 < members.count ? ",\n" : "\n"
            }
            out += String(repeating: " ", count: indent) + "}"
        }
    }
}
