import RinbanCore

/// A rota under construction: which pairs are assigned, with the counts the hard rules
/// and the objective need, kept up to date in O(1)–O(window) per change.
///
/// This is the planner's own evaluator (the greedy's and the search's). `rinban score`
/// uses a separate one written from the contract alone; tests hold the two equal.
public struct RotaState: Sendable {
    public let problem: RotaProblem
    public private(set) var assigned: [Bool]
    public private(set) var slotCount: [Int]
    public private(set) var memberCount: [Int]
    /// Σ points of each member's assignments (history not included).
    public private(set) var points: [Double]
    /// Holiday-type assignments of each member (history not included).
    public private(set) var holidays: [Int]
    /// Assigned pairs of each member per date offset.
    private var dayPairs: [[[Int]]]
    /// The three largest deviations |P − T| of each pool: (deviation, member).
    private var poolTop: [Pool: [(Double, Int)]] = [:]

    private let days: Int

    public init(problem: RotaProblem) {
        self.problem = problem
        days = problem.instance.period.count
        assigned = [Bool](repeating: false, count: problem.pairs.count)
        slotCount = [Int](repeating: 0, count: problem.slots.count)
        memberCount = [Int](repeating: 0, count: problem.instance.members.count)
        points = [Double](repeating: 0, count: problem.instance.members.count)
        holidays = [Int](repeating: 0, count: problem.instance.members.count)
        dayPairs = [[[Int]]](repeating: [[Int]](repeating: [], count: days), count: problem.instance.members.count)
        for pool in Pool.allCases { refreshTop(pool) }
    }

    /// The assigned pairs, in pair order.
    public var assignedPairs: [Int] { assigned.indices.filter { assigned[$0] } }

    // MARK: Hard rules

    /// Whether assigning pair `p` keeps H1–H5.
    public func canAssign(_ p: Int) -> Bool {
        let pair = problem.pairs[p]
        guard !assigned[p], slotCount[pair.slot] < problem.slots[pair.slot].demand else { return false }
        return blockers(p, limit: 1).isEmpty && !atCap(pair.member)
    }

    /// Whether the member holds as many assignments as `maxDuties` allows.
    public func atCap(_ member: MemberIndex) -> Bool {
        guard let cap = problem.instance.members[member].maxDuties else { return false }
        return memberCount[member] >= cap
    }

    /// Assigned pairs of the same member that stop `p` under H2–H4 (up to `limit`).
    public func blockers(_ p: Int, limit: Int = .max) -> [Int] {
        let pair = problem.pairs[p]
        let m = pair.member
        let d = problem.dateOffset[pair.slot]
        let rules = problem.rules(of: m)
        var found: [Int] = []
        // H3: starts on the same date.
        if dayPairs[m][d].count >= rules.maxDutiesPerDate { found.append(contentsOf: dayPairs[m][d]) }
        // H4: other dates closer than minDaysBetween.
        let k = rules.minDaysBetween
        for dd in max(0, d - k + 1)...min(days - 1, d + k - 1) where dd != d {
            found.append(contentsOf: dayPairs[m][dd])
            if found.count >= limit { return found }
        }
        // H2: overlapping occurrences (a shift lasts at most 24 hours: neighbouring dates only).
        let occurrence = problem.slots[pair.slot].occurrence
        for dd in max(0, d - 1)...min(days - 1, d + 1) {
            for q in dayPairs[m][dd] where !found.contains(q)
                && problem.slots[problem.pairs[q].slot].occurrence.overlaps(occurrence)
            {
                found.append(q)
            }
        }
        return found
    }

    // MARK: Changes

    public mutating func assign(_ p: Int) {
        let pair = problem.pairs[p]
        precondition(!assigned[p])
        assigned[p] = true
        slotCount[pair.slot] += 1
        memberCount[pair.member] += 1
        points[pair.member] += problem.slots[pair.slot].points
        if problem.slots[pair.slot].dayType == .holiday { holidays[pair.member] += 1 }
        dayPairs[pair.member][problem.dateOffset[pair.slot]].append(p)
        updateTop(pair.member)
    }

    public mutating func unassign(_ p: Int) {
        let pair = problem.pairs[p]
        precondition(assigned[p])
        assigned[p] = false
        slotCount[pair.slot] -= 1
        memberCount[pair.member] -= 1
        points[pair.member] -= problem.slots[pair.slot].points
        if problem.slots[pair.slot].dayType == .holiday { holidays[pair.member] -= 1 }
        dayPairs[pair.member][problem.dateOffset[pair.slot]].removeAll { $0 == p }
        updateTop(pair.member)
    }

