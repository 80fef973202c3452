import Foundation
import RinbanCore
import ZIPFoundation

/// Writes a `Workbook` as an Office Open XML spreadsheet (.xlsx).
///
/// Every part is built as UTF-8 bytes in one growing buffer per part (no per-cell strings
/// beyond Swift's small, inline ones), then the parts are deflated into an in-memory zip.
/// The XML follows the element order of the SpreadsheetML schema, which Excel enforces.
public enum XLSXWriter {
    /// The .xlsx bytes of `workbook`.
    /// - Throws: ``WorkbookFileError`` (file `(workbook)`) for a workbook Excel would refuse:
    ///   no sheets, an invalid or repeated sheet name, an invalid defined name, overlapping
    ///   merged ranges, a drop-down list longer than Excel allows, too many rows or columns.
    public static func data(for workbook: Workbook) throws(WorkbookFileError) -> Data {
        try validate(workbook)
        var strings = SharedStringTable()
        var styles = StyleTable()
        var sheetParts: [[UInt8]] = []
        sheetParts.reserveCapacity(workbook.sheets.count)
        for (index, sheet) in workbook.sheets.enumerated() {
            sheetParts.append(
                try worksheetXML(sheet, selected: index == workbook.activeSheet, strings: &strings, styles: &styles))
        }
        var parts: [(path: String, bytes: [UInt8])] = [
            ("[Content_Types].xml", contentTypesXML(sheetCount: sheetParts.count, hasStrings: !strings.isEmpty)),
            ("_rels/.rels", packageRelsXML()),
            ("docProps/core.xml", coreXML()),
            ("docProps/app.xml", appXML()),
            ("xl/workbook.xml", workbookXML(workbook)),
            ("xl/_rels/workbook.xml.rels", workbookRelsXML(sheetCount: sheetParts.count, hasStrings: !strings.isEmpty)),
            ("xl/styles.xml", styles.xml()),
        ]
        if !strings.isEmpty { parts.append(("xl/sharedStrings.xml", strings.xml())) }
        for (index, bytes) in sheetParts.enumerated() { parts.append(("xl/worksheets/sheet\(index + 1).xml", bytes)) }
        return try zip(parts)
    }

    /// Writes `workbook` to `path` atomically (a reader sees the old file or the complete new one).
    /// - Throws: ``OutputError`` naming the path; a workbook that cannot be written (see
    ///   ``data(for:)``) is reported the same way, with the Japanese and English reason.
    public static func write(_ workbook: Workbook, to path: String) throws(OutputError) {
        let bytes: Data
        do {
            bytes = try data(for: workbook)
        } catch {
            throw OutputError(path: path, reason: "\(error.japanese) / \(error.english)")
        }
        try AtomicFile.write(bytes, to: path)
    }

    // MARK: - Limits and validation

    /// Excel's grid.
    static let maxRows = 1_048_576
    static let maxColumns = 16_384

    private static func failure(_ japanese: String, _ english: String) -> WorkbookFileError {
        WorkbookFileError(file: "(workbook)", japanese: japanese, english: english)
    }

    private static func validate(_ workbook: Workbook) throws(WorkbookFileError) {
        guard !workbook.sheets.isEmpty else {
            throw failure("ブックにシートがありません。", "The workbook has no sheets.")
        }
        guard workbook.sheets.indices.contains(workbook.activeSheet) else {
            throw failure(
                "表示するシートの番号 \(workbook.activeSheet) がありません (シートは \(workbook.sheets.count) 枚)。",
                "The active sheet \(workbook.activeSheet) does not exist (the workbook has \(workbook.sheets.count) sheets).")
        }
        var seen = Set<String>()
        for sheet in workbook.sheets {
            try validateSheetName(sheet.name)
            guard seen.insert(sheet.name.lowercased()).inserted else {
                throw failure(
                    "シート名「\(sheet.name)」が重複しています (大文字と小文字は区別されません)。",
                    "The sheet name “\(sheet.name)” is used more than once (case is ignored).")
            }
            try validateGrid(sheet)
        }
        var names = Set<String>()
        for name in workbook.definedNames {
            guard isValidDefinedName(name.name) else {
                throw failure(
                    "名前「\(name.name)」は Excel の名前として使えません。",
                    "“\(name.name)” is not a valid Excel defined name.")
            }
            guard names.insert(name.name.lowercased()).inserted else {
                throw failure("名前「\(name.name)」が重複しています。", "The defined name “\(name.name)” is used more than once.")
            }
        }
    }

