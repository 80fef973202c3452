import Foundation
import RinbanCore
import RinbanWorkbook
import Testing

/// The repository's root, found from this file.
private let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

private func repoPath(_ relative: String) -> String { repository.appendingPathComponent(relative).path }

/// Tokushima's December with its published plan (136 duties, every slot covered).
private func tokushima() throws -> (LoadedInstance, Plan) {
    (try InstanceDecoder.load(contentsOf: repoPath("instances/tokushima-2026-12.json")),
     try PlanReader.load(contentsOf: repoPath("examples/tokushima-2026-12.published.json")))
}

/// Three days, one network duty needing two physicians a night: room for a half-staffed slot.
private let twoPerNight = """
    {
      "format": "rinban/1",
      "association": "テスト医師会",
      "period": { "start": "2027-01-01", "end": "2027-01-03" },
      "calendar": { "extraHolidays": ["2027-01-02"] },
      "blocks": [ { "id": "north", "name": "北部" } ],
      "clinics": [ { "id": "c1", "name": "北クリニック", "block": "north" } ],
      "physicians": [
        { "id": "p1", "name": "佐藤 一郎", "clinic": "c1" },
        { "id": "p2", "name": "鈴木 花子", "clinic": "c1" },
        { "id": "p3", "name": "高橋 健", "clinic": "c1", "history": { "points": 2.5, "holidays": 1 } }
      ],
      "shifts": [ { "id": "night", "name": "夜間", "start": "18:00", "end": "08:00",
                    "points": { "weekday": 1, "saturday": 1.25, "holiday": 1.5 } } ],
      "duties": [ { "id": "sub", "name": "副主治医当番", "pool": "physicians", "scope": "network",
                    "demand": { "night": { "weekday": 2, "saturday": 2, "holiday": 2 } } } ],
      "rules": { "minDaysBetween": 1 }
    }
    """

private func twoPerNightInstance() throws -> LoadedInstance {
    try InstanceDecoder.decode(DocumentReader.parse(Array(twoPerNight.utf8), format: .json))
}

private func assignment(_ duty: String, _ area: String, _ date: String, _ shift: String, _ member: String) -> Assignment {
    Assignment(duty: DutyID(duty), area: AreaID(area), date: CivilDate(iso: date)!, shift: ShiftID(shift), member: MemberID(member))
}

// MARK: - Reading the grids back, three ways

/// A cell value as the three readers report it: the model, `XLSXReader` and openpyxl.
private enum Seen: Equatable {
    case text(String)
    case number(Double)
    /// A date, as `YYYY-MM-DD`.
    case date(String)
    case other
}

/// One sheet as a map from (row, column), both from 0.
private struct SeenSheet {
    var name: String
    var cells: [[Int]: Seen]

    func text(_ row: Int, _ column: Int) -> String? {
        if case let .text(t) = cells[[row, column]] { return t }
        return nil
    }

    func number(_ row: Int, _ column: Int) -> Double? {
        if case let .number(x) = cells[[row, column]] { return x }
        return nil
    }

    var rowCount: Int { (cells.keys.map { $0[0] }.max() ?? -1) + 1 }
    var columnCount: Int { (cells.keys.map { $0[1] }.max() ?? -1) + 1 }
}

/// Days since Excel's epoch (1899-12-30), computed with Foundation rather than `CivilDate`.
private func excelSerial(_ iso: String) -> Double {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    let parts = iso.split(separator: "-").map { Int($0)! }
    let date = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2]))!
    let epoch = calendar.date(from: DateComponents(year: 1899, month: 12, day: 30))!
    return Double(calendar.dateComponents([.day], from: epoch, to: date).day!)
}

private func isoFromSerial(_ serial: Double) -> String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    let epoch = calendar.date(from: DateComponents(year: 1899, month: 12, day: 30))!
    let date = calendar.date(byAdding: .day, value: Int(serial.rounded()), to: epoch)!
    let c = calendar.dateComponents([.year, .month, .day], from: date)
    return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
}

