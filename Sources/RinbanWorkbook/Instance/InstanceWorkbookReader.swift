import Foundation
import RinbanCore

/// An instance read from a workbook or a CSV folder.
public struct ImportedInstance: Sendable {
    /// The `rinban/1` document the sheets say (what `rinban import` writes).
    public var document: DocumentNode
    public var loaded: LoadedInstance
    /// Warnings, each at its cell.
    public var warnings: [WorkbookIssue]
}

extension InstanceWorkbook {
    /// Reads an .xlsx workbook, or a folder of CSV files (one per sheet, named like the sheets).
    public static func read(contentsOf path: String) throws(WorkbookImportError) -> ImportedInstance {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw WorkbookImportError(file: path, issues: [WorkbookIssue(
                sheet: nil, japanese: "ファイルが見つかりません", english: "no such file or folder")])
        }
        let sheets: [SheetGrid]
        do {
            sheets = isDirectory.boolValue ? try CSVFolder.read(path) : try XLSXReader.read(contentsOf: path)
        } catch {
            throw WorkbookImportError(file: path, issues: [WorkbookIssue(sheet: nil, japanese: error.japanese, english: error.english)])
        }
        return try read(sheets: sheets, file: path)
    }

    /// Builds and validates the instance the sheets describe; every problem is reported at once.
    public static func read(sheets: [SheetGrid], file: String) throws(WorkbookImportError) -> ImportedInstance {
        var reader = SheetsReader(sheets: sheets)
        let document = reader.document()
        var issues = reader.issues
        var loaded: LoadedInstance?
        do {
            loaded = try InstanceDecoder.decode(document, file: file)
        } catch {
            issues += reader.translate(error.issues)
        }
        if let loaded { issues += reader.translate(loaded.warnings) }
        let errors = issues.filter { $0.severity == .error }
        guard let loaded, errors.isEmpty else {
            throw WorkbookImportError(file: file, issues: errors + issues.filter { $0.severity == .warning })
        }
        return ImportedInstance(document: document, loaded: loaded, warnings: issues)
    }
}

/// Where a part of the document came from: a row, and the column of each of its fields.
private struct Origin {
    var sheet: String
    var row: Int
    var columns: [String: Int]
    /// The cell a problem with the whole entry points at.
    var primary: Int?
}

/// A table sheet located: which row is data and which column is which field.
private struct LocatedTable {
    var layout: TableLayout
    var grid: SheetGrid
    var columns: [String: Int]
    var firstDataRow: Int
}

/// One row of a table, read.
private struct TableRow {
    var row: Int
    var values: [String: DocumentNode]
    var origin: Origin
}

private struct SheetsReader {
    let sheets: [String: SheetGrid]
    var issues: [WorkbookIssue] = []
    var origins: [DocumentPath: Origin] = [:]
    /// Paths whose problems were already reported at their cell.
    var reported: Set<DocumentPath> = []
    /// Cells whose value could not be read: (sheet, row, column).
    var badCells: Set<SheetCell> = []

    init(sheets grids: [SheetGrid]) {
        var byName: [String: SheetGrid] = [:]
        let known = Set([Layout.instructionSheet, Layout.settingsSheet] + Layout.tables.map(\.name))
        for grid in grids {
            let name = CellRules.trimmed(CellRules.halfWidth(grid.name)).precomposedStringWithCanonicalMapping
            byName[name] = grid
            if !known.contains(name), !name.hasPrefix("_"), grid.rowCount > 0 {
                issues.append(WorkbookIssue(.warning, sheet: grid.name, japanese: "このシートは読みません (名前が rinban のシートと違います)",
                                            english: "sheet not read: its name is not one of rinban's sheets"))
            }
        }
        sheets = byName
    }

    // MARK: - The document

