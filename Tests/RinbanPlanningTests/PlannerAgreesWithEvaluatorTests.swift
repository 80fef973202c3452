import MIPGLPK
import RinbanCore
@testable import RinbanPlanning
import Testing

/// The planner's own term values (RotaState, SharingGreedy) against the evaluator that
/// `rinban score` uses, which was written from the contract alone.
@Suite("Planner totals equal evaluator totals, term by term")
struct PlannerAgreesWithEvaluatorTests {
    func check(_ plan: Plan, _ loaded: LoadedInstance, baseline: Plan? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        let evaluation = Evaluator(loaded).evaluate(plan, baseline: baseline)
        #expect(evaluation.violations.isEmpty, "\(evaluation.violations)", sourceLocation: sourceLocation)
        let claimed = plan.objective!
        for term in ObjectiveTerm.allCases {
            let mine = claimed.terms[term] ?? 0
            let theirs = evaluation.terms[term] ?? 0
            #expect(abs(mine - theirs) <= 1e-6 * max(1, abs(theirs)), "\(term): planner \(mine), evaluator \(theirs)",
                    sourceLocation: sourceLocation)
        }
        #expect(abs(claimed.total - evaluation.total) <= 1e-6 * max(1, abs(evaluation.total)), sourceLocation: sourceLocation)
    }

    @Test("tiny.json with every engine", arguments: [RotaEngine.greedy, .glpk, .lns])
    func engines(engine: RotaEngine) throws {
        let loaded = try loadTiny()
        let problem = RotaProblem(loaded: loaded)
        let outcome = try RotaPlanner(problem: problem, backend: GLPKBackend())
            .plan(RotaPlanOptions(engine: engine, timeLimit: engine == .lns ? 3 : 20))
        check(RotaPlanAssembler(problem: problem).plan(from: outcome), loaded)
    }

    @Test("with a baseline: the stability term agrees and moves the plan towards it")
    func baseline() throws {
        let loaded = try loadTiny()
        let first = RotaProblem(loaded: loaded)
        let published = RotaPlanAssembler(problem: first).plan(
            from: try RotaPlanner(problem: first, backend: GLPKBackend()).plan(RotaPlanOptions(engine: .greedy, timeLimit: 5)))
        let problem = RotaProblem(loaded: loaded, baseline: published)
        let outcome = try RotaPlanner(problem: problem, backend: GLPKBackend()).plan(RotaPlanOptions(engine: .glpk, timeLimit: 20))
        let plan = RotaPlanAssembler(problem: problem).plan(from: outcome)
        check(plan, loaded, baseline: published)
        #expect(plan.objective!.terms[.stability] != nil)
    }
}