private func seen(_ workbook: Workbook) -> [SeenSheet] {
    workbook.sheets.map { sheet in
        var cells: [[Int]: Seen] = [:]
        for (r, row) in sheet.rows.enumerated() {
            for (c, cell) in row.enumerated() {
                switch cell.value {
                case .empty: continue
                case let .text(t): if !t.isEmpty { cells[[r, c]] = .text(t) }
                case let .number(x): cells[[r, c]] = .number(x)
                case let .date(d): cells[[r, c]] = .date(d.iso)
                default: cells[[r, c]] = .other
                }
            }
        }
        return SeenSheet(name: sheet.name, cells: cells)
    }
}

private func seen(_ grids: [SheetGrid]) -> [SeenSheet] {
    grids.map { grid in
        var cells: [[Int]: Seen] = [:]
        for (ref, cell) in grid.cells {
            switch cell.value {
            case let .text(t): if !t.isEmpty { cells[[ref.row, ref.column]] = .text(t) }
            case let .number(x): cells[[ref.row, ref.column]] = cell.isDateFormatted ? .date(isoFromSerial(x)) : .number(x)
            default: cells[[ref.row, ref.column]] = .other
            }
        }
        return SeenSheet(name: grid.name, cells: cells)
    }
}

/// What openpyxl sees of a file: cells, and per sheet its print and view settings.
private struct OpenpyxlView {
    var sheets: [SeenSheet]
    /// Per sheet: orientation, paperSize, fitToWidth, fitToPage, printTitleRows, freeze, dataBars, formats.
    var settings: [String: [String: Any]]
}

private let openpyxlScript = #"""
import json, sys, datetime
try:
    import openpyxl
except Exception as error:
    print("openpyxl is not importable (pip install openpyxl): %s" % error, file=sys.stderr)
    sys.exit(3)
book = openpyxl.load_workbook(sys.argv[1])
out = []
for ws in book.worksheets:
    cells = []
    formats = {}
    for row in ws.iter_rows():
        for c in row:
            v = c.value
            if v is None:
                continue
            if isinstance(v, (datetime.datetime, datetime.date)):
                v = {"date": v.strftime("%Y-%m-%d")}
            elif isinstance(v, bool):
                v = {"other": str(v)}
            elif isinstance(v, (int, float)):
                v = {"number": float(v)}
                formats["%d,%d" % (c.row - 1, c.column - 1)] = c.number_format
            else:
                v = {"text": str(v)}
            cells.append([c.row - 1, c.column - 1, v])
    bars = []
    for cf in ws.conditional_formatting:
        for rule in cf.rules:
            if rule.type == "dataBar":
                bars.append(str(cf.sqref))
    props = ws.sheet_properties.pageSetUpPr
    out.append({
        "name": ws.title, "cells": cells, "formats": formats,
        "orientation": ws.page_setup.orientation, "paperSize": str(ws.page_setup.paperSize),
        "fitToWidth": str(ws.page_setup.fitToWidth), "fitToPage": bool(props is not None and props.fitToPage),
        "printTitleRows": str(ws.print_title_rows), "freeze": str(ws.freeze_panes), "dataBars": bars,
        "merged": [str(r) for r in ws.merged_cells.ranges],
    })
