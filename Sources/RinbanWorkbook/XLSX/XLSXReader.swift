import Foundation
import RinbanCore
import ZIPFoundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Reads the worksheets of an .xlsx file into `SheetGrid`s: values, formulas and whether
/// each cell's number format shows a date or a time.
///
/// Files come from clerks' desktops, so nothing in them is trusted: the zip's sizes are
/// checked before and counted during extraction, rows and cells are capped, and every
/// refusal says in Japanese and English what is wrong and what to do.
public enum XLSXReader {
    /// Ceilings on what a file may make the reader do.
    public struct Limits: Sendable {
        /// The file itself.
        public var maxFileBytes: Int
        /// One part of the zip, uncompressed.
        public var maxEntryBytes: Int
        /// All parts read, uncompressed.
        public var maxTotalBytes: Int
        /// Rows of one sheet (Excel's row number).
        public var maxRows: Int
        /// Cells of all sheets.
        public var maxCells: Int

        public init(
            maxFileBytes: Int = 50 << 20, maxEntryBytes: Int = 64 << 20, maxTotalBytes: Int = 256 << 20,
            maxRows: Int = 100_000, maxCells: Int = 2_000_000
        ) {
            self.maxFileBytes = maxFileBytes
            self.maxEntryBytes = maxEntryBytes
            self.maxTotalBytes = maxTotalBytes
            self.maxRows = maxRows
            self.maxCells = maxCells
        }

        /// 50 MB file, 64 MB per part, 256 MB in all, 100,000 rows per sheet, 2,000,000 cells.
        public static let standard = Limits()
    }

