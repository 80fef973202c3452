import Foundation
import MIP
import MIPGLPK
import RinbanCore
@testable import RinbanPlanning
import Testing

/// Four physicians of one block, one night duty on four weekdays (Mon 4th – Thu 7th of
/// January 2027), never on consecutive dates, no spread term. Each member's fair share is
/// exactly one night.
private let fourNights = """
{
  "format": "rinban/1",
  "period": { "start": "2027-01-04", "end": "2027-01-07" },
  "blocks": [ { "id": "b" } ],
  "clinics": [ { "id": "c", "block": "b" } ],
  "physicians": [
    { "id": "P1", "clinic": "c" }, { "id": "P2", "clinic": "c" },
    { "id": "P3", "clinic": "c" }, { "id": "P4", "clinic": "c" }
  ],
  "shifts": [ { "id": "night", "start": "18:00", "end": "08:00" } ],
  "duties": [ { "id": "sub", "pool": "physicians", "scope": "network",
                "demand": { "night": { "weekday": 1 } } } ],
  "rules": { "spreadDays": 0 }
}
"""

/// The published rota: P1 the 4th, P2 the 5th, P3 the 6th, P4 the 7th (objective 0).
private func published(_ instance: Instance) -> Plan {
    let nights = [("2027-01-04", "P1"), ("2027-01-05", "P2"), ("2027-01-06", "P3"), ("2027-01-07", "P4")]
    return Plan(period: instance.period, assignments: nights.map {
        Assignment(duty: "sub", area: "all", date: CivilDate(iso: $0.0)!, shift: "night", member: MemberID($0.1))
    })
}

private func changedFourNights(_ changes: String) throws -> (original: LoadedInstance, changed: ChangedInstance) {
    let document = try DocumentReader.parse(Array(fourNights.utf8), format: .json)
    let original = try InstanceDecoder.decode(document)
    let set = try ChangeSet.parse(DocumentReader.parse(Array(changes.utf8), format: .json))
    return (original, try set.apply(to: document))
}

/// P2 is away the whole period. P1 (the 4th) and P3 (the 6th) cannot take the 5th
/// without consecutive nights; P4 (the 7th) can. Whoever takes a second night, fairness
/// is the same (P2 at 0, someone at 2: Σ|P−T| = 2, max 1), so the answer is to move
/// only P2's night, to P4: stability 1.
/// Objective by hand: fairness 2 × 10 + maxDeviation 1 × 20 + stability 1 × 20 = 60.
private let p2Away = #"{ "format": "rinban-change/1", "changes": [ { "change": "unavailable", "member": "P2", "from": "2027-01-04", "to": "2027-01-07" } ] }"#