    /// At most 31 characters, none of `[]:*?/\`, not empty, not starting or ending with `'`.
    static func validateSheetName(_ name: String) throws(WorkbookFileError) {
        let forbidden: Set<Character> = ["[", "]", ":", "*", "?", "/", "\\"]
        if name.isEmpty || name.count > 31 || name.contains(where: { forbidden.contains($0) })
            || name.hasPrefix("'") || name.hasSuffix("'")
            || name.unicodeScalars.contains(where: { $0.value < 0x20 })
        {
            throw failure(
                "シート名「\(name)」は使えません。1〜31 文字で、[ ] : * ? / \\ を含まず、' で始まったり終わったりしない名前にしてください。",
                "The sheet name “\(name)” cannot be used: it must have 1 to 31 characters, none of [ ] : * ? / \\, and must not start or end with an apostrophe.")
        }
    }

    private static func validateGrid(_ sheet: Sheet) throws(WorkbookFileError) {
        guard sheet.rows.count <= maxRows, sheet.rows.allSatisfy({ $0.count <= maxColumns }) else {
            throw failure(
                "シート「\(sheet.name)」が大きすぎます (Excel の上限は \(maxRows) 行 × \(maxColumns) 列)。",
                "The sheet “\(sheet.name)” is too large (Excel allows \(maxRows) rows × \(maxColumns) columns).")
        }
        func inGrid(_ range: CellRange) -> Bool {
            let r = range.normalized
            return r.first.row >= 0 && r.first.column >= 0 && r.last.row < maxRows && r.last.column < maxColumns
        }
        let ranges = sheet.merges.map(\.self) + sheet.validations.map(\.range) + sheet.dataBars.map(\.range)
        if let bad = ranges.first(where: { !inGrid($0) }) {
            throw failure(
                "シート「\(sheet.name)」の範囲 \(bad) が Excel のシートの外にあります。",
                "The range \(bad) of the sheet “\(sheet.name)” lies outside Excel's grid.")
        }
        guard sheet.frozenRows >= 0, sheet.frozenColumns >= 0, sheet.frozenRows < maxRows, sheet.frozenColumns < maxColumns
        else {
            throw failure(
                "シート「\(sheet.name)」の固定する行・列の数が正しくありません。",
                "The frozen rows or columns of the sheet “\(sheet.name)” are out of range.")
        }
        let merges = sheet.merges.map(\.normalized).filter { $0.first != $0.last }
        for i in merges.indices {
            for j in merges.indices where j > i && merges[i].overlaps(merges[j]) {
                throw failure(
                    "シート「\(sheet.name)」の結合セル \(merges[i]) と \(merges[j]) が重なっています。",
                    "The merged ranges \(merges[i]) and \(merges[j]) of the sheet “\(sheet.name)” overlap.")
            }
        }
        for validation in sheet.validations {
            let source = validation.source.hasPrefix("=") ? String(validation.source.dropFirst()) : validation.source
            // Excel refuses (and "repairs" away) a literal list longer than 255 characters.
            if source.hasPrefix("\""), source.count > 257 {
                throw failure(
                    "シート「\(sheet.name)」のドロップダウン (\(validation.range)) の選択肢が長すぎます (Excel の上限は 255 文字)。",
                    "The drop-down list of \(validation.range) on the sheet “\(sheet.name)” is longer than Excel's 255 characters.")
            }
        }
    }