    /// The worksheets of the file at `path`, in workbook order (chart sheets are skipped).
    public static func read(contentsOf path: String, limits: Limits = .standard) throws(WorkbookFileError) -> [SheetGrid] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw WorkbookFileError(file: path, japanese: "ファイルが見つかりません。", english: "The file does not exist.")
        }
        guard !isDirectory.boolValue else {
            throw WorkbookFileError(
                file: path, japanese: "ファイルではなくフォルダです。", english: "This is a folder, not a file.")
        }
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber,
            size.int64Value > Int64(limits.maxFileBytes)
        {
            throw Refusal.tooLarge(file: path, bytes: Int(truncatingIfNeeded: size.int64Value), limits: limits)
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw WorkbookFileError(
                file: path,
                japanese: "ファイルを読み込めません (\(error.localizedDescription))。他のアプリで開いている場合は閉じてください。",
                english: "The file cannot be read (\(error.localizedDescription)). Close it if another program has it open.")
        }
        return try read(data: data, file: path, limits: limits)
    }

    /// The worksheets of an .xlsx file held in memory; `file` names it in errors.
    public static func read(data: Data, file: String, limits: Limits = .standard) throws(WorkbookFileError) -> [SheetGrid] {
        guard data.count <= limits.maxFileBytes else { throw Refusal.tooLarge(file: file, bytes: data.count, limits: limits) }
        try checkSignature(data, file: file)
        let package = try Package(data: data, file: file, limits: limits)

        // The workbook part, through the package relationships.
        let rootRels = try package.relationships(of: "")
        var workbookPath: String
        if let office = rootRels?.first(where: { $0.type.hasSuffix("/officeDocument") && !$0.external }) {
            workbookPath = Package.resolve(office.target, from: "")
        } else if rootRels == nil, package.has("xl/workbook.xml") {
            workbookPath = "xl/workbook.xml"  // no _rels/.rels at all: the usual place
        } else if package.has("content.xml"), package.has("mimetype") {
            throw Refusal.openDocument(file: file)
        } else {
            throw Refusal.noWorkbook(file: file)
        }
        if workbookPath.lowercased().hasSuffix(".bin") { throw Refusal.binaryWorkbook(file: file) }
        guard let workbookData = try package.part(workbookPath) else { throw Refusal.noWorkbook(file: file) }
        let workbook = WorkbookDelegate()
        try parse(workbookData, part: workbookPath, file: file, delegate: workbook)
        guard workbook.isWorkbook else { throw Refusal.noWorkbook(file: file) }
        workbookPath = Package.normalize(workbookPath)

        let rels = try package.relationships(of: workbookPath) ?? []
        var byID: [String: PackageRelationship] = [:]
        for rel in rels where byID[rel.id] == nil { byID[rel.id] = rel }

        var sharedStrings: [String] = []
        if let rel = rels.first(where: { $0.type.hasSuffix("/sharedStrings") && !$0.external }) {
            let path = Package.resolve(rel.target, from: workbookPath)
            if let bytes = try package.part(path) {
                let delegate = SharedStringsDelegate()
                try parse(bytes, part: path, file: file, delegate: delegate)
                sharedStrings = delegate.strings
            }
        }
        var formats: [XLSXFormatKind] = []
        if let rel = rels.first(where: { $0.type.hasSuffix("/styles") && !$0.external }) {
            let path = Package.resolve(rel.target, from: workbookPath)
            if let bytes = try package.part(path) {
                let delegate = StylesDelegate()
                try parse(bytes, part: path, file: file, delegate: delegate)
                formats = delegate.kinds()
            }
        }

        var grids: [SheetGrid] = []
        var cellBudget = limits.maxCells
        for sheet in workbook.sheets {
            guard let rel = byID[sheet.relationship] else {
                throw Refusal.missingPart(file: file, part: "\(sheet.name) (\(sheet.relationship))")
            }
            guard rel.type.hasSuffix("/worksheet") else { continue }  // chart and dialog sheets
            let path = Package.resolve(rel.target, from: workbookPath)
            guard let bytes = try package.part(path) else { throw Refusal.missingPart(file: file, part: path) }
            let delegate = SheetDelegate(
                sheetName: sheet.name, part: path, file: file, sharedStrings: sharedStrings, formats: formats,
                date1904: workbook.date1904, maxRows: limits.maxRows, cellBudget: cellBudget, maxCells: limits.maxCells)
            try parse(bytes, part: path, file: file, delegate: delegate)
            cellBudget -= delegate.cells.count
            grids.append(SheetGrid(name: sheet.name, cells: delegate.cells))
        }
        return grids
    }

    // MARK: - Excel serial numbers

    /// 1899-12-30: serial 0 for every date from 1900-03-01 on (Excel counts a 1900-02-29).
    private static let epoch = CivilDate(year: 1899, month: 12, day: 30)!
    private static let lastSerial = 2_958_465.0  // 9999-12-31

    /// The date of an Excel serial number (1900 system, Excel's leap-year quirk): 1 is
    /// 1900-01-01, 59 is 1900-02-28, 60 is Excel's fictitious 1900-02-29 (nil), 61 is
    /// 1900-03-01. The time of day (fraction) is ignored; nil outside 1900-01-01…9999-12-31.
    public static func date(fromSerial serial: Double) -> CivilDate? {
        guard serial.isFinite, serial >= 1, serial < lastSerial + 1 else { return nil }
        let day = Int(serial.rounded(.down))
        if day == 60 { return nil }
        return epoch.adding(days: day < 60 ? day + 1 : day)
    }

    /// The Excel serial number of `date` (see ``date(fromSerial:)``). Dates before 1900-03-01
    /// follow Excel's count (1900-01-01 is 1); dates before 1900 have no serial in Excel and
    /// come out below 1.
    public static func serial(of date: CivilDate) -> Double {
        let days = date.days(since: epoch)
        return Double(days >= 61 ? days : days - 1)
    }

    // MARK: - Refusals

    enum Refusal {
        static func megabytes(_ bytes: Int) -> String {
            let mb = Double(bytes) / 1_048_576
            return mb >= 10 || mb == mb.rounded() ? String(Int(mb.rounded())) : String(format: "%.1f", mb)
        }

        static func tooLarge(file: String, bytes: Int, limits: Limits) -> WorkbookFileError {
            WorkbookFileError(
                file: file,
                japanese: "ファイルが大きすぎます (\(megabytes(bytes)) MB、上限 \(megabytes(limits.maxFileBytes)) MB)。不要なシートや画像を削除してから保存し直してください。",
                english: "The file is too large (\(megabytes(bytes)) MB; the limit is \(megabytes(limits.maxFileBytes)) MB). Delete sheets or pictures that are not needed and save it again.")
        }

        static func notZip(file: String) -> WorkbookFileError {
            WorkbookFileError(
                file: file,
                japanese: "Excel ブック (.xlsx) ではありません。CSV や .xls (古い形式) の場合は、Excel で開いて「ファイルの種類: Excel ブック (*.xlsx)」を選んで保存し直してください。",
                english: "This is not an Excel workbook (.xlsx). If it is a CSV file or an old .xls file, open it in Excel and save it with “Save as type: Excel Workbook (*.xlsx)”.")
        }

        static func oldOrEncrypted(file: String) -> WorkbookFileError {
            WorkbookFileError(
                file: file,
                japanese: "古い形式の Excel ファイル (.xls)、またはパスワードで保護 (暗号化) された Excel ブックです。.xls の場合は Excel で開いて「Excel ブック (*.xlsx)」形式で保存し直してください。パスワード付きの場合は、Excel で「ファイル → 情報 → ブックの保護 → パスワードを使用して暗号化」からパスワードを消してから保存し直してください。",
                english: "This is an old-format Excel file (.xls) or a password-protected (encrypted) workbook. Open an .xls file in Excel and save it as “Excel Workbook (*.xlsx)”; for a protected workbook, remove the password (File → Info → Protect Workbook → Encrypt with Password) and save it again.")
        }

        static func noWorkbook(file: String) -> WorkbookFileError {
            WorkbookFileError(
                file: file,
                japanese: "ZIP ファイルですが、Excel のブックが入っていません (Word や PowerPoint のファイルではありませんか?)。Excel で保存した .xlsx ファイルを指定してください。",
                english: "This is a zip file but it holds no Excel workbook (is it a Word or PowerPoint file?). Give an .xlsx file saved by Excel.")
        }

        static func openDocument(file: String) -> WorkbookFileError {
            WorkbookFileError(
                file: file,
                japanese: "OpenDocument 形式 (.ods) のファイルです。LibreOffice などで開き、「Excel 2007-365 (.xlsx)」形式で保存し直してください。",
                english: "This is an OpenDocument spreadsheet (.ods). Open it in LibreOffice (or similar) and save it as “Excel 2007-365 (.xlsx)”.")
        }

        static func binaryWorkbook(file: String) -> WorkbookFileError {
            WorkbookFileError(
                file: file,
                japanese: "Excel バイナリ ブック (.xlsb) は読めません。Excel で開いて「Excel ブック (*.xlsx)」形式で保存し直してください。",
                english: "Excel binary workbooks (.xlsb) cannot be read. Open it in Excel and save it as “Excel Workbook (*.xlsx)”.")
        }

        static func partTooLarge(file: String, part: String, limits: Limits) -> WorkbookFileError {
            WorkbookFileError(
                file: file,
                japanese: "ファイル内の「\(part)」が展開すると大きすぎます (上限 \(megabytes(limits.maxEntryBytes)) MB)。ファイルが壊れているか、不正に作られたファイルの可能性があります。",
                english: "The part “\(part)” is too large when uncompressed (the limit is \(megabytes(limits.maxEntryBytes)) MB). The file may be damaged or maliciously crafted.")
        }

        static func totalTooLarge(file: String, limits: Limits) -> WorkbookFileError {
            WorkbookFileError(
                file: file,
                japanese: "ファイルを展開すると大きすぎます (合計の上限 \(megabytes(limits.maxTotalBytes)) MB)。ファイルが壊れているか、不正に作られたファイルの可能性があります。",
                english: "The file is too large when uncompressed (the total limit is \(megabytes(limits.maxTotalBytes)) MB). The file may be damaged or maliciously crafted.")
        }

        static func damaged(file: String, part: String, detail: String) -> WorkbookFileError {
            WorkbookFileError(
                file: file,
                japanese: "ファイルが壊れているか暗号化されているため、「\(part)」を展開できません (\(detail))。Excel で開けるか確認し、保存し直してください。",
                english: "The part “\(part)” cannot be extracted: the file is damaged or encrypted (\(detail)). Check that Excel opens it, and save it again.")
        }

        static func missingPart(file: String, part: String) -> WorkbookFileError {
            WorkbookFileError(
                file: file,
                japanese: "ファイルが壊れています: 「\(part)」がありません。Excel で開けるか確認し、保存し直してください。",
                english: "The file is damaged: “\(part)” is missing. Check that Excel opens it, and save it again.")
        }

        static func malformed(file: String, part: String, detail: String) -> WorkbookFileError {
            WorkbookFileError(
                file: file,
                japanese: "ファイルが壊れています: 「\(part)」の XML を読めません (\(detail))。Excel で開けるか確認し、保存し直してください。",
                english: "The file is damaged: the XML of “\(part)” cannot be read (\(detail)). Check that Excel opens it, and save it again.")
        }

        static func tooManyRows(file: String, sheet: String, limit: Int) -> WorkbookFileError {
            WorkbookFileError(
                file: file,
                japanese: "シート「\(sheet)」の行が多すぎます (上限 \(limit) 行)",
                english: "The sheet “\(sheet)” has too many rows (the limit is \(limit) rows).")
        }

        static func tooManyCells(file: String, sheet: String, limit: Int) -> WorkbookFileError {
            WorkbookFileError(
                file: file,
                japanese: "セルが多すぎます (シート「\(sheet)」で、ブック全体の上限 \(limit) 個を超えました)",
                english: "There are too many cells (the limit of \(limit) for the workbook was passed on the sheet “\(sheet)”).")
        }
    }

    /// Refuses anything that is not a zip before handing it to the zip reader.
    private static func checkSignature(_ data: Data, file: String) throws(WorkbookFileError) {
        let head = [UInt8](data.prefix(8))
        if head == [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] { throw Refusal.oldOrEncrypted(file: file) }
        guard head.count >= 4, head[0] == 0x50, head[1] == 0x4B, [3, 5, 7].contains(head[2]) else {
            throw Refusal.notZip(file: file)
        }
    }

    // MARK: - XML

    /// Parses `data` with `delegate`; a DTD (never in an .xlsx, and the door to entity
    /// expansion attacks) is refused before the parser sees it.
    fileprivate static func parse(_ data: Data, part: String, file: String, delegate: ReaderDelegate) throws(WorkbookFileError) {
        if hasDocumentTypeDeclaration(data) {
            throw Refusal.malformed(file: file, part: part, detail: "DOCTYPE is not allowed")
        }
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = false
        parser.shouldReportNamespacePrefixes = false
        parser.shouldResolveExternalEntities = false
        parser.delegate = delegate
        let ok = parser.parse()
        if let failure = delegate.failure { throw failure }
        // Foundation on Linux lets libxml2 recover and may report success for a broken
        // document: any error, or an element left open, is refused too.
        if !ok || delegate.parseError != nil || parser.parserError != nil || delegate.depth != 0 || delegate.rootName == nil {
            let detail: String
            if let error = (delegate.parseError ?? parser.parserError).map({ $0 as NSError }) {
                detail = "line \(parser.lineNumber), XML error \(error.code)"
            } else {
                detail = delegate.rootName == nil ? "no XML element" : "the document ends before its elements are closed"
            }
            throw Refusal.malformed(file: file, part: part, detail: detail)
        }
    }

    /// Whether the prolog (before the root element) holds `<!DOCTYPE` or any other `<!`
    /// declaration. UTF-16 text is scanned through its ASCII bytes.
    static func hasDocumentTypeDeclaration(_ data: Data) -> Bool {
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Bool in
            let bytes = raw.bindMemory(to: UInt8.self)
            var start = 0, stride = 1
            if bytes.count >= 2 && (bytes[0] == 0xFF && bytes[1] == 0xFE) { (start, stride) = (2, 2) }
            else if bytes.count >= 2 && (bytes[0] == 0xFE && bytes[1] == 0xFF) { (start, stride) = (3, 2) }
            else if bytes.count >= 2 && bytes[0] == 0x3C && bytes[1] == 0x00 { (start, stride) = (0, 2) }
            else if bytes.count >= 2 && bytes[0] == 0x00 && bytes[1] == 0x3C { (start, stride) = (1, 2) }
            var i = start
            func at(_ k: Int) -> UInt8 { let j = i + k * stride; return j < bytes.count ? bytes[j] : 0 }
            while i < bytes.count {
                if bytes[i] != UInt8(ascii: "<") {
                    i += stride
                    continue
                }
                let next = at(1)
                if next == UInt8(ascii: "?") {
                    // Skip to `?>`.
                    i += 2 * stride
                    while i < bytes.count && !(bytes[i] == UInt8(ascii: "?") && at(1) == UInt8(ascii: ">")) { i += stride }
                    i += 2 * stride
                } else if next == UInt8(ascii: "!") {
                    guard at(2) == UInt8(ascii: "-"), at(3) == UInt8(ascii: "-") else { return true }
                    // A comment: skip to `-->`.
                    i += 4 * stride
                    while i < bytes.count
                        && !(bytes[i] == UInt8(ascii: "-") && at(1) == UInt8(ascii: "-") && at(2) == UInt8(ascii: ">"))
                    {
                        i += stride
                    }
                    i += 3 * stride
                } else {
                    return false  // the root element
                }
            }
            return false
        }
    }

    /// Decodes Excel's `_xHHHH_` escapes (`_x000D_` is a carriage return, `_x005F_` a `_`).
    static func decodeExcelEscapes(_ text: String) -> String {
        guard text.utf8.count >= 7, text.contains("_x") else { return text }
        var out: [UInt8] = []
        var changed = false
        var copy = text
        copy.withUTF8 { utf8 in
            out.reserveCapacity(utf8.count)
            var i = 0
            while i < utf8.count {
                if utf8[i] == UInt8(ascii: "_"), XLSXBuffer.isExcelEscape(utf8, at: i) {
                    var value: UInt32 = 0
                    for k in 2...5 {
                        let c = utf8[i + k]
                        value = value * 16 + UInt32(c <= 57 ? c - 48 : (c | 0x20) - 87)
                    }
                    if let scalar = Unicode.Scalar(value) {
                        out.append(contentsOf: Array(String(Character(scalar)).utf8))
                        i += 7
                        changed = true
                        continue
                    }
                }
                out.append(utf8[i])
                i += 1
            }
        }
        return changed ? String(decoding: out, as: UTF8.self) : text
    }
}

