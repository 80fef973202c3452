import Foundation
import MIP
import MIPGLPK
import RinbanCore
@testable import RinbanPlanning
import Testing

@Suite("The rota from member-months")
struct RotaColumnsTests {
    private func tokushima(seed: UInt64) throws -> RotaProblem {
        RotaProblem(loaded: try load(json: try InstanceGenerator(profile: .tokushima, seed: seed).json()))
    }

    /// The incumbent's schedule of every member (pins left out).
    private func schedules(_ state: RotaState) -> [[Int]] {
        let problem = state.problem
        let pinned = Set(problem.pinned)
        var result = [[Int]](repeating: [], count: problem.instance.members.count)
        for p in state.assignedPairs where !pinned.contains(p) { result[problem.pairs[p].member].append(p) }
        return result
    }

    @Test("members' costs, the pins, the open demand and the pool maxima add up to the rota's total")
    func costsAddUp() throws {
        for problem in [RotaProblem(loaded: try loadTiny()), try tokushima(seed: 2)] {
            let state = GreedyRotaBuilder(problem: problem, improvementSeconds: 0).build()
            let columns = RotaColumns(problem: problem, columns: [])
            let w = problem.weights
            var total = problem.baselineConstant + problem.pinned.reduce(0) { $0 + problem.linearCost($1) }
            let mine = schedules(state)
            for m in problem.instance.members.indices where problem.active[m] {
                let cost = columns.cost(of: mine[m], member: m)
                total += cost.total
                #expect(abs(cost.deviation - state.deviation(m)) < 1e-9)
            }
            let terms = state.terms
            total += w[.uncovered] * terms[.uncovered]! + w[.maxDeviation] * terms[.maxDeviation]!
            #expect(abs(total - state.weightedTotal) < 1e-6 * max(1, state.weightedTotal))
        }
    }

    @Test("given the optimum's own schedules it finds the optimum; with the bound's, rules kept and never below it")
    func improvesWithinOptimum() throws {
        var improved = 0
        for seed in [1, 3, 5] as [UInt64] {
            let problem = RotaProblem(loaded: try smallCity(seed: seed))
            let greedy = GreedyRotaBuilder(problem: problem, improvementSeconds: 0).build()
            let optimum = try RotaPlanner(problem: problem, backend: GLPKBackend())
                .plan(RotaPlanOptions(engine: .glpk, timeLimit: 60)).state
            let best = optimum.weightedTotal
            let members = problem.instance.members.indices.filter { problem.active[$0] }
            let bound = RotaLagrangian(problem: problem).solve(upperBound: greedy.weightedTotal, seconds: 300, maxIterations: 5_000, columnsPerMember: 50)
            #expect(!bound.columns.isEmpty)

            // Among the choices, the optimum's months: the program's optimum is the rota's.
            let optimal = schedules(optimum)
            let withOptimum = RotaColumns(problem: problem, columns: bound.columns + members.map { ($0, [optimal[$0]]) })
            if greedy.weightedTotal > best + 1e-6 {
                let found = try #require(try withOptimum.improve(greedy, members: members, backend: GLPKBackend(),
                                                                 seconds: 30, shouldStop: nil))
                #expect(abs(found.weightedTotal - best) < 1e-6 * max(1, best))
                #expect(violations(found).isEmpty)
            }