    /// Excel's rules for defined names: a letter, `_` or `\` first; then letters, digits,
    /// `_`, `.`, `\`; not a cell reference (`A1`, `R1C1`, `R`, `C`).
    static func isValidDefinedName(_ name: String) -> Bool {
        guard let first = name.first, name.count <= 255 else { return false }
        guard first.isLetter || first == "_" || first == "\\" else { return false }
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "\\" }) else { return false }
        if let ref = CellRef(a1: Substring(name)), ref.column < maxColumns, !name.contains("$") { return false }
        let upper = name.uppercased()
        var rest = Substring(upper)
        func digits() { rest = rest.drop(while: { $0.isASCII && $0.isNumber }) }
        if rest.first == "R" {
            rest = rest.dropFirst()
            digits()
        }
        if rest.first == "C" {
            rest = rest.dropFirst()
            digits()
        }
        return !rest.isEmpty
    }

    // MARK: - Cells

    private static func worksheetXML(
        _ sheet: Sheet, selected: Bool, strings: inout SharedStringTable, styles: inout StyleTable
    ) throws(WorkbookFileError) -> [UInt8] {
        let cellCount = sheet.rows.reduce(0) { $0 + $1.count }
        var x = XLSXBuffer(capacity: 2048 + cellCount * 28)
        x.raw(xmlDeclaration)
        x.raw("<worksheet xmlns=\"\(mainNamespace)\" xmlns:r=\"\(relationshipNamespace)\">")

        // sheetPr
        let fitToPage = sheet.page?.fitToWidth != nil
        if sheet.tabColor != nil || fitToPage {
            x.raw("<sheetPr>")
            if let tab = sheet.tabColor {
                x.raw("<tabColor rgb=\"")
                x.argb(tab)
                x.raw("\"/>")
            }
            if fitToPage { x.raw("<pageSetUpPr fitToPage=\"1\"/>") }
            x.raw("</sheetPr>")
        }

        // dimension
        var lastRow = -1, lastColumn = -1
        for (r, row) in sheet.rows.enumerated() {
            if let c = row.lastIndex(where: { $0.value != .empty || $0.style != .plain }) {
                lastRow = r
                lastColumn = max(lastColumn, c)
            }
        }
        x.raw("<dimension ref=\"")
        x.raw(lastRow < 0 ? "A1" : CellRange(CellRef(row: 0, column: 0), CellRef(row: lastRow, column: lastColumn)).description)
        x.raw("\"/>")

        // sheetViews
        x.raw("<sheetViews><sheetView")
        if selected { x.raw(" tabSelected=\"1\"") }
        x.raw(" workbookViewId=\"0\">")
        if sheet.frozenRows > 0 || sheet.frozenColumns > 0 {
            let topLeft = CellRef(row: sheet.frozenRows, column: sheet.frozenColumns).description
            let pane =
                sheet.frozenRows > 0 && sheet.frozenColumns > 0
                ? "bottomRight" : (sheet.frozenRows > 0 ? "bottomLeft" : "topRight")
            x.raw("<pane")
            if sheet.frozenColumns > 0 { x.raw(" xSplit=\"\(sheet.frozenColumns)\"") }
            if sheet.frozenRows > 0 { x.raw(" ySplit=\"\(sheet.frozenRows)\"") }
            x.raw(" topLeftCell=\"\(topLeft)\" activePane=\"\(pane)\" state=\"frozen\"/>")
            x.raw("<selection pane=\"\(pane)\" activeCell=\"\(topLeft)\" sqref=\"\(topLeft)\"/>")
        }
        x.raw("</sheetView></sheetViews>")

        x.raw("<sheetFormatPr defaultRowHeight=\"18.75\"/>")

        // cols
        let widths = sheet.columnWidths.filter { $0.key >= 0 && $0.key < maxColumns && $0.value.isFinite }
        if !widths.isEmpty {
            x.raw("<cols>")
            for column in widths.keys.sorted() {
                let width = min(max(widths[column]!, 0), 255)
                x.raw("<col min=\"\(column + 1)\" max=\"\(column + 1)\" width=\"")
                x.number(width)
                x.raw("\" customWidth=\"1\"/>")
            }
            x.raw("</cols>")
        }

        // sheetData
        var letters = ColumnLetters()
        x.raw("<sheetData>")
        var lastStyle = CellStyle.plain
        var lastStyleIndex = 0
        for (r, row) in sheet.rows.enumerated() where r <= lastRow {
            guard row.contains(where: { $0.value != .empty || $0.style != .plain }) else { continue }
            let rowNumber = String(r + 1)
            x.raw("<row r=\"")
            x.raw(rowNumber)
            x.raw("\">")
            for (c, cell) in row.enumerated() {
                var style = cell.style
                switch cell.value {
                case .date:
                    if style.format != .date && style.format != .shortDateWithWeekday { style.format = .date }
                case .time:
                    if style.format != .time { style.format = .time }
                case .empty:
                    if style == .plain { continue }
                default:
                    break
                }
                let styleIndex: Int
                if style == lastStyle {
                    styleIndex = lastStyleIndex
                } else {
                    styleIndex = styles.index(of: style)
                    lastStyle = style
                    lastStyleIndex = styleIndex
                }
                x.raw("<c r=\"")
                x.raw(letters[c])
                x.raw(rowNumber)
                x.raw("\"")
                if styleIndex != 0 {
                    x.raw(" s=\"")
                    x.int(styleIndex)
                    x.raw("\"")
                }
                switch cell.value {
                case .empty:
                    x.raw("/>")
                case .text(let text):
                    x.raw(" t=\"s\"><v>")
                    x.int(strings.index(of: text))
                    x.raw("</v></c>")
                case .number(let number):
                    if number.isFinite {
                        x.raw("><v>")
                        x.number(number)
                        x.raw("</v></c>")
                    } else {
                        x.raw(" t=\"e\"><v>#NUM!</v></c>")
                    }
                case .bool(let flag):
                    x.raw(flag ? " t=\"b\"><v>1</v></c>" : " t=\"b\"><v>0</v></c>")
                case .date(let date):
                    if XLSXReader.date(fromSerial: XLSXReader.serial(of: date)) == date {
                        x.raw("><v>")
                        x.int(Int(XLSXReader.serial(of: date)))
                        x.raw("</v></c>")
                    } else {
                        // Before 1900-01-01 or after 9999-12-31: Excel has no serial; keep the text.
                        x.raw(" t=\"s\"><v>")
                        x.int(strings.index(of: date.iso))
                        x.raw("</v></c>")
                    }
                case .time(let minutes):
                    x.raw("><v>")
                    x.number(Double(minutes) / 1440)
                    x.raw("</v></c>")
                }
            }
            x.raw("</row>")
        }
        x.raw("</sheetData>")

        // mergeCells
        let merges = sheet.merges.map(\.normalized).filter { $0.first != $0.last }
        if !merges.isEmpty {
            x.raw("<mergeCells count=\"\(merges.count)\">")
            for merge in merges { x.raw("<mergeCell ref=\"\(merge)\"/>") }
            x.raw("</mergeCells>")
        }

        // conditionalFormatting
        for (i, bar) in sheet.dataBars.enumerated() {
            x.raw("<conditionalFormatting sqref=\"\(bar.range.normalized)\">")
            x.raw("<cfRule type=\"dataBar\" priority=\"\(i + 1)\"><dataBar><cfvo type=\"min\"/><cfvo type=\"max\"/><color rgb=\"")
            x.argb(bar.color)
            x.raw("\"/></dataBar></cfRule></conditionalFormatting>")
        }

        // dataValidations
        if !sheet.validations.isEmpty {
            x.raw("<dataValidations count=\"\(sheet.validations.count)\">")
            for validation in sheet.validations {
                x.raw("<dataValidation type=\"list\" errorStyle=\"")
                x.raw(validation.strict ? "stop" : "warning")
                x.raw("\" allowBlank=\"1\" showInputMessage=\"1\" showErrorMessage=\"1\"")
                if let message = validation.errorMessage {
                    x.raw(" errorTitle=\"入力エラー\" error=\"")
                    // Excel's limit for the message is 225 characters.
                    x.attribute(message.count > 225 ? String(message.prefix(225)) : message)
                    x.raw("\"")
                }
                x.raw(" sqref=\"\(validation.range.normalized)\"><formula1>")
                x.text(validation.source.hasPrefix("=") ? String(validation.source.dropFirst()) : validation.source)
                x.raw("</formula1></dataValidation>")
            }
            x.raw("</dataValidations>")
        }

        x.raw("<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/>")
        // Paper is always A4; orientation and scaling only when the sheet has print settings.
        x.raw("<pageSetup paperSize=\"9\"")
        if let page = sheet.page {
            x.raw(page.landscape ? " orientation=\"landscape\"" : " orientation=\"portrait\"")
            if let across = page.fitToWidth { x.raw(" fitToWidth=\"\(max(across, 0))\" fitToHeight=\"0\"") }
        }
        x.raw("/>")
        x.raw("</worksheet>")
        return x.bytes
    }

    // MARK: - Package parts

    static let xmlDeclaration = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    static let mainNamespace = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    static let relationshipNamespace = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    private static let packageRelationshipNamespace = "http://schemas.openxmlformats.org/package/2006/relationships"

    private static func contentTypesXML(sheetCount: Int, hasStrings: Bool) -> [UInt8] {
        var x = XLSXBuffer(capacity: 2048)
        let spreadsheet = "application/vnd.openxmlformats-officedocument.spreadsheetml"
        x.raw(xmlDeclaration)
        x.raw("<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">")
        x.raw("<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>")
        x.raw("<Default Extension=\"xml\" ContentType=\"application/xml\"/>")
        x.raw("<Override PartName=\"/xl/workbook.xml\" ContentType=\"\(spreadsheet).sheet.main+xml\"/>")
        for i in stride(from: 1, through: sheetCount, by: 1) {
            x.raw("<Override PartName=\"/xl/worksheets/sheet\(i).xml\" ContentType=\"\(spreadsheet).worksheet+xml\"/>")
        }
        x.raw("<Override PartName=\"/xl/styles.xml\" ContentType=\"\(spreadsheet).styles+xml\"/>")
        if hasStrings {
            x.raw("<Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"\(spreadsheet).sharedStrings+xml\"/>")
        }
        x.raw("<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>")
        x.raw("<Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>")
        x.raw("</Types>")
        return x.bytes
    }

    private static func packageRelsXML() -> [UInt8] {
        var x = XLSXBuffer(capacity: 1024)
        x.raw(xmlDeclaration)
        x.raw("<Relationships xmlns=\"\(packageRelationshipNamespace)\">")
        x.raw("<Relationship Id=\"rId1\" Type=\"\(relationshipNamespace)/officeDocument\" Target=\"xl/workbook.xml\"/>")
        x.raw("<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>")
        x.raw("<Relationship Id=\"rId3\" Type=\"\(relationshipNamespace)/extended-properties\" Target=\"docProps/app.xml\"/>")
        x.raw("</Relationships>")
        return x.bytes
    }

    private static func coreXML() -> [UInt8] {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        let now = formatter.string(from: Date())
        var x = XLSXBuffer(capacity: 1024)
        x.raw(xmlDeclaration)
        x.raw("<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\"")
        x.raw(" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\"")
        x.raw(" xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">")
        x.raw("<dc:creator>rinban</dc:creator>")
        x.raw("<dcterms:created xsi:type=\"dcterms:W3CDTF\">\(now)</dcterms:created>")
        x.raw("<dcterms:modified xsi:type=\"dcterms:W3CDTF\">\(now)</dcterms:modified>")
        x.raw("</cp:coreProperties>")
        return x.bytes
    }

    private static func appXML() -> [UInt8] {
        var x = XLSXBuffer(capacity: 512)
        x.raw(xmlDeclaration)
        x.raw("<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\"")
        x.raw(" xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\">")
        x.raw("<Application>rinban</Application><DocSecurity>0</DocSecurity></Properties>")
        return x.bytes
    }

    private static func workbookXML(_ workbook: Workbook) -> [UInt8] {
        var x = XLSXBuffer(capacity: 1024 + 128 * workbook.sheets.count)
        x.raw(xmlDeclaration)
        x.raw("<workbook xmlns=\"\(mainNamespace)\" xmlns:r=\"\(relationshipNamespace)\">")
        x.raw("<workbookPr/>")
        x.raw("<bookViews><workbookView activeTab=\"\(workbook.activeSheet)\"/></bookViews>")
        x.raw("<sheets>")
        for (i, sheet) in workbook.sheets.enumerated() {
            x.raw("<sheet name=\"")
            x.attribute(sheet.name)
            x.raw("\" sheetId=\"\(i + 1)\" r:id=\"rId\(i + 1)\"/>")
        }
        x.raw("</sheets>")
        let titles = workbook.sheets.enumerated().compactMap { i, sheet in
            sheet.page?.repeatRows.map { (i, sheet.name, $0) }
        }
        if !workbook.definedNames.isEmpty || !titles.isEmpty {
            x.raw("<definedNames>")
            for name in workbook.definedNames {
                x.raw("<definedName name=\"")
                x.attribute(name.name)
                x.raw("\">")
                x.text(name.formula.hasPrefix("=") ? String(name.formula.dropFirst()) : name.formula)
                x.raw("</definedName>")
            }
            for (index, name, rows) in titles {
                x.raw("<definedName name=\"_xlnm.Print_Titles\" localSheetId=\"\(index)\">")
                x.text(quotedSheetName(name))
                x.raw("!$\(max(rows.lowerBound, 0) + 1):$\(max(rows.upperBound, 0) + 1)</definedName>")
            }
            x.raw("</definedNames>")
        }
        x.raw("</workbook>")
        return x.bytes
    }

    /// `'名前'` for formulas, with any `'` doubled.
    static func quotedSheetName(_ name: String) -> String {
        "'" + name.replacingOccurrences(of: "'", with: "''") + "'"
    }

    private static func workbookRelsXML(sheetCount: Int, hasStrings: Bool) -> [UInt8] {
        var x = XLSXBuffer(capacity: 512 + 160 * sheetCount)
        x.raw(xmlDeclaration)
        x.raw("<Relationships xmlns=\"\(packageRelationshipNamespace)\">")
        for i in 0..<sheetCount {
            x.raw("<Relationship Id=\"rId\(i + 1)\" Type=\"\(relationshipNamespace)/worksheet\" Target=\"worksheets/sheet\(i + 1).xml\"/>")
        }
        x.raw("<Relationship Id=\"rId\(sheetCount + 1)\" Type=\"\(relationshipNamespace)/styles\" Target=\"styles.xml\"/>")
        if hasStrings {
            x.raw("<Relationship Id=\"rId\(sheetCount + 2)\" Type=\"\(relationshipNamespace)/sharedStrings\" Target=\"sharedStrings.xml\"/>")
        }
        x.raw("</Relationships>")
        return x.bytes
    }

    /// A zip archive of `parts` (deflated), in memory. The server's zip of calendars uses it too.
    public static func zip(_ parts: [(path: String, bytes: [UInt8])]) throws(WorkbookFileError) -> Data {
        do {
            let archive = try Archive(data: Data(), accessMode: .create)
            let now = Date()
            for part in parts {
                let bytes = part.bytes
                try archive.addEntry(
                    with: part.path, type: .file, uncompressedSize: Int64(bytes.count), modificationDate: now,
                    compressionMethod: .deflate, bufferSize: 64 * 1024
                ) { position, size in
                    let start = Int(position)
                    return bytes.withUnsafeBufferPointer { Data(buffer: UnsafeBufferPointer(rebasing: $0[start..<start + size])) }
                }
            }
            guard let data = archive.data else {
                throw failure("ZIP を作れませんでした。", "The zip container could not be built.")
            }
            return data
        } catch let error as WorkbookFileError {
            throw error
        } catch {
            throw failure("ZIP を作れませんでした (\(error))。", "The zip container could not be built (\(error)).")
        }
    }
}

// MARK: - Helpers

extension CellRange {
    /// The same rectangle with `first` the top-left and `last` the bottom-right corner.
    fileprivate var normalized: CellRange {
        CellRange(
            CellRef(row: min(first.row, last.row), column: min(first.column, last.column)),
            CellRef(row: max(first.row, last.row), column: max(first.column, last.column)))
    }

    fileprivate func overlaps(_ other: CellRange) -> Bool {
        first.row <= other.last.row && other.first.row <= last.row
            && first.column <= other.last.column && other.first.column <= last.column
    }
}

extension NumberFormat {
    /// Excel's built-in id, or nil for a format written as a custom `numFmt`.
    fileprivate var builtinID: Int? {
        switch self {
        case .general: return 0
        case .integer: return 1
        case .decimal2: return 2
        case .text: return 49
        case .date, .shortDateWithWeekday, .time: return nil
        }
    }

    /// Excel's format code.
    fileprivate var code: String {
        switch self {
        case .general: return "General"
        case .integer: return "0"
        case .decimal2: return "0.00"
        case .date: return "yyyy-mm-dd"
        // `aaa` is the Japanese weekday; the ja-JP locale prefix makes it so in every
        // locale (LibreOffice in English shows `m/d (aaa)` alone as "10/26 (Tue)").
        case .shortDateWithWeekday: return "[$-411]m/d (aaa)"
        case .time: return "hh:mm"
        case .text: return "@"
        }
    }
}

/// Column letters, computed once per column.
private struct ColumnLetters {
    private var cache: [String] = []

    subscript(column: Int) -> String {
        mutating get {
            while cache.count <= column { cache.append(CellRef.letters(ofColumn: cache.count)) }
            return cache[column]
        }
    }
}

/// A growing UTF-8 buffer with XML escaping.
struct XLSXBuffer {
    var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    mutating func raw(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    mutating func int(_ value: Int) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            if value == .min {
                raw(String(value).dropFirst().description)
                return
            }
        }
        var v = value.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[19 - count] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
                count += 1
            } while v > 0
            bytes.append(contentsOf: buffer[(20 - count)...])
        }
    }

    /// Integers without `.0`; anything else with the shortest text that reads back exactly.
    mutating func number(_ value: Double) {
        if value == value.rounded(), abs(value) < 1e15 {
            int(Int(value))
        } else {
            raw(value.description)
        }
    }

    /// `FF` + the colour's six hex digits, upper case.
    mutating func argb(_ color: Color) {
        var hex = color.rgb.uppercased()
        if hex.hasPrefix("#") { hex.removeFirst() }
        let valid = hex.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 70) }
        if !valid || (hex.utf8.count != 6 && hex.utf8.count != 8) { hex = "000000" }
        if hex.utf8.count == 6 { raw("FF") }
        raw(hex)
    }

    /// Element content: `&`, `<`, `>` escaped, carriage returns as `&#13;` (a parser would
    /// turn a raw one into a line feed), characters XML 1.0 forbids dropped. With
    /// `excelEscapes`, a literal `_x0041_` is protected as `_x005F_x0041_` so that Excel
    /// does not decode it.
    mutating func text(_ text: String, excelEscapes: Bool = false) { escape(text, attribute: false, excelEscapes: excelEscapes) }

    /// Attribute value: also `"` escaped and tabs and line breaks as character references.
    mutating func attribute(_ text: String) { escape(text, attribute: true, excelEscapes: false) }

    private mutating func escape(_ text: String, attribute: Bool, excelEscapes: Bool) {
        var text = text
        text.withUTF8 { utf8 in
            let n = utf8.count
            var i = 0
            var clean = 0  // start of the bytes not yet copied
            while i < n {
                let b = utf8[i]
                let replacement: StaticString
                var skip = 1
                switch b {
                case UInt8(ascii: "&"): replacement = "&amp;"
                case UInt8(ascii: "<"): replacement = "&lt;"
                case UInt8(ascii: ">"): replacement = "&gt;"
                case UInt8(ascii: "\""): 
                    guard attribute else { i += 1; continue }
                    replacement = "&quot;"
                case 0x09, 0x0A:
                    guard attribute else { i += 1; continue }
                    replacement = b == 0x09 ? "&#9;" : "&#10;"
                case 0x0D: replacement = "&#13;"
                case 0x00..<0x20: replacement = ""  // forbidden in XML 1.0
                case 0xEF:
                    // U+FFFE and U+FFFF are forbidden too.
                    guard i + 2 < n, utf8[i + 1] == 0xBF, utf8[i + 2] == 0xBE || utf8[i + 2] == 0xBF else { i += 1; continue }
                    replacement = ""
                    skip = 3
                case UInt8(ascii: "_"):
                    guard excelEscapes, XLSXBuffer.isExcelEscape(utf8, at: i) else { i += 1; continue }
                    // `_x005F` stands for the `_` itself; the rest follows unchanged.
                    replacement = "_x005F"
                    skip = 0
                default:
                    i += 1
                    continue
                }
                if i > clean { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[clean..<i])) }
                replacement.withUTF8Buffer { bytes.append(contentsOf: $0) }
                if skip == 0 {
                    clean = i + 1
                    bytes.append(b)
                    i += 1
                } else {
                    i += skip
                    clean = i
                }
            }
            if n > clean { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[clean..<n])) }
        }
    }

    /// Whether `_xHHHH_` starts at `i`.
    static func isExcelEscape(_ utf8: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        guard i + 6 < utf8.count, utf8[i + 1] == UInt8(ascii: "x"), utf8[i + 6] == UInt8(ascii: "_") else { return false }
        for k in 2...5 {
            let c = utf8[i + k]
            guard (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102) else { return false }
        }
        return true
    }
}