    mutating func document() -> DocumentNode {
        var root = ObjectBuilder()
        root.set(["format"], .string(InstanceDecoder.format))
        readSettings(into: &root)

        let blocks = table(Layout.blocks)
        root.set(["blocks"], list(blocks, path: .root / "blocks"))
        let clinics = table(Layout.clinics)
        if !clinics.isEmpty { root.set(["clinics"], list(clinics, path: .root / "clinics")) }

        var physicians = table(Layout.physicians)
        var stations = table(Layout.stations)
        attachAbsences(physicians: &physicians, stations: &stations)
        if !physicians.isEmpty { root.set(["physicians"], list(physicians, path: .root / "physicians")) }
        if !stations.isEmpty { root.set(["stations"], list(stations, path: .root / "stations")) }

        let shifts = table(Layout.shifts)
        if !shifts.isEmpty { root.set(["shifts"], list(shifts, path: .root / "shifts")) }
        let duties = readDuties()
        if !duties.isEmpty { root.set(["duties"], .array(duties)) }

        let pins = table(Layout.pins)
        if !pins.isEmpty { root.set(["pins"], list(pins, path: .root / "pins")) }
        let items = table(Layout.loadSharing)
        if !items.isEmpty { root.set(["loadSharing", "items"], list(items, path: .root / "loadSharing" / "items")) }
        let hospitals = table(Layout.hospitals)
        if !hospitals.isEmpty { root.set(["beds", "hospitals"], list(hospitals, path: .root / "beds" / "hospitals")) }
        let patients = table(Layout.bedPatients)
        if !patients.isEmpty { root.set(["beds", "patients"], list(patients, path: .root / "beds" / "patients")) }
        let respite = table(Layout.respite)
        if !respite.isEmpty { root.set(["beds", "respite"], list(respite, path: .root / "beds" / "respite")) }
        let deputies = table(Layout.deputies)
        if !deputies.isEmpty { root.set(["deputies", "patients"], list(deputies, path: .root / "deputies" / "patients")) }
        return root.node
    }

    /// The rows as a list node, each row's origin registered under its path.
    private mutating func list(_ rows: [TableRow], path: DocumentPath) -> DocumentNode {
        var elements: [DocumentNode] = []
        for (index, row) in rows.enumerated() {
            origins[path / index] = row.origin
            var object = ObjectBuilder()
            for (key, node) in orderedValues(row) { object.set(key.split(separator: ".").map(String.init), node) }
            elements.append(object.node)
        }
        return .array(elements)
    }

    private func orderedValues(_ row: TableRow) -> [(String, DocumentNode)] {
        row.values.sorted { (row.origin.columns[$0.key] ?? 0, $0.key) < (row.origin.columns[$1.key] ?? 0, $1.key) }
            .map { ($0.key, $0.value) }
    }

    // MARK: Settings

    private mutating func readSettings(into root: inout ObjectBuilder) {
        let sheetName = Layout.settingsSheet
        guard let grid = sheets[sheetName] else {
            issues.append(WorkbookIssue(sheet: sheetName, japanese: "シート「\(sheetName)」がありません (期間が必要です)",
                                        english: "the sheet \(sheetName) is missing (the period is needed)"))
            return
        }
        // Find each setting by its key, wherever the row is; the value is the cell to its right.
        var keyCells: [String: CellRef] = [:]
        let keys = Set(Layout.settings.map(\.key))
        for (ref, cell) in grid.cells where ref.row < 1000 {
            if let text = CellRules.id(cell), keys.contains(text), keyCells[text] == nil { keyCells[text] = ref }
        }
        for setting in Layout.settings {
            let segments = setting.key.split(separator: ".").map(String.init)
            let path = DocumentPath(segments.map { .key($0) })
            guard let keyCell = keyCells[setting.key] else {
                if setting.required {
                    issues.append(WorkbookIssue(sheet: sheetName, field: setting.key,
                                                japanese: "「\(setting.japanese)」の行がありません (B 列に \(setting.key))",
                                                english: "no row for \(setting.key)"))
                    reported.insert(path)
                }
                continue
            }
            let valueRef = CellRef(row: keyCell.row, column: keyCell.column + 1)
            let origin = Origin(sheet: sheetName, row: keyCell.row, columns: [:], primary: valueRef.column)
            origins[path] = origin
            if segments.count > 1 { origins[DocumentPath([.key(segments[0])])] = origins[DocumentPath([.key(segments[0])])] ?? origin }
            guard let cell = grid.cells[valueRef], !isBlank(cell) else { continue }
            if let node = value(cell, kind: setting.kind, sheet: sheetName, at: valueRef, field: setting.key, path: path) {
                root.set(segments, node)
            }
        }
    }