// MARK: - The zip container

fileprivate struct PackageRelationship {
    var id: String
    var type: String
    var target: String
    var external: Bool
}

/// The zip, its parts by normalized path, and the running count of bytes extracted.
private final class Package {
    let file: String
    let data: Data
    let limits: XLSXReader.Limits
    let archive: Archive
    private var entries: [String: Item] = [:]
    private var extracted = 0

    struct Item {
        var entry: Entry
        /// Where the compressed bytes start and how the part is stored, from our own read of
        /// the central directory; nil when it could not be read (then ZIPFoundation extracts).
        var local: (dataOffset: Int, method: UInt16, flags: UInt16)?
    }

    init(data: Data, file: String, limits: XLSXReader.Limits) throws(WorkbookFileError) {
        self.file = file
        self.data = data.startIndex == 0 ? data : Data(data)
        self.limits = limits
        do {
            archive = try Archive(data: self.data, accessMode: .read)
        } catch {
            throw XLSXReader.Refusal.notZip(file: file)
        }
        let records = Package.centralDirectory(self.data)
        for (i, entry) in archive.enumerated() where entry.type != .directory {
            let key = Package.key(entry.path)
            guard entries[key] == nil else { continue }
            var local: (Int, UInt16, UInt16)? = nil
            // Our record and ZIPFoundation's entry must agree before our offsets are used.
            if let records, i < records.count, records[i].checksum == entry.checksum,
                records[i].compressedSize == 0xFFFF_FFFF || UInt64(records[i].compressedSize) == entry.compressedSize,
                let offset = Package.dataOffset(self.data, localHeader: records[i].localHeader)
            {
                local = (offset, records[i].method, records[i].flags)
            }
            entries[key] = Item(entry: entry, local: local)
        }
    }

