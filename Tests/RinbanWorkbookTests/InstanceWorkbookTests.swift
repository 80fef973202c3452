import Foundation
import MIPGLPK
import RinbanCore
import RinbanPlanning
@testable import RinbanWorkbook
import Testing

/// The repository root, found from this file.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// Every bundled instance, the shared tiny example and the deputies fixture.
let bundledInstances: [String] = {
    let folder = repositoryRoot.appendingPathComponent("instances")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    return names.filter { $0.hasSuffix(".json") }.sorted().map { folder.appendingPathComponent($0).path } + [
        repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/examples/tiny.json").path,
        repositoryRoot.appendingPathComponent("Tests/RinbanCoreTests/Fixtures/deputies.json").path,
    ]
}()

func fixture(_ name: String) -> String {
    Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil)!.path
}

/// Writes the workbook to bytes and reads it back, as `rinban workbook` then `rinban import` do.
func roundTrip(_ workbook: Workbook) throws -> ImportedInstance {
    let data = try XLSXWriter.data(for: workbook)
    let sheets = try XLSXReader.read(data: data, file: "(test)")
    return try InstanceWorkbook.read(sheets: sheets, file: "(test)")
}

@Suite("The office workbook of an instance")
struct InstanceWorkbookTests {
    @Test("import(workbook(I)) is I for every bundled instance, and a plan scores the same on both",
          arguments: bundledInstances)
    func roundTripEveryInstance(_ path: String) throws {
        let original = try InstanceDecoder.load(contentsOf: path)
        let imported = try roundTrip(InstanceWorkbook.make(original.instance))
        #expect(imported.loaded.instance == original.instance)
        #expect(imported.loaded.slots.slots.count == original.slots.slots.count)
        // The JSON `rinban import` writes decodes to the same instance too.
        let rewritten = try InstanceDecoder.decode(DocumentReader.parse(Array(imported.document.jsonText().utf8), format: .json))
        #expect(rewritten.instance == original.instance)

        let outcome = try MonthPlanner.plan(original, MonthPlanRequest(options: RotaPlanOptions(engine: .greedy, timeLimit: 5)),
                                            backend: GLPKBackend())
        let before = Evaluator(original).evaluate(outcome.plan)
        let after = Evaluator(imported.loaded).evaluate(outcome.plan)
        #expect(before.violations.isEmpty && after.violations.isEmpty)
        #expect(before.terms == after.terms)
        #expect(before.total == after.total)
    }

    @Test("The YAML `rinban import` writes decodes to the same instance")
    func yamlOutput() throws {
        let original = try InstanceDecoder.load(contentsOf: bundledInstances.first { $0.contains("takamatsu") }!)
        let imported = try roundTrip(InstanceWorkbook.make(original.instance))
        let yaml = imported.document.yamlText()
        #expect(yaml.contains("start: \"18:00\""))
        let decoded = try InstanceDecoder.decode(DocumentReader.parse(Array(yaml.utf8), format: .yaml))
        #expect(decoded.instance == original.instance)
    }

    @Test("The template imports as a small valid instance with one example row per sheet")
    func template() throws {
        let workbook = InstanceWorkbook.template()
        #expect(workbook.sheets.map(\.name) == [Layout.instructionSheet, Layout.settingsSheet] + Layout.tables.map(\.name))
        for sheet in workbook.sheets.dropFirst(2) where sheet.name != Layout.duties.name {
            #expect(sheet.rows.count == Frame.firstDataRow + 1, "\(sheet.name)")
        }
        let imported = try roundTrip(workbook)
        let instance = imported.loaded.instance
        #expect(instance.period == Period(start: CivilDate(iso: "2027-01-01")!, end: CivilDate(iso: "2027-01-31")!))
        #expect(instance.members.map(\.id.rawValue) == ["p01", "s01"])
        #expect(instance.duties.map(\.id.rawValue) == ["substitute", "eol"])
        #expect(instance.duties[1].areas.map(\.id.rawValue) == ["east"])
        #expect(instance.members[0].unavailable == [Absence(from: CivilDate(iso: "2027-01-05")!, to: CivilDate(iso: "2027-01-06")!)])
    }

    @Test("A workbook written by openpyxl, the way a clerk's own arrives, means the hand-written instance")
    func workbookFromAnotherTool() throws {
        let imported = try InstanceWorkbook.read(contentsOf: fixture("clerk.xlsx"))
        let expected = try InstanceDecoder.load(contentsOf: fixture("clerk.expected.json"))
        #expect(imported.loaded.instance == expected.instance)
    }