    // MARK: Tables

    /// Finds the table's columns; nil (with an issue) when the sheet has data but no header.
    private mutating func locate(_ layout: TableLayout) -> LocatedTable? {
        guard let grid = sheets[layout.name], grid.rowCount > 0 else { return nil }
        let keys = Dictionary(layout.columns.map { ($0.key, $0.key) }, uniquingKeysWith: { a, _ in a })
        let headers = Dictionary(layout.columns.map { ($0.japanese, $0.key) }, uniquingKeysWith: { a, _ in a })
        var best: (row: Int, columns: [String: Int])?
        var byHeaderRow: (row: Int, columns: [String: Int])?
        for row in 0..<min(grid.rowCount, 12) {
            var byKey: [String: Int] = [:], byHeader: [String: Int] = [:]
            for column in 0..<grid.columnCount {
                guard let cell = grid[row, column], let text = CellRules.text(cell) else { continue }
                let bare = CellRules.trimmed(text.replacingOccurrences(of: "*", with: ""))
                if let key = keys[CellRules.trimmed(CellRules.halfWidth(text))], byKey[key] == nil { byKey[key] = column }
                if let key = headers[bare], byHeader[key] == nil { byHeader[key] = column }
            }
            if byKey.count > (best?.columns.count ?? 0) { best = (row, byKey) }
            if byHeaderRow == nil, byHeader.count >= 2 { byHeaderRow = (row, byHeader) }
        }
        // The field names of row 3 decide; a sheet whose row 3 was deleted is read by its Japanese headers.
        if best == nil { best = byHeaderRow }
        guard let found = best else {
            if grid.cells.count > 0 {
                issues.append(WorkbookIssue(sheet: layout.name,
                                            japanese: "見出し (3 行目の項目名 id, name …) が見つかりません",
                                            english: "no header row with the field names (id, name, …) in the first rows"))
            }
            return nil
        }
        let firstDataRow = max(found.row, byHeaderRow?.row ?? 0) + 1
        for column in layout.columns where column.required && found.columns[column.key] == nil {
            issues.append(WorkbookIssue(sheet: layout.name, row: found.row, field: column.key,
                                        japanese: "必須の列「\(column.japanese)」(\(column.key)) がありません",
                                        english: "the required column \(column.key) is missing"))
        }
        return LocatedTable(layout: layout, grid: grid, columns: found.columns, firstDataRow: firstDataRow)
    }

    /// The table's non-empty rows, each value read by its column's kind.
    private mutating func table(_ layout: TableLayout) -> [TableRow] {
        guard let located = locate(layout) else { return [] }
        var rows: [TableRow] = []
        let primary = located.columns[layout.columns[0].key]
        for row in located.firstDataRow..<max(located.firstDataRow, located.grid.rowCount) {
            var values: [String: DocumentNode] = [:]
            var any = false
            for column in layout.columns {
                guard let index = located.columns[column.key], let cell = located.grid[row, index], !isBlank(cell) else { continue }
                any = true
                if let node = value(cell, kind: column.kind, sheet: layout.name, at: CellRef(row: row, column: index), field: column.key, path: nil) {
                    values[column.key] = node
                }
            }
            guard any else { continue }
            rows.append(TableRow(row: row, values: values,
                                 origin: Origin(sheet: layout.name, row: row, columns: located.columns, primary: primary)))
        }
        return rows
    }

    private func isBlank(_ cell: ReadCell) -> Bool { cell.formula == nil && CellRules.text(cell) == nil }