    static func key(_ path: String) -> String {
        normalize(path.replacingOccurrences(of: "\\", with: "/")).lowercased()
    }

    /// Removes `.`, `..`, empty and leading segments: `/xl/./worksheets/../styles.xml` → `xl/styles.xml`.
    static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            if segment == "." { continue }
            if segment == ".." {
                _ = parts.popLast()
                continue
            }
            parts.append(segment)
        }
        return parts.joined(separator: "/")
    }

    /// The part a relationship target names, relative to the folder of `source` (the package
    /// root for `""`) unless it starts with `/`.
    static func resolve(_ target: String, from source: String) -> String {
        let target = target.removingPercentEncoding ?? target
        if target.hasPrefix("/") { return normalize(target) }
        let folder = source.split(separator: "/").dropLast().joined(separator: "/")
        return normalize(folder.isEmpty ? target : folder + "/" + target)
    }

    func has(_ path: String) -> Bool { entries[Package.key(path)] != nil }

    /// The relationships of `part` (`""` for the package), or nil when it has no `.rels` part.
    func relationships(of part: String) throws(WorkbookFileError) -> [PackageRelationship]? {
        let normalized = Package.normalize(part)
        var folder = normalized.split(separator: "/").dropLast().joined(separator: "/")
        if !folder.isEmpty { folder += "/" }
        let name = normalized.split(separator: "/").last.map(String.init) ?? ""
        let path = "\(folder)_rels/\(name).rels"
        guard let bytes = try self.part(path) else { return nil }
        let delegate = RelationshipsDelegate()
        try XLSXReader.parse(bytes, part: path, file: file, delegate: delegate)
        return delegate.relationships
    }

    private struct Stop: Error {
        enum Reason { case part, total, truncated }
        var reason: Reason
    }

    /// The uncompressed bytes of `path`, or nil if there is no such part. Sizes are checked
    /// against the header first, then counted as the bytes come out: a header may lie.
    func part(_ path: String) throws(WorkbookFileError) -> Data? {
        guard let item = entries[Package.key(path)] else { return nil }
        let entry = item.entry
        let declared = entry.uncompressedSize
        guard declared <= UInt64(limits.maxEntryBytes) else {
            throw XLSXReader.Refusal.partTooLarge(file: file, part: path, limits: limits)
        }
        guard UInt64(extracted) + declared <= UInt64(limits.maxTotalBytes) else {
            throw XLSXReader.Refusal.totalTooLarge(file: file, limits: limits)
        }
        if let local = item.local, local.flags & 1 != 0 || (local.method != 0 && local.method != 8) {
            throw XLSXReader.Refusal.damaged(
                file: file, part: path,
                detail: local.flags & 1 != 0 ? "encrypted zip entry" : "compression method \(local.method)")
        }
        var output = Data()
        output.reserveCapacity(Int(declared))
        var count = 0
        let maxEntry = limits.maxEntryBytes
        let room = limits.maxTotalBytes - extracted
        let consumer: Consumer = { chunk in
            count += chunk.count
            if count > maxEntry { throw Stop(reason: .part) }
            if count > room { throw Stop(reason: .total) }
            output.append(chunk)
        }
        let checksum: CRC32
        do {
            if let local = item.local {
                let size = Int(clamping: entry.compressedSize)
                let start = local.dataOffset
                guard start <= data.count, size <= data.count - start else { throw Stop(reason: .truncated) }
                if local.method == 0 {
                    let stored = data.subdata(in: start..<start + size)
                    try consumer(stored)
                    checksum = stored.crc32(checksum: 0)
                } else {
                    // ZIPFoundation's own reader feeds the inflater whatever follows the entry,
                    // up to the end of the file, and then spins forever on a deflate stream that
                    // never ends. This provider serves the entry's bytes only and throws when
                    // asked for more. The inflater takes every chunk as a full `chunk` bytes, so
                    // the last one is padded with zeros rather than served short.
                    let bytes = data
                    checksum = try Data.decompress(
                        size: Int64(size), bufferSize: 64 * 1024, skipCRC32: false,
                        provider: { position, chunk in
                            guard position < Int64(size) else { throw Stop(reason: .truncated) }
                            let from = start + Int(position)
                            var piece = bytes.subdata(in: from..<min(from + chunk, start + size))
                            if piece.count < chunk { piece.append(Data(count: chunk - piece.count)) }
                            return piece
                        }, consumer: consumer)
                }
            } else {
                checksum = try archive.extract(entry, bufferSize: 64 * 1024, skipCRC32: false, consumer: consumer)
            }
        } catch let stop as Stop {
            switch stop.reason {
            case .part: throw XLSXReader.Refusal.partTooLarge(file: file, part: path, limits: limits)
            case .total: throw XLSXReader.Refusal.totalTooLarge(file: file, limits: limits)
            case .truncated: throw XLSXReader.Refusal.damaged(file: file, part: path, detail: "truncated data")
            }
        } catch {
            throw XLSXReader.Refusal.damaged(file: file, part: path, detail: "\(error)")
        }
        guard checksum == entry.checksum else {
            throw XLSXReader.Refusal.damaged(file: file, part: path, detail: "CRC mismatch")
        }
        extracted += count
        return output
    }

    // MARK: Central directory

    private struct Record {
        var localHeader: Int
        var method: UInt16
        var flags: UInt16
        var checksum: UInt32
        var compressedSize: Int
    }

    /// The central directory's records in order (what ZIPFoundation iterates), or nil for
    /// anything unusual (ZIP64, comments cut short), where ZIPFoundation alone is used.
    private static func centralDirectory(_ data: Data) -> [Record]? {
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> [Record]? in
            let n = raw.count
            func u16(_ i: Int) -> Int { Int(raw[i]) | Int(raw[i + 1]) << 8 }
            func u32(_ i: Int) -> Int { u16(i) | u16(i + 2) << 16 }
            guard n >= 22 else { return nil }
            var eocd = -1
            var i = n - 22
            while i >= max(0, n - 22 - 65_535) {
                if raw[i] == 0x50, raw[i + 1] == 0x4B, raw[i + 2] == 0x05, raw[i + 3] == 0x06 {
                    eocd = i
                    break
                }
                i -= 1
            }
            guard eocd >= 0 else { return nil }
            let count = u16(eocd + 10)
            let offset = u32(eocd + 16)
            guard count != 0xFFFF, offset != 0xFFFF_FFFF, offset < n else { return nil }
            var records: [Record] = []
            records.reserveCapacity(count)
            var p = offset
            for _ in 0..<count {
                guard p + 46 <= n, u32(p) == 0x0201_4B50 else { return nil }
                let local = u32(p + 42)
                guard local != 0xFFFF_FFFF else { return nil }
                records.append(
                    Record(
                        localHeader: local, method: UInt16(u16(p + 10)), flags: UInt16(u16(p + 8)),
                        checksum: UInt32(u32(p + 16)), compressedSize: u32(p + 20)))
                p += 46 + u16(p + 28) + u16(p + 30) + u16(p + 32)
            }
            return records
        }
    }

    /// Where the data of the entry whose local header starts at `offset` begins.
    private static func dataOffset(_ data: Data, localHeader offset: Int) -> Int? {
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Int? in
            guard offset >= 0, offset + 30 <= raw.count,
                raw[offset] == 0x50, raw[offset + 1] == 0x4B, raw[offset + 2] == 0x03, raw[offset + 3] == 0x04
            else { return nil }
            let name = Int(raw[offset + 26]) | Int(raw[offset + 27]) << 8
            let extra = Int(raw[offset + 28]) | Int(raw[offset + 29]) << 8
            return offset + 30 + name + extra
        }
    }
}

