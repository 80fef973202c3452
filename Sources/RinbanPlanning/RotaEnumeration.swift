import Foundation
import MIP
import RinbanCore

// Every month near the relaxation's optimum (docs/rota-formulation.md, "Every month within
// the gap"): once column generation has converged, each member's months whose reduced
// cost is at most the gap between the best rota and the relaxation are listed in full,
// and one integer program over them either finds a better rota or proves the best one.

extension MemberMonth {
    /// Every schedule whose cost under prices λ, μ (the cost ``solve(lambda:mu:workspace:)``
    /// minimises) is at most the first of `thresholds` under which there are no more than
    /// `limit`, as free pairs in pair order, with the index of that threshold. When every
    /// threshold has more (months that cost the same), the first `limit` found under the
    /// last, with the index `thresholds.count`; nil if `shouldStop` says so.
    ///
    /// The dynamic program runs forwards once, keeping the best cost of every state at the
    /// start of every date; the schedules are then read backwards from the last date, each
    /// step only along transitions whose cost, with the best cost of reaching their source
    /// and what the rest of the path already costs, stays within the threshold. So no path
    /// is followed that cannot end within it, and each schedule is met once.
    func schedules(lambda: [Double], mu: Double, thresholds: [Double], limit: Int,
                   shouldStop: (() -> Bool)? = nil) -> (pairs: [[Int]], threshold: Int)? {
        let fw = fairnessWeight + mu
        let pairCost = free.indices.map { baseCost[$0] + lambda[slotOf[$0]] + fw * points[$0] }
        let kCount = pointsCap + 1, hCount = holidayCap + 1, cCount = (dutyCap ?? 0) + 1
        let perDelta = kCount * hCount * cCount
        let stateCount = horizon * perDelta
        let start = (horizon - 1) * perDelta

        // Transitions of each date from its reachable states, by target: the spread's cost
        // and a group of options (each adds its own pairs' cost; the forward pass takes the
        // cheapest), or none for a date left out or the pins alone (group −1). Each group's
        // options in order of cost, so the walk back stops at the first that does not fit.
        struct Step {
            var source: Int32
            var cost: Double
            var group: Int32
        }
        var incoming = [[Int: [Step]]](repeating: [:], count: days)
        var optionsByCost: [[[(cost: Double, pairs: [Int])]]] = []
        var reach = [Double](repeating: .infinity, count: stateCount)
        reach[start] = 0
        var best = [[Double]]()  // per date: the best cost of each state at its start
        best.reserveCapacity(days)
        for d in 0..<days {
            best.append(reach)
            let choice = dates[d]
            let sameDateSpread = spreadWeight * Double(windowsHolding(d, d))
            let sorted = choice.groups.map { group in
                group.options.map { option in (cost: option.reduce(0) { $0 + pairCost[$1] }, pairs: option) }
                    .sorted { $0.cost < $1.cost }
            }
            optionsByCost.append(sorted)
            var next = [Double](repeating: .infinity, count: stateCount)
            func add(_ source: Int, _ target: Int, _ cost: Double, _ group: Int) {
                incoming[d][target, default: []].append(Step(source: Int32(source), cost: cost, group: Int32(group)))
                next[target] = min(next[target], reach[source] + cost + (group >= 0 ? sorted[group][0].cost : 0))
            }
            for state in 0..<stateCount where reach[state] < .infinity {
                let delta = state / perDelta + 1, rest = state % perDelta
                if !choice.mandatory { add(state, (min(delta + 1, horizon) - 1) * perDelta + rest, 0, -1) }
                guard delta >= minGap else { continue }
                let k = rest / (hCount * cCount), h = (rest / cCount) % hCount, c = rest % cCount
                let between = delta < horizon ? spreadWeight * Double(windowsHolding(d - delta, d)) : 0
                if choice.mandatory {
                    add(state, rest, between + sameDateSpread * Double(max(0, choice.pinnedStarts - 1)), -1)
                }
                for (g, group) in choice.groups.enumerated() {
                    let newC = c + group.duties
                    if dutyCap != nil && newC >= cCount { continue }
                    let newK = min(k + group.steps, pointsCap), newH = min(h + group.holidays, holidayCap)
                    let target = (newK * hCount + newH) * cCount + (dutyCap == nil ? 0 : newC)
                    add(state, target, between + sameDateSpread * Double(group.starts - 1), g)
                }
            }
            reach = next
        }

        // Backwards from the last date, within the threshold.
        let constant = fw * offset + holidayWeight * holidayOffset
        var threshold = 0.0, slack = 0.0
        var found: [[Int]] = []
        var path: [[Int]] = []
        /// False once the list is full (or `shouldStop` says so): the walk ends.
        func visit(_ d: Int, _ target: Int, _ suffix: Double) -> Bool {
            guard d >= 0 else {
                guard found.count < limit, !(shouldStop?() ?? false) else { return false }
                found.append(path.flatMap { $0.map { free[$0] } }.sorted())
                return true
            }
            for step in incoming[d][target] ?? [] {
                let source = Int(step.source)
                let room = threshold + slack - best[d][source] - step.cost - suffix
                guard step.group >= 0 else {
                    if room >= 0, !visit(d - 1, source, suffix + step.cost) { return false }
                    continue
                }
                for option in optionsByCost[d][Int(step.group)] {
                    guard option.cost <= room else { break }
                    path.append(option.pairs)
                    defer { path.removeLast() }
                    if !visit(d - 1, source, suffix + step.cost + option.cost) { return false }
                }
            }
            return true
        }
        for (index, value) in thresholds.enumerated() {
            threshold = value
            slack = 1e-9 * max(1, abs(value))
            found = []
            var complete = true
            for state in 0..<stateCount where reach[state] < .infinity {
                let rest = state % perDelta
                let k = rest / (hCount * cCount), h = (rest / cCount) % hCount
                let last = 2 * fw * max(0, -offset - step * Double(k))
                    + 2 * holidayWeight * max(0, -holidayOffset - Double(h)) + constant
                guard reach[state] + last <= threshold + slack else { continue }
                complete = visit(days - 1, state, last)
                if !complete { break }
            }
            if complete { return (found, index) }
            if shouldStop?() ?? false { return nil }
        }
        return shouldStop?() ?? false ? nil : (found, thresholds.count)
    }
}

