/// A JSON value whose object keys keep the order they were given in, and its printer.
///
/// Foundation's `JSONSerialization` neither keeps key order nor promises a number format,
/// so the generator writes its own text: keys in a fixed order, numbers in Swift's
/// shortest round-trip form, Japanese text as UTF-8 (no `\u` escapes). A value is printed
/// on one line when it fits in `width` columns (CJK characters count two; twice that for
/// an element of a list) and broken over lines otherwise, which puts one entity per line
/// like the shared example; a long list of plain values fills its lines.
indirect enum JSONText {
    case object([(String, JSONText)])
    case array([JSONText])
    case string(String)
    case integer(Int)
    case number(Double)
    case bool(Bool)
    case null

    /// The whole document, ending with a newline. The top level is always broken over lines.
    func document(width: Int = 160) -> String {
        render(indent: 0, column: 0, width: width, forceBreak: true) + "\n"
    }

    private func render(indent: Int, column: Int, width: Int, forceBreak: Bool = false) -> String {
        let inline = compact
        if !forceBreak && column + Self.columns(inline) <= width { return inline }
        let pad = String(repeating: " ", count: indent + 2)
        switch self {
        case let .object(entries) where !entries.isEmpty:
            let lines = entries.map { key, value -> String in
                let head = pad + Self.quote(key) + ": "
                return head + value.render(indent: indent + 2, column: Self.columns(head), width: width)
            }
            return "{\n" + lines.joined(separator: ",\n") + "\n" + String(repeating: " ", count: indent) + "}"
        case let .array(elements) where !elements.isEmpty && elements.allSatisfy(\.isScalar):
            // A long list of ids or dates: as many per line as fit.
            var lines: [String] = []
            var line = ""
            for element in elements.map(\.compact) {
                if !line.isEmpty && Self.columns(pad + line + element) + 2 > width {
                    lines.append(pad + line)
                    line = ""
                }
                line += (line.isEmpty ? "" : " ") + element + ","
            }
            lines.append(pad + String(line.dropLast()))
            return "[\n" + lines.joined(separator: "\n") + "\n" + String(repeating: " ", count: indent) + "]"
        case let .array(elements) where !elements.isEmpty:
            // Entities (a physician, a hospital) stay on one line unless very long, so a
            // line number in a validation message points at one entity.
            let lines = elements.map { pad + $0.render(indent: indent + 2, column: indent + 2, width: 2 * width) }
            return "[\n" + lines.joined(separator: ",\n") + "\n" + String(repeating: " ", count: indent) + "]"
        default:
            return inline
        }
    }

    private var isScalar: Bool {
        switch self {
        case .object, .array: return false
        default: return true
        }
    }

    private var compact: String {
        switch self {
        case let .object(entries):
            if entries.isEmpty { return "{}" }
            return "{ " + entries.map { Self.quote($0.0) + ": " + $0.1.compact }.joined(separator: ", ") + " }"
        case let .array(elements):
            return "[" + elements.map(\.compact).joined(separator: ", ") + "]"
        case let .string(text):
            return Self.quote(text)
        case let .integer(value):
            return String(value)
        case let .number(value):
            precondition(value.isFinite, "JSON has no non-finite numbers")
            if value == value.rounded() && abs(value) < 1e15 { return String(Int(value)) }
            return "\(value)"
        case let .bool(value):
            return value ? "true" : "false"
        case .null:
            return "null"
        }
    }

    private static func quote(_ text: String) -> String { jsonQuoted(text) }

    /// Display columns: two for anything outside ASCII (kanji, kana), one otherwise.
    private static func columns(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + ($1.value < 0x80 ? 1 : 2) }
    }
}
