import Foundation
import MIP
import MIPGLPK
import RinbanCore
@testable import RinbanPlanning
import Testing

@Suite("Column generation over member-months")
struct RotaColumnGenerationTests {
    @Test("a bound between the subgradient method's and the proven optimum, at least the linear relaxation once converged",
          arguments: [0, 1, 3, 5] as [UInt64])
    func boundBetween(seed: UInt64) throws {
        let loaded = seed == 0 ? try loadTiny() : try smallCity(seed: seed)
        let problem = RotaProblem(loaded: loaded)
        let optimum = try RotaPlanner(problem: problem, backend: GLPKBackend()).plan(RotaPlanOptions(engine: .glpk, timeLimit: 60))
        try #require(optimum.report.status == "optimal")
        let best = optimum.state.weightedTotal
        let lagrangian = RotaLagrangian(problem: problem)
        // A short subgradient run: the centre the generation starts from, far from converged.
        let start = lagrangian.solve(upperBound: best * 1.05, seconds: 10, maxIterations: 40, columnsPerMember: 10)
        let greedy = GreedyRotaBuilder(problem: problem, improvementSeconds: 0).build()
        let generation = RotaColumnGeneration(problem: problem, lagrangian: lagrangian, backend: GLPKBackend())
        var told: [Double] = []
        let outcome = generation.run(pool: start.columns, incumbent: greedy, center: start, seconds: 30, keep: 5,
                                     shouldStop: nil) { told.append($0) }
        #expect(outcome.converged)
        #expect(outcome.bound <= best + 1e-6 * max(1, best), "bound \(outcome.bound) above the optimum \(best)")
        #expect(outcome.bound >= start.bound)
        // Every bound told on the way is a bound too, and they only rise.
        #expect(told.allSatisfy { $0 <= best + 1e-6 * max(1, best) })
        #expect(zip(told, told.dropFirst()).allSatisfy { $0 < $1 })
        // Converged: the master's value is the Lagrangian dual, which is at least the
        // compact formulation's linear relaxation (independent path: GLPK on RotaFormulation).
        let relaxation = try #require(outcome.relaxation)
        #expect(abs(relaxation - outcome.bound) <= 1e-5 * max(1, abs(relaxation)))
        let pinned = Set(problem.pinned)
        let lp = try RotaFormulation(problem: problem, free: problem.pairs.indices.filter { !pinned.contains($0) },
                                     fixed: problem.pinned).model.relaxation().solve(using: GLPKBackend())
        let compact = try #require(lp.objective)
        #expect(outcome.bound >= compact - 1e-6 * max(1, abs(compact)), "column generation \(outcome.bound) below LP \(compact)")
        print("column generation seed \(seed): optimum \(best), subgradient \(start.bound), generation \(outcome.bound) "
              + "in \(outcome.rounds) rounds, compact LP \(compact)")
        // The pool for the integer program: at most `keep` valid months per active member.
        #expect(outcome.columns.allSatisfy { $0.pairs.count <= 5 && problem.active[$0.member] })
        let members = RotaColumns(problem: problem, columns: outcome.columns)
        let valid: Int = members.schedulesOf.map(\.count).reduce(0, +)
        let given: Int = outcome.columns.map(\.pairs.count).reduce(0, +)
        #expect(valid == given)
    }