// MARK: - Number formats

/// What a number format shows.
enum XLSXFormatKind: Sendable {
    case other
    /// A date, possibly with a time.
    case date
    /// A time of day or a duration, no date.
    case time

    /// Excel's built-in formats (ids below 164). 32 and 33 are `h"時"mm"分"` and
    /// `h"時"mm"分"ss"秒"` in the East Asian locales, so times.
    static func builtin(_ id: Int) -> XLSXFormatKind {
        switch id {
        case 14...17, 22, 27...31, 34...36, 50...58: return .date
        case 18...21, 32, 33, 45...47: return .time
        default: return .other
        }
    }

    /// Classifies a format code: quoted text, `\x`, `_x`, `*x` and `[...]` (colours,
    /// conditions, locales) are ignored, except `[h]`, `[m]`, `[s]` (durations). Only the
    /// first section counts. A date has y, d, e or g (Japanese era), aaa (Japanese weekday),
    /// or an m that is not a minute (a minute follows h or precedes s).
    static func classify(code: String) -> XLSXFormatKind {
        let b = Array(code.utf8)
        var tokens: [UInt8] = []
        var ampm = false
        var i = 0
        func matches(_ word: String, at k: Int) -> Bool {
            let w = Array(word.utf8)
            guard k + w.count <= b.count else { return false }
            for j in 0..<w.count where b[k + j] | 0x20 != w[j] | 0x20 { return false }
            return true
        }
        scan: while i < b.count {
            let c = b[i]
            switch c {
            case UInt8(ascii: "\""):
                i += 1
                while i < b.count && b[i] != UInt8(ascii: "\"") { i += 1 }
                i += 1
            case UInt8(ascii: "\\"), UInt8(ascii: "_"), UInt8(ascii: "*"):
                i += 2
            case UInt8(ascii: "["):
                var j = i + 1
                while j < b.count && b[j] != UInt8(ascii: "]") { j += 1 }
                let inner = b[min(i + 1, b.count)..<min(j, b.count)].map { $0 | 0x20 }
                if let first = inner.first, [UInt8(ascii: "h"), UInt8(ascii: "m"), UInt8(ascii: "s")].contains(first),
                    inner.allSatisfy({ $0 == first })
                {
                    tokens.append(first)
                }
                i = j + 1
            case UInt8(ascii: ";"):
                break scan
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"):
                let l = c | 0x20
                if matches("general", at: i) {
                    i += 7
                } else if matches("am/pm", at: i) {
                    ampm = true
                    i += 5
                } else if matches("a/p", at: i) {
                    ampm = true
                    i += 3
                } else if l == UInt8(ascii: "e"), i + 1 < b.count, b[i + 1] == UInt8(ascii: "+") || b[i + 1] == UInt8(ascii: "-") {
                    i += 2  // scientific notation
                } else {
                    if "ymdhsega".utf8.contains(l), !(i > 0 && b[i - 1] | 0x20 == l && tokens.last == l) {
                        tokens.append(l)
                    }
                    i += 1
                }
            default:
                i += 1
            }
        }
        var date = false, time = ampm
        for (k, t) in tokens.enumerated() {
            switch t {
            case UInt8(ascii: "y"), UInt8(ascii: "d"), UInt8(ascii: "e"), UInt8(ascii: "g"), UInt8(ascii: "a"):
                date = true
            case UInt8(ascii: "h"), UInt8(ascii: "s"):
                time = true
            case UInt8(ascii: "m"):
                let minute = (k > 0 && tokens[k - 1] == UInt8(ascii: "h")) || (k + 1 < tokens.count && tokens[k + 1] == UInt8(ascii: "s"))
                if minute { time = true } else { date = true }
            default:
                break
            }
        }
        return date ? .date : (time ? .time : .other)
    }
}