    // MARK: Objective

    /// |P_m − T_m| for a member with `extra` points more than now.
    func deviation(_ m: MemberIndex, extra: Double = 0) -> Double {
        abs(problem.instance.members[m].history.points + points[m] + extra - problem.target[m])
    }

    func holidayDeviation(_ m: MemberIndex, extra: Int = 0) -> Double {
        abs(Double(problem.instance.members[m].history.holidays + holidays[m] + extra) - problem.holidayTarget[m])
    }

    /// Assignments of `m` starting in the date window [first, first + length).
    func windowCount(_ m: MemberIndex, first: Int, length: Int) -> Int {
        var c = 0
        for dd in first..<(first + length) { c += dayPairs[m][dd].count }
        return c
    }

    /// Change of the weighted spread term if `m` gains (`sign` 1) or loses (−1) one start on date `d`.
    func spreadDelta(_ m: MemberIndex, date d: Int, sign: Int) -> Double {
        let k = problem.rules(of: m).spreadDays
        guard problem.spreadWindows(problem.instance.members[m].pool) > 0 else { return 0 }
        var delta = 0
        for first in max(0, d - k + 1)...min(d, days - k) {
            let c = windowCount(m, first: first, length: k)
            delta += sign > 0 ? (c >= 1 ? 1 : 0) : (c >= 2 ? -1 : 0)
        }
        return problem.weights[.spread] * Double(delta)
    }

    /// The change of the weighted objective when `removed` pairs are unassigned and then
    /// `added` pairs assigned (the hard rules are not checked here). Exact.
    public mutating func delta(removing removed: [Int] = [], adding added: [Int] = []) -> Double {
        let before = weightedTotal(onlyMembersOf: removed + added)
        for p in removed { unassign(p) }
        for p in added { assign(p) }
        let after = weightedTotal(onlyMembersOf: removed + added)
        for p in added.reversed() { unassign(p) }
        for p in removed.reversed() { assign(p) }
        return after - before
    }

    /// The cheap delta of unassigning one pair, the pool maximum taken from the cached top three.
    public func unassignDelta(_ p: Int) -> Double {
        let pair = problem.pairs[p]
        let m = pair.member
        let slot = problem.slots[pair.slot]
        let w = problem.weights
        var delta = w[.uncovered] - problem.linearCost(p)
        let newDeviation = deviation(m, extra: -slot.points)
        delta += w[.fairness] * (newDeviation - deviation(m))
        if slot.dayType == .holiday { delta += w[.holidayFairness] * (holidayDeviation(m, extra: -1) - holidayDeviation(m)) }
        delta += spreadDelta(m, date: problem.dateOffset[pair.slot], sign: -1)
        let top = poolTop[problem.instance.members[m].pool] ?? []
        let othersMax = top.first { $0.1 != m }?.0 ?? 0
        let oldMax = top.first?.0 ?? 0
        delta += w[.maxDeviation] * (max(othersMax, newDeviation) - oldMax)
        return delta
    }

    /// The cheap exact delta of assigning one pair (used to rank candidates).
    public func assignDelta(_ p: Int) -> Double {
        let pair = problem.pairs[p]
        let m = pair.member
        let slot = problem.slots[pair.slot]
        let w = problem.weights
        var delta = -w[.uncovered] + problem.linearCost(p)
        let newDeviation = deviation(m, extra: slot.points)
        delta += w[.fairness] * (newDeviation - deviation(m))
        if slot.dayType == .holiday { delta += w[.holidayFairness] * (holidayDeviation(m, extra: 1) - holidayDeviation(m)) }
        delta += spreadDelta(m, date: problem.dateOffset[pair.slot], sign: 1)
        let top = poolTop[problem.instance.members[m].pool] ?? []
        let othersMax = top.first { $0.1 != m }?.0 ?? 0
        let oldMax = top.first?.0 ?? 0
        delta += w[.maxDeviation] * (max(othersMax, newDeviation) - oldMax)
        return delta
    }

