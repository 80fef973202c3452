import Foundation
@testable import RinbanCore
import Testing

// A network for patient deputies, small enough to work out by hand (SPEC section 4b).
// 2027-01-04 … 01-10. Blocks north–south neighbours, east alone.
// p1 c1 north eol, away 05–06 (whole days)      p2 c2 north, cap 1, away 06; the night of 08 only (does not count)
// p3 c3 south eol share 2, away 06–08            p4 c4 east            p5 c1 north share 0
// Pool: p1, p2, p3, p4 (p5 has share 0); Σ share 5, N = 4 → t = 0.8, 0.8, 1.6, 0.8.
// h1: attending p1 (north), previous p2 → eligible p2 (north, 0), p3 (south, 1)
// h2: attending p2 (north), needs eol, previous p4 (east: not eligible) → p1 (0), p3 (1)
// h3: attending p4 (east) → nobody (east has no neighbour; p4's own clinic)
// h4: attending p3, lives in north, previous p1 → p1 (0), p2 (0)
// Both away: every eligible pair shares exactly 2027-01-06.
/// (The instance is Fixtures/deputies.json; the planning tests solve the same file.)
let deputyInstance = try! String(contentsOfFile: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/deputies.json").path, encoding: .utf8)

func loadedDeputies(_ edits: [(String, String)] = []) throws -> LoadedInstance {
    var text = deputyInstance
    for (old, new) in edits {
        let parts = text.components(separatedBy: old)
        precondition(parts.count == 2, "\"\(old)\" must occur exactly once")
        text = parts.joined(separator: new)
    }
    return try decode(text).get()
}

func deputyPlan(_ pairs: [(String, String)]) -> Plan {
    Plan(period: basePeriod, deputies: pairs.map { DeputyDesignation(patient: HomePatientID($0.0), deputy: MemberID($0.1)) })
}

@Suite("Patient deputies: instance, rules and terms")
struct DeputyTests {
    @Test("eligibility by the four conditions; the warning for h3 says why, condition by condition")
    func eligibility() throws {
        let loaded = try loadedDeputies()
        let instance = loaded.instance
        let ids = instance.homePatients.map { instance.eligibleDeputies(for: $0).map { instance.members[$0].id.rawValue } }
        #expect(ids == [["p2", "p3"], ["p1", "p3"], [], ["p1", "p2"]])
        #expect(instance.homePatients[3].block == "north" && instance.homePatients[0].block == "north")
        let h2 = instance.homePatients[1]
        #expect(instance.deputyIneligibility(of: 3, for: h2) == [.missingSkills(["eol"]), .outsideBlock("east")])
        #expect(instance.deputyIneligibility(of: 4, for: instance.homePatients[0]) == [.attendingsClinic, .noShare])
        #expect(loaded.warnings.map { "\($0.path): \($0.message)" } == [
            "deputies.patients[2]: patient h3 has no eligible deputy and stays without one: 4 physicians of other clinics, "
                + "3 of them take deputies (share > 0, maxDeputyPatients not 0), none is in block east or next to it",
        ])
        #expect(instance.wholeDayUnavailableDates(of: 1) == [day("2027-01-06")])
        #expect(instance.deputyPool == [0, 1, 2, 3])
        let t = instance.deputyTargets()
        #expect(close(t[0]!, 0.8) && close(t[1]!, 0.8) && close(t[2]!, 1.6) && close(t[3]!, 0.8))
    }

    @Test("a feasible designation: every term by hand (530 in all)")
    func terms() throws {
        let e = Evaluator(try loadedDeputies()).evaluate(deputyPlan([("h1", "p2"), ("h2", "p3"), ("h4", "p1")]))
        #expect(e.violations.isEmpty)
        #expect(e.value(.undeputed) == 1)          // h3
        #expect(e.value(.deputyDistance) == 1)     // h2 (north) – p3 (south)
        #expect(close(e.value(.deputyFairness), 1.8))  // 0.2 + 0.2 + 0.6 + 0.8
        #expect(e.value(.deputyChange) == 1)       // h2: previous p4, now p3
        #expect(e.value(.deputyGap) == 3)          // 01-06 for each of the three pairs; p2's night-only 08 does not count
        #expect(close(e.total, 500 + 2 + 9 + 10 + 9))
        #expect(e.patientDeputies.map(\.bothAway) == [[day("2027-01-06")], [day("2027-01-06")], [], [day("2027-01-06")]])
        #expect(e.deputyLoads.map(\.patients) == [1, 1, 1, 0])
    }

    @Test("D1 and D2 name the offending entries; broken entries count nowhere")
    func rules() throws {
        let plan = deputyPlan([("h1", "p2"), ("h4", "p2"), ("h2", "p1"), ("h2", "p3"), ("h3", "p4"), ("h9", "p1"), ("h1", "p7")])
        let e = Evaluator(try loadedDeputies()).evaluate(plan)
        #expect(described(e) == [
            "D1 deputies[2], deputies[3]: patient h2 has more than one deputy",
            "D1 deputies[4]: p4 is not eligible as deputy of patient h3: works at the attending physician's clinic",
            "D1 deputies[5]: unknown home-care patient \"h9\"",
            "D1 deputies[6]: patient h1: unknown physician \"p7\"",
            "D2 deputies[0], deputies[1]: p2 is the deputy of 2 patients; maxDeputyPatients is 1",
        ])
        // Counted: h1 p2, h4 p2, h2 p1.
        #expect(e.value(.undeputed) == 1)
        #expect(e.value(.deputyDistance) == 0)
        #expect(close(e.value(.deputyFairness), 0.2 + 1.2 + 1.6 + 0.8))
        #expect(e.value(.deputyChange) == 2)  // h2 (p4 → p1), h4 (p1 → p2)
        #expect(e.value(.deputyGap) == 3)
    }

    @Test("a plan without deputies: every patient undeputed, changes for the three with a previous deputy")
    func empty() throws {
        let e = Evaluator(try loadedDeputies()).evaluate(deputyPlan([]))
        #expect(e.violations.isEmpty)
        #expect(e.value(.undeputed) == 4 && e.value(.deputyChange) == 3 && e.value(.deputyGap) == 0)
        #expect(close(e.value(.deputyFairness), 0.8 + 0.8 + 1.6 + 0.8))
    }

    @Test("an empty pool or no patients: deputyFairness is 0")
    func emptyPool() throws {
        let noPatients = try loadedDeputies([(#"{ "id": "h1", "attending": "p1", "previous": "p2" },"#, ""),
                                             (#"{ "id": "h2", "attending": "p2", "requires": ["eol"], "previous": "p4" },"#, ""),
                                             (#"{ "id": "h3", "attending": "p4" },"#, ""),
                                             (#"{ "id": "h4", "attending": "p3", "block": "north", "previous": "p1" }"#, "")])
        #expect(Evaluator(noPatients).evaluate(deputyPlan([])).value(.deputyFairness) == 0)
    }

    @Test("unequal shares and an integer target: |n − t| exactly")
    func unequalShares() throws {
        // p3 share 4: Σ 7, N = 4 → t(p3) = 16/7; p1 = p2 = p4 = 4/7.
        let e = Evaluator(try loadedDeputies([(#""share": 2"#, #""share": 4"#)]))
            .evaluate(deputyPlan([("h1", "p3"), ("h2", "p3"), ("h4", "p1")]))
        #expect(close(e.value(.deputyFairness), 3.0 / 7 + 4.0 / 7 + 2.0 / 7 + 4.0 / 7))
    }

    @Test("bad deputies sections: every problem with its path, suggestions for near misses")
    func validation() {
        let text = deputyInstance
            .replacingOccurrences(of: #"{ "id": "h3", "attending": "p4" }"#,
                                  with: #"{ "id": "h1", "attending": "p44", "previous": "p9", "block": "west", "requiers": [] }"#)
            .replacingOccurrences(of: #""maxDeputyPatients": 1"#, with: #""maxDeputyPatients": -1"#)
        #expect(errors(text) == [
            "physicians[1].maxDeputyPatients: -1 is out of range: must be a whole number ≥ 0",
            "deputies.patients[2].id: duplicate home-care patient id \"h1\" (first at deputies.patients[0].id)",
            "deputies.patients[2].attending: unknown physician \"p44\" (did you mean \"p4\"?)",
            "deputies.patients[2].previous: unknown physician \"p9\"",
            "deputies.patients[2].block: unknown block \"west\"",
            "deputies.patients[2].requiers: unknown key \"requiers\" (did you mean \"requires\"?)",
        ])
    }

    @Test("a station cannot be an attending nor carry maxDeputyPatients")
    func stations() {
        let text = deputyInstance
            .replacingOccurrences(of: #""shifts": [ { "id": "night""#,
                                  with: #""stations": [ { "id": "s1", "name": "ST", "block": "north", "nurses": 1, "capacity": 10, "maxDeputyPatients": 2 } ],"# + "\n  " + #""shifts": [ { "id": "night""#)
            .replacingOccurrences(of: #"{ "id": "h3", "attending": "p4" }"#, with: #"{ "id": "h3", "attending": "s1" }"#)
        #expect(errors(text) == [
            "stations[0].maxDeputyPatients: only physicians can be deputies of home-care patients: a station takes no maxDeputyPatients",
            "deputies.patients[2].attending: \"s1\" is a visiting-nurse station; a home-care patient's attending is a physician",
        ])
    }
}