    /// A cell's value as a document node, or nil with an issue at the cell.
    private mutating func value(_ cell: ReadCell, kind: ColumnKind, sheet: String, at ref: CellRef, field: String, path: DocumentPath?) -> DocumentNode? {
        func problem(_ japanese: String, _ english: String) -> DocumentNode? {
            issues.append(WorkbookIssue(sheet: sheet, row: ref.row, column: ref.column, field: field, japanese: japanese, english: english))
            badCells.insert(SheetCell(sheet: sheet, cell: ref))
            if let path { reported.insert(path) }
            return nil
        }
        if let formula = cell.formula {
            return problem("式 (=\(formula)) ではなく値を書いてください", "a formula (=\(formula)) where a value belongs; paste the value")
        }
        if case let .error(code) = cell.value { return problem("エラー値 \(code) です", "an error value \(code)") }
        do {
            switch kind {
            case .id:
                return .string(CellRules.id(cell) ?? "")
            case .text:
                return .string(CellRules.text(cell) ?? "")
            case .number:
                return .number(try CellRules.number(cell))
            case .integer:
                return .number(Double(try CellRules.integer(cell)))
            case .date:
                return .string(try CellRules.date(cell).iso)
            case .time:
                return .string(try CellRules.time(cell).description)
            case .bool:
                return .bool(try CellRules.bool(cell))
            case .idList:
                return .array(CellRules.idList(cell).map { .string($0) })
            case .dateList:
                var dates: [DocumentNode] = []
                for text in CellRules.idList(cell) {
                    guard let date = CellRules.date(text: text) else {
                        return problem("日付として読めません (\"\(text)\")", "not a date: \"\(text)\"")
                    }
                    dates.append(.string(date.iso))
                }
                return .array(dates)
            case let .choice(choices):
                return .string(try CellRules.choice(cell, choices))
            }
        } catch {
            return problem(error.japanese, error.english)
        }
    }

    // MARK: Absences

    private mutating func attachAbsences(physicians: inout [TableRow], stations: inout [TableRow]) {
        let rows = table(Layout.absences)
        var owner: [String: (physician: Bool, index: Int)] = [:]
        for (index, row) in physicians.enumerated() { if let id = row.values["id"]?.text { owner[id] = owner[id] ?? (true, index) } }
        for (index, row) in stations.enumerated() { if let id = row.values["id"]?.text { owner[id] = owner[id] ?? (false, index) } }
        var lists: [String: [String: [(DocumentNode, Origin)]]] = [:]
        for row in rows {
            guard let member = row.values["member"]?.text, let kind = row.values["kind"]?.text, let from = row.values["from"] else { continue }
            guard owner[member] != nil else {
                issues.append(WorkbookIssue(sheet: Layout.absences.name, row: row.row, column: row.origin.columns["member"], field: "member",
                                            japanese: "医師・ステーション \"\(member)\" がありません",
                                            english: "unknown member \"\(member)\""))
                continue
            }
            var object = ObjectBuilder()
            object.set(["from"], from)
            object.set(["to"], row.values["to"] ?? from)
            if let shifts = row.values["shifts"], case let .array(list) = shifts.value, !list.isEmpty { object.set(["shifts"], shifts) }
            lists[member, default: [:]][kind, default: []].append((object.node, row.origin))
        }
        for (member, kinds) in lists {
            let (isPhysician, index) = owner[member]!
            let base: DocumentPath = .root / (isPhysician ? "physicians" : "stations") / index
            for (kind, entries) in kinds {
                for (position, entry) in entries.enumerated() { origins[base / kind / position] = entry.1 }
                let node = DocumentNode.array(entries.map(\.0))
                if isPhysician { physicians[index].values[kind] = node } else { stations[index].values[kind] = node }
                // After every column, in a fixed order: unavailable, then avoid.
                let order = kind == "unavailable" ? 1000 : 1001
                if isPhysician { physicians[index].origin.columns[kind] = order } else { stations[index].origin.columns[kind] = order }
            }
        }
    }

    // MARK: Duties