    /// The weighted rota objective restricted to what changes when `pairs`' members and
    /// slots change: uncovered of those slots, those members' terms, and every pool's max.
    private func weightedTotal(onlyMembersOf pairs: [Int]) -> Double {
        let w = problem.weights
        var total = 0.0
        var seenSlots: Set<Int> = []
        var seenMembers: Set<Int> = []
        for p in pairs {
            let pair = problem.pairs[p]
            if seenSlots.insert(pair.slot).inserted {
                total += w[.uncovered] * Double(problem.slots[pair.slot].demand - slotCount[pair.slot])
            }
            if seenMembers.insert(pair.member).inserted {
                total += w[.fairness] * deviation(pair.member) + w[.holidayFairness] * holidayDeviation(pair.member)
                total += w[.spread] * Double(spreadValue(pair.member))
            }
            if assigned[p] { total += problem.linearCost(p) }
        }
        for pool in Pool.allCases { total += w[.maxDeviation] * (poolTop[pool]?.first?.0 ?? 0) }
        return total
    }

    /// Σ over the member's spread windows of max(0, starts − 1).
    func spreadValue(_ m: MemberIndex) -> Int {
        let pool = problem.instance.members[m].pool
        guard problem.spreadWindows(pool) > 0 else { return 0 }
        let k = problem.instance.rules[pool].spreadDays
        var total = 0
        for first in 0...(days - k) { total += max(0, windowCount(m, first: first, length: k) - 1) }
        return total
    }

    /// Rebuilds a pool's list of largest deviations from scratch. O(pool).
    private mutating func refreshTop(_ pool: Pool) {
        var top: [(Double, Int)] = []
        for m in problem.poolMembers[pool] ?? [] {
            let d = deviation(m)
            if top.count < Self.topSize || d > top[top.count - 1].0 {
                top.append((d, m))
                top.sort { $0.0 > $1.0 }
                if top.count > Self.topSize { top.removeLast() }
            }
        }
        poolTop[pool] = top
    }

    /// How many of a pool's largest deviations are kept. Every member outside the list
    /// deviates no more than the list's last entry.
    private static let topSize = 8

    /// Updates a pool's list after member `m`'s deviation changed. O(topSize), with a
    /// rescan only when the list runs short.
    private mutating func updateTop(_ m: MemberIndex) {
        guard problem.active[m] else { return }
        let pool = problem.instance.members[m].pool
        var top = poolTop[pool] ?? []
        top.removeAll { $0.1 == m }
        let d = deviation(m)
        let poolSize = problem.poolMembers[pool]?.count ?? 0
        if top.count < Self.topSize && top.count + 1 >= poolSize || d > (top.last?.0 ?? -1) || top.isEmpty {
            let at = top.firstIndex { $0.0 < d } ?? top.count
            top.insert((d, m), at: at)
            if top.count > Self.topSize { top.removeLast() }
        }
        poolTop[pool] = top
        if top.count < 3 && poolSize > top.count { refreshTop(pool) }
    }

    /// Every rota term of SPEC section 5, unweighted.
    public var terms: [ObjectiveTerm: Double] {
        var terms: [ObjectiveTerm: Double] = [:]
        terms[.uncovered] = Double(problem.slots.indices.reduce(0) { $0 + problem.slots[$1].demand - slotCount[$1] })
        var fairness = 0.0, holiday = 0.0, maxDeviation = 0.0, spread = 0
        for pool in Pool.allCases {
            var poolMax = 0.0
            for m in problem.poolMembers[pool] ?? [] {
                fairness += deviation(m)
                holiday += holidayDeviation(m)
                poolMax = max(poolMax, deviation(m))
                spread += spreadValue(m)
            }
            maxDeviation += poolMax
        }
        terms[.fairness] = fairness
        terms[.maxDeviation] = maxDeviation
        terms[.holidayFairness] = holiday
        terms[.neighbor] = Double(assignedPairs.filter { problem.pairs[$0].neighbour }.count)
        terms[.avoid] = Double(assignedPairs.filter { problem.pairs[$0].avoided }.count)
        terms[.spread] = Double(spread)
        if problem.hasBaseline {
            let missed = problem.pairs.indices.reduce(0) { $0 + (assigned[$1] ? 0 : problem.pairs[$1].baselineCount) }
            terms[.stability] = Double(problem.unreachableBaseline + missed)
        }
        return terms
    }

    /// Σ weight × value over the rota terms.
    public var weightedTotal: Double {
        terms.reduce(0) { $0 + problem.weights[$1.key] * $1.value }
    }

    /// The assignments as ids, in slot order.
    public var assignments: [Assignment] {
        assignedPairs.sorted { problem.pairs[$0].slot != problem.pairs[$1].slot
            ? problem.pairs[$0].slot < problem.pairs[$1].slot : problem.pairs[$0].member < problem.pairs[$1].member
        }.map(problem.assignment)
    }
}
