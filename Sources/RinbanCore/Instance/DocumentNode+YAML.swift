extension DocumentNode {
    /// The tree as YAML in block style, object members in their order. Every string is
    /// double-quoted (a JSON string literal is a valid YAML one), so no reader can take
    /// `18:00`, `2027-01-05`, `101` or `no` for anything but text; keys that are plain
    /// identifiers stay bare. Empty lists and objects are written `[]` and `{}`.
    public func yamlText() -> String {
        var out = ""
        switch value {
        case .object, .array: writeYAMLBlock(into: &out, indent: 0)
        default: out += yamlScalar + "\n"
        }
        return out
    }

    private var yamlScalar: String {
        switch value {
        case .null: return "null"
        case let .bool(flag): return flag ? "true" : "false"
        case let .number(number, _):
            return number == number.rounded() && Swift.abs(number) < 1e15 ? String(Int(number)) : String(number)
        case let .string(text): return jsonQuoted(text)
        case let .array(elements): return elements.isEmpty ? "[]" : ""
        case let .object(members): return members.isEmpty ? "{}" : ""
        }
    }

    private var isEmptyOrScalar: Bool {
        switch value {
        case let .array(elements): return elements.isEmpty
        case let .object(members): return members.isEmpty
        default: return true
        }
    }

    /// Writes an object's members or a list's elements, one per line, at `indent`.
    private func writeYAMLBlock(into out: inout String, indent: Int) {
        let pad = String(repeating: " ", count: indent)
        switch value {
        case let .object(members):
            for member in members {
                let key = member.key.isPlainIdentifier ? member.key : jsonQuoted(member.key)
                if member.node.isEmptyOrScalar {
                    out += "\(pad)\(key): \(member.node.yamlScalar)\n"
                } else {
                    out += "\(pad)\(key):\n"
                    member.node.writeYAMLBlock(into: &out, indent: indent + 2)
                }
            }
        case let .array(elements):
            for element in elements {
                if element.isEmptyOrScalar {
                    out += "\(pad)- \(element.yamlScalar)\n"
                } else if case .object = element.value {
                    // "- " then the first member on the same line, the rest aligned under it.
                    var block = ""
                    element.writeYAMLBlock(into: &block, indent: indent + 2)
                    out += "\(pad)- " + block.dropFirst(indent + 2)
                } else {
                    out += "\(pad)-\n"
                    element.writeYAMLBlock(into: &out, indent: indent + 2)
                }
            }
        default:
            out += pad + yamlScalar + "\n"
        }
    }
}