// MARK: - Parser delegates

/// Element and attribute names without their namespace prefix (`x:c` → `c`).
@inline(__always) private func local(_ name: String) -> Substring {
    guard let colon = name.utf8.lastIndex(of: UInt8(ascii: ":")) else { return name[...] }
    return name[name.index(after: colon)...]
}

/// `text` without leading and trailing XML white space (space, tab, line breaks); Foundation's
/// `trimmingCharacters(in:)` costs more than the rest of reading a cell.
@inline(__always) private func trimmed(_ text: String) -> Substring {
    let utf8 = text.utf8
    func space(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
    var start = utf8.startIndex, end = utf8.endIndex
    while start < end, space(utf8[start]) { start = utf8.index(after: start) }
    while end > start, space(utf8[utf8.index(before: end)]) { end = utf8.index(before: end) }
    return text[start..<end]
}

/// An attribute by local name, whatever its prefix (`r:id`, `ns1:id`).
private func attribute(_ name: String, in attributes: [String: String]) -> String? {
    if let value = attributes[name] { return value }
    for (key, value) in attributes where local(key) == name { return value }
    return nil
}

/// The base of the delegates: it keeps the depth of open elements (Foundation's parser on
/// Linux reports success for a document whose elements are left open), records parse
/// errors, strips prefixes, and hands `start`, `end` and `characters` to the subclasses.
/// (On Linux the protocol's methods have default implementations in an extension, so they
/// are implemented here once, not overridden.)
fileprivate class ReaderDelegate: NSObject, XMLParserDelegate {
    var failure: WorkbookFileError?
    private(set) var depth = 0
    private(set) var rootName: Substring?
    var parseError: Error?

    func fail(_ error: WorkbookFileError, _ parser: XMLParser) {
        if failure == nil { failure = error }
        parser.abortParsing()
    }

    /// A start tag, by local name.
    func start(_ name: Substring, _ attributes: [String: String], _ parser: XMLParser) {}
    /// An end tag, by local name.
    func end(_ name: Substring, _ parser: XMLParser) {}
    /// Text (and CDATA) content.
    func characters(_ text: String) {}

    final func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        let name = local(elementName)
        if rootName == nil { rootName = name }
        depth += 1
        start(name, attributes, parser)
    }

    final func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        depth -= 1
        end(local(elementName), parser)
    }

    final func parser(_ parser: XMLParser, foundCharacters string: String) { characters(string) }

    final func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) { characters(String(decoding: CDATABlock, as: UTF8.self)) }

    final func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        if self.parseError == nil { self.parseError = parseError }
    }
}