print(json.dumps(out, ensure_ascii=False))
"""#

/// Opens `path` with openpyxl in a `python3` subprocess.
private func openpyxl(_ path: String) throws -> OpenpyxlView {
    let result = try run(["python3", "-c", openpyxlScript, path])
    try #require(result.status == 0, "openpyxl could not read \(path): \(result.error)")
    let data = Data(result.output.utf8)
    let json = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
    var view = OpenpyxlView(sheets: [], settings: [:])
    for sheet in json {
        let name = sheet["name"] as! String
        var cells: [[Int]: Seen] = [:]
        for entry in sheet["cells"] as! [[Any]] {
            let r = entry[0] as! Int, c = entry[1] as! Int
            let value = entry[2] as! [String: Any]
            if let t = value["text"] as? String {
                if !t.isEmpty { cells[[r, c]] = .text(t) }
            } else if let x = value["number"] as? Double {
                cells[[r, c]] = .number(x)
            } else if let d = value["date"] as? String {
                cells[[r, c]] = .date(d)
            } else {
                cells[[r, c]] = .other
            }
        }
        view.sheets.append(SeenSheet(name: name, cells: cells))
        view.settings[name] = sheet
    }
    return view
}

/// Writes the workbook to a temporary file and reads it back with `XLSXReader` and openpyxl.
private func writtenAndRead(
    _ loaded: LoadedInstance, _ plan: Plan
) throws -> (model: [SeenSheet], reader: [SeenSheet], openpyxl: OpenpyxlView, grids: [SheetGrid]) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rinban-rota-xlsx-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("rota.xlsx").path
    try RotaWorkbook.write(loaded: loaded, plan: plan, to: path)
    let grids = try XLSXReader.read(contentsOf: path)
    return (seen(RotaWorkbook.make(loaded: loaded, plan: plan)), seen(grids), try openpyxl(path), grids)
}

private func sheet(_ name: String, in sheets: [SeenSheet]) throws -> SeenSheet {
    try #require(sheets.first { $0.name == name }, "no sheet \(name) among \(sheets.map(\.name))")
}

// MARK: - The grid, located by its headers

/// The expected header of a (duty, area, shift): names straight from the instance.
private func expectedHeader(_ a: Assignment, _ instance: Instance) -> [String] {
    let duty = instance.duties.first { $0.id == a.duty }!
    let area: String
    switch duty.scope {
    case .network: area = "全域"
    case .block: area = instance.blocks.first { $0.id.rawValue == a.area.rawValue }!.name
    case .areas: area = duty.areas.first { $0.id == a.area }!.name ?? a.area.rawValue
    }
    return [duty.name, area, instance.shifts.first { $0.id == a.shift }!.name]
}

/// Columns of the rota sheet by their three header texts (rows 3–5 under the title and the
/// period). A merged header keeps its text in its first cell only, so an empty header cell
/// takes its left neighbour's.
private func slotColumns(_ rota: SeenSheet) -> [[String]: Int] {
    var columns: [[String]: Int] = [:]
    var previous = ["", ""]
    for c in 4..<rota.columnCount {
        let duty = rota.text(2, c) ?? previous[0]
        let area = rota.text(3, c) ?? (rota.text(2, c) == nil ? previous[1] : "")
        previous = [duty, area]
        if let shift = rota.text(4, c) { columns[[duty, area, shift]] = c }
    }
    return columns
}

/// Rows of the rota sheet by the date in column A.
private func dateRows(_ rota: SeenSheet) -> [String: Int] {
    var rows: [String: Int] = [:]
    for r in 0..<rota.rowCount {
        if case let .date(iso) = rota.cells[[r, 0]] { rows[iso] = r }
    }
    return rows
}

/// Names in a rota cell, without the open-demand marker.
private func names(_ text: String?) -> [String] {
    (text ?? "").components(separatedBy: "、").filter { !$0.isEmpty && !$0.contains("空き") && $0 != "—" }
}

/// Every assignment appears as its member's name in its date's row and its slot's column,
/// and no cell holds a name without an assignment.
private func checkGrid(_ rota: SeenSheet, loaded: LoadedInstance, plan: Plan, reader: String) throws {
    let instance = loaded.instance
    let columns = slotColumns(rota)
    let rows = dateRows(rota)
    #expect(rows.count == instance.period.count, "\(reader): one row per date")
    var expected: [[Int]: [String]] = [:]
    for a in plan.assignments {
        let header = expectedHeader(a, instance)
        let column = try #require(columns[header], "\(reader): no column \(header) among \(columns.keys)")
        let row = try #require(rows[a.date.iso], "\(reader): no row for \(a.date)")
        let name = instance.members.first { $0.id == a.member }!.name
        #expect(names(rota.text(row, column)).contains(name), "\(reader): \(name) missing at \(a.date) \(header)")
        expected[[row, column], default: []].append(name)
    }
    for row in rows.values {
        for column in columns.values {
            #expect(names(rota.text(row, column)).sorted() == (expected[[row, column]] ?? []).sorted(),
                    "\(reader): row \(row) column \(column)")
        }
    }
}

@Suite("rota workbook")
struct RotaWorkbookTests {
    @Test("every published duty shows in its date's row and its slot's column: in the model, via XLSXReader and via openpyxl")
    func gridHoldsEveryAssignment() throws {
        let (loaded, plan) = try tokushima()
        let read = try writtenAndRead(loaded, plan)
        try checkGrid(try sheet(RotaWorkbook.rotaSheet, in: read.model), loaded: loaded, plan: plan, reader: "model")
        try checkGrid(try sheet(RotaWorkbook.rotaSheet, in: read.reader), loaded: loaded, plan: plan, reader: "XLSXReader")
        try checkGrid(try sheet(RotaWorkbook.rotaSheet, in: read.openpyxl.sheets), loaded: loaded, plan: plan, reader: "openpyxl")

        // Dates are real dates: a serial number with a date format, one per day in order.
        let grid = try #require(read.grids.first)
        let first = try #require(grid[5, 0])
        #expect(first.value == .number(excelSerial("2026-12-01")))
        #expect(first.isDateFormatted)
        // Holidays by name: 年末 extra holidays and no national holiday in December 2026.
        let rota = try sheet(RotaWorkbook.rotaSheet, in: read.openpyxl.sheets)
        let rows = dateRows(rota)
        #expect(rota.text(rows["2026-12-29"]!, 3) == "指定休日")
        #expect(rota.text(rows["2026-12-06"]!, 1) == "日")
        #expect(rota.text(rows["2026-12-06"]!, 2) == "休日")
        #expect(rota.text(rows["2026-12-05"]!, 2) == "土曜")
        // The day shift is planned on holidays only: a weekday shows the grey dash there.
        let columns = slotColumns(rota)
        let dayShift = try #require(loaded.instance.shifts.first { $0.id.rawValue == "day" }).name
        let day = try #require(columns[["副主治医当番", "北部", dayShift]])
        #expect(rota.text(rows["2026-12-01"]!, day) == "—")
        // The published plan covers everything.
        let open = try sheet(RotaWorkbook.uncoveredSheet, in: read.openpyxl.sheets)
        #expect(open.text(3, 0) == RotaWorkbook.nothingOpen)
        #expect(read.openpyxl.sheets.map(\.name) == [
            RotaWorkbook.rotaSheet, RotaWorkbook.fairnessSheet, RotaWorkbook.uncoveredSheet, RotaWorkbook.stationSheet,
            RotaWorkbook.hospitalSheet, RotaWorkbook.respiteSheet,
        ])
    }

    @Test("a duty taken out of the plan shows 空き in red bold and is listed on 未充足")
    func openSlot() throws {
        let (loaded, published) = try tokushima()
        var plan = published
        let removed = plan.assignments.removeFirst()
        let header = expectedHeader(removed, loaded.instance)
        let read = try writtenAndRead(loaded, plan)
        for (reader, sheets) in [("model", read.model), ("XLSXReader", read.reader), ("openpyxl", read.openpyxl.sheets)] {
            let rota = try sheet(RotaWorkbook.rotaSheet, in: sheets)
            let cell = rota.text(try #require(dateRows(rota)[removed.date.iso]), try #require(slotColumns(rota)[header]))
            #expect(cell == "（空き）", "\(reader)")
            let open = try sheet(RotaWorkbook.uncoveredSheet, in: sheets)
            #expect(open.cells[[3, 0]] == .date(removed.date.iso), "\(reader)")
            #expect(open.text(3, 3) == header[0] && open.text(3, 4) == header[1] && open.text(3, 5) == header[2], "\(reader)")
            #expect(open.number(3, 7) == 1, "\(reader)")
            #expect(open.rowCount == 4, "\(reader): one open slot")
        }
        let model = RotaWorkbook.make(loaded: loaded, plan: plan)
        let rota = model.sheets[0]
        let row = try #require(rota.rows.firstIndex { $0.first?.value == .date(removed.date) })
        let cell = try #require(rota.rows[row].first { $0.value == .text("（空き）") })
        #expect(cell.style.bold && cell.style.fontColor == .red)
        try checkGrid(try sheet(RotaWorkbook.rotaSheet, in: read.openpyxl.sheets), loaded: loaded, plan: plan, reader: "openpyxl")
    }

    @Test("a slot needing two with one member shows the name and 空き; several members are joined with 、")
    func halfStaffed() throws {
        let loaded = try twoPerNightInstance()
        let plan = Plan(period: loaded.instance.period, assignments: [
            assignment("sub", "all", "2027-01-01", "night", "p1"), assignment("sub", "all", "2027-01-01", "night", "p2"),
            assignment("sub", "all", "2027-01-02", "night", "p3"),
        ])
        let read = try writtenAndRead(loaded, plan)
        for (reader, sheets) in [("model", read.model), ("XLSXReader", read.reader), ("openpyxl", read.openpyxl.sheets)] {
            let rota = try sheet(RotaWorkbook.rotaSheet, in: sheets)
            let rows = dateRows(rota)
            let column = try #require(slotColumns(rota)[["副主治医当番", "全域", "夜間"]], "\(reader)")
            #expect(rota.text(rows["2027-01-01"]!, column) == "佐藤 一郎、鈴木 花子", "\(reader)")
            #expect(rota.text(rows["2027-01-02"]!, column) == "高橋 健、（空き）", "\(reader)")
            #expect(rota.text(rows["2027-01-03"]!, column) == "（空き×2）", "\(reader)")
            #expect(rota.text(rows["2027-01-01"]!, 3) == "元日", "\(reader)")
            #expect(rota.text(rows["2027-01-02"]!, 3) == "指定休日", "\(reader)")
            try checkGrid(rota, loaded: loaded, plan: plan, reader: reader)
            let open = try sheet(RotaWorkbook.uncoveredSheet, in: sheets)
            #expect(open.rowCount == 5, "\(reader): two open slots under the title, the period and the header")
            #expect(open.number(3, 6) == 2 && open.number(3, 7) == 1 && open.text(3, 8) == "高橋 健", "\(reader)")
            #expect(open.number(4, 7) == 2, "\(reader)")
            #expect(open.text(0, 0)?.hasPrefix("テスト医師会") == true, "\(reader): the title names the association")
        }
    }

    @Test("公平性: each member's cumulative points are the evaluator's, as numbers with two decimals")
    func fairnessIsTheEvaluators() throws {
        let (loaded, plan) = try tokushima()
        let figures = Evaluator(loaded).evaluate(plan).members
        let read = try writtenAndRead(loaded, plan)
        for (reader, sheets) in [("model", read.model), ("XLSXReader", read.reader), ("openpyxl", read.openpyxl.sheets)] {
            let fairness = try sheet(RotaWorkbook.fairnessSheet, in: sheets)
            let header = (0..<fairness.columnCount).map { fairness.text(2, $0) }
            let points = try #require(header.firstIndex(of: "累計点数（繰越込み）"), "\(reader): \(header)")
            let target = try #require(header.firstIndex(of: "目標点数"))
            let duties = try #require(header.firstIndex(of: "当番回数"))
            #expect(header.first == "ID")
            #expect(fairness.rowCount == 3 + loaded.instance.members.count, "\(reader)")
            for f in figures {
                let row = try #require((3..<fairness.rowCount).first { fairness.text($0, 0) == f.id.rawValue }, "\(reader): \(f.id)")
                let shown = try #require(fairness.number(row, points), "\(reader): points of \(f.id) must be a number")
                #expect(abs(shown - f.points) < 1e-9, "\(reader): \(f.id) \(shown) vs \(f.points)")
                #expect(fairness.number(row, duties) == Double(f.assignments), "\(reader): \(f.id)")
                if let t = f.target {
                    #expect(abs((fairness.number(row, target) ?? .nan) - t) < 1e-9, "\(reader): \(f.id)")
                } else {
                    #expect(fairness.text(row, target) == "—", "\(reader): \(f.id) takes no part in fairness")
                }
            }
        }
        let settings = try #require(read.openpyxl.settings[RotaWorkbook.fairnessSheet])
        let formats = try #require(settings["formats"] as? [String: String])
        let row = 3, column = RotaWorkbook.fairnessColumns.firstIndex(of: "累計点数（繰越込み）")!
        #expect(formats["\(row),\(column)"] == "0.00")
        let bars = try #require(settings["dataBars"] as? [String])
        let letter = CellRef.letters(ofColumn: column)
        let difference = CellRef.letters(ofColumn: RotaWorkbook.fairnessColumns.firstIndex(of: "差（累計−目標）")!)
        let last = 3 + loaded.instance.members.count
        #expect(Set(bars) == ["\(letter)4:\(letter)\(last)", "\(difference)4:\(difference)\(last)"])
    }

    @Test("every sheet prints A4 landscape, one page wide, headers repeated, headers frozen")
    func pageSetup() throws {
        let (loaded, plan) = try tokushima()
        let view = try writtenAndRead(loaded, plan).openpyxl
        #expect(view.settings.count == 6)
        for (name, settings) in view.settings {
            #expect(settings["orientation"] as? String == "landscape", "\(name)")
            #expect(settings["paperSize"] as? String == "9", "\(name): A4")
            #expect(settings["fitToPage"] as? Bool == true, "\(name)")
            #expect(settings["fitToWidth"] as? String == "1", "\(name)")
            #expect((settings["printTitleRows"] as? String)?.hasPrefix("$1:") == true, "\(name): \(settings["printTitleRows"] ?? "")")
            #expect(settings["freeze"] as? String != "None", "\(name)")
        }
        #expect(view.settings[RotaWorkbook.rotaSheet]?["printTitleRows"] as? String == "$1:$5")
        #expect(view.settings[RotaWorkbook.rotaSheet]?["freeze"] as? String == "E6")
        #expect(view.settings[RotaWorkbook.fairnessSheet]?["printTitleRows"] as? String == "$1:$3")
        #expect(view.settings[RotaWorkbook.fairnessSheet]?["freeze"] as? String == "C4")
        let merged = view.settings[RotaWorkbook.rotaSheet]?["merged"] as? [String] ?? []
        #expect(merged.contains("A3:A5"), "the date column's header spans the three header rows")
    }

    @Test("deputies: the 副主治医 sheet names the deputy the evaluator counts; a rota with no duties has only date columns")
    func deputies() throws {
        let loaded = try InstanceDecoder.load(contentsOf: repoPath("Tests/RinbanCoreTests/Fixtures/deputies.json"))
        let instance = loaded.instance
        let designations = instance.homePatients.compactMap { patient in
            instance.eligibleDeputies(for: patient).first.map { DeputyDesignation(patient: patient.id, deputy: instance.members[$0].id) }
        }
        let plan = Plan(period: instance.period, deputies: designations)
        let counted = Evaluator(loaded).evaluate(plan).patientDeputies
        #expect(counted.contains { $0.deputy == nil } && counted.contains { $0.deputy != nil })
        let read = try writtenAndRead(loaded, plan)
        for (reader, sheets) in [("model", read.model), ("XLSXReader", read.reader), ("openpyxl", read.openpyxl.sheets)] {
            #expect(sheets.map(\.name) == [
                RotaWorkbook.rotaSheet, RotaWorkbook.fairnessSheet, RotaWorkbook.uncoveredSheet, RotaWorkbook.deputySheet,
            ], "\(reader)")
            let rota = try sheet(RotaWorkbook.rotaSheet, in: sheets)
            #expect(dateRows(rota).count == 7 && rota.columnCount == 4, "\(reader)")
            let table = try sheet(RotaWorkbook.deputySheet, in: sheets)
            for figures in counted {
                let patient = instance.homePatients[figures.patient]
                let row = try #require((3..<table.rowCount).first { table.text($0, 1) == patient.id.rawValue }, "\(reader)")
                #expect(table.text(row, 2) == patient.attending.rawValue, "\(reader)")
                #expect(table.text(row, 5) == figures.deputy.map { instance.members[$0].name } ?? "なし", "\(reader): \(patient.id)")
            }
        }
    }
}