    private mutating func readDuties() -> [DocumentNode] {
        let rows = table(Layout.duties)
        let dutyKeys = ["id", "name", "pool", "scope", "allowNeighbors", "requires"]
        var order: [String] = []
        var groups: [String: [TableRow]] = [:]
        for row in rows {
            guard let id = row.values["id"]?.text else { continue }
            if groups[id] == nil { order.append(id) }
            groups[id, default: []].append(row)
        }
        var areaGroups: [String: [TableRow]] = [:]
        for row in table(Layout.dutyAreas) {
            guard let duty = row.values["duty"]?.text else { continue }
            guard groups[duty] != nil else {
                issues.append(WorkbookIssue(sheet: Layout.dutyAreas.name, row: row.row, column: row.origin.columns["duty"], field: "duty",
                                            japanese: "当番 \"\(duty)\" がありません", english: "unknown duty \"\(duty)\""))
                continue
            }
            areaGroups[duty, default: []].append(row)
        }
        var duties: [DocumentNode] = []
        for (index, id) in order.enumerated() {
            let group = groups[id]!
            let path: DocumentPath = .root / "duties" / index
            let head = group[0]
            origins[path] = head.origin
            var object = ObjectBuilder()
            for key in dutyKeys { if let node = head.values[key] { object.set([key], node) } }
            for row in group.dropFirst() {
                for key in dutyKeys.dropFirst() {
                    guard let node = row.values[key], let first = head.values[key] else { continue }
                    // Compared as JSON text: equal values, equal text.
                    if node.jsonText() != first.jsonText() {
                        issues.append(WorkbookIssue(sheet: Layout.duties.name, row: row.row, column: row.origin.columns[key], field: key,
                                                    japanese: "同じ当番の最初の行 (\(head.row + 1) 行目) と違います",
                                                    english: "differs from the duty's first row (row \(head.row + 1))"))
                    }
                }
            }
            if let areas = areaGroups[id] {
                var elements: [DocumentNode] = []
                for (k, row) in areas.enumerated() {
                    origins[path / "areas" / k] = row.origin
                    var area = ObjectBuilder()
                    for key in ["id", "name", "blocks"] { if let node = row.values[key] { area.set([key], node) } }
                    elements.append(area.node)
                }
                object.set(["areas"], .array(elements))
            }
            var demand = ObjectBuilder()
            var seen: [String: Int] = [:]
            for row in group {
                let counts = ["weekday", "saturday", "holiday"].filter { row.values["demand.\($0)"] != nil }
                guard let shift = row.values["demand.shift"]?.text else {
                    if !counts.isEmpty {
                        issues.append(WorkbookIssue(sheet: Layout.duties.name, row: row.row, column: row.origin.columns["demand.shift"],
                                                    field: "demand.shift", japanese: "必要人数の勤務帯がありません",
                                                    english: "demand without a shift"))
                    }
                    continue
                }
                if let first = seen[shift] {
                    issues.append(WorkbookIssue(sheet: Layout.duties.name, row: row.row, column: row.origin.columns["demand.shift"],
                                                field: "demand.shift",
                                                japanese: "勤務帯 \"\(shift)\" はこの当番の \(first + 1) 行目にもあります",
                                                english: "shift \"\(shift)\" is already in this duty's row \(first + 1)"))
                    continue
                }
                seen[shift] = row.row
                var columns: [String: Int] = [:]
                for dayType in ["weekday", "saturday", "holiday"] { columns[dayType] = row.origin.columns["demand.\(dayType)"] }
                origins[path / "demand" / shift] = Origin(sheet: Layout.duties.name, row: row.row, columns: columns,
                                                          primary: row.origin.columns["demand.shift"])
                var entry = ObjectBuilder()
                for dayType in counts { entry.set([dayType], row.values["demand.\(dayType)"]!) }
                demand.set([shift], entry.node)
            }
            if !seen.isEmpty || group.contains(where: { $0.values["demand.shift"] != nil }) { object.set(["demand"], demand.node) }
            duties.append(object.node)
        }
        return duties
    }

    // MARK: - Issues at cells