            // The bound's months alone: anything found keeps the rules and lies between.
            let columns = RotaColumns(problem: problem, columns: bound.columns)
            if let state = try columns.improve(greedy, members: members, backend: GLPKBackend(), seconds: 30, shouldStop: nil) {
                improved += 1
                #expect(violations(state).isEmpty)
                #expect(state.weightedTotal < greedy.weightedTotal)
                #expect(state.weightedTotal >= best - 1e-6)
                print("member-months seed \(seed) (\(bound.iterations) steps): greedy \(greedy.weightedTotal) → \(state.weightedTotal), optimum \(best)")
            }
        }
        #expect(improved >= 1)
    }

    @Test("group by group on a 44-clinic month: each active member in one group, rules kept, the rota better")
    func groups() throws {
        let problem = try tokushima(seed: 2)
        let greedy = GreedyRotaBuilder(problem: problem, improvementSeconds: 0).build()
        let bound = RotaLagrangian(problem: problem).solve(upperBound: greedy.weightedTotal, seconds: 300, maxIterations: 300,
                                                           columnsPerMember: RotaPlanner.columnsPerMember)
        let columns = RotaColumns(problem: problem, columns: bound.columns, groupColumns: 300)
        let groups = columns.memberGroups()
        #expect(groups.count >= 3)
        #expect(groups.flatMap { $0 }.sorted() == problem.instance.members.indices.filter { problem.active[$0] })
        let shared = SharedIncumbent(greedy)
        var told: [Double] = []
        let gains = columns.search(shared: shared, backend: GLPKBackend(), seconds: 20, shouldStop: nil) { told.append($0) }
        #expect(gains >= 1)
        let state = shared.state(problem)
        #expect(violations(state).isEmpty)
        #expect(state.weightedTotal < greedy.weightedTotal)
        #expect(abs(state.weightedTotal - (told.last ?? .infinity)) < 1e-9)
        #expect(told == told.sorted(by: >))
    }

    @Test("neighbourhoods: whole blocks, no member twice; from the greedy, with the optimum's months among the choices, they reach the optimum")
    func neighbourhoods() throws {
        let problem = try tokushima(seed: 2)
        let greedy = GreedyRotaBuilder(problem: problem, improvementSeconds: 0).build()
        let columns = RotaColumns(problem: problem, columns: RotaColumns.months(of: greedy, problem: problem))
        let choosing = problem.instance.members.indices.filter { problem.active[$0] }
        var membersOf: [BlockID: Set<MemberIndex>] = [:]
        for m in choosing { membersOf[problem.instance.members[m].block, default: []].insert(m) }
        var random = SplitMix64(seed: 7)
        for size in [1, 5, choosing.count / 2, choosing.count] {
            let group = columns.neighbouringMembers(size, among: choosing, random: &random)
            #expect(Set(group).count == group.count)
            #expect(group.count >= size)
            let blocks = Set(group.map { problem.instance.members[$0].block })
            #expect(blocks.allSatisfy { membersOf[$0]!.isSubset(of: Set(group)) })
            // Whole blocks, stopping at the first that reaches the size.
            #expect(blocks.count == 1 || group.count - (blocks.map { membersOf[$0]!.count }.max() ?? 0) < size)
        }

        for seed in [1, 3] as [UInt64] {
            let problem = RotaProblem(loaded: try smallCity(seed: seed))
            let greedy = GreedyRotaBuilder(problem: problem, improvementSeconds: 0).build()
            let optimum = try RotaPlanner(problem: problem, backend: GLPKBackend())
                .plan(RotaPlanOptions(engine: .glpk, timeLimit: 60)).state
            let members = problem.instance.members.indices.filter { problem.active[$0] }
            let optimal = schedules(optimum)
            let columns = RotaColumns(problem: problem, columns: members.map { ($0, [optimal[$0]]) })
            let shared = SharedIncumbent(greedy)
            var told: [Double] = []
            columns.searchNeighbourhoods(shared: shared, backend: GLPKBackend(), seconds: 120, seed: seed,
                                         shouldStop: nil) { told.append($0) }
            let state = shared.state(problem)
            #expect(violations(state).isEmpty)
            #expect(abs(state.weightedTotal - optimum.weightedTotal) < 1e-6 * max(1, optimum.weightedTotal))
            #expect(told == told.sorted(by: >))
        }
    }

    @Test("the shared rota: an offer is kept only when better, and a search that has seen nothing takes it over")
    func sharedIncumbent() throws {
        let problem = RotaProblem(loaded: try loadTiny())
        let greedy = GreedyRotaBuilder(problem: problem, improvementSeconds: 0).build()
        let shared = SharedIncumbent(greedy)
        #expect(shared.offer(greedy) == nil)
        let optimum = try RotaPlanner(problem: problem, backend: GLPKBackend()).plan(RotaPlanOptions(engine: .glpk, timeLimit: 60))
        try #require(optimum.state.weightedTotal < greedy.weightedTotal)
        let version = try #require(shared.offer(optimum.state))
        #expect(version == shared.version)
        var seen = -1
        let taken = try #require(shared.newer(than: &seen, total: greedy.weightedTotal))
        #expect(abs(taken(problem).weightedTotal - optimum.state.weightedTotal) < 1e-9)
        #expect(seen == version)
        #expect(shared.newer(than: &seen, total: greedy.weightedTotal) == nil)
    }

    @Test("the collection: newer months first, no repeats, at most the cap; a rota's months are its free pairs by member")
    func collection() throws {
        let merged = RotaColumns.merged([(0, [[1, 5], [2]]), (2, [[7]])], [(0, [[2], [3], [4]]), (1, [[6]])], cap: 3)
        #expect(merged.map(\.member) == [0, 2, 1])
        #expect(merged.map(\.pairs) == [[[1, 5], [2], [3]], [[7]], [[6]]])

        let problem = RotaProblem(loaded: try smallCity(seed: 1))
        let greedy = GreedyRotaBuilder(problem: problem, improvementSeconds: 0).build()
        let months = RotaColumns.months(of: greedy, problem: problem)
        let pinned = Set(problem.pinned)
        #expect(months.map(\.member) == problem.instance.members.indices.filter { problem.active[$0] })
        #expect(months.flatMap { $0.pairs[0] }.sorted() == greedy.assignedPairs.filter { !pinned.contains($0) }.sorted())
        for (m, list) in months {
            #expect(list.count == 1 && list[0] == list[0].sorted())
            #expect(list[0].allSatisfy { problem.pairs[$0].member == m })
        }
        // The greedy's own months put together again give the greedy's rota, no better.
        let columns = RotaColumns(problem: problem, columns: months)
        #expect(try columns.improve(greedy, members: months.map(\.member), backend: GLPKBackend(), seconds: 10,
                                    shouldStop: nil) == nil)
    }

    @Test("a rota from the relaxation's prices: the members' best months where they fit, the open demand filled, rules kept",
          arguments: [1, 2, 4] as [UInt64])
    func rotaFromPrices(seed: UInt64) throws {
        let problem = RotaProblem(loaded: try smallCity(seed: seed))
        let lagrangian = RotaLagrangian(problem: problem)
        let greedy = GreedyRotaBuilder(problem: problem, improvementSeconds: 0).build()
        let prices = lagrangian.solve(upperBound: greedy.weightedTotal, seconds: 60, maxIterations: 300)
        let planner = RotaPlanner(problem: problem, backend: GLPKBackend())
        let placed = planner.lagrangianRota(lagrangian, prices: prices, seconds: 0)
        #expect(violations(placed).isEmpty)
        #expect(placed.weightedTotal >= prices.bound)
        // Each member's best month at the prices is in the rota, except a pair whose slot
        // is full or that the member's other duties in the rota block.
        var workspace = MemberMonth.Workspace()
        let months = lagrangian.evaluate(lambda: prices.lambda, mu: prices.mu, workspace: &workspace).schedules
        var kept = 0
        for p in months.joined() {
            if placed.assigned[p] { kept += 1; continue }
            let slot = problem.pairs[p].slot
            #expect(placed.slotCount[slot] == problem.slots[slot].demand || !placed.blockers(p).isEmpty
                    || placed.atCap(problem.pairs[p].member))
        }
        #expect(kept > 0)
        // No open slot that an eligible member could still take.
        for s in problem.slots.indices where placed.slotCount[s] < problem.slots[s].demand {
            #expect(problem.pairsOfSlot[s].allSatisfy { !placed.canAssign($0) })
        }
        // The moves after it only lower the total.
        let improved = planner.lagrangianRota(lagrangian, prices: prices, seconds: 5)
        #expect(violations(improved).isEmpty)
        #expect(improved.weightedTotal <= placed.weightedTotal + 1e-9)
        #expect(improved.weightedTotal >= prices.bound)
    }
}
