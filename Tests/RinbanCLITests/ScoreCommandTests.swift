import Foundation
import Testing

/// A feasible plan for tiny.json with its objective worked out by hand (see
/// RinbanCoreTests/EvaluatorTests.swift, "tiny.json: a hand-built plan").
private let tinyPlan = """
    { "format": "rinban-plan/1", "period": { "start": "2027-01-01", "end": "2027-01-14" },
      "assignments": [
        { "duty": "substitute", "area": "south", "date": "2027-01-01", "shift": "night", "member": "p07" },
        { "duty": "substitute", "area": "north", "date": "2027-01-01", "shift": "day", "member": "p04" },
        { "duty": "substitute", "area": "north", "date": "2027-01-03", "shift": "night", "member": "p01" },
        { "duty": "eol", "area": "all", "date": "2027-01-09", "shift": "night", "member": "p03" },
        { "duty": "substitute", "area": "west", "date": "2027-01-05", "shift": "night", "member": "p05" },
        { "duty": "substitute", "area": "west", "date": "2027-01-10", "shift": "day", "member": "p09" },
        { "duty": "eol-nurse", "area": "all", "date": "2027-01-09", "shift": "night", "member": "s02" },
        { "duty": "eol-nurse", "area": "all", "date": "2027-01-10", "shift": "night", "member": "s02" },
        { "duty": "substitute", "area": "north", "date": "2027-01-06", "shift": "night", "member": "p01" } ],
      "placements": [ { "item": "t1", "station": "s02" }, { "item": "t2", "station": "s01" },
                      { "item": "t3", "station": "s03" }, { "item": "t4", "station": "s02" } ],
      "designations": [ { "patient": "r1", "hospital": "h1" }, { "patient": "r2", "hospital": "h2" },
                        { "patient": "r3", "hospital": "h1" }, { "patient": "r4", "hospital": "h2" } ],
      "respite": [ { "request": "q3", "hospital": "h1", "start": "2027-01-04" },
                   { "request": "q1", "hospital": "h2", "start": "2027-01-06" } ],
      "objective": { "total": TOTAL, "terms": { "uncovered": 60, "fairness": 84.65, "maxDeviation": 15.3,
        "holidayFairness": 35, "neighbor": 2, "avoid": 1, "spread": 3, "loadMax": 103.333333, "overflow": 2,
        "transfer": 1, "remoteStation": 1, "bedOverload": 0.5, "outsideGroup": 1, "bedDistance": 4,
        "respiteRejected": 1, "respiteDelay": 3 } } }
    """

@Suite("rinban score")
struct ScoreCommandTests {
    /// Writes `text` to a new temporary file and returns its path.
    func file(_ text: String, _ name: String = "plan.json") throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rinban-score-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("a feasible plan whose objective matches: the table, the verdict, exit 0")
    func feasible() throws {
        let run = try runRinban(["score", tinyInstance, try file(tinyPlan.replacingOccurrences(of: "TOTAL", with: "61995.8333"))])
        #expect(run.status == 0)
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "Rules: every hard rule is kept.")
        #expect(lines.contains("  fairness           84.65      10     846.5"))
        #expect(lines.contains("  total                             61995.83"))
        #expect(lines.last == "plan is feasible; objective 61995.83 matches the plan")
        #expect(run.stderr.isEmpty)
    }

    @Test("a claimed total that is off: the difference, the verdict, exit 1")
    func claimDiffers() throws {
        let run = try runRinban(["score", tinyInstance, try file(tinyPlan.replacingOccurrences(of: "TOTAL", with: "61900"))])
        #expect(run.status == 1)
        #expect(run.stdout.contains("  total: stated 61900, recomputed 61995.83"))
        #expect(run.stdout.split(separator: "\n").last == "plan is feasible; claimed objective 61900 differs from 61995.83")
    }

    @Test("a broken plan lists each rule with its entries; the baseline's moved duties count")
    func broken() throws {
        // Without the pin (the first assignment) and with p01 on consecutive nights.
        var text = tinyPlan.replacingOccurrences(of: "TOTAL", with: "61995.8333")
        text = text.replacingOccurrences(
            of: "{ \"duty\": \"substitute\", \"area\": \"south\", \"date\": \"2027-01-01\", \"shift\": \"night\", \"member\": \"p07\" },",
            with: "{ \"duty\": \"substitute\", \"area\": \"north\", \"date\": \"2027-01-07\", \"shift\": \"night\", \"member\": \"p01\" },")
        let run = try runRinban(["score", tinyInstance, try file(text), "--baseline", try file(tinyPlan.replacingOccurrences(of: "TOTAL", with: "0"))])
        #expect(run.status == 1)
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("    assignments[0], assignments[8]: p01 has duties on 2027-01-06 and 2027-01-07, 1 day apart; at least 2 required"))
        #expect(lines.contains("    instance pins[0]: pinned substitute/south 2027-01-01 night p07 is not in the plan"))
        #expect(lines.contains("  stability: not stated (counts as 0), recomputed 1"))
        #expect(lines.last?.hasPrefix("plan breaks 2 rules (H4, H6) in 2 places; claimed objective 61995.83 differs from ") == true)
    }

    @Test("an unreadable plan: every problem with its place on stderr, exit 2")
    func invalid() throws {
        let text = tinyPlan.replacingOccurrences(of: "TOTAL", with: "1").replacingOccurrences(of: "\"member\": \"p07\"", with: "\"membr\": \"p07\"")
        let run = try runRinban(["score", tinyInstance, try file(text)])
        #expect(run.status == 2)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("assignments[0].membr (line 3, column 86): unknown key \"membr\" (did you mean \"member\"?)"))
    }
}
