import Foundation
import Testing

/// The deputies network worked out by hand in RinbanCoreTests (Fixtures/deputy-whatif.json)
/// and its published plan.
private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("RinbanCoreTests/Fixtures")
private let network = fixtures.appendingPathComponent("deputy-whatif.json").path
private let published = fixtures.appendingPathComponent("deputy-whatif.published.json").path

@Suite("rinban deputy, and what-if runs with deputies")
struct DeputyCommandTests {
    @Test("ranks the physicians who could deputise, with reasons, the full and the ineligible")
    func ranking() throws {
        let run = try runRinban(["deputy", network, "--plan", published, "--patient", "h3"])
        #expect(run.status == 0)
        #expect(run.stdout == """
            Who could be the deputy of home-care patient h3 (block n, attending 高橋 (B1), previous deputy W1):
            Current deputy: 伊藤 (W1), 3 patients against a fair share of 1; this patient's deputy terms cost +2
                   deputyDistance +2 (block w, next to the patient's block n)
              1. 鈴木 (A2)  −2
                   deputyFairness −10 (A2: 0 → 1 patients against a fair share of 1; W1: 3 → 2 against 1), deputyChange +10 (not the previous deputy W1), deputyDistance −2 (block distance 1 → 0: in the patient's block n)
              2. 佐藤 (A1)  +1
                   deputyFairness −10 (A1: 0 → 1 patients against a fair share of 1; W1: 3 → 2 against 1), deputyChange +10 (not the previous deputy W1), deputyGap +3 (both away with the attending on 2027-01-06), deputyDistance −2 (block distance 1 → 0: in the patient's block n)
            Not eligible (5):
              高橋 (B1): 主治医 (the attending physician)
              田中 (B2): 主治医と同じ診療所、当番の割合が 0 (works at the attending physician's clinic; share is 0)
              渡辺 (W2): 副主治医の上限が 0 (maxDeputyPatients is 0)
              ブロック s は患者のブロックでも隣接ブロックでもない (block s is neither the patient's block nor next to it), 2: S1, S2

            """)
        // Nobody but a full physician: exit 1, the full one named.
        let full = try runRinban(["deputy", network, "--plan", published, "--patient", "h1"])
        #expect(full.status == 1)
        #expect(full.stdout.contains("  nobody else can be this patient's deputy\nEligible but full (1):\n  伊藤 (W1): full: 3 of 3\n"))
        // JSON: the same ranking.
        let json = try runRinban(["deputy", network, "--plan", published, "--patient", "h5", "--json"])
        #expect(json.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let candidates = try #require(object["candidates"] as? [[String: Any]])
        #expect(candidates.map { $0["member"] as? String } == ["A1", "A2", "S1", "B1"])
        #expect(candidates.map { $0["increase"] as? Double } == [-10, -10, -10, 0])
        #expect((object["current"] as? [String: Any])?["member"] as? String == "S2")
    }

    @Test("an unknown patient is bad input, with a suggestion for a near miss")
    func unknownPatient() throws {
        let run = try runRinban(["deputy", network, "--plan", published, "--patient", "h33"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("--patient: unknown home-care patient \"h33\" (did you mean \"h3\"?)"))
        #expect(run.stdout.isEmpty)
    }

    @Test("--change: the ranking is taken on the changed instance")
    func withChange() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rinban-deputy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let change = dir.appendingPathComponent("w1.yaml").path
        try """
            format: rinban-change/1
            changes:
              - change: setMember
                member: W1
                maxDeputyPatients: 4
            """.write(toFile: change, atomically: true, encoding: .utf8)
        // With room at W1, h1 can move there: fairness B1 1 → 0 and W1 3 → 4 (+1 + 1, × 5), distance +2,
        // no longer the previous deputy B1 (+10), the shared absence of the 6th gone (−3).
        let run = try runRinban(["deputy", network, "--plan", published, "--patient", "h1", "--change", change])
        #expect(run.status == 0)
        #expect(run.stdout.contains("  1. 伊藤 (W1)  +19\n"))
    }

    @Test("whatif: a leaving attending's patient goes to its deputy; the diff lists deputies; score checks it with the change")
    func whatIfHandover() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rinban-deputy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let change = dir.appendingPathComponent("b1.yaml").path
        try """
            format: rinban-change/1
            changes:
              - change: removeMember
                member: B1
              - change: setDeputy
                patient: h5
                deputy: A2
            """.write(toFile: change, atomically: true, encoding: .utf8)
        let plan = dir.appendingPathComponent("new.json").path
        let run = try runRinban(["whatif", network, "--baseline", published, "--change", change, "-o", plan, "--quiet"])
        #expect(run.status == 0)
        #expect(run.stdout.hasPrefix("""
            Changes applied (4):
              B1 removed
              h1: previous deputy B1 leaves; no continuity to keep
              h3: attending B1 leaves; W1 (the deputy) becomes the attending; the patient stays in block n; no previous deputy any more (was W1)
              h5: deputy set by hand to A2

            """))
        #expect(run.stdout.contains("Patient deputies changed (3):\n  h1: 高橋 (B1) → 伊藤 (W1)\n"))
        #expect(run.stdout.contains("  h5: 中村 (S2) → 鈴木 (A2)\n"))
        let text = try String(contentsOfFile: plan, encoding: .utf8)
        #expect(text.contains("{ \"patient\": \"h5\", \"deputy\": \"A2\" }"))
        // score --change needs the published plan to hand h3 over, as whatif did.
        let scored = try runRinban(["score", network, plan, "--baseline", published, "--change", change])
        #expect(scored.status == 0)
        let refused = try runRinban(["score", network, plan, "--change", change])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("home-care patient h3 (attending B1; no published plan to take a deputy from)"))
        // diff with the change takes A as the published plan.
        let diff = try runRinban(["diff", network, published, plan, "--change", change])
        #expect(diff.status == 1)
        #expect(diff.stdout.contains("Patient deputies changed (3):"))
    }
}