    @Test("reduced-cost fixing keeps every month of a better rota: given the optimum's months, the program finds the optimum",
          arguments: [1, 3, 5] as [UInt64])
    func fixingKeepsBetterRotas(seed: UInt64) throws {
        let (problem, optimum, greedy, lagrangian, start) = try solvedCity(seed: seed)
        let optimal = RotaColumns.months(of: optimum.state, problem: problem)
        let outcome = RotaColumnGeneration(problem: problem, lagrangian: lagrangian, backend: GLPKBackend())
            .run(pool: optimal + start.columns, incumbent: greedy, center: start, seconds: 30, keep: 10_000, shouldStop: nil)
        let kept = Dictionary(uniqueKeysWithValues: outcome.columns.map { ($0.member, Set($0.pairs)) })
        for (member, months) in optimal { #expect(kept[member, default: []].contains(months[0]), "member \(member)") }
        // Something was left out, or the test shows nothing.
        let all = outcome.columns.map(\.pairs.count).reduce(0, +)
        print("reduced-cost fixing seed \(seed): \(all) months kept, greedy \(greedy.weightedTotal), optimum \(optimum.state.weightedTotal)")
        let members = problem.instance.members.indices.filter { problem.active[$0] }
        let found = try RotaColumns(problem: problem, columns: outcome.columns)
            .improve(greedy, members: members, backend: GLPKBackend(), seconds: 30, shouldStop: nil)
        let total = found?.weightedTotal ?? greedy.weightedTotal
        #expect(abs(total - optimum.state.weightedTotal) <= 1e-6 * max(1, total))
    }

    @Test("a dive from the converged relaxation: a rota that keeps every rule, below the greedy's, not below the optimum",
          arguments: [1, 3, 5] as [UInt64])
    func dive(seed: UInt64) throws {
        let (problem, optimum, greedy, _, generation, converged) = try convergedCity(seed: seed)
        let dive = generation.dive(pool: converged.columns, incumbent: greedy, seconds: 30, cutoff: greedy.weightedTotal,
                                   shouldStop: nil)
        let rota = try #require(dive.rota, "seed \(seed): the dive ended without a rota")
        #expect(violations(rota).isEmpty)
        // Its total, recomputed from its assignments alone (not the dive's bookkeeping).
        var again = RotaState(problem: problem)
        for p in rota.assignedPairs { again.assign(p) }
        #expect(abs(again.weightedTotal - rota.weightedTotal) <= 1e-6 * max(1, rota.weightedTotal))
        #expect(rota.weightedTotal < greedy.weightedTotal)
        #expect(rota.weightedTotal >= optimum.state.weightedTotal - 1e-6 * max(1, rota.weightedTotal))
        print("dive seed \(seed): greedy \(greedy.weightedTotal), dive \(rota.weightedTotal), optimum \(optimum.state.weightedTotal), "
              + "\(dive.months.map(\.pairs.count).reduce(0, +)) months priced")
    }

    @Test("every month within the gap: the optimum's months are listed, and one program over them proves it",
          arguments: [1, 3, 5] as [UInt64])
    func monthsWithinGap(seed: UInt64) throws {
        let (problem, optimum, greedy, lagrangian, generation, converged) = try convergedCity(seed: seed)
        let master = try #require(converged.master)
        // The greedy rota as the best so far: every month of the optimum (branch-and-cut's,
        // an independent path) prices within the gap.
        let listed = generation.monthsWithinGap(master: master, incumbent: greedy, perMember: 100_000, total: 1_000_000,
                                                deadline: .now + .seconds(30))
        let months = Dictionary(uniqueKeysWithValues: listed.pool.map { ($0.member, Set($0.pairs)) })
        let optimal = RotaColumns.months(of: optimum.state, problem: problem)
        // With room for every one, the list is complete (the duals lie in the prices' domain).
        #expect(listed.complete)
        for (member, month) in optimal where listed.complete {
            #expect(months[member, default: []].contains(month[0]), "seed \(seed), member \(member)")
        }
        // One program over them, every member choosing, from the greedy rota.
        let members = lagrangian.months.map(\.member)
        let outcome = try RotaColumns(problem: problem, columns: listed.pool, groupColumns: .max)
            .solve(greedy, members: members, backend: GLPKBackend(), seconds: 30, shouldStop: nil)
        let total = outcome.better?.weightedTotal ?? greedy.weightedTotal
        let best = optimum.state.weightedTotal
        print("months within the gap, seed \(seed): \(listed.pool.map(\.pairs.count).reduce(0, +)) months, "
              + "complete \(listed.complete), greedy \(greedy.weightedTotal), found \(total), optimum \(best)")
        #expect(total >= best - 1e-6 * max(1, best))
        if listed.complete {
            // Complete: the program's optimum is the rota's, and its bound a proof.
            #expect(outcome.solved)
            #expect(abs(total - best) <= 1e-6 * max(1, best))
            let bound = try #require(outcome.bound)
            #expect(bound <= best + 1e-6 * max(1, best))
            #expect(bound >= best - 1e-5 * max(1, best))
        }
        if let better = outcome.better { #expect(violations(better).isEmpty) }
    }

    /// ``solvedCity(seed:)`` with column generation run from the subgradient method's
    /// months until it converged (50 months a member kept).
    private func convergedCity(seed: UInt64) throws
        -> (RotaProblem, RotaOutcome, RotaState, RotaLagrangian, RotaColumnGeneration, RotaColumnGeneration.Outcome)
    {
        let (problem, optimum, greedy, lagrangian, start) = try solvedCity(seed: seed)
        let generation = RotaColumnGeneration(problem: problem, lagrangian: lagrangian, backend: GLPKBackend())
        let converged = generation.run(pool: start.columns, incumbent: greedy, center: start, seconds: 30, keep: 50,
                                       shouldStop: nil)
        try #require(converged.converged)
        return (problem, optimum, greedy, lagrangian, generation, converged)
    }

    /// A small generated city with its proven optimum (branch-and-cut), its greedy rota and
    /// 200 steps of the subgradient method from that rota (20 months a member).
    private func solvedCity(seed: UInt64) throws
        -> (RotaProblem, RotaOutcome, RotaState, RotaLagrangian, RotaLagrangian.Outcome)
    {
        let problem = RotaProblem(loaded: try smallCity(seed: seed))
        let optimum = try RotaPlanner(problem: problem, backend: GLPKBackend()).plan(RotaPlanOptions(engine: .glpk, timeLimit: 60))
        try #require(optimum.report.status == "optimal")
        let greedy = GreedyRotaBuilder(problem: problem, improvementSeconds: 0).build()
        let lagrangian = RotaLagrangian(problem: problem)
        let start = lagrangian.solve(upperBound: greedy.weightedTotal, seconds: 10, maxIterations: 200, columnsPerMember: 20)
        return (problem, optimum, greedy, lagrangian, start)
    }
}