private final class RelationshipsDelegate: ReaderDelegate {
    var relationships: [PackageRelationship] = []

    override func start(_ name: Substring, _ attributes: [String: String], _ parser: XMLParser) {
        guard name == "Relationship" else { return }
        relationships.append(
            PackageRelationship(
                id: attributes["Id"] ?? "", type: attributes["Type"] ?? "", target: attributes["Target"] ?? "",
                external: attributes["TargetMode"]?.lowercased() == "external"))
    }
}

private final class WorkbookDelegate: ReaderDelegate {
    struct SheetEntry {
        var name: String
        var relationship: String
    }

    var isWorkbook: Bool { rootName == "workbook" }
    var date1904 = false
    var sheets: [SheetEntry] = []

    override func start(_ name: Substring, _ attributes: [String: String], _ parser: XMLParser) {
        switch name {
        case "workbookPr":
            let flag = attributes["date1904"]?.lowercased()
            date1904 = flag == "1" || flag == "true"
        case "sheet":
            sheets.append(
                SheetEntry(name: attributes["name"] ?? "", relationship: attribute("id", in: attributes) ?? ""))
        default:
            break
        }
    }
}

private final class StylesDelegate: ReaderDelegate {
    var customFormats: [Int: String] = [:]
    var cellFormats: [Int] = []
    private var inCellXfs = false

    override func start(_ name: Substring, _ attributes: [String: String], _ parser: XMLParser) {
        switch name {
        case "numFmt":
            if let id = attributes["numFmtId"].flatMap({ Int($0) }) { customFormats[id] = attributes["formatCode"] ?? "" }
        case "cellXfs":
            inCellXfs = true
        case "xf" where inCellXfs:
            cellFormats.append(attributes["numFmtId"].flatMap { Int($0) } ?? 0)
        default:
            break
        }
    }

    override func end(_ name: Substring, _ parser: XMLParser) {
        if name == "cellXfs" { inCellXfs = false }
    }

    /// What each cell style index shows.
    func kinds() -> [XLSXFormatKind] {
        var cache: [Int: XLSXFormatKind] = [:]
        return cellFormats.map { id in
            if let kind = cache[id] { return kind }
            let kind = customFormats[id].map { XLSXFormatKind.classify(code: $0) } ?? XLSXFormatKind.builtin(id)
            cache[id] = kind
            return kind
        }
    }
}

/// Collects the text of rich text (`<t>` directly or in `<r>` runs), leaving out phonetic
/// runs (`<rPh>`, Japanese furigana) and `<phoneticPr>`.
private struct RichTextCollector {
    var text = ""
    var inText = false
    var phoneticDepth = 0

    mutating func reset() {
        text = ""
        inText = false
        phoneticDepth = 0
    }

    /// Handles a start tag; true if it was part of rich text.
    mutating func start(_ name: Substring) {
        switch name {
        case "rPh": phoneticDepth += 1
        case "t": if phoneticDepth == 0 { inText = true }
        default: break
        }
    }

    mutating func end(_ name: Substring) {
        switch name {
        case "rPh": phoneticDepth -= 1
        case "t": inText = false
        default: break
        }
    }

    var value: String { XLSXReader.decodeExcelEscapes(text) }
}

private final class SharedStringsDelegate: ReaderDelegate {
    var strings: [String] = []
    private var rich = RichTextCollector()
    private var inItem = false

    override func start(_ name: Substring, _ attributes: [String: String], _ parser: XMLParser) {
        if name == "si" {
            inItem = true
            rich.reset()
        } else if inItem {
            rich.start(name)
        }
    }

