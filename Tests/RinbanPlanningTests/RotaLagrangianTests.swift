import Foundation
import MIP
import MIPGLPK
import RinbanCore
@testable import RinbanPlanning
import Testing

@Suite("The Lagrangian bound of the rota")
struct RotaLagrangianTests {
    /// Every month of the member (each subset of their free pairs that keeps the hard rules,
    /// judged by `RotaState`) with its priced cost by its own evaluator: an independent path.
    private func allMonths(_ month: MemberMonth, _ problem: RotaProblem, lambda: [Double], mu: Double)
        -> [(pairs: [Int], cost: Double)]
    {
        let m = month.member
        let w = problem.weights
        var state = RotaState(problem: problem)
        for p in problem.pinned where problem.pairs[p].member == m { state.assign(p) }
        var months: [(pairs: [Int], cost: Double)] = []
        var taken: [Int] = []
        // Depth first over the free pairs: each taken (if the rules allow) or not.
        func visit(_ i: Int, _ cost: Double) {
            if i == month.free.count {
                let total = cost + (w[.fairness] + mu) * state.deviation(m) + w[.holidayFairness] * state.holidayDeviation(m)
                    + w[.spread] * Double(state.spreadValue(m))
                months.append((taken.sorted(), total))
                return
            }
            visit(i + 1, cost)
            let p = month.free[i]
            guard state.canAssign(p) else { return }
            state.assign(p)
            taken.append(p)
            visit(i + 1, cost + problem.linearCost(p) - w[.uncovered] + lambda[problem.pairs[p].slot])
            taken.removeLast()
            state.unassign(p)
        }
        visit(0, 0)
        return months
    }

    /// The tiny instance (seed 0) or a small city of nine days, with its members' months.
    private func months(seed: UInt64) throws -> (RotaProblem, RotaLagrangian) {
        let problem = RotaProblem(loaded: seed == 0 ? try loadTiny() : try smallCity(seed: seed, days: 9))
        return (problem, RotaLagrangian(problem: problem))
    }

    /// The cheapest of ``allMonths(_:_:lambda:mu:)``.
    private func enumerated(_ month: MemberMonth, _ problem: RotaProblem, lambda: [Double], mu: Double) -> Double {
        allMonths(month, problem, lambda: lambda, mu: mu).map(\.cost).min() ?? .infinity
    }

