import Foundation
import Testing

@Suite("rinban whatif, diff and cover")
struct WhatIfCommandTests {
    /// A temporary folder with tiny.json's published plan (greedy, so it is quick).
    private func workspace() throws -> (dir: URL, plan: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rinban-whatif-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let plan = dir.appendingPathComponent("published.json").path
        let run = try runRinban(["plan", tinyInstance, "-o", plan, "--engine", "greedy", "--quiet"])
        #expect(run.status == 3)
        return (dir, plan)
    }

    @Test("whatif writes a plan that score accepts against the changed instance, with the baseline")
    func whatIf() throws {
        let (dir, published) = try workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let change = dir.appendingPathComponent("away.yaml").path
        try """
            format: rinban-change/1
            changes:
              - change: unavailable
                member: p01
                from: 2027-01-05
                to: 2027-01-07
              - change: setBeds
                hospital: h2
                respite: 2
            """.write(toFile: change, atomically: true, encoding: .utf8)
        let plan = dir.appendingPathComponent("new.json").path
        let changed = dir.appendingPathComponent("changed.json").path
        let html = dir.appendingPathComponent("diff.html").path
        let run = try runRinban(["whatif", tinyInstance, "--baseline", published, "--change", change, "-o", plan,
                                 "--save-instance", changed, "--html", html, "--quiet"])
        // tiny.json cannot cover all its demand: exit 3, like plan.
        #expect(run.status == 3)
        #expect(run.stdout.hasPrefix("Changes applied (2):\n  p01 unavailable 2027-01-05 – 2027-01-07\n  hospital h2 beds: respite 2\n"))
        #expect(run.stdout.contains("Objective (value before → after, weighted change):"))
        #expect(try String(contentsOfFile: html, encoding: .utf8).contains("class=\"changed\""))
        // Scored both ways: the saved changed instance, or the original plus the change file.
        let saved = try runRinban(["score", changed, plan, "--baseline", published])
        #expect(saved.status == 0)
        let applied = try runRinban(["score", tinyInstance, plan, "--baseline", published, "--change", change])
        #expect(applied.status == 0)
        #expect(applied.stdout.split(separator: "\n").last?.hasPrefix("plan is feasible; objective") == true)
        // p01 holds nothing on the 5th–7th any more.
        let text = try String(contentsOfFile: plan, encoding: .utf8)
        for day in ["05", "06", "07"] {
            #expect(!text.contains("\"date\": \"2027-01-\(day)\", \"shift\": \"night\", \"member\": \"p01\""))
        }
        // --json: the same report as JSON.
        let json = try runRinban(["whatif", tinyInstance, "--baseline", published, "--change", change, "-o", plan,
                                  "--engine", "greedy", "--json", "--quiet"])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["format"] as? String == "rinban-diff/1")
    }

    @Test("a bad change file is refused with the path inside it, and nothing is written")
    func badChange() throws {
        let (dir, published) = try workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let change = dir.appendingPathComponent("bad.json").path
        try #"{ "format": "rinban-change/1", "changes": [ { "change": "unavailable", "member": "p99", "date": "2027-01-05" } ] }"#
            .write(toFile: change, atomically: true, encoding: .utf8)
        let plan = dir.appendingPathComponent("new.json").path
        let run = try runRinban(["whatif", tinyInstance, "--baseline", published, "--change", change, "-o", plan])
        #expect(run.status == 2)
        #expect(run.stderr.contains("changes[0].member (line 1, column"))
        #expect(run.stderr.contains("unknown member \"p99\""))
        #expect(!FileManager.default.fileExists(atPath: plan))
    }

    @Test("diff of a plan with itself is empty (exit 0); of two plans lists the moves (exit 1)")
    func diff() throws {
        let (dir, published) = try workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let same = try runRinban(["diff", tinyInstance, published, published])
        #expect(same.status == 0)
        #expect(same.stdout.hasPrefix("No difference"))
        let other = dir.appendingPathComponent("other.json").path
        _ = try runRinban(["plan", tinyInstance, "-o", other, "--engine", "glpk", "--time-limit", "10", "--quiet"])
        let run = try runRinban(["diff", tinyInstance, published, other])
        #expect(run.status == 1)
        #expect(run.stdout.contains("By date:"))
        #expect(run.stdout.contains("stability"))
    }

    @Test("cover ranks candidates with reasons; unknown slot parts are named")
    func cover() throws {
        let (dir, published) = try workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let plan = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: published))) as? [String: Any]
        let first = try #require((plan?["assignments"] as? [[String: Any]])?.first { ($0["duty"] as? String) == "substitute" })
        let member = first["member"] as! String
        let run = try runRinban(["cover", tinyInstance, "--plan", published, "--duty", "substitute", "--area", first["area"] as! String,
                                 "--date", first["date"] as! String, "--shift", first["shift"] as! String, "--exclude", member])
        #expect(run.stdout.hasPrefix("Who can cover substitute/"))
        #expect(!run.stdout.contains("\(member))  +"))
        #expect([0, 1].contains(run.status))
        let bad = try runRinban(["cover", tinyInstance, "--plan", published, "--duty", "substitute", "--area", "east",
                                 "--date", "2027-01-05", "--shift", "noon"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--shift: unknown shift \"noon\""))
        #expect(bad.stderr.contains("--area: duty substitute has no area \"east\""))
    }
}