/// Texts written once in `xl/sharedStrings.xml`, referred to by index.
private struct SharedStringTable {
    private var indexes: [String: Int] = [:]
    private var texts: [String] = []
    private var references = 0

    var isEmpty: Bool { texts.isEmpty }

    mutating func index(of text: String) -> Int {
        references += 1
        if let index = indexes[text] { return index }
        indexes[text] = texts.count
        texts.append(text)
        return texts.count - 1
    }

    func xml() -> [UInt8] {
        var x = XLSXBuffer(capacity: 256 + texts.reduce(0) { $0 + $1.utf8.count + 16 })
        x.raw(XLSXWriter.xmlDeclaration)
        x.raw("<sst xmlns=\"\(XLSXWriter.mainNamespace)\" count=\"\(references)\" uniqueCount=\"\(texts.count)\">")
        for text in texts {
            let padded = text.first.map(\.isWhitespace) == true || text.last.map(\.isWhitespace) == true
            x.raw(padded ? "<si><t xml:space=\"preserve\">" : "<si><t>")
            x.text(text, excelEscapes: true)
            x.raw("</t></si>")
        }
        x.raw("</sst>")
        return x.bytes
    }
}

/// The distinct cell styles used, as `cellXfs` (index 0 is `CellStyle.plain`), with their
/// fonts, fills, borders and custom number formats.
private struct StyleTable {
    private var indexes: [CellStyle: Int] = [.plain: 0]
    private var styles: [CellStyle] = [.plain]

