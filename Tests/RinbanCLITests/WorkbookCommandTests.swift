import Foundation
import Testing

private let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
private func path(_ relative: String) -> String { repository.appendingPathComponent(relative).path }

private func temporaryFolder() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rinban-workbook-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

/// The last line of `rinban score`: the total objective.
private func scoreTotal(_ instance: String, _ plan: String) throws -> String {
    let run = try runRinban(["score", instance, plan])
    #expect(run.status == 0, "\(run.stderr)")
    return run.stdout.split(separator: "\n").last.map(String.init) ?? ""
}

/// `rinban validate`'s summary without its first line (which names the file).
private func summary(_ instance: String) throws -> [Substring] {
    let run = try runRinban(["validate", instance])
    #expect(run.status == 0, "\(run.stderr)")
    return Array(run.stdout.split(separator: "\n").dropFirst())
}

@Suite("rinban workbook, import and next-month with workbooks")
struct WorkbookCommandTests {
    @Test("workbook then import: the published Tokushima plan scores the same on the JSON, the workbook and the import")
    func roundTrip() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let xlsx = dir.appendingPathComponent("network.xlsx").path
        let json = dir.appendingPathComponent("instance.json").path
        let yaml = dir.appendingPathComponent("instance.yaml").path
        let published = path("examples/tokushima-2026-12.published.json")
        #expect(try runRinban(["workbook", path("instances/tokushima-2026-12.json"), "-o", xlsx]).status == 0)
        let imported = try runRinban(["import", xlsx, "-o", json])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("136 slots"))
        #expect(try runRinban(["import", xlsx, "-o", yaml]).status == 0)
        let expected = try scoreTotal(path("instances/tokushima-2026-12.json"), published)
        #expect(expected.contains("objective"))
        for instance in [xlsx, json, yaml] { #expect(try scoreTotal(instance, published) == expected, "\(instance)") }
    }

    @Test("import of a workbook with mistakes: exit 2, every mistake at its cell, nothing written")
    func importErrors() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let json = dir.appendingPathComponent("instance.json").path
        let run = try runRinban(["import", path("Tests/RinbanWorkbookTests/Fixtures/clerk-typo.xlsx"), "-o", json])
        #expect(run.status == 2)
        #expect(run.stderr.contains("医師!C5 (clinic): 診療所 \"c99\" がありません / unknown clinic \"c99\""), "\(run.stderr)")
        #expect(run.stderr.contains("不在・避けたい日!C5 (from)"))
        #expect(!FileManager.default.fileExists(atPath: json))
        // Not a workbook at all.
        let notZip = dir.appendingPathComponent("notes.xlsx").path
        try Data("id,name\n".utf8).write(to: URL(fileURLWithPath: notZip))
        let refused = try runRinban(["import", notZip, "-o", json])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains(".xlsx"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: json))
    }

    @Test("The template imports, and plan takes it directly")
    func template() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let blank = dir.appendingPathComponent("blank.xlsx").path
        let plan = dir.appendingPathComponent("plan.json").path
        #expect(try runRinban(["workbook", "--template", "-o", blank]).status == 0)
        let run = try runRinban(["plan", blank, "-o", plan, "--engine", "greedy", "--time-limit", "5", "--quiet"])
        #expect(run.status == 0 || run.status == 3, "\(run.stderr)")
        #expect(try scoreTotal(blank, plan).contains("plan is feasible"))
    }

    @Test("next-month from the workbook to a workbook is next-month from the JSON to JSON")
    func nextMonthWorkbook() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let published = path("examples/tokushima-2026-12.published.json")
        let nextXLSX = dir.appendingPathComponent("next.xlsx").path
        let nextJSON = dir.appendingPathComponent("next.json").path
        let fromWorkbook = try runRinban(["next-month", path("examples/tokushima-2026-12.xlsx"), "--plan", published, "-o", nextXLSX])
        #expect(fromWorkbook.status == 0, "\(fromWorkbook.stderr)")
        let fromJSON = try runRinban(["next-month", path("instances/tokushima-2026-12.json"), "--plan", published, "-o", nextJSON])
        #expect(fromJSON.status == 0, "\(fromJSON.stderr)")
        #expect(fromWorkbook.stdout == fromJSON.stdout)
        #expect(try summary(nextXLSX) == summary(nextJSON))
        // The carried histories are in the workbook's cells: import it and compare the JSON's sums.
        let imported = dir.appendingPathComponent("imported.json").path
        #expect(try runRinban(["import", nextXLSX, "-o", imported]).status == 0)
        func histories(_ file: String) throws -> [String: [Double]] {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any])
            let members = ((object["physicians"] as? [[String: Any]]) ?? []) + ((object["stations"] as? [[String: Any]]) ?? [])
            var result: [String: [Double]] = [:]
            for member in members {
                let history = member["history"] as? [String: Any]
                result[member["id"] as! String] = [(history?["points"] as? NSNumber)?.doubleValue ?? 0,
                                                   (history?["holidays"] as? NSNumber)?.doubleValue ?? 0]
            }
            return result
        }
        let expected = try histories(nextJSON)
        #expect(expected.count == 85)
        #expect(expected.values.contains { $0[0] > 0 })
        #expect(try histories(imported) == expected)
    }
}