    @Test("each member's month: the dynamic program finds the enumeration's optimum", arguments: [0, 1, 2])
    func memberMonthExact(seed: UInt64) throws {
        let (problem, lagrangian) = try months(seed: seed)
        var random = SplitMix64(seed: 100 + seed)
        var workspace = MemberMonth.Workspace()
        var compared = 0
        // The program's branches the comparisons went through: dates counted since the last
        // start (rest rule, spread) or not, a cap on duties, a pin.
        var withHorizon = false, withoutHorizon = false, withCap = false, withPin = false
        for month in lagrangian.months where month.free.count <= 40 {
            // Prices around the cost of an open slot, so that some duties pay and some do not.
            let lambda = problem.slots.indices.map { _ in Double(random.below(1_200)) }
            let mu = Double(random.below(6))
            let dp = month.solve(lambda: lambda, mu: mu, workspace: &workspace)
            let exact = enumerated(month, problem, lambda: lambda, mu: mu)
            #expect(abs(dp.cost - exact) <= 1e-6 * max(1, abs(exact)), "member \(month.member): \(dp.cost) vs \(exact)")
            // The schedule it returns costs what it says.
            var state = RotaState(problem: problem)
            for p in problem.pinned where problem.pairs[p].member == month.member { state.assign(p) }
            for p in dp.pairs { #expect(state.canAssign(p)); state.assign(p) }
            #expect(abs(dp.deviation - state.deviation(month.member)) < 1e-9)
            let w = problem.weights
            let own = dp.pairs.reduce(0.0) { $0 + problem.linearCost($1) - w[.uncovered] + lambda[problem.pairs[$1].slot] }
                + (w[.fairness] + mu) * state.deviation(month.member)
                + w[.holidayFairness] * state.holidayDeviation(month.member) + w[.spread] * Double(state.spreadValue(month.member))
            #expect(abs(own - dp.cost) <= 1e-6 * max(1, abs(own)), "member \(month.member): the month costs \(own), not \(dp.cost)")
            compared += 1
            withHorizon = withHorizon || (month.horizon > 1 && !month.free.isEmpty)
            withoutHorizon = withoutHorizon || (month.horizon == 1 && !month.free.isEmpty)
            withCap = withCap || month.dutyCap != nil
            withPin = withPin || month.dates.contains(where: \.mandatory)
        }
        #expect(compared >= (seed == 0 ? 4 : 8))
        #expect(withHorizon && withoutHorizon)
        if seed > 0 { #expect(withCap && withPin) }
    }

    @Test("the members' months solved in two or three parts at once: the same value, months and counts as in one",
          arguments: [1, 2])
    func evaluationInParts(seed: UInt64) throws {
        let (problem, lagrangian) = try months(seed: seed)
        var random = SplitMix64(seed: 200 + seed)
        let lambda = problem.slots.indices.map { _ in Double(random.below(1_200)) }
        let mu = lagrangian.months.map { _ in Double(random.below(3)) }
        var one = [MemberMonth.Workspace()]
        let whole = one.withUnsafeMutableBufferPointer { lagrangian.evaluate(lambda: lambda, mu: mu, workspaces: $0) }
        for parts in [2, 3] {
            var workspaces = [MemberMonth.Workspace](repeating: MemberMonth.Workspace(), count: parts)
            let split = workspaces.withUnsafeMutableBufferPointer { lagrangian.evaluate(lambda: lambda, mu: mu, workspaces: $0) }
            #expect(abs(split.value - whole.value) <= 1e-9 * max(1, abs(whole.value)))
            #expect(split.schedules == whole.schedules)
            #expect(split.taken == whole.taken)
            #expect(split.deviation == whole.deviation)
        }
        // The taken counts are those of the schedules, counted here on their own.
        var taken = [Int](repeating: 0, count: problem.slots.count)
        for schedule in whole.schedules { for p in schedule { taken[problem.pairs[p].slot] += 1 } }
        #expect(taken == whole.taken)
        #expect(whole.schedules.contains { !$0.isEmpty })
    }

    @Test("the months within a threshold: exactly those of the enumeration that cost no more", arguments: [0, 1, 2])
    func monthsWithinThreshold(seed: UInt64) throws {
        let (problem, lagrangian) = try months(seed: seed)
        var random = SplitMix64(seed: 200 + seed)
        var scratch = RotaState(problem: problem)
        var compared = 0, listed = 0
        for month in lagrangian.months where month.free.count <= 30 {
            let lambda = problem.slots.indices.map { _ in Double(random.below(1_200)) }
            let mu = Double(random.below(6))
            let all = allMonths(month, problem, lambda: lambda, mu: mu)
            // The cost of one of the twenty cheapest months: some pass, mostly some do not.
            let costs = all.map(\.cost).sorted()
            let threshold = costs[random.below(min(costs.count, 20))]
            let expected = Set(all.filter { $0.cost <= threshold + 1e-9 }.map(\.pairs))
            let found = try #require(month.schedules(lambda: lambda, mu: mu, thresholds: [threshold], limit: 1_000_000))
            #expect(found.threshold == 0)
            // The program relaxes overlaps across neighbouring dates; the rules decide.
            let pins = problem.pinned.filter { problem.pairs[$0].member == month.member }
            let kept = found.pairs.filter { RotaColumns.keepsRules($0, pins: pins, in: &scratch) }
            #expect(kept.count == Set(kept).count, "member \(month.member): a month listed twice")
            #expect(Set(kept) == expected, "member \(month.member): \(kept.count) listed, \(expected.count) expected")
            // Too many for the limit: the first ones under the last threshold, flagged.
            if expected.count > 2 {
                let cut = try #require(month.schedules(lambda: lambda, mu: mu, thresholds: [threshold], limit: 2))
                #expect(cut.threshold == 1 && cut.pairs.count == 2)
            }
            compared += 1
            listed += expected.count
        }
        #expect(compared >= (seed == 0 ? 4 : 8))
        #expect(listed > compared)
    }

    @Test("the bound never exceeds the proven optimum, and comes near the linear relaxation's", arguments: [0, 1, 3])
    func boundBelowOptimum(seed: UInt64) throws {
        let loaded = seed == 0 ? try loadTiny() : try smallCity(seed: seed)
        let problem = RotaProblem(loaded: loaded)
        let planner = RotaPlanner(problem: problem, backend: GLPKBackend())
        let optimum = try planner.plan(RotaPlanOptions(engine: .glpk, timeLimit: 60))
        try #require(optimum.report.status == "optimal")
        let best = optimum.state.weightedTotal
        let outcome = RotaLagrangian(problem: problem).solve(upperBound: best * 1.05, seconds: 15)
        #expect(outcome.bound <= best + 1e-6 * max(1, best))
        let pinned = Set(problem.pinned)
        let relaxation = try RotaFormulation(problem: problem, free: problem.pairs.indices.filter { !pinned.contains($0) },
                                             fixed: problem.pinned).model.relaxation().solve(using: GLPKBackend())
        let lp = try #require(relaxation.objective)
        // The subgradient method approaches the Lagrangian dual (≥ the LP bound) from below.
        #expect(outcome.bound >= lp - 0.02 * max(1, abs(lp)), "Lagrangian \(outcome.bound) far below LP \(lp)")
        print("Lagrangian seed \(seed): optimum \(best), Lagrangian \(outcome.bound) in \(outcome.iterations) steps, LP \(lp)")
        // Restarted from its best prices (as the second core does), it starts at its bound
        // and stays a bound.
        let again = RotaLagrangian(problem: problem).solve(upperBound: best, seconds: 15, maxIterations: 300, from: outcome)
        #expect(again.bound >= outcome.bound)
        #expect(again.bound <= best + 1e-6 * max(1, best))
        // Resumed (as at 1,000 clinics), it keeps the step factor it ended with (at least
        // 1e-4): one step later θ is that, or half of it, never the full 2 again.
        #expect(outcome.theta < 2, "the first run never shrank its steps")
        let start = max(outcome.theta, 1e-4)
        let resumed = RotaLagrangian(problem: problem).solve(upperBound: best, seconds: 15, maxIterations: 1, from: outcome,
                                                             resumeStep: true)
        #expect(resumed.theta == start || resumed.theta == start / 2, "θ \(resumed.theta), ended at \(outcome.theta)")
        #expect(resumed.bound >= outcome.bound && resumed.bound <= best + 1e-6 * max(1, best))
        let fresh = RotaLagrangian(problem: problem).solve(upperBound: best, seconds: 15, maxIterations: 1, from: outcome)
        #expect(fresh.theta == 2)
        // On two threads (the largest months' first bound) it is a bound all the same.
        let parallel = RotaLagrangian(problem: problem).solve(upperBound: best * 1.05, seconds: 15, threads: 2)
        #expect(parallel.bound <= best + 1e-6 * max(1, best))
        #expect(parallel.bound >= lp - 0.02 * max(1, abs(lp)))
    }

    @Test("patience: a twentieth of the steps the time affords, between 5 and 50")
    func patience() {
        #expect(RotaLagrangian.patience(affordableSteps: 60) == 5)
        #expect(RotaLagrangian.patience(affordableSteps: 180) == 9)
        #expect(RotaLagrangian.patience(affordableSteps: 400) == 20)
        #expect(RotaLagrangian.patience(affordableSteps: 20_000) == 50)
        #expect(RotaLagrangian.patience(affordableSteps: .infinity) == 50)
    }

    @Test("a later round aims 30 % of the way from the bound while the rota is more than 5 % above it")
    func subgradientTarget() {
        // 1,000 > 750 · 1.05 = 787.5: 750 + 0.3 · 250 = 825.
        #expect(abs(RotaPlanner.subgradientTarget(best: 1_000, bound: 750) - 825) < 1e-9)
        // 780 ≤ 787.5: the rota itself.
        #expect(RotaPlanner.subgradientTarget(best: 780, bound: 750) == 780)
        #expect(RotaPlanner.subgradientTarget(best: 780, bound: -.infinity) == 780)
    }

    @Test("projection of μ: non-negative and within the pool's weight")
    func projection() {
        let projected = RotaLagrangian.project([5, -1, 3, 1, 0.5], pools: [0, 0, 0, 1, 1], poolCount: 2, cap: 4)
        // Pool 0: (5, 0, 3) onto Σ = 4: τ = 2 → (3, 0, 1). Pool 1: 1.5 ≤ 4 stays.
        #expect(projected == [3, 0, 1, 1, 0.5])
    }
}
