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
