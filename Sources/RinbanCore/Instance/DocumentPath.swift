/// Where a value sits in an input document, written the way a reader finds it:
/// `physicians[12].clinic`, `weights.fairness`, `calendar.extraHolidays[3]`.
public struct DocumentPath: Hashable, Sendable, CustomStringConvertible {
    public enum Component: Hashable, Sendable {
        case key(String)
        case index(Int)
    }

    public private(set) var components: [Component]

    public init(_ components: [Component] = []) {
        self.components = components
    }

    /// The whole document.
    public static let root = DocumentPath()

    public func appending(_ key: String) -> DocumentPath {
        var copy = self
        copy.components.append(.key(key))
        return copy
    }

    public func appending(_ index: Int) -> DocumentPath {
        var copy = self
        copy.components.append(.index(index))
        return copy
    }

    public static func / (path: DocumentPath, key: String) -> DocumentPath { path.appending(key) }
    public static func / (path: DocumentPath, index: Int) -> DocumentPath { path.appending(index) }

    /// `a.b[3].c`; keys that are not plain identifiers are quoted: `weights["two words"]`.
    /// The root is `(document)`.
    public var description: String {
        if components.isEmpty { return "(document)" }
        var text = ""
        for component in components {
            switch component {
            case let .key(key):
                if key.isPlainIdentifier {
                    if !text.isEmpty { text += "." }
                    text += key
                } else {
                    var quoted = ""
                    for character in key {
                        if character == "\\" || character == "\"" { quoted.append("\\") }
                        quoted.append(character)
                    }
                    text += "[\"\(quoted)\"]"
                }
            case let .index(index):
                text += "[\(index)]"
            }
        }
        return text
    }
}

extension String {
    var isPlainIdentifier: Bool {
        guard let first = utf8.first, !(first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) else { return false }
        return utf8.allSatisfy { b in
            (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
                || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "_")
        }
    }
}
