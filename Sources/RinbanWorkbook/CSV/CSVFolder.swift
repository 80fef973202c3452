import Foundation
import RinbanCore

/// A folder of CSV files, one per sheet (`医師.csv`, `診療所.csv`, …), read as sheets.
///
/// The encoding is detected, not asked for: UTF-8 with or without a byte-order mark, or
/// Shift_JIS/CP932 as 「CSV (コンマ区切り)」 of Japanese Excel writes it (decoded by
/// Foundation), or UTF-16 with a byte-order mark (Excel's 「Unicode テキスト」, tab-separated).
public enum CSVFolder {
    /// Largest CSV file read.
    public static let maximumBytes = 16 * 1024 * 1024
    /// Most rows read from one file.
    public static let maximumRows = 100_000

    public static func read(_ folder: String) throws(WorkbookFileError) -> [SheetGrid] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            throw WorkbookFileError(file: folder, japanese: "フォルダを読めません", english: "cannot read the folder")
        }
        var sheets: [SheetGrid] = []
        for name in names.sorted() where name.lowercased().hasSuffix(".csv") || name.lowercased().hasSuffix(".txt") {
            let path = (folder as NSString).appendingPathComponent(name)
            let stem = (name as NSString).deletingPathExtension.precomposedStringWithCanonicalMapping
            sheets.append(try readFile(path, sheet: stem))
        }
        if sheets.isEmpty {
            throw WorkbookFileError(file: folder, japanese: "CSV ファイル (.csv) がありません", english: "no .csv files in the folder")
        }
        return sheets
    }

    /// One CSV file as a sheet.
    public static func readFile(_ path: String, sheet: String) throws(WorkbookFileError) -> SheetGrid {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let size = attributes[.size] as? Int
        else {
            throw WorkbookFileError(file: path, japanese: "ファイルを読めません", english: "cannot read the file")
        }
        guard size <= maximumBytes else {
            throw WorkbookFileError(file: path, japanese: "ファイルが大きすぎます (上限 16 MB)", english: "file too large (limit 16 MB)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw WorkbookFileError(file: path, japanese: "ファイルを読めません", english: "cannot read the file")
        }
        guard let (text, _) = decode(data) else {
            throw WorkbookFileError(file: path, japanese: "文字コードが UTF-8 でも Shift_JIS でもありません",
                                    english: "the text is neither UTF-8 nor Shift_JIS/CP932")
        }
        return try grid(text, sheet: sheet, file: path)
    }

    /// The text and the encoding it was found in.
    public static func decode(_ data: Data) -> (String, String.Encoding)? {
        let bytes = [UInt8](data.prefix(3))
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            return String(data: data.dropFirst(3), encoding: .utf8).map { ($0, .utf8) }
        }
        if bytes.starts(with: [0xFF, 0xFE]) { return String(data: data, encoding: .utf16).map { ($0, .utf16LittleEndian) } }
        if bytes.starts(with: [0xFE, 0xFF]) { return String(data: data, encoding: .utf16).map { ($0, .utf16BigEndian) } }
        if let text = String(data: data, encoding: .utf8) { return (text, .utf8) }
        if let text = String(data: data, encoding: .shiftJIS) { return (text, .shiftJIS) }
        return nil
    }

    /// Parses CSV (RFC 4180: quoted fields with doubled quotes and line breaks inside; CRLF,
    /// LF or CR line ends). A file whose first line has tabs and no commas is tab-separated.
    static func grid(_ text: String, sheet: String, file: String) throws(WorkbookFileError) -> SheetGrid {
        let scalars = Array(text.unicodeScalars)
        let firstLine = scalars.prefix { $0 != "\n" && $0 != "\r" }
        let separator: Unicode.Scalar = firstLine.contains("\t") && !firstLine.contains(",") ? "\t" : ","
        var grid = SheetGrid(name: sheet)
        var row = 0, column = 0
        var field = String.UnicodeScalarView()
        var quoted = false, wasQuoted = false
        var index = 0

        func finishField() {
            if !field.isEmpty || wasQuoted {
                let value = String(field)
                if !value.isEmpty { grid.cells[CellRef(row: row, column: column)] = ReadCell(.text(value)) }
            }
            field = String.UnicodeScalarView()
            wasQuoted = false
            column += 1
        }

        while index < scalars.count {
            let scalar = scalars[index]
            if quoted {
                if scalar == "\"" {
                    if index + 1 < scalars.count, scalars[index + 1] == "\"" {
                        field.append("\"")
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(scalar)
                }
            } else if scalar == "\"", field.isEmpty {
                quoted = true
                wasQuoted = true
            } else if scalar == separator {
                finishField()
            } else if scalar == "\n" || scalar == "\r" {
                finishField()
                if scalar == "\r", index + 1 < scalars.count, scalars[index + 1] == "\n" { index += 1 }
                row += 1
                column = 0
                if row > maximumRows {
                    throw WorkbookFileError(file: file, japanese: "「\(sheet)」の行が多すぎます (上限 \(maximumRows) 行)",
                                            english: "\(sheet) has too many rows (limit \(maximumRows))")
                }
            } else {
                field.append(scalar)
            }
            index += 1
        }
        if !field.isEmpty || wasQuoted || column > 0 { finishField() }
        return grid
    }
}