extension RotaColumnGeneration {
    /// Each member's months whose reduced cost at the converged master's duals is at most
    /// the gap `incumbent − master.value` (less the members' months that price below their
    /// dual, none once converged): by the argument of reduced-cost fixing (``Session/pool``)
    /// no rota below `incumbent` uses any other month.
    ///
    /// `complete` is true when every such month of every member is listed; a member with
    /// more than `perMember` of them gets those within a half, a quarter, … of the gap
    /// instead (the list is then not complete), and so do all members once the months
    /// listed pass `total`. Also false when the duals lie outside the Lagrangian prices'
    /// domain (then the months' costs under the prices are not their reduced costs).
    func monthsWithinGap(
        master: Master, incumbent state: RotaState, perMember: Int, total: Int, deadline: ContinuousClock.Instant
    ) -> (pool: RotaColumnPool, complete: Bool) {
        let incumbent = state.weightedTotal
        let current = RotaColumns.freePairsByMember(state, problem: problem).map { Set($0) }
        let w = problem.weights
        let months = lagrangian.months
        let tolerance = 1e-7 * max(1, abs(master.value))
        var complete = true
        var lambda = [Double](repeating: 0, count: problem.slots.count)
        for s in problem.slots.indices where lagrangian.priced[s] {
            let price = w[.uncovered] - master.coverDual[s]
            if price < -tolerance { complete = false }
            lambda[s] = max(0, price)
        }
        let raw = master.deviationDual.map { max(0, -$0) }
        if master.deviationDual.contains(where: { $0 > tolerance }) { complete = false }
        let mu = RotaLagrangian.project(raw, pools: lagrangian.poolOfMonth, poolCount: lagrangian.poolCount,
                                        cap: w[.maxDeviation])
        if zip(mu, raw).contains(where: { abs($0 - $1) > tolerance }) { complete = false }

        // The least reduced cost of each member (the dynamic program's best month).
        var workspace = MemberMonth.Workspace()
        let least = months.indices.map { i in
            months[i].solve(lambda: lambda, mu: mu[i], workspace: &workspace).cost - master.memberDual[i]
        }
        let below = least.reduce(0.0) { $0 + min(0, $1) }
        let gap = incumbent - master.value - below + tolerance
        guard gap >= 0 else { return ([], false) }

        let costs = RotaColumns(problem: problem, columns: [])
        var scratch = RotaState(problem: problem)
        let stop = { ContinuousClock.now >= deadline }
        var listed: [[[Int]]] = []
        var count = 0
        for (i, month) in months.enumerated() {
            let gaps = (0..<Self.enumerationHalvings).map { gap / Double(1 << $0) }
            let share = max(0, min(perMember, total / max(1, months.count), total - count))
            guard !stop(), case (var found, let index)? = month.schedules(
                lambda: lambda, mu: mu[i], thresholds: gaps.map { master.memberDual[i] + $0 },
                limit: share * Self.enumerationSurplus, shouldStop: stop)
            else {
                complete = false
                listed.append([])
                continue
            }
            if index > 0 { complete = false }
            if found.count > share {
                // The months nearest the best rota's.
                complete = false
                let mine = current[month.member]
                func distance(_ pairs: [Int]) -> Int { mine.symmetricDifference(pairs).count }
                found = Array(found.map { ($0, distance($0)) }.sorted { $0.1 < $1.1 }.prefix(share).map(\.0))
            }
            let within = gaps[min(index, gaps.count - 1)]
            // Exact reduced costs (the cover and deviation duals), and the rules with the pins.
            let kept = found.filter { pairs in
                let cost = costs.cost(of: pairs, member: month.member)
                var reduced = cost.total - master.memberDual[i] - master.deviationDual[i] * cost.deviation
                for p in pairs { reduced -= master.coverDual[problem.pairs[p].slot] }
                return reduced <= within + tolerance
                    && RotaColumns.keepsRules(pairs, pins: costs.pinsOf[month.member], in: &scratch)
            }
            count += found.count
            listed.append(kept)
        }
        if stop() { complete = false }
        return (months.indices.compactMap { i in listed[i].isEmpty ? nil : (months[i].member, listed[i]) }, complete)
    }

    /// Times the gap is halved for a member with too many months within it.
    static let enumerationHalvings = 10
    /// A member may list this many times their share; past the share, the months nearest
    /// the best rota's are kept. Months of equal reduced cost are common (a member's dates
    /// priced alike), so even the smallest threshold may hold too many; the nearest are
    /// those a better rota most likely takes (Shizuoka seed 3: the optimum, where the
    /// first ones listed held nothing better).
    static let enumerationSurplus = 10
}
