import Foundation
import Testing

@Suite("rinban plan")
struct PlanCommandTests {
    @Test("tiny.json: plan with every output, exit 3 for its inevitable open demand, and score accepts it")
    func planTiny() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rinban-plan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let plan = dir.appendingPathComponent("plan.json").path
        let csv = dir.appendingPathComponent("rota.csv").path
        let html = dir.appendingPathComponent("rota.html").path
        let ics = dir.appendingPathComponent("ics").path
        let run = try runRinban(["plan", tinyInstance, "-o", plan, "--time-limit", "20", "--csv", csv, "--html", html, "--ics", ics])
        // At most 52 of the 63 physician duties can be served (see `rinban validate`).
        #expect(run.status == 3)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("glpk optimal"))
        #expect(run.stderr.contains("duties uncovered:"))
        #expect(run.stderr.contains("substitute/north 2027-01-02 night: no eligible physician free in 北部 on 2027-01-02 夜間"))
        let text = try String(contentsOfFile: plan, encoding: .utf8)
        #expect(text.contains("\"format\": \"rinban-plan/1\""))
        let score = try runRinban(["score", tinyInstance, plan])
        #expect(score.status == 0)
        #expect(score.stdout.split(separator: "\n").last?.hasPrefix("plan is feasible; objective") == true)
        let csvBytes = try Data(contentsOf: URL(fileURLWithPath: csv))
        #expect(Array(csvBytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(try String(contentsOfFile: html, encoding: .utf8).contains("元日"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: ics).contains { $0.hasSuffix(".ics") })
    }

    @Test("--only plans one part; the plan still lists every decision and passes score", arguments: ["rota", "stations", "beds"])
    func onlyOnePart(part: String) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rinban-only-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let plan = dir.appendingPathComponent("plan.json").path
        let run = try runRinban(["plan", tinyInstance, "-o", plan, "--only", part, "--time-limit", "10", "--quiet"])
        #expect(run.status == 3)
        let text = try String(contentsOfFile: plan, encoding: .utf8)
        #expect(text.contains("\"placements\""))
        #expect(text.contains("\"designations\""))
        #expect(try runRinban(["score", tinyInstance, plan]).status == 0)
    }

    @Test("bad options are invalid input")
    func badOptions() throws {
        let run = try runRinban(["plan", tinyInstance, "-o", "/tmp/never.json", "--engine", "magic"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("--engine magic is unknown"))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/never.json"))
        let only = try runRinban(["plan", tinyInstance, "-o", "/tmp/never.json", "--only", "everything"])
        #expect(only.status == 2)
        #expect(only.stderr.contains("--only everything is unknown"))
    }
}

@Suite("rinban beds")
struct BedsCommandTests {
    @Test("ranks the hospitals to call from a plan; unknown patients are invalid input")
    func ranked() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rinban-beds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let plan = dir.appendingPathComponent("plan.json").path
        _ = try runRinban(["plan", tinyInstance, "-o", plan, "--time-limit", "10", "--quiet"])
        let run = try runRinban(["beds", tinyInstance, "--patient", "r2", "--date", "2027-01-08", "--plan", plan])
        #expect(run.status == 0)
        let lines = run.stdout.split(separator: "\n").map(String.init)
        // r2 (clinic c05, acute) can go to h1 or h2; the plan designates one of them, listed first.
        #expect(lines.count == 3)
        #expect(lines[1].hasPrefix("  1. ") && lines[1].contains("designated in the plan"))
        let bad = try runRinban(["beds", tinyInstance, "--patient", "r9", "--date", "2027-01-08"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("unknown patient \"r9\""))
    }
}
