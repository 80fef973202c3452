import Foundation

/// Turns the bytes of an instance file, JSON or YAML, into one `DocumentNode` tree.
///
/// Instance files are written by hand or exported from a spreadsheet, so everything here
/// treats the input as untrusted: every problem becomes an `InputError` with a line and a
/// column, and hard limits on size, nesting and the number of values keep a hostile or
/// broken file from exhausting memory or the stack.
///
/// Positions: lines and columns both start at 1. A line ends at LF, CR or CR LF. Columns
/// count Unicode scalars, so a tab is one column and so is `日`. A UTF-8 byte order mark
/// at the start is skipped and takes no column.
public enum DocumentReader {
    /// The largest input accepted: 16 MiB.
    public static let maximumBytes: Int = 16 * 1024 * 1024
    /// The deepest nesting of lists and objects accepted: `[[1]]` has depth 2.
    public static let maximumDepth: Int = 64
    /// The most values (nulls, booleans, numbers, strings, lists and objects; keys do not
    /// count) in one document, after YAML aliases are expanded.
    public static let maximumNodes: Int = 2_000_000

    /// Parses bytes; non-UTF-8 input is refused with the line and column of the first bad byte.
    public static func parse(_ bytes: [UInt8], format: DocumentFormat) throws(InputError) -> DocumentNode {
        try parse(bytes, format: format, limits: .standard)
    }

    static func parse(_ bytes: [UInt8], format: DocumentFormat, limits: DocumentLimits) throws(InputError) -> DocumentNode {
        if bytes.count > limits.bytes {
            throw InputError(position: SourcePosition(line: 1, column: 1),
                             "input is \(describeSize(bytes.count, over: limits.bytes)); the limit for an instance is \(describeSize(limits.bytes))")
        }
        switch format {
        case .json: return try JSONDocumentParser.parse(bytes, limits: limits)
        case .yaml: return try YAMLDocumentParser.parse(bytes, limits: limits)
        }
    }

    /// Chooses the format from the file extension (`.json`, `.yaml`, `.yml`); otherwise the
    /// first non-blank byte decides: `{` or `[` means JSON, anything else YAML. A file larger
    /// than `maximumBytes` is refused without being read whole. Errors name the file.
    public static func read(contentsOf path: String) throws(InputError) -> (node: DocumentNode, format: DocumentFormat) {
        try read(contentsOf: path, limits: .standard)
    }

    static func read(contentsOf path: String, limits: DocumentLimits) throws(InputError) -> (node: DocumentNode, format: DocumentFormat) {
        let bytes: [UInt8]
        do {
            bytes = try readFile(path, limit: limits.bytes)
        } catch var error {
            error.file = path
            throw error
        }
        let format = format(forPath: path) ?? sniffFormat(bytes)
        do {
            return (try parse(bytes, format: format, limits: limits), format)
        } catch var error {
            error.file = path
            throw error
        }
    }

    /// The format named by a path's extension, if it names one.
    static func format(forPath path: String) -> DocumentFormat? {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "json": return .json
        case "yaml", "yml": return .yaml
        default: return nil
        }
    }

    /// JSON when the first byte that is not blank (after a byte order mark) is `{` or `[`.
    static func sniffFormat(_ bytes: [UInt8]) -> DocumentFormat {
        var index = bytes.starts(with: utf8ByteOrderMark) ? 3 : 0
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0A || bytes[index] == 0x0D {
            index += 1
        }
        guard index < bytes.count else { return .yaml }
        return bytes[index] == UInt8(ascii: "{") || bytes[index] == UInt8(ascii: "[") ? .json : .yaml
    }

    /// Reads at most `limit + 1` bytes, so that a larger file is never loaded whole.
    private static func readFile(_ path: String, limit: Int) throws(InputError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InputError("file not found")
        }
        if isDirectory.boolValue {
            throw InputError("is a folder, not a file")
        }
        if let attributes = try? FileManager.default.attributesOfItem(atPath: path),
           (attributes[.type] as? FileAttributeType) == .typeRegular,
           let size = (attributes[.size] as? NSNumber)?.intValue, size > limit {
            throw tooLarge(size, limit: limit)
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw InputError("the file cannot be read (check its permissions)")
        }
        defer { try? handle.close() }
        var bytes: [UInt8] = []
        while true {
            let chunk: Data?
            do {
                chunk = try handle.read(upToCount: min(1 << 20, limit + 1 - bytes.count))
            } catch {
                throw InputError("the file cannot be read (\(error.localizedDescription))")
            }
            guard let chunk, !chunk.isEmpty else { break }
            bytes.append(contentsOf: chunk)
            if bytes.count > limit {
                // Still growing past the limit (a pipe, or a file being written): stop here.
                throw InputError(position: SourcePosition(line: 1, column: 1),
                                 "file is larger than \(describeSize(limit)), the limit for an instance")
            }
        }
        return bytes
    }

    private static func tooLarge(_ size: Int, limit: Int) -> InputError {
        InputError(position: SourcePosition(line: 1, column: 1),
                   "file is \(describeSize(size, over: limit)); the limit for an instance is \(describeSize(limit))")
    }

    /// `16 MB`, `40.2 MB`, `1.5 KB`, `12 bytes`, in binary units (1 MB = 1,048,576 bytes) as
    /// a file manager on Windows shows them, to the nearest tenth; rounded up instead when
    /// the nearest tenth would not show a size as larger than the limit it exceeds.
    static func describeSize(_ bytes: Int, over limit: Int? = nil) -> String {
        func scaled(_ unit: Int, _ name: String) -> String {
            var tenths = (bytes * 10 + unit / 2) / unit
            if let limit, tenths * unit <= limit * 10 {
                tenths = (bytes * 10 + unit - 1) / unit
            }
            return tenths % 10 == 0 ? "\(tenths / 10) \(name)" : "\(tenths / 10).\(tenths % 10) \(name)"
        }
        if bytes >= 1 << 20 { return scaled(1 << 20, "MB") }
        if bytes >= 1 << 10 { return scaled(1 << 10, "KB") }
        return bytes == 1 ? "1 byte" : "\(bytes) bytes"
    }
}