@Suite("what-if runs")
struct WhatIfTests {
    @Test("one absence, one obvious replacement, everything else unchanged", arguments: [RotaEngine.glpk, .greedy])
    func oneAbsence(engine: RotaEngine) throws {
        let (original, changed) = try changedFourNights(p2Away)
        let base = published(original.instance)
        let outcome = try planWhatIf(changed.loaded, published: base,
                                              options: RotaPlanOptions(engine: engine, timeLimit: 10),
                                              backend: GLPKBackend())
        let expected = base.assignments.map { a in
            a.member == "P2" ? Assignment(duty: a.duty, area: a.area, date: a.date, shift: a.shift, member: "P4") : a
        }
        #expect(Set(outcome.plan.assignments) == Set(expected))
        let terms = try #require(outcome.plan.objective?.terms)
        #expect(terms[.stability] == 1)
        #expect(abs((outcome.plan.objective?.total ?? 0) - 60) < 1e-6)
        if engine == .glpk { #expect(outcome.plan.solver?.status == "optimal") }

        // The independent evaluator, as `rinban score --baseline`, agrees.
        let evaluation = Evaluator(changed.loaded).evaluate(outcome.plan, baseline: base)
        #expect(evaluation.isFeasible)
        #expect(evaluation.comparison?.agrees == true)
        #expect(evaluation.value(.stability) == 1)

        // The diff names exactly that move.
        let diff = PlanDiff(before: base, on: original, after: outcome.plan, on: changed.loaded, changes: changed.applied)
        #expect(diff.slots.map { "\($0.date) \($0.removed) → \($0.added)" } == ["2027-01-05 [P2] → [P4]"])
        #expect(diff.members.filter(\.changed).map(\.id.rawValue) == ["P2", "P4"])
        #expect(abs(diff.totalBefore - 0) < 1e-9 && abs(diff.totalAfter - 60) < 1e-6)
    }

    @Test("the diff of a plan with itself is empty")
    func selfDiff() throws {
        let loaded = try loadTiny()
        let plan = RotaPlanAssembler(problem: RotaProblem(loaded: loaded))
            .plan(from: try RotaPlanner(problem: RotaProblem(loaded: loaded), backend: GLPKBackend())
                .plan(RotaPlanOptions(engine: .greedy, timeLimit: 1)))
        let diff = PlanDiff(before: plan, on: loaded, after: plan, on: loaded)
        #expect(diff.isEmpty)
        #expect(diff.removed.isEmpty && diff.added.isEmpty && diff.slots.isEmpty)
        #expect(diff.members.allSatisfy { !$0.changed })
        #expect(diff.terms.allSatisfy { abs($0.weightedChange) < 1e-9 })
        #expect(PlanDiffReport.text(diff).contains("No difference"))
        #expect(PlanDiffReport.json(diff).contains("\"identical\": true"))
    }

    @Test("cover ranks the direct replacement first, swaps after, with hand-computed increases")
    func cover() throws {
        let loaded = try InstanceDecoder.decode(DocumentReader.parse(Array(fourNights.utf8), format: .json))
        let base = published(loaded.instance)
        let problem = RotaProblem(loaded: loaded, baseline: base)
        let slot = try #require(loaded.slots.slot(duty: "sub", area: "all", date: CivilDate(iso: "2027-01-05")!, shift: "night"))
        let ranking = CoverRanking(problem: problem, plan: base, slot: slot.index, exclude: loaded.instance.memberIndex["P2"])
        // Taking P2 out: uncovered 1000 + P2's deviation 10 + max deviation 20 + stability 20.
        #expect(abs(ranking.leavingOpen - 1050) < 1e-9)
        // P4 directly: P4's deviation 10 more, the slot filled: 60 over the published plan.
        // P1 or P3 with a swap: the clashing night goes to the other (P4 cannot: the 6th and
        // 7th are consecutive); someone has 2 points, P2 none, and two published nights moved: 80.
        #expect(ranking.candidates.map(\.member.rawValue) == ["P4", "P1", "P3"])
        #expect(ranking.candidates.map(\.increase).map { ($0 * 1e6).rounded() / 1e6 } == [60, 80, 80])
        #expect(ranking.candidates[0].gives == nil)
        #expect(ranking.candidates[1].gives?.date == CivilDate(iso: "2027-01-04"))
        #expect(ranking.candidates[1].givesTo == "P3")
        #expect(ranking.candidates[2].givesTo == "P1")
        #expect(ranking.unavailable.isEmpty)
    }

    @Test("load sharing and beds keep the published decisions when no change concerns them")
    func sharingKept() throws {
        let loaded = try loadTiny()
        // A published plan whose bed designations are deliberately not the best ones.
        let problem = RotaProblem(loaded: loaded)
        var base = RotaPlanAssembler(problem: problem)
            .plan(from: try RotaPlanner(problem: problem, backend: GLPKBackend()).plan(RotaPlanOptions(engine: .greedy, timeLimit: 1)))
        base.designations = base.designations.map { Designation(patient: $0.patient, hospital: $0.hospital == "h1" ? "h2" : "h1") }
            .filter { d in loaded.instance.patients.first { $0.id == d.patient }!.needs == .acute }
            + base.designations.filter { d in loaded.instance.patients.first { $0.id == d.patient }!.needs != .acute }
        let document = try DocumentReader.read(contentsOf: tinyPath).node
        let change = try ChangeSet.parse(DocumentReader.parse(Array(#"{ "format": "rinban-change/1", "changes": [ { "change": "unavailable", "member": "p05", "date": "2027-01-05" } ] }"#.utf8), format: .json))
        let changed = try change.apply(to: document)
        let kept = try planWhatIf(changed.loaded, published: base, options: RotaPlanOptions(engine: .glpk, timeLimit: 5),
                                           replanLoadSharing: changed.touchesLoadSharing, replanBeds: changed.touchesBeds,
                                           backend: GLPKBackend())
        #expect(Set(kept.plan.designations) == Set(base.designations))
        #expect(Set(kept.plan.placements) == Set(base.placements))
        // When beds are concerned, the better designations are found.
        let replanned = try planWhatIf(changed.loaded, published: base, options: RotaPlanOptions(engine: .glpk, timeLimit: 5),
                                                replanLoadSharing: false, replanBeds: true, backend: GLPKBackend())
        let before = Evaluator(changed.loaded).evaluate(kept.plan, baseline: base)
        let after = Evaluator(changed.loaded).evaluate(replanned.plan, baseline: base)
        #expect(after.isFeasible && before.isFeasible)
        #expect(after.total < before.total - 1e-6)
    }
}

@Suite("what-if on the bundled Tokushima month")
struct TokushimaWhatIfTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test("an absence on one published night: whatif moves exactly that night, to cover's first candidate")
    func whatIfAgreesWithCover() throws {
        let instance = Self.root.appendingPathComponent("instances/tokushima-2026-12.json").path
        let published = try PlanReader.load(contentsOf: Self.root.appendingPathComponent("examples/tokushima-2026-12.published.json").path)
        let (document, _) = try DocumentReader.read(contentsOf: instance)
        let original = try InstanceDecoder.decode(document)
        // Dr. 原田 (p012) holds exactly one published duty on the 10th–12th: north, night of the 10th.
        let held = published.assignments.filter { $0.member == "p012" && $0.date >= CivilDate(iso: "2026-12-10")! && $0.date <= CivilDate(iso: "2026-12-12")! }
        try #require(held.count == 1)
        let slot = try #require(original.slots.slot(duty: held[0].duty, area: held[0].area, date: held[0].date, shift: held[0].shift))
        let ranking = CoverRanking(problem: RotaProblem(loaded: original, baseline: published), plan: published, slot: slot.index,
                                   exclude: original.instance.memberIndex["p012"])
        let best = try #require(ranking.candidates.first)
        #expect(best.gives == nil)

        let change = try ChangeSet.load(contentsOf: Self.root.appendingPathComponent("examples/harada-away.yaml").path)
        let changed = try change.apply(to: document, instanceFile: instance)
        let outcome = try planWhatIf(changed.loaded, published: published, options: RotaPlanOptions(engine: .glpk, timeLimit: 20),
                                              replanLoadSharing: changed.touchesLoadSharing, replanBeds: changed.touchesBeds,
                                              backend: GLPKBackend())
        let diff = PlanDiff(before: published, on: original, after: outcome.plan, on: changed.loaded)
        #expect(diff.removed == held)
        #expect(diff.added.map(\.member) == [best.member])
        #expect(diff.placements.isEmpty && diff.designations.isEmpty && diff.respite.isEmpty)
        // Both compute the same objective increase, by different paths (the MIP and the evaluator vs. RotaState).
        #expect(abs((diff.totalAfter - diff.totalBefore) - best.increase) < 1e-6)
        #expect(outcome.plan.solver?.status == "gapLimit" || outcome.plan.solver?.status == "optimal")
    }
}

// MARK: Patient deputies

/// The deputies network of RinbanCoreTests/Fixtures/deputy-whatif.json (worked out in
/// ChangeSetTests and DeputyRankingTests) and its published plan: h1 B1, h2 W1, h3 W1,
/// h4 W1, h5 S2, h6 S2 (deputy terms 2 × 5 + 5 × 6 + 3 × 1 = 43).
let deputyWhatIfFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("RinbanCoreTests/Fixtures")
let deputyWhatIfInstancePath = deputyWhatIfFixtures.appendingPathComponent("deputy-whatif.json").path
let deputyWhatIfPublished = deputyWhatIfFixtures.appendingPathComponent("deputy-whatif.published.json").path

/// A what-if of the deputies network as `rinban whatif` runs it: the changes applied with
/// the published plan, deputies set by hand passed on, GLPK.
private func deputyWhatIf(_ changes: String...) throws -> (changed: ChangedInstance, plan: Plan, published: Plan) {
    let document = try DocumentReader.read(contentsOf: deputyWhatIfInstancePath).node
    let published = try PlanReader.load(contentsOf: deputyWhatIfPublished)
    let text = "{ \"format\": \"rinban-change/1\", \"changes\": [\n" + changes.joined(separator: ",\n") + "\n] }"
    let changed = try ChangeSet.parse(DocumentReader.parse(Array(text.utf8), format: .json)).apply(to: document, published: published)
    let outcome = try planWhatIf(changed.loaded, published: published, options: RotaPlanOptions(engine: .glpk, timeLimit: 10),
                                 replanLoadSharing: changed.touchesLoadSharing, replanBeds: changed.touchesBeds,
                                 deputyPins: changed.deputyPins, backend: GLPKBackend())
    // Whatever the change, the evaluator agrees with the plan and finds no broken rule.
    let evaluation = Evaluator(changed.loaded).evaluate(outcome.plan, baseline: published)
    #expect(evaluation.isFeasible)
    #expect(evaluation.comparison?.agrees == true)
    return (changed, outcome.plan, published)
}

/// Patient → deputy id.
private func deputies(_ plan: Plan) -> [String: String] {
    Dictionary(plan.deputies.map { ($0.patient.rawValue, $0.deputy.rawValue) }, uniquingKeysWith: { a, _ in a })
}

private let publishedDeputies = ["h1": "B1", "h2": "W1", "h3": "W1", "h4": "W1", "h5": "S2", "h6": "S2"]

@Suite("what-if runs with patient deputies")
struct DeputyWhatIfTests {
    @Test("a deputy leaves: exactly their patients get new deputies, every other deputy stays")
    func deputyLeaves() throws {
        let (_, plan, _) = try deputyWhatIf(#"{ "change": "removeMember", "member": "S2" }"#)
        let after = deputies(plan)
        // Everyone else as published.
        #expect(after.filter { $0.key != "h5" && $0.key != "h6" } == publishedDeputies.filter { $0.key != "h5" && $0.key != "h6" })
        // Pool without S2: five physicians of share 1, t = 6 / 5 = 1.2; B1 has 1, W1 3 (full).
        // h5 (attending W1) and h6 (attending S1) go to two of the physicians with none:
        // fairness 0.2 + 0.2 + 1.2 (the third) + 0.2 (B1) + 1.8 (W1) = 3.6; distance 5; h1's gap 1.
        let h5 = try #require(after["h5"]), h6 = try #require(after["h6"])
        #expect(["A1", "A2", "S1"].contains(h5) && ["A1", "A2"].contains(h6) && h5 != h6)
        #expect(abs((plan.objective?.total ?? 0) - (2 * 5 + 5 * 3.6 + 3 * 1)) < 1e-6)
    }

    @Test("an attending leaves: the patient goes to its deputy, who is replaced; the rest stays")
    func attendingLeaves() throws {
        let (changed, plan, published) = try deputyWhatIf(#"{ "change": "removeMember", "member": "B1" }"#)
        #expect(changed.applied.last == "h3: attending B1 leaves; W1 (the deputy) becomes the attending; the patient stays in block n; "
                + "no previous deputy any more (was W1)")
        let h3 = changed.loaded.instance.homePatients[2]
        #expect(h3.attending == "W1" && h3.block == "n" && h3.previous == nil)
        let after = deputies(plan)
        // h1 lost its deputy B1: W1 is the only eligible physician left (eol, next block), with one place
        // free (h3 is no longer W1's). h3 needs a deputy outside W1's clinic: A1 or A2 (equal cost).
        #expect(after["h1"] == "W1")
        #expect(["A1", "A2"].contains(after["h3"] ?? ""))
        for patient in ["h2", "h4", "h5", "h6"] { #expect(after[patient] == publishedDeputies[patient]) }
        // Pool A1 A2 W1 S1 S2 (t = 1.2) with 1, 0, 3, 0, 2 patients: fairness 0.2 + 1.2 + 1.8 + 1.2 + 0.8 = 5.2;
        // distance 5 (h3 now 0); no previous, no common absence left.
        #expect(abs((plan.objective?.total ?? 0) - (2 * 5 + 5 * 5.2)) < 1e-6)
        // The diff shows the two patients' deputies.
        let original = try InstanceDecoder.load(contentsOf: deputyWhatIfInstancePath)
        let diff = PlanDiff(before: published, on: original, after: plan, on: changed.loaded, changes: changed.applied)
        #expect(diff.deputies.map(\.subject.rawValue) == ["h1", "h3"])
        #expect(diff.deputies[0].before == "B1" && diff.deputies[0].after == "W1")
        #expect(PlanDiffReport.text(diff).contains("Patient deputies changed (2):\n  h1: 高橋 (B1) → 伊藤 (W1)\n  h3: 伊藤 (W1) → "))
        #expect(PlanDiffReport.json(diff).contains("{\"patient\": \"h1\", \"before\": \"B1\", \"after\": \"W1\"}"))
        #expect(PlanDiffReport.html(diff, after: plan, on: changed.loaded).contains("<h2>副主治医の変更</h2>"))
    }

    @Test("a deputy set by hand is kept, everything else as published")
    func setDeputyHonoured() throws {
        let (changed, plan, _) = try deputyWhatIf(#"{ "change": "setDeputy", "patient": "h5", "deputy": "B1" }"#)
        #expect(changed.deputyPins == ["h5": "B1"])
        var expected = publishedDeputies
        expected["h5"] = "B1"
        #expect(deputies(plan) == expected)
        // B1 2, S2 1: fairness 1 + 1 + 1 + 2 + 1 + 0 = 6, distance 5, gap 1: as published (43).
        #expect(abs((plan.objective?.total ?? 0) - 43) < 1e-6)
    }

    @Test("maxDeputyPatients lowered from 3 to 1: exactly two of that physician's patients move")
    func capLowered() throws {
        let (_, plan, _) = try deputyWhatIf(#"{ "change": "setMember", "member": "W1", "maxDeputyPatients": 1 }"#)
        let after = deputies(plan)
        let moved = ["h2", "h3", "h4"].filter { after[$0] != "W1" }
        #expect(moved.count == 2)
        for patient in ["h1", "h5", "h6"] { #expect(after[patient] == publishedDeputies[patient]) }
        // Keeping h3 (h2 to B1, h4 to S2), h2 (h3 to A2, h4 to S2) or h4 (h2 to B1, h3 to A2) all
        // cost 39: e.g. fairness 1 + 1 + 1 + 0 + 1 + 2 = 6, distance 3, gap 1 → 6 + 30 + 3.
        #expect(abs((plan.objective?.total ?? 0) - 39) < 1e-6)
    }

    @Test("a new home-care patient gets a deputy; every published one stays")
    func newPatient() throws {
        let (_, plan, _) = try deputyWhatIf(
            #"{ "change": "addHomePatient", "patient": { "id": "h7", "attending": "S2", "requires": ["eol"] } }"#)
        var expected = publishedDeputies
        // In block s with "eol": W1 is full (3 of 3), A1 and B1 are too far; S1 is the one.
        expected["h7"] = "S1"
        #expect(deputies(plan) == expected)
        // N = 7, t = 7/6: fairness (7 + 7 + 1 + 11 + 1 + 5) / 6 = 16/3; distance 5; gap 1.
        #expect(abs((plan.objective?.total ?? 0) - (10 + 5 * 16.0 / 3 + 3)) < 1e-6)
    }
}
