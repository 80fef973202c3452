import MIP
@testable import MIPGLPK
import Foundation
import RinbanCore
@testable import RinbanPlanning
import Testing

@Suite("Rota planning on tiny.json")
struct RotaPlanningTests {
    @Test("the greedy rota keeps every hard rule and the pin")
    func greedyFeasible() throws {
        let problem = RotaProblem(loaded: try loadTiny())
        let state = GreedyRotaBuilder(problem: problem, improvementSeconds: 1).build()
        #expect(violations(state).isEmpty)
        #expect(state.assignments.contains(Assignment(duty: "substitute", area: "south", date: CivilDate(iso: "2027-01-01")!,
                                                      shift: "night", member: "p07")))
        // 52 duties at most can be served (see the pre-check), so at least 11 stay open.
        #expect(state.terms[.uncovered]! >= 11)
    }

    @Test("the formulation's start vector is feasible and its objective is the rota's total")
    func startMatchesState() throws {
        let problem = RotaProblem(loaded: try loadTiny())
        let state = GreedyRotaBuilder(problem: problem, improvementSeconds: 0).build()
        let pinned = Set(problem.pinned)
        let formulation = try RotaFormulation(problem: problem, free: problem.pairs.indices.filter { !pinned.contains($0) },
                                              fixed: problem.pinned)
        let values = formulation.values(for: state)
        #expect(formulation.model.violations(of: values).map(\.description) == [])
        #expect(abs(formulation.model.objectiveValue(values) - state.weightedTotal) < 1e-6)
    }

    @Test("in every neighbourhood of the search, the start's objective is the rota's total", arguments: [0, 1, 2, 3])
    func neighbourhoodStartMatchesState(kind: Int) throws {
        // A generated Tokushima month: members' spread windows hold two or more starts, so a
        // member left wholly fixed (as in the members' neighbourhoods) still pays for them.
        let generated = try load(json: try InstanceGenerator(profile: .tokushima, seed: 2).json())
        for problem in [RotaProblem(loaded: try loadTiny()), RotaProblem(loaded: generated)] {
            let planner = RotaPlanner(problem: problem, backend: GLPKBackend())
            let state = GreedyRotaBuilder(problem: problem, improvementSeconds: 0).build()
            let pinned = Set(problem.pinned)
            var random = SplitMix64(seed: 7)
            for round in 0..<4 {
                let free = planner.neighbourhood(round: 4 * round + kind, size: 300, state: state, random: &random)
                    .filter { !pinned.contains($0) }
                let freeSet = Set(free)
                let formulation = try RotaFormulation(problem: problem, free: free,
                                                      fixed: state.assignedPairs.filter { !freeSet.contains($0) })
                let values = formulation.values(for: state)
                #expect(formulation.model.violations(of: values).map(\.description) == [])
                #expect(abs(formulation.model.objectiveValue(values) - state.weightedTotal) < 1e-6 * state.weightedTotal)
            }
        }
    }

    @Test("the furthest members' neighbourhood frees every member at the top of each pool, whole")
    func furthestMembersNeighbourhood() throws {
        let generated = try load(json: try InstanceGenerator(profile: .tokushima, seed: 2).json())
        let problem = RotaProblem(loaded: generated)
        let planner = RotaPlanner(problem: problem, backend: GLPKBackend())
        let state = GreedyRotaBuilder(problem: problem, improvementSeconds: 0).build()
        let members = generated.instance.members
        // |P − T| from the greedy rota's assignments, counted here.
        var points = members.map(\.history.points)
        for p in state.assignedPairs { points[problem.pairs[p].member] += problem.slots[problem.pairs[p].slot].points }
        var random = SplitMix64(seed: 3)
        for size in [50, 300, 100_000] {
            let free = Set(planner.neighbourhood(round: 3, size: size, state: state, random: &random))
            let freed = Set(free.map { problem.pairs[$0].member })
            // Whole members: every pair of a freed member is free.
            for m in freed { #expect(Set(problem.pairsOfMember[m]).isSubset(of: free)) }
            // The top of each pool among the members who have pairs (the others cannot move).
            for (_, all) in problem.poolMembers {
                let pool = all.filter { !problem.pairsOfMember[$0].isEmpty }
                let deviation = pool.map { abs(points[$0] - problem.target[$0]) }
                let largest = try #require(deviation.max())
                let top = pool.indices.filter { deviation[$0] >= largest - RotaPlanner.topDeviationMargin }.map { pool[$0] }
                #expect(!top.isEmpty)
                #expect(Set(top).isSubset(of: freed))
            }
            if size == 100_000 { #expect(freed.count > problem.poolMembers.values.reduce(0) { $0 + $1.count } / 2) }
        }
    }

    @Test("GLPK proves the optimum of tiny.json, no worse than greedy, and its objective is the rota's")
    func glpkOptimal() throws {
        let problem = RotaProblem(loaded: try loadTiny())
        let planner = RotaPlanner(problem: problem, backend: GLPKBackend())
        let greedy = try planner.plan(RotaPlanOptions(engine: .greedy, timeLimit: 5))
        let outcome = try planner.plan(RotaPlanOptions(engine: .glpk, timeLimit: 60))
        #expect(outcome.report.status == "optimal")
        #expect(violations(outcome.state).isEmpty)
        #expect(outcome.state.weightedTotal <= greedy.state.weightedTotal + 1e-9)
        let bound = try #require(outcome.report.bound)
        #expect(abs(bound - outcome.state.weightedTotal) <= 1e-4 * outcome.state.weightedTotal)
        print("tiny: greedy \(greedy.state.weightedTotal) glpk \(outcome.state.weightedTotal) in \(outcome.report.seconds) s")
    }
}

@Suite("The rota model exported for other solvers")
struct RotaExportTests {
    @Test("tiny.json's rota as MPS and LP: unique names, and GLPK reads back the same optimum", arguments: ModelFileFormat.allCases)
    func roundTrip(format: ModelFileFormat) throws {
        let problem = RotaProblem(loaded: try loadTiny())
        let pinned = Set(problem.pinned)
        let formulation = try RotaFormulation(problem: problem, free: problem.pairs.indices.filter { !pinned.contains($0) },
                                              fixed: problem.pinned, names: true)
        let direct = try formulation.model.solve(using: GLPKBackend())
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rota-\(UUID().uuidString).\(format.rawValue)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try GLPKBackend().write(formulation.model, format: format, to: path)
        let read = try GLPKBackend().solveFile(at: path, format: format)
        #expect(read.termination == .optimal)
        #expect(abs(try #require(read.objective) - direct.objective!) < 1e-6)
    }
}