/// The hard limits one parse works under; tests use smaller ones.
struct DocumentLimits: Sendable {
    var bytes: Int
    var depth: Int
    var nodes: Int

    static let standard = DocumentLimits(
        bytes: DocumentReader.maximumBytes, depth: DocumentReader.maximumDepth, nodes: DocumentReader.maximumNodes)
}

let utf8ByteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

/// Byte-level checks and position arithmetic shared by the two parsers.
enum InputText {
    /// Checks the encoding and returns the bytes after a UTF-8 byte order mark, if any.
    /// Refuses UTF-16 text (which spreadsheet programs write as "Unicode text") and any
    /// byte that is not part of well-formed UTF-8.
    static func content(of bytes: UnsafeBufferPointer<UInt8>) throws(InputError) -> UnsafeBufferPointer<UInt8> {
        if bytes.count >= 2, (bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF) {
            throw InputError(position: SourcePosition(line: 1, column: 1),
                             "the file is UTF-16 text; save it as UTF-8")
        }
        var body = bytes
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            body = UnsafeBufferPointer(rebasing: bytes[3...])
        }
        if let bad = firstInvalidUTF8(in: body) {
            throw InputError(position: position(of: bad, in: body),
                             "invalid UTF-8 byte \(hexByte(body[bad])) (the file must be saved as UTF-8)")
        }
        return body
    }

    /// The offset of the first byte that does not belong to well-formed UTF-8 (RFC 3629:
    /// no overlong forms, no surrogates, nothing above U+10FFFF). For a sequence cut short,
    /// that is its first byte.
    static func firstInvalidUTF8(in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        let count = bytes.count
        var i = 0
        while i < count {
            let lead = bytes[i]
            if lead < 0x80 { i += 1; continue }
            let length: Int
            var low: UInt8 = 0x80, high: UInt8 = 0xBF  // allowed range of the second byte
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return i
            }
            guard i + length <= count else { return i }
            let second = bytes[i + 1]
            guard second >= low, second <= high else { return i }
            var k = 2
            while k < length {
                guard bytes[i + k] & 0xC0 == 0x80 else { return i }
                k += 1
            }
            i += length
        }
        return nil
    }

    /// The line and column of a byte offset, counted from the start of `bytes`.
    static func position(of offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> SourcePosition {
        var line = 1
        var column = 1
        var i = 0
        let end = min(offset, bytes.count)
        while i < end {
            let b = bytes[i]
            if b == 0x0A {
                line += 1; column = 1
            } else if b == 0x0D {
                if i + 1 < bytes.count, bytes[i + 1] == 0x0A {
                    if i + 1 == end { break }  // the offset points at the LF of a CR LF
                    i += 1
                }
                line += 1; column = 1
            } else if b & 0xC0 != 0x80 {
                column += 1
            }
            i += 1
        }
        return SourcePosition(line: line, column: column)
    }

    /// The Unicode scalar starting at `offset`, if the bytes there are well-formed.
    static func scalar(at offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Unicode.Scalar? {
        guard offset < bytes.count else { return nil }
        var iterator = UnsafeBufferPointer(rebasing: bytes[offset..<min(bytes.count, offset + 4)]).makeIterator()
        var decoder = UTF8()
        if case let .scalarValue(scalar) = decoder.decode(&iterator) { return scalar }
        return nil
    }

    /// How a character appears in a message: `"}"`, `'"'`, `U+0007`.
    static func describe(_ scalar: Unicode.Scalar) -> String {
        if scalar == "\"" { return "'\"'" }
        switch scalar.properties.generalCategory {
        case .control, .format, .spaceSeparator, .lineSeparator, .paragraphSeparator, .surrogate,
             .privateUse, .unassigned:
            return unicodeName(scalar)
        default:
            return "\"\(Character(scalar))\""
        }
    }

    /// The character at `offset` as `describe` writes it; a malformed byte as `byte 0xFF`.
    static func describeCharacter(at offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> String {
        if let scalar = scalar(at: offset, in: bytes) { return describe(scalar) }
        return "byte \(hexByte(bytes[offset]))"
    }

    /// `U+0007`.
    static func unicodeName(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    static func hexByte(_ byte: UInt8) -> String {
        let hex = String(byte, radix: 16, uppercase: true)
        return "0x" + (hex.count == 1 ? "0" : "") + hex
    }

    /// `2,000,000`.
    static func grouped(_ value: Int) -> String {
        var digits = String(value)
        var index = digits.endIndex
        var count = 0
        while index > digits.startIndex {
            index = digits.index(before: index)
            count += 1
            if count % 3 == 0, index > digits.startIndex {
                digits.insert(",", at: index)
            }
        }
        return digits
    }

    /// Text for a message, cut short when long: `1e400`, `11111111…`.
    static func shortened(_ text: String, limit: Int = 40) -> String {
        text.unicodeScalars.count > limit ? String(String.UnicodeScalarView(text.unicodeScalars.prefix(limit))) + "…" : text
    }

    /// Text quoted for a message, shortened when long: `"abc"`, `"abcdefgh…"`.
    static func quoted(_ text: String, limit: Int = 40) -> String {
        let shown = shortened(text, limit: limit).replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r")
            .replacingOccurrences(of: "\t", with: "\\t")
        return "\"\(shown)\""
    }
}
