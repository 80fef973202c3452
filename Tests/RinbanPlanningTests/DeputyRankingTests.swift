import Foundation
import RinbanCore
@testable import RinbanPlanning
import Testing

/// The deputies network of RinbanCoreTests/Fixtures/deputy-whatif.json with its published
/// plan (h1 B1, h2 W1, h3 W1, h4 W1, h5 S2, h6 S2). Six physicians take deputies (A1 A2
/// B1 W1 S1 S2, share 1 each) for six patients: every fair share t is 1; the loads are
/// A1 0, A2 0, B1 1, W1 3, S1 0, S2 2. Weights: distance 2, fairness 5, change 10, gap 3.
@Suite("rinban deputy: who could be this patient's deputy")
struct DeputyRankingTests {
    let loaded: LoadedInstance
    let published: Plan

    init() throws {
        loaded = try InstanceDecoder.load(contentsOf: deputyWhatIfInstancePath)
        published = try PlanReader.load(contentsOf: deputyWhatIfPublished)
    }

    func rank(_ patient: String) throws -> DeputyRanking {
        let h = try #require(loaded.instance.homePatientIndex[HomePatientID(patient)])
        return DeputyRanking(instance: loaded.instance, plan: published, patient: h)
    }

    /// Every candidate's increase equals the evaluator's total difference when only that patient's deputy changes.
    func expectEvaluatorAgrees(_ ranking: DeputyRanking) {
        let before = Evaluator(loaded).evaluate(published).total
        for candidate in ranking.candidates {
            var plan = published
            plan.deputies = plan.deputies.map {
                $0.patient == ranking.patient ? DeputyDesignation(patient: $0.patient, deputy: candidate.member) : $0
            }
            if !plan.deputies.contains(where: { $0.patient == ranking.patient }) {
                plan.deputies.append(DeputyDesignation(patient: ranking.patient, deputy: candidate.member))
            }
            let after = Evaluator(loaded).evaluate(plan)
            #expect(after.isFeasible)
            #expect(abs(after.total - before - candidate.increase) < 1e-9, "\(candidate.member)")
            #expect(abs(candidate.parts.reduce(0) { $0 + $1.change } - candidate.increase) < 1e-12)
        }
    }

    @Test("h3: A2 −2, A1 +1 (a shared absence with the attending); five not eligible, with why")
    func h3() throws {
        let ranking = try rank("h3")
        // W1 → A2: distance 1 → 0 (−2); fairness A2 0 → 1 and W1 3 → 2 (−1 − 1, × 5 = −10); h3's
        // previous deputy was W1 (+10). A1 the same plus 2027-01-06, when A1 and the attending B1
        // are both away (+3).
        #expect(ranking.candidates.map(\.member.rawValue) == ["A2", "A1"])
        #expect(ranking.candidates.map(\.increase) == [-2, 1])
        #expect(ranking.candidates[1].parts.map(\.term) == [.deputyFairness, .deputyChange, .deputyGap, .deputyDistance])
        #expect(ranking.candidates[1].parts.map(\.change) == [-10, 10, 3, -2])
        #expect(ranking.candidates[1].parts[0].reason == "A1: 0 → 1 patients against a fair share of 1; W1: 3 → 2 against 1")
        #expect(ranking.candidates[1].parts[2].reason == "both away with the attending on 2027-01-06")
        #expect(ranking.candidates[1].bothAway == [CivilDate(iso: "2027-01-06")!])
        let current = try #require(ranking.current)
        #expect(current.member == "W1" && current.patients == 3 && current.cost == 2)
        #expect(ranking.full.isEmpty)
        #expect(ranking.ineligible.map(\.member.rawValue) == ["B1", "B2", "S1", "S2", "W2"])
        #expect(ranking.ineligible[0].isAttending)
        #expect(ranking.ineligible[1].reasons == [.attendingsClinic, .noShare])
        #expect(ranking.ineligible[2].reasons == [.outsideBlock("s")])
        #expect(ranking.ineligible[4].reasons == [.takesNoPatients])
        expectEvaluatorAgrees(ranking)
    }

    @Test("h5: three equal candidates by id, then B1 whose load rises instead")
    func h5() throws {
        let ranking = try rank("h5")
        // All at distance 1 like S2. A1, A2, S1: 0 → 1 and S2 2 → 1 (−10); B1 1 → 2 (+5) and S2 (−5).
        #expect(ranking.candidates.map(\.member.rawValue) == ["A1", "A2", "S1", "B1"])
        #expect(ranking.candidates.map(\.increase) == [-10, -10, -10, 0])
        #expect(ranking.ineligible.map(\.member.rawValue) == ["B2", "W1", "W2"])
        expectEvaluatorAgrees(ranking)
    }

    @Test("h1: the only other eligible physician is full")
    func h1() throws {
        let ranking = try rank("h1")
        #expect(ranking.candidates.isEmpty)
        #expect(ranking.full == [DeputyRanking.Full(member: "W1", name: "伊藤", patients: 3, cap: 3)])
        // B1 and the attending A1 are both away on the 6th.
        #expect(ranking.current?.cost == 3)
    }

    @Test("a patient without a deputy: each candidate saves undeputed, the previous deputy also continuity")
    func withoutDeputy() throws {
        var plan = published
        plan.deputies.removeAll { $0.patient == "h3" }
        let ranking = DeputyRanking(instance: loaded.instance, plan: plan, patient: 2)
        #expect(ranking.current == nil)
        #expect(ranking.withoutDeputy == 510)
        // W1 (the previous deputy): −500 undeputed, −10 continuity, +2 distance, fairness 2 → 3 (+5).
        // A2: −500, fairness 0 → 1 (−5), distance 0. A1: the same, +3 for the shared absence.
        #expect(ranking.candidates.map(\.member.rawValue) == ["A2", "W1", "A1"])
        #expect(ranking.candidates.map(\.increase) == [-505, -503, -502])
        let before = Evaluator(loaded).evaluate(plan).total
        for candidate in ranking.candidates {
            var after = plan
            after.deputies.append(DeputyDesignation(patient: "h3", deputy: candidate.member))
            #expect(abs(Evaluator(loaded).evaluate(after).total - before - candidate.increase) < 1e-9)
        }
    }
}
