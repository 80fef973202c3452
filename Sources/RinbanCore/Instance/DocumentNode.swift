/// A parsed JSON or YAML document: the same tree for both, with the position of every
/// value so that later checks can point at the line a person must edit.
///
/// Object members keep their order; duplicate keys never reach this tree (the readers
/// report them). YAML scalars are typed like JSON: only plain `null`/`~`, `true`/`false`
/// and JSON-style numbers become non-strings, so `18:00` and `2027-01-01` stay text.
public struct DocumentNode: Sendable {
    public enum Value: Sendable {
        case null
        case bool(Bool)
        /// A number, with the text it was written as (for messages and exact integers).
        case number(Double, text: String)
        case string(String)
        case array([DocumentNode])
        case object([DocumentMember])
    }

    public var value: Value
    /// Where the value starts in its file.
    public var position: SourcePosition

    public init(_ value: Value, at position: SourcePosition) {
        self.value = value
        self.position = position
    }

    /// A word for the value's type, for messages: "a string", "an object", …
    public var kindDescription: String {
        switch value {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "a list"
        case .object: return "an object"
        }
    }
}

/// One `key: value` member of an object.
public struct DocumentMember: Sendable {
    public var key: String
    /// Where the key is written.
    public var keyPosition: SourcePosition
    public var node: DocumentNode

    public init(key: String, keyPosition: SourcePosition, node: DocumentNode) {
        self.key = key
        self.keyPosition = keyPosition
        self.node = node
    }
}

/// The two input syntaxes.
public enum DocumentFormat: String, Sendable, CaseIterable {
    case json
    case yaml
}