    @Test("Every problem of a clerk's workbook is named by its cell, in Japanese and English, all at once")
    func errorsAtCells() throws {
        do {
            _ = try InstanceWorkbook.read(contentsOf: fixture("clerk-typo.xlsx"))
            Issue.record("the workbook with a typo was accepted")
        } catch {
            let lines = error.issues.filter { $0.severity == .error }.map(\.description)
            #expect(lines.contains("医師!C5 (clinic): 診療所 \"c99\" がありません / unknown clinic \"c99\""), "\(lines)")
            #expect(lines.contains { $0.hasPrefix("不在・避けたい日!C5 (from): 日付として読めません (\"2027/13/5\")") }, "\(lines)")
            #expect(lines.count == 2, "\(lines)")
        }
    }

    @Test("Validation of the instance is mapped back to the sheet and cell the value came from")
    func validationAtCells() throws {
        let original = try InstanceDecoder.load(contentsOf: bundledInstances.first { $0.contains("tokushima") }!)
        var sheets = try XLSXReader.read(data: XLSXWriter.data(for: InstanceWorkbook.make(original.instance)), file: "t")
        let clinics = sheets.firstIndex { $0.name == "診療所" }!
        let physicians = sheets.firstIndex { $0.name == "医師" }!
        let shifts = sheets.firstIndex { $0.name == "勤務帯" }!
        // A duplicate clinic id (row 5 repeats row 4's), a negative share, a formula, a bad time.
        // Row 5 repeats row 4's id, written in full-width letters and digits with a trailing space.
        let firstClinic = CellRules.id(sheets[clinics][3, 0]!)!
        let fullWidth = String(String.UnicodeScalarView(firstClinic.unicodeScalars.map { Unicode.Scalar($0.value + 0xFEE0)! }))
        sheets[clinics].cells[CellRef(row: 4, column: 0)] = ReadCell(.text(fullWidth + "　"))
        sheets[physicians].cells[CellRef(row: 6, column: 4)] = ReadCell(.number(-1))
        sheets[physicians].cells[CellRef(row: 7, column: 4)] = ReadCell(.number(2), formula: "1+1")
        sheets[shifts].cells[CellRef(row: 3, column: 2)] = ReadCell(.text("25:00"))
        do {
            _ = try InstanceWorkbook.read(sheets: sheets, file: "t")
            Issue.record("accepted")
        } catch {
            let byCell = Dictionary(error.issues.compactMap { issue in issue.location.map { ($0, issue) } }, uniquingKeysWith: { a, _ in a })
            #expect(byCell["診療所!A5"]?.japanese.hasSuffix("\"\(firstClinic)\" が重複しています") == true,
                    "\(error.issues.map(\.description))")
            #expect(byCell["医師!E7"]?.field == "share", "\(error.issues.map(\.description))")
            #expect(byCell["医師!E8"]?.japanese == "式 (=1+1) ではなく値を書いてください")
            #expect(byCell["勤務帯!C4"]?.english == "not a time of day: \"25:00\" (write 18:00)")
        }
    }

    @Test("Cell rules: dates, times, ids, numbers and yes/no as a clerk writes them")
    func cellRules() throws {
        func cell(_ value: ReadValue, date: Bool = false) -> ReadCell { ReadCell(value, isDateFormatted: date) }
        let january5 = CivilDate(iso: "2027-01-05")!
        for text in ["2027-01-05", "2027/1/5", "2027/01/05", "2027.1.5", "2027年1月5日", "令和9年1月5日", "R9.1.5",
                     "２０２７／１／５", " 2027-01-05T00:00:00 ", "2027/1/5 0:00"]
        {
            #expect(try CellRules.date(cell(.text(text))) == january5, "\(text)")
        }
        #expect(try CellRules.date(cell(.text("平成31年4月30日"))) == CivilDate(iso: "2019-04-30"))
        #expect(try CellRules.date(cell(.text("令和元年5月1日"))) == CivilDate(iso: "2019-05-01"))
        // Serial 46392 is 2027-01-05 (Excel counts 1900-02-29, so 61 is 1900-03-01).
        #expect(try CellRules.date(cell(.number(46392))) == january5)
        #expect(try CellRules.date(cell(.number(61))) == CivilDate(iso: "1900-03-01"))
        #expect(throws: CellProblem.self) { try CellRules.date(cell(.text("2027/2/30"))) }
        #expect(throws: CellProblem.self) { try CellRules.date(cell(.number(60))) }

        #expect(try CellRules.time(cell(.number(0.75))).description == "18:00")
        #expect(try CellRules.time(cell(.number(8.5 / 24))).description == "08:30")
        #expect(try CellRules.time(cell(.number(46392.75), date: true)).description == "18:00")
        for text in ["18:00", "１８：００", "18時", "18:00:00"] { #expect(try CellRules.time(cell(.text(text))).description == "18:00") }
        #expect(try CellRules.time(cell(.text("8:30"))).description == "08:30")
        #expect(try CellRules.time(cell(.text("18時30分"))).description == "18:30")
        #expect(throws: CellProblem.self) { try CellRules.time(cell(.number(18))) }

        #expect(CellRules.id(cell(.number(101))) == "101")
        #expect(CellRules.id(cell(.text("１０１　"))) == "101")
        #expect(CellRules.id(cell(.text(" ｃ０１"))) == "c01")
        #expect(CellRules.text(cell(.text(" 北野 一郎　"))) == "北野 一郎")
        #expect(try CellRules.number(cell(.text("１.２５"))) == 1.25)
        #expect(try CellRules.integer(cell(.number(3))) == 3)
        #expect(throws: CellProblem.self) { try CellRules.integer(cell(.number(2.5))) }
        #expect(CellRules.idList(cell(.text("eol、home，night, a"))) == ["eol", "home", "night", "a"])
        for yes in ["はい", "TRUE", "1", "○", "yes"] { #expect(try CellRules.bool(cell(.text(yes)))) }
        for no in ["いいえ", "false", "0", "×"] { #expect(try !CellRules.bool(cell(.text(no)))) }
        #expect(try CellRules.choice(cell(.text("訪問看護")), Layout.pools) == "stations")
        #expect(try CellRules.choice(cell(.text(" Physicians ")), Layout.pools) == "physicians")
    }
}

@Suite("Workbooks and CSV folders other programs saved")
struct ForeignFilesTests {
    @Test("A workbook opened and saved again by LibreOffice imports as the same instance",
          arguments: [("tokushima", "instances/tokushima-2026-12.json"), ("takamatsu", "instances/takamatsu-2027-04.json"),
                      ("deputies", "Tests/RinbanCoreTests/Fixtures/deputies.json")])
    func libreOffice(_ name: String, _ original: String) throws {
        let expected = try InstanceDecoder.load(contentsOf: repositoryRoot.appendingPathComponent(original).path)
        let imported = try InstanceWorkbook.read(contentsOf: fixture("\(name)-libreoffice.xlsx"))
        #expect(imported.loaded.instance == expected.instance)
    }

    @Test("CSV folders in CP932 (Japanese Excel's CSV) and in UTF-8 with a BOM import as the same instance",
          arguments: ["tokushima-csv-cp932", "tokushima-csv-utf8bom"])
    func csvFolders(_ folder: String) throws {
        let expected = try InstanceDecoder.load(contentsOf: repositoryRoot.appendingPathComponent("instances/tokushima-2026-12.json").path)
        let imported = try InstanceWorkbook.read(contentsOf: fixture(folder))
        #expect(imported.loaded.instance == expected.instance)
    }

    @Test("The encoding of a CSV file is detected: CP932, UTF-8 with and without a BOM, UTF-16")
    func encodings() throws {
        let text = "id,name\r\nc①,髙橋 ㈱クリニック\r\n"
        // The bytes of Python's text.encode("cp932").
        let cp932: [UInt8] = [0x69, 0x64, 0x2C, 0x6E, 0x61, 0x6D, 0x65, 0x0D, 0x0A, 0x63, 0x87, 0x40, 0x2C, 0xEE, 0xE0, 0x8B, 0xB4, 0x20, 0x87, 0x8A, 0x83, 0x4E, 0x83, 0x8A, 0x83, 0x6A, 0x83, 0x62, 0x83, 0x4E, 0x0D, 0x0A]
        #expect(CSVFolder.decode(Data(cp932))?.0 == text)
        #expect(CSVFolder.decode(Data(cp932))?.1 == .shiftJIS)
        #expect(CSVFolder.decode(Data([0xEF, 0xBB, 0xBF] + Array(text.utf8)))?.0 == text)
        #expect(CSVFolder.decode(Data(text.utf8))?.1 == .utf8)
        #expect(CSVFolder.decode(Data([0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }))?.0 == text)
        let grid = try CSVFolder.grid("a,\"b,\"\"c\"\"\n d\",\r\n\r\n1,2\n", sheet: "s", file: "f")
        #expect(grid[0, 1]?.value == .text("b,\"c\"\n d"))
        #expect(grid[0, 2] == nil)
        #expect(grid[2, 0]?.value == .text("1"))
        #expect(grid.rowCount == 3)
    }

    @Test("The example workbook in examples/ is the Tokushima instance")
    func exampleWorkbook() throws {
        let expected = try InstanceDecoder.load(contentsOf: repositoryRoot.appendingPathComponent("instances/tokushima-2026-12.json").path)
        let imported = try InstanceWorkbook.read(contentsOf: repositoryRoot.appendingPathComponent("examples/tokushima-2026-12.xlsx").path)
        #expect(imported.loaded.instance == expected.instance)
    }
}
