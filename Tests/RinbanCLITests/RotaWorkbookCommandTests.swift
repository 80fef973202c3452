import Foundation
import Testing

private let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
private let tokushima = repository.appendingPathComponent("instances/tokushima-2026-12.json").path
private let published = repository.appendingPathComponent("examples/tokushima-2026-12.published.json").path
private let haradaAway = repository.appendingPathComponent("examples/harada-away.yaml").path

/// Reads a workbook with openpyxl (python3): its sheet names, then the rota sheet's dates
/// (column A, as YYYY-MM-DD) and every text of its cells from the fifth row on.
private func openWithOpenpyxl(_ path: String) throws -> (sheets: [String], dates: [String], texts: [String]) {
    let script = #"""
        import json, sys, datetime
        try:
            import openpyxl
        except Exception as error:
            print("openpyxl is not importable (pip install openpyxl): %s" % error, file=sys.stderr)
            sys.exit(3)
        book = openpyxl.load_workbook(sys.argv[1])
        rota = book["当番表"]
        dates, texts = [], []
        for row in rota.iter_rows(min_row=5):
            for c in row:
                if isinstance(c.value, datetime.datetime) and c.column == 1:
                    dates.append(c.value.strftime("%Y-%m-%d"))
                elif isinstance(c.value, str):
                    texts.append(c.value)
        print(json.dumps({"sheets": book.sheetnames, "dates": dates, "texts": texts}, ensure_ascii=False))
        """#
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script, path]
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    try #require(process.terminationStatus == 0, "openpyxl could not open \(path): \(errors)")
    let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    return (json["sheets"] as? [String] ?? [], json["dates"] as? [String] ?? [], json["texts"] as? [String] ?? [])
}

/// Every member name of the plan file's assignments, one per assignment, by the instance's names.
private func assignedNames(plan: String, instance: String) throws -> [String] {
    let planJSON = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: plan))) as? [String: Any])
    let instanceJSON = try #require(
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: instance))) as? [String: Any])
    var names: [String: String] = [:]
    for key in ["physicians", "stations"] {
        for member in instanceJSON[key] as? [[String: Any]] ?? [] { names[member["id"] as! String] = member["name"] as? String }
    }
    return (planJSON["assignments"] as? [[String: Any]] ?? []).map { names[$0["member"] as! String]! }
}

@Suite("rinban plan and whatif --xlsx")
struct RotaWorkbookCommandTests {
    @Test("plan --xlsx writes a workbook openpyxl opens, with the 当番表 sheet holding every duty")
    func plan() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rinban-xlsx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let plan = dir.appendingPathComponent("plan.json").path
        let xlsx = dir.appendingPathComponent("rota.xlsx").path
        let run = try runRinban(["plan", tokushima, "--engine", "greedy", "-o", plan, "--xlsx", xlsx, "--quiet"])
        #expect(run.status == 0 || run.status == 3, "\(run.stderr)")
        let book = try openWithOpenpyxl(xlsx)
        #expect(book.sheets.first == "当番表")
        #expect(book.sheets.contains("公平性") && book.sheets.contains("未充足"))
        #expect(book.dates.count == 31 && book.dates.first == "2026-12-01" && book.dates.last == "2026-12-31")
        // Each assignment is one name in one cell: the names in the grid are exactly the plan's.
        let shown = book.texts.flatMap { $0.components(separatedBy: "、") }
        let expected = try assignedNames(plan: plan, instance: tokushima)
        #expect(expected.count > 100)
        for name in Set(expected) {
            #expect(shown.filter { $0 == name }.count == expected.filter { $0 == name }.count, "\(name)")
        }
    }

    @Test("whatif --xlsx writes the new plan's rota; an unwritable path is an error naming it")
    func whatif() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rinban-xlsx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let plan = dir.appendingPathComponent("plan.json").path
        let xlsx = dir.appendingPathComponent("rota.xlsx").path
        let run = try runRinban(["whatif", tokushima, "--baseline", published, "--change", haradaAway, "-o", plan,
                                 "--engine", "greedy", "--xlsx", xlsx, "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        let book = try openWithOpenpyxl(xlsx)
        #expect(book.sheets.first == "当番表")
        let expected = try assignedNames(plan: plan, instance: tokushima)
        let shown = book.texts.flatMap { $0.components(separatedBy: "、") }
        #expect(shown.filter { expected.contains($0) }.count == expected.count)

        let missing = dir.appendingPathComponent("no-such-folder/rota.xlsx").path
        let bad = try runRinban(["plan", tokushima, "--engine", "greedy", "-o", plan, "--xlsx", missing, "--quiet"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("cannot write \(missing)"))
    }
}