    mutating func index(of style: CellStyle) -> Int {
        if let index = indexes[style] { return index }
        indexes[style] = styles.count
        styles.append(style)
        return styles.count - 1
    }

    private struct Font: Hashable {
        var bold: Bool
        var italic: Bool
        var size: Double
        var color: Color?
    }

    static let defaultFontName = "游ゴシック"
    static let defaultFontSize = 11.0

    func xml() -> [UInt8] {
        var fonts: [Font] = [Font(bold: false, italic: false, size: StyleTable.defaultFontSize, color: nil)]
        var fills: [Color?] = [nil, nil]  // none, gray125 (both required by Excel)
        var formats: [NumberFormat] = []
        var xfs: [(numFmt: Int, font: Int, fill: Int, border: Int, style: CellStyle)] = []
        for style in styles {
            let font = Font(
                bold: style.bold, italic: style.italic, size: style.fontSize ?? StyleTable.defaultFontSize,
                color: style.fontColor)
            let fontIndex = fonts.firstIndex(of: font) ?? { fonts.append(font); return fonts.count - 1 }()
            var fillIndex = 0
            if let fill = style.fill {
                fillIndex = fills.firstIndex(of: fill) ?? { fills.append(fill); return fills.count - 1 }()
            }
            let numFmt: Int
            if let builtin = style.format.builtinID {
                numFmt = builtin
            } else {
                let k = formats.firstIndex(of: style.format) ?? { formats.append(style.format); return formats.count - 1 }()
                numFmt = 164 + k
            }
            xfs.append((numFmt, fontIndex, fillIndex, style.border ? 1 : 0, style))
        }

        var x = XLSXBuffer(capacity: 1024 + 200 * (fonts.count + fills.count + xfs.count))
        x.raw(XLSXWriter.xmlDeclaration)
        x.raw("<styleSheet xmlns=\"\(XLSXWriter.mainNamespace)\">")
        if !formats.isEmpty {
            x.raw("<numFmts count=\"\(formats.count)\">")
            for (k, format) in formats.enumerated() {
                x.raw("<numFmt numFmtId=\"\(164 + k)\" formatCode=\"")
                x.attribute(format.code)
                x.raw("\"/>")
            }
            x.raw("</numFmts>")
        }
        x.raw("<fonts count=\"\(fonts.count)\">")
        for font in fonts {
            x.raw("<font>")
            if font.bold { x.raw("<b/>") }
            if font.italic { x.raw("<i/>") }
            x.raw("<sz val=\"")
            x.number(font.size)
            x.raw("\"/>")
            if let color = font.color {
                x.raw("<color rgb=\"")
                x.argb(color)
                x.raw("\"/>")
            }
            x.raw("<name val=\"\(StyleTable.defaultFontName)\"/><family val=\"3\"/><charset val=\"128\"/></font>")
        }
        x.raw("</fonts>")
        x.raw("<fills count=\"\(fills.count)\">")
        x.raw("<fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill>")
        for fill in fills.dropFirst(2) {
            x.raw("<fill><patternFill patternType=\"solid\"><fgColor rgb=\"")
            x.argb(fill ?? .white)
            x.raw("\"/><bgColor indexed=\"64\"/></patternFill></fill>")
        }
        x.raw("</fills>")
        x.raw("<borders count=\"2\"><border><left/><right/><top/><bottom/><diagonal/></border>")
        x.raw("<border>")
        for side in ["left", "right", "top", "bottom"] {
            x.raw("<\(side) style=\"thin\"><color indexed=\"64\"/></\(side)>")
        }
        x.raw("<diagonal/></border></borders>")
        x.raw("<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>")
        x.raw("<cellXfs count=\"\(xfs.count)\">")
        for xf in xfs {
            x.raw("<xf numFmtId=\"\(xf.numFmt)\" fontId=\"\(xf.font)\" fillId=\"\(xf.fill)\" borderId=\"\(xf.border)\" xfId=\"0\"")
            if xf.numFmt != 0 { x.raw(" applyNumberFormat=\"1\"") }
            if xf.font != 0 { x.raw(" applyFont=\"1\"") }
            if xf.fill != 0 { x.raw(" applyFill=\"1\"") }
            if xf.border != 0 { x.raw(" applyBorder=\"1\"") }
            x.raw(" applyAlignment=\"1\"><alignment")
            if xf.style.horizontal != .general { x.raw(" horizontal=\"\(xf.style.horizontal.rawValue)\"") }
            if xf.style.vertical != .bottom { x.raw(" vertical=\"\(xf.style.vertical.rawValue)\"") }
            if xf.style.wrap { x.raw(" wrapText=\"1\"") }
            x.raw("/></xf>")
        }
        x.raw("</cellXfs>")
        x.raw("<cellStyles count=\"1\"><cellStyle name=\"標準\" xfId=\"0\" builtinId=\"0\"/></cellStyles>")
        x.raw("<dxfs count=\"0\"/><tableStyles count=\"0\"/>")
        x.raw("</styleSheet>")
        return x.bytes
    }
}