    /// The decoder's issues, each placed at the cell its value came from.
    func translate(_ inputIssues: [InputIssue]) -> [WorkbookIssue] {
        var result: [WorkbookIssue] = []
        for issue in inputIssues {
            if reported.contains(where: { issue.path.components.starts(with: $0.components) }) { continue }
            var placed = WorkbookIssue(issue.severity, sheet: nil, japanese: MessageTranslation.japanese(issue.message),
                                       english: issue.message, path: issue.path)
            let components = issue.path.components
            var found = false
            for length in stride(from: components.count, through: 1, by: -1) {
                guard let origin = origins[DocumentPath(Array(components.prefix(length)))] else { continue }
                let rest = components.dropFirst(length).compactMap { component -> String? in
                    if case let .key(key) = component { return key }
                    return nil
                }
                placed.sheet = origin.sheet
                placed.row = origin.row
                placed.column = origin.primary
                for cut in stride(from: rest.count, through: 1, by: -1) {
                    let key = rest.prefix(cut).joined(separator: ".")
                    if let index = origin.columns[key], index < 1000 {
                        placed.column = index
                        placed.field = key
                        break
                    }
                }
                found = true
                break
            }
            if !found, case let .key(top)? = components.first { placed.sheet = Self.sheet(ofTopKey: top) }
            // A cell whose value could not be read was reported already, in better words.
            if let row = placed.row, let column = placed.column, let sheet = placed.sheet,
               badCells.contains(SheetCell(sheet: sheet, cell: CellRef(row: row, column: column))) { continue }
            result.append(placed)
        }
        return result
    }

    static func sheet(ofTopKey key: String) -> String {
        switch key {
        case "blocks": return Layout.blocks.name
        case "clinics": return Layout.clinics.name
        case "physicians": return Layout.physicians.name
        case "stations": return Layout.stations.name
        case "shifts": return Layout.shifts.name
        case "duties": return Layout.duties.name
        case "pins": return Layout.pins.name
        case "loadSharing": return Layout.loadSharing.name
        case "beds": return Layout.hospitals.name
        case "deputies": return Layout.deputies.name
        default: return Layout.settingsSheet
        }
    }
}

// MARK: - Small builders

/// An object under construction; members keep the order they were first set in.
private struct ObjectBuilder {
    private var keys: [String] = []
    private var values: [String: Entry] = [:]

    private enum Entry {
        case leaf(DocumentNode)
        case object(ObjectBuilder)
    }

    mutating func set(_ path: [String], _ node: DocumentNode) {
        guard let first = path.first else { return }
        if values[first] == nil { keys.append(first) }
        if path.count == 1 {
            values[first] = .leaf(node)
            return
        }
        var child: ObjectBuilder
        if case let .object(existing)? = values[first] { child = existing } else { child = ObjectBuilder() }
        child.set(Array(path.dropFirst()), node)
        values[first] = .object(child)
    }

    var node: DocumentNode {
        let members = keys.map { key -> DocumentMember in
            let node: DocumentNode
            switch values[key]! {
            case let .leaf(leaf): node = leaf
            case let .object(object): node = object.node
            }
            return DocumentMember(key: key, keyPosition: node.position, node: node)
        }
        return DocumentNode(.object(members), at: SourcePosition(line: 1, column: 1))
    }
}

extension DocumentNode {
    fileprivate static func string(_ text: String) -> DocumentNode { DocumentNode(.string(text), at: SourcePosition(line: 1, column: 1)) }
    fileprivate static func number(_ value: Double) -> DocumentNode {
        DocumentNode(.number(value, text: CellRules.plainNumber(value)), at: SourcePosition(line: 1, column: 1))
    }
    fileprivate static func bool(_ flag: Bool) -> DocumentNode { DocumentNode(.bool(flag), at: SourcePosition(line: 1, column: 1)) }
    fileprivate static func array(_ elements: [DocumentNode]) -> DocumentNode { DocumentNode(.array(elements), at: SourcePosition(line: 1, column: 1)) }

    fileprivate var text: String? {
        if case let .string(text) = value { return text }
        return nil
    }
}

private struct SheetCell: Hashable {
    var sheet: String
    var cell: CellRef
}