    override func end(_ name: Substring, _ parser: XMLParser) {
        if name == "si" {
            strings.append(rich.value)
            inItem = false
        } else if inItem {
            rich.end(name)
        }
    }

    override func characters(_ string: String) {
        if rich.inText { rich.text += string }
    }

}

private final class SheetDelegate: ReaderDelegate {
    let sheetName: String
    let part: String
    let file: String
    let sharedStrings: [String]
    let formats: [XLSXFormatKind]
    let date1904: Bool
    let maxRows: Int
    let cellBudget: Int
    let maxCells: Int
    var cells: [CellRef: ReadCell] = [:]

    private var inSheetData = false
    private var row = -1
    private var column = -1
    // The cell being read.
    private var inCell = false
    private var cellRef = CellRef(row: 0, column: 0)
    private var type = ""
    private var style = 0
    private var value = ""
    private var formula = ""
    private var hasFormula = false
    private var collecting: Collecting = .none
    private var inline = RichTextCollector()
    private var inInline = false

    private enum Collecting { case none, value, formula }

    init(
        sheetName: String, part: String, file: String, sharedStrings: [String], formats: [XLSXFormatKind], date1904: Bool, maxRows: Int,
        cellBudget: Int, maxCells: Int
    ) {
        self.sheetName = sheetName
        self.part = part
        self.file = file
        self.sharedStrings = sharedStrings
        self.formats = formats
        self.date1904 = date1904
        self.maxRows = maxRows
        self.cellBudget = cellBudget
        self.maxCells = maxCells
    }

    private func tooManyRows(_ parser: XMLParser) {
        fail(XLSXReader.Refusal.tooManyRows(file: file, sheet: sheetName, limit: maxRows), parser)
    }

    override func start(_ name: Substring, _ attributes: [String: String], _ parser: XMLParser) {
        if inCell {
            switch name {
            case "v":
                collecting = .value
                value = ""
            case "f":
                collecting = .formula
                hasFormula = true
                formula = ""
            case "is":
                inInline = true
                inline.reset()
            default:
                if inInline { inline.start(name) }
            }
            return
        }
        switch name {
        case "sheetData":
            inSheetData = true
        case "row" where inSheetData:
            if let r = attributes["r"], let number = Int(r) {
                row = number - 1
            } else {
                row += 1
            }
            column = -1
            if row >= maxRows { tooManyRows(parser) }
        case "c" where inSheetData:
            if let r = attributes["r"], let ref = CellRef(a1: Substring(r)) {
                cellRef = ref
            } else {
                cellRef = CellRef(row: max(row, 0), column: column + 1)
            }
            row = cellRef.row
            column = cellRef.column
            if row >= maxRows {
                tooManyRows(parser)
                return
            }
            inCell = true
            type = attributes["t"] ?? ""
            style = attributes["s"].flatMap { Int($0) } ?? 0
            value = ""
            formula = ""
            hasFormula = false
            inInline = false
            inline.reset()
        default:
            break
        }
    }

    override func end(_ name: Substring, _ parser: XMLParser) {
        guard inCell else {
            if name == "sheetData" { inSheetData = false }
            return
        }
        switch name {
        case "v", "f":
            collecting = .none
        case "is":
            inInline = false
        case "c":
            inCell = false
            finishCell(parser)
        default:
            if inInline { inline.end(name) }
        }
    }

    override func characters(_ string: String) {
        switch collecting {
        case .value: value += string
        case .formula: formula += string
        case .none: if inInline && inline.inText { inline.text += string }
        }
    }

    private func finishCell(_ parser: XMLParser) {
        let kind = style >= 0 && style < formats.count ? formats[style] : .other
        var result: ReadValue?
        switch type {
        case "s":
            if let index = Int(trimmed(value)) {
                guard index >= 0 && index < sharedStrings.count else {
                    fail(
                        XLSXReader.Refusal.malformed(
                            file: file, part: part, detail: "shared string \(index) of cell \(cellRef) does not exist"),
                        parser)
                    return
                }
                let text = sharedStrings[index]
                if !text.isEmpty { result = .text(text) }
            }
        case "str", "d":
            if !value.isEmpty { result = .text(value) }
        case "inlineStr":
            let text = inline.value
            if !text.isEmpty { result = .text(text) } else if !value.isEmpty { result = .text(value) }
        case "b":
            let v = trimmed(value).lowercased()
            if !v.isEmpty { result = .bool(v == "1" || v == "true") }
        case "e":
            if !value.isEmpty { result = .error(value) }
        default:
            let v = trimmed(value)
            if v.isEmpty, inline.text.isEmpty == false {
                result = .text(inline.value)  // an inline string whose t="inlineStr" was left out
            } else if !v.isEmpty {
                if var number = Double(v) {
                    // 1904 workbooks count days from 1904-01-01: move date serials to the 1900 system.
                    if date1904 && kind == .date { number += 1462 }
                    result = .number(number)
                } else {
                    result = .text(String(v))
                }
            }
        }
        let formulaText = hasFormula && !formula.isEmpty ? formula : nil
        if result == nil, formulaText != nil { result = .text("") }
        guard let result else { return }
        if cells.updateValue(
            ReadCell(result, formula: formulaText, isDateFormatted: kind == .date, isTimeFormatted: kind == .time),
            forKey: cellRef) == nil, cells.count > cellBudget
        {
            fail(XLSXReader.Refusal.tooManyCells(file: file, sheet: sheetName, limit: maxCells), parser)
        }
    }
}
