import Foundation
import RinbanCore

/// Schedules of members: member index and each schedule's free pairs.
public typealias RotaColumnPool = [(member: MemberIndex, pairs: [[Int]])]

/// A Lagrangian lower bound of the whole rota (docs/rota-formulation.md, "The Lagrangian
/// bound").
///
/// The cover rows Σ_{p∈s} x_p ≤ D_s (with u_s = D_s − Σ x substituted) are priced by
/// λ_s ≥ 0, and the pool rows z ≥ d_m by μ_m ≥ 0 with Σ_pool μ ≤ w.maxDeviation. What is
/// left falls apart by member: each member's month — rest, per-date limit, the same date's
/// overlaps, cap, pins, fairness, holiday fairness and spread, all exact — is a shortest
/// path over the dates (``MemberMonth``), solved by dynamic programming. For every λ, μ
/// the value L(λ, μ) is a proven lower bound of the rota's optimum; the subgradient method
/// raises it.
///
/// Relaxed, so the bound stays a bound: overlaps between occurrences on neighbouring
/// dates (possible only when `minDaysBetween` is 1 and a shift runs past the next
/// date's start).
public struct RotaLagrangian: Sendable {
    public let problem: RotaProblem
    /// Demand left to the free pairs of each slot (demand − pins).
    let remaining: [Int]
    /// Months of active members; members without eligible pairs are constants in `constant`.
    let months: [MemberMonth]
    /// Pinned pairs' linear costs, the baseline constant and the uncovered demand of
    /// slots without any free pair.
    let constant: Double
    /// Pool of each month (index into `pools`), for the μ constraint Σ μ ≤ w.maxDeviation.
    let poolOfMonth: [Int]
    let poolCount: Int
    /// Slots with at least one free pair (their cover row is priced).
    let priced: [Bool]

    public init(problem: RotaProblem) {
        self.problem = problem
        let instance = problem.instance
        let slots = problem.slots
        let w = problem.weights
        var remaining = slots.map(\.demand)
        var isPinned = [Bool](repeating: false, count: problem.pairs.count)
        for p in problem.pinned {
            isPinned[p] = true
            remaining[problem.pairs[p].slot] -= 1
        }
        self.remaining = remaining
        var constant = problem.baselineConstant
        for p in problem.pinned { constant += problem.linearCost(p) }
        var months: [MemberMonth] = []
        var poolOfMonth: [Int] = []
        let pools = Pool.allCases
        for m in instance.members.indices where problem.active[m] {
            let free = problem.pairsOfMember[m].filter { !isPinned[$0] && remaining[problem.pairs[$0].slot] > 0 }
            let pins = problem.pairsOfMember[m].filter { isPinned[$0] }
            months.append(MemberMonth(problem: problem, member: m, free: free, pins: pins))
            poolOfMonth.append(pools.firstIndex(of: instance.members[m].pool)!)
        }
        // Slots nobody can take stay uncovered whatever λ is.
        var takers = [Int](repeating: 0, count: slots.count)
        for month in months { for p in month.free { takers[problem.pairs[p].slot] += 1 } }
        for s in slots.indices where takers[s] == 0 { constant += w[.uncovered] * Double(max(0, remaining[s])) }
        priced = takers.map { $0 > 0 }
        self.constant = constant
        self.months = months
        self.poolOfMonth = poolOfMonth
        poolCount = pools.count
    }

    /// One evaluation of L(λ, μ).
    struct Evaluation {
        var value: Double
        /// Free pairs taken per slot in the members' best months.
        var taken: [Int]
        /// |P_m − T_m| of each month's best schedule.
        var deviation: [Double]
        /// Each month's best schedule: its free pairs, in pair order.
        var schedules: [[Int]]
    }

    /// L(λ, μ) with the members' best months. λ per slot (≥ 0), μ per month (≥ 0, summing
    /// to at most w.maxDeviation per pool).
    func evaluate(lambda: [Double], mu: [Double], workspace: inout MemberMonth.Workspace) -> Evaluation {
        withUnsafeMutablePointer(to: &workspace) {
            evaluate(lambda: lambda, mu: mu, workspaces: UnsafeMutableBufferPointer(start: $0, count: 1))
        }
    }

    /// L(λ, μ) with the members' months split into one contiguous part per workspace, the
    /// parts solved at the same time (one thread each). The sums are added in part order,
    /// so the value is the same for the same number of parts.
    func evaluate(lambda: [Double], mu: [Double], workspaces: UnsafeMutableBufferPointer<MemberMonth.Workspace>) -> Evaluation {
        let w = problem.weights
        var value = constant
        for s in problem.slots.indices where priced[s] { value += (w[.uncovered] - lambda[s]) * Double(remaining[s]) }
        let parts = max(1, min(workspaces.count, months.count))
        var deviation = [Double](repeating: 0, count: months.count)
        var schedules = [[Int]](repeating: [], count: months.count)
        var partValue = [Double](repeating: 0, count: parts)
        var partTaken = [[Int]](repeating: [], count: parts)
        deviation.withUnsafeMutableBufferPointer { deviation in
            schedules.withUnsafeMutableBufferPointer { schedules in
                partValue.withUnsafeMutableBufferPointer { partValue in
                    partTaken.withUnsafeMutableBufferPointer { partTaken in
                        // Each part writes only its own months' entries and its own sums.
                        let out = PartBuffers(deviation: deviation, schedules: schedules, value: partValue, taken: partTaken,
                                              workspaces: workspaces)
                        let solvePart: @Sendable (Int) -> Void = { part in
                            var taken = [Int](repeating: 0, count: problem.slots.count)
                            var sum = 0.0
                            for i in (months.count * part / parts)..<(months.count * (part + 1) / parts) {
                                let best = months[i].solve(lambda: lambda, mu: mu[i], workspace: &out.workspaces[part])
                                sum += best.cost
                                out.deviation[i] = best.deviation
                                out.schedules[i] = best.pairs.sorted()
                                for p in best.pairs { taken[problem.pairs[p].slot] += 1 }
                            }
                            out.value[part] = sum
                            out.taken[part] = taken
                        }
                        if parts == 1 { solvePart(0) } else { DispatchQueue.concurrentPerform(iterations: parts, execute: solvePart) }
                    }
                }
            }
        }
        var taken = partTaken[0]
        for part in 1..<parts { for s in taken.indices { taken[s] += partTaken[part][s] } }
        for part in 0..<parts { value += partValue[part] }
        return Evaluation(value: value, taken: taken, deviation: deviation, schedules: schedules)
    }

    /// Where the parts of one ``evaluate(lambda:mu:workspaces:)`` write: disjoint entries of
    /// buffers that outlive the parts.
    private struct PartBuffers: @unchecked Sendable {
        let deviation: UnsafeMutableBufferPointer<Double>
        let schedules: UnsafeMutableBufferPointer<[Int]>
        let value: UnsafeMutableBufferPointer<Double>
        let taken: UnsafeMutableBufferPointer<[Int]>
        let workspaces: UnsafeMutableBufferPointer<MemberMonth.Workspace>
    }

    /// The outcome of the subgradient method.
    public struct Outcome: Sendable {
        /// The best L(λ, μ) found: a proven lower bound of the rota's total (lowered by a
        /// relative 1e-9 against rounding in the sums).
        public var bound: Double
        /// Prices λ_s of the cover rows at the best bound.
        public var lambda: [Double]
        /// Prices μ of the pool rows at the best bound (per month of ``months``).
        public var mu: [Double]
        public var iterations: Int
        public var seconds: Double
        /// The step factor θ when the method ended: where a later run resumes with
        /// `resumeStep`.
        public var theta: Double = 2
        /// The last distinct best schedules of each member (``RotaColumns``): member index
        /// and free pairs, most recent first, at most `columnsPerMember` of each.
        public var columns: RotaColumnPool = []
    }

    /// Raises L by the subgradient method with Polyak steps towards `upperBound` (a known
    /// rota's total), until `seconds` pass, the step size has shrunk to nothing, the bound
    /// meets the upper bound, or `shouldStop` says so.
    ///
    /// - Parameter from: prices to start from (an earlier outcome's), instead of every
    ///   slot at the cost of leaving it open. A restart with full steps from there finds
    ///   other member-months around the same prices.
    /// - Parameter resumeStep: with `from`, start at its step factor θ instead of 2: the
    ///   run goes on where that one ended (measured at 1,000 clinics, where a run affords
    ///   only about a hundred steps: full steps again lose them all, resumed ones raise the
    ///   bound by 100–250).
    /// - Parameter threads: members' months solved at the same time in each step (the
    ///   largest networks, where a step takes tens of milliseconds).
    public func solve(
        upperBound: Double, seconds: Double, maxIterations: Int = 100_000, columnsPerMember: Int = 0,
        from start: Outcome? = nil, resumeStep: Bool = false, threads: Int = 1, shouldStop: (@Sendable () -> Bool)? = nil,
        improved: ((Double) -> Void)? = nil
    ) -> Outcome {
        let clock = ContinuousClock()
        let began = clock.now
        let w = problem.weights
        var workspaces = [MemberMonth.Workspace](repeating: MemberMonth.Workspace(), count: max(1, threads))
        // Start: every slot priced at the cost of leaving it open, so that a member takes a
        // duty only where it brings them towards their fair share.
        var lambda = [Double](repeating: w[.uncovered], count: problem.slots.count)
        var poolSize = [Int](repeating: 0, count: poolCount)
        for pool in poolOfMonth { poolSize[pool] += 1 }
        var mu = poolOfMonth.map { w[.maxDeviation] / Double(max(poolSize[$0], 1)) }
        if let start, start.lambda.count == lambda.count, start.mu.count == mu.count {
            lambda = start.lambda
            mu = start.mu
        }
        var best = -Double.infinity
        var bestLambda = lambda
        var bestMu = mu
        // Polyak steps θ·(target − L)/‖g‖², θ halved after `patience` steps without a gain
        // of 0.01 % (chosen by measurement on the bundled months: docs/rota-formulation.md).
        // Where the time affords only a few hundred steps (1,000 clinics: about 75 ms a
        // step), θ must come down sooner: after the first steps, patience becomes a
        // twentieth of the steps the time affords, between 5 and 50.
        var theta = 2.0
        if resumeStep, let start { theta = max(start.theta, 1e-4) }
        var patience = Self.patience
        var sinceBest = 0
        var iterations = 0
        // Schedule → the last iteration that chose it, per month.
        var lastSeen = [[[Int]: Int]](repeating: [:], count: columnsPerMember > 0 ? months.count : 0)
        while iterations < maxIterations {
            if (clock.now - began).seconds >= seconds || (shouldStop?() ?? false) { break }
            iterations += 1
            let e = workspaces.withUnsafeMutableBufferPointer { evaluate(lambda: lambda, mu: mu, workspaces: $0) }
            if iterations == 3 {
                let affordable = seconds / max((clock.now - began).seconds / 3, 1e-9)
                patience = Self.patience(affordableSteps: affordable)
            }
            if columnsPerMember > 0 {
                for i in months.indices {
                    lastSeen[i][e.schedules[i]] = iterations
                    // Memory stays bounded: keep the most recent ones once there are 4× enough.
                    if lastSeen[i].count > 4 * columnsPerMember {
                        lastSeen[i] = Dictionary(uniqueKeysWithValues: lastSeen[i].sorted { $0.value > $1.value }
                            .prefix(columnsPerMember).map { ($0.key, $0.value) })
                    }
                }
            }
            if !best.isFinite || e.value > best + 1e-9 * max(1, abs(best)) {
                if !best.isFinite || e.value > best + 1e-4 * max(1, abs(best)) { sinceBest = 0 } else { sinceBest += 1 }
                best = e.value
                bestLambda = lambda
                bestMu = mu
                improved?(best)
            } else {
                sinceBest += 1
            }
            if sinceBest >= patience {
                theta /= 2
                sinceBest = 0
                if theta < 1e-5 { break }
            }
            if upperBound - best <= 1e-6 * max(1, abs(upperBound)) { break }
            // Subgradients: λ_s of Σx − D_s, μ_m of d_m − z (z = 0 is a best z).
            var norm = 0.0
            var gLambda = [Double](repeating: 0, count: lambda.count)
            for s in lambda.indices {
                var g = Double(e.taken[s] - remaining[s])
                if lambda[s] <= 0 && g < 0 { g = 0 }
                gLambda[s] = g
                norm += g * g
            }
            var gMu = e.deviation
            for g in gMu { norm += g * g }
            if norm < 1e-12 { break }
            let step = theta * max(upperBound - e.value, 1e-6 * max(1, abs(upperBound))) / norm
            for s in lambda.indices where gLambda[s] != 0 { lambda[s] = max(0, lambda[s] + step * gLambda[s]) }
            for i in mu.indices { gMu[i] = mu[i] + step * gMu[i] }
            mu = Self.project(gMu, pools: poolOfMonth, poolCount: poolCount, cap: w[.maxDeviation])
        }
        let bound = best.isFinite ? best - 1e-9 * max(1, abs(best)) : -Double.infinity
        var outcome = Outcome(bound: bound, lambda: bestLambda, mu: bestMu, iterations: iterations,
                              seconds: (clock.now - began).seconds, theta: theta)
        outcome.columns = lastSeen.indices.map { i in
            (months[i].member, lastSeen[i].sorted { $0.value > $1.value }.prefix(columnsPerMember).map(\.key))
        }
        return outcome
    }

    /// Steps without a gain of 0.01 % after which θ is halved, where the time affords many
    /// steps.
    static let patience = 50

    /// Patience where the time affords `affordableSteps`: a twentieth of them, between 5
    /// and ``patience``. Measured on the 1,000-clinic city (seed 2027, `--only rota`): with
    /// about 180 steps, patience 50 ends at 11,118, 20 at 11,237, 10 at 11,561 and 5 at
    /// 11,640; with about 390 steps, 20 ends at 11,932 and 10 at 11,813.
    static func patience(affordableSteps: Double) -> Int {
        guard affordableSteps.isFinite else { return patience }
        return min(patience, max(5, Int(affordableSteps / 20)))
    }

    /// Euclidean projection of μ onto {μ ≥ 0, Σ_pool μ ≤ cap} for every pool.
    static func project(_ values: [Double], pools: [Int], poolCount: Int, cap: Double) -> [Double] {
        var result = values.map { max(0, $0) }
        for pool in 0..<poolCount {
            let indices = pools.indices.filter { pools[$0] == pool }
            let total = indices.reduce(0) { $0 + result[$1] }
            guard total > cap else { continue }
            // Onto the simplex Σ = cap: subtract the threshold τ and clip at 0.
            let sorted = indices.map { values[$0] }.sorted(by: >)
            var sum = 0.0, tau = 0.0
            for (j, v) in sorted.enumerated() {
                sum += v
                let t = (sum - cap) / Double(j + 1)
                if v - t > 0 { tau = t }
            }
            for i in indices { result[i] = max(0, values[i] - tau) }
        }
        return result
    }
}

/// One member's month with the cover rows priced: choose the free pairs that minimise
///
///   Σ_p (c_p − w.uncovered + λ_s) x_p + (w.fairness + μ)·|P − T| + w.holidayFairness·|H − TH|
///   + w.spread · Σ_windows max(0, starts − 1)
///
/// under the member's rest rules (H3, H4), the same date's overlaps (H2), the cap (H5) and
/// the pins. A dynamic program over the dates whose state is (dates since the last start,
/// points so far, holidays so far, duties so far), each counted only as far as it matters:
///
/// - |a + g·k| = (a + g·k) + 2·max(0, −a − g·k): the first part is linear, so it goes into
///   each pair's cost, and the second is 0 from K = ⌈−a/g⌉ on, so the points counter stops
///   at K (the same for holidays);
/// - max(0, n_W − 1) summed over windows equals, summed over consecutive starts t < t′,
///   the number of windows holding both: a cost of each step of the path that needs only
///   the date of the last start;
/// - the counter of duties exists only when the cap can bind.
struct MemberMonth: Sendable {
    let member: MemberIndex
    /// Free pairs (each with demand left in its slot).
    let free: [Int]
    /// Per free pair (same order): slot, linear cost + the linear parts of the fairness
    /// terms without μ, points, points in lattice steps, holiday flag.
    let slotOf: [Int]
    let baseCost: [Double]
    let points: [Double]
    let steps: [Int]
    let holiday: [Bool]
    /// Per date: what may start on it. `mandatory`: a pin starts on it.
    struct DateChoices: Sendable {
        var mandatory: Bool
        var pinnedStarts: Int
        /// Sets of free pairs (positions in `free`) that may start together on this date
        /// with the pins, grouped by their (points steps, holidays, duties, starts).
        var groups: [Group]
    }
    struct Group: Sendable {
        var steps: Int
        var holidays: Int
        var duties: Int
        var starts: Int
        var options: [[Int]]
    }
    let dates: [DateChoices]
    let days: Int
    let minGap: Int
    let spreadLength: Int  // 0: no spread term
    let spreadWeight: Double
    let horizon: Int  // Δ: "dates since the last start" saturates here
    let pointsCap: Int  // K
    let holidayCap: Int  // H
    let dutyCap: Int?  // C (nil: cannot bind)
    let offset: Double  // a = history + pins − T
    let step: Double  // g
    let holidayOffset: Double  // b
    let fairnessWeight: Double
    let holidayWeight: Double

    init(problem: RotaProblem, member m: MemberIndex, free: [Int], pins: [Int]) {
        let instance = problem.instance
        let slots = problem.slots
        let w = problem.weights
        let member = instance.members[m]
        let rules = problem.rules(of: m)
        let days = instance.period.count
        self.member = m
        self.free = free
        self.days = days
        let slotOf = free.map { problem.pairs[$0].slot }
        let points = slotOf.map { slots[$0].points }
        let holiday = slotOf.map { slots[$0].dayType == .holiday }
        let step = latticeStep(points)
        let steps = points.map { Int(($0 / step).rounded()) }
        self.slotOf = slotOf
        self.points = points
        self.holiday = holiday
        self.step = step
        self.steps = steps
        let pinPoints = pins.reduce(0.0) { $0 + slots[problem.pairs[$1].slot].points }
        let pinHolidays = pins.filter { slots[problem.pairs[$0].slot].dayType == .holiday }.count
        let offset = member.history.points + pinPoints - problem.target[m]
        let holidayOffset = Double(member.history.holidays + pinHolidays) - problem.holidayTarget[m]
        self.offset = offset
        self.holidayOffset = holidayOffset
        fairnessWeight = w[.fairness]
        holidayWeight = w[.holidayFairness]
        spreadWeight = w[.spread]
        let uncovered = w[.uncovered]
        baseCost = free.indices.map { i in
            problem.linearCost(free[i]) - uncovered + w[.holidayFairness] * (holiday[i] ? 1 : 0)
        }
        pointsCap = max(0, Int((-offset / step - 1e-9).rounded(.up)))
        holidayCap = max(0, Int((-holidayOffset - 1e-9).rounded(.up)))
        let minGap = max(1, min(rules.minDaysBetween, days))
        let spreadLength = problem.spreadWindows(member.pool) > 0 ? rules.spreadDays : 0
        self.minGap = minGap
        self.spreadLength = spreadLength
        horizon = max(minGap, spreadLength, 1)
        let possibleStarts = ((days + minGap - 1) / minGap) * rules.maxDutiesPerDate
        if let cap = member.maxDuties, cap - pins.count < min(free.count, possibleStarts) {
            dutyCap = max(0, cap - pins.count)
        } else {
            dutyCap = nil
        }

        // What may start on each date: subsets of the date's free pairs of at most
        // maxDutiesPerDate − pins, pairwise not overlapping (pins included).
        var freeOnDate = [[Int]](repeating: [], count: days)
        for i in free.indices { freeOnDate[problem.dateOffset[slotOf[i]]].append(i) }
        var pinsOnDate = [[Int]](repeating: [], count: days)
        for p in pins { pinsOnDate[problem.dateOffset[problem.pairs[p].slot]].append(p) }
        var dates: [DateChoices] = []
        for d in 0..<days {
            let pinned = pinsOnDate[d]
            let room = rules.maxDutiesPerDate - pinned.count
            let candidates = freeOnDate[d].filter { i in
                pinned.allSatisfy { !slots[problem.pairs[$0].slot].occurrence.overlaps(slots[slotOf[i]].occurrence) }
            }
            var subsets: [[Int]] = []
            if room >= 1 {
                // Grow subsets in position order; at most `room` pairs, none overlapping.
                var frontier: [[Int]] = [[]]
                for _ in 0..<room {
                    var grown: [[Int]] = []
                    for set in frontier {
                        for i in candidates where i > (set.last ?? -1) {
                            let o = slots[slotOf[i]].occurrence
                            if set.allSatisfy({ !slots[slotOf[$0]].occurrence.overlaps(o) }) { grown.append(set + [i]) }
                        }
                    }
                    subsets += grown
                    frontier = grown
                    if subsets.count > 4096 { break }
                }
            }
            var groupIndex: [[Int]: Int] = [:]
            var groups: [Group] = []
            for set in subsets {
                let key = [set.reduce(0) { $0 + steps[$1] }, set.filter { holiday[$0] }.count, set.count]
                if let g = groupIndex[key] {
                    groups[g].options.append(set)
                } else {
                    groupIndex[key] = groups.count
                    groups.append(Group(steps: key[0], holidays: key[1], duties: key[2], starts: key[2] + pinned.count,
                                        options: [set]))
                }
            }
            dates.append(DateChoices(mandatory: !pinned.isEmpty, pinnedStarts: pinned.count, groups: groups))
        }
        self.dates = dates
    }

    /// Reusable buffers of the dynamic program.
    struct Workspace {
        var current: [Double] = []
        var next: [Double] = []
        /// Per date and state: the previous state and the group taken (−1: none).
        var fromState: [Int32] = []
        var fromGroup: [Int32] = []
        var groupCost: [Double] = []
        var pairCost: [Double] = []
    }

    /// Windows of `spreadLength` dates (inside the period) holding both dates t1 ≤ t2.
    func windowsHolding(_ t1: Int, _ t2: Int) -> Int {
        guard spreadLength > 0 else { return 0 }
        return max(0, min(t1, days - spreadLength) - max(0, t2 - spreadLength + 1) + 1)
    }

    /// The best month under prices λ (per slot) and μ: its cost, pairs and |P − T|.
    func solve(lambda: [Double], mu: Double, workspace ws: inout Workspace) -> (cost: Double, pairs: [Int], deviation: Double) {
        let fw = fairnessWeight + mu
        ws.pairCost.removeAll(keepingCapacity: true)
        for i in free.indices { ws.pairCost.append(baseCost[i] + lambda[slotOf[i]] + fw * points[i]) }
        let kCount = pointsCap + 1, hCount = holidayCap + 1, cCount = (dutyCap ?? 0) + 1
        let perDelta = kCount * hCount * cCount
        let stateCount = horizon * perDelta  // δ = 1…horizon stored at δ − 1
        if ws.current.count < stateCount {
            ws.current = [Double](repeating: .infinity, count: stateCount)
            ws.next = ws.current
        }
        if ws.fromState.count < stateCount * days {
            ws.fromState = [Int32](repeating: -1, count: stateCount * days)
            ws.fromGroup = ws.fromState
        }
        for i in 0..<stateCount { ws.current[i] = .infinity }
        ws.current[(horizon - 1) * perDelta] = 0  // nothing started yet: δ saturated, counters 0
        for d in 0..<days {
            let choice = dates[d]
            // The best option of each group under today's prices.
            ws.groupCost.removeAll(keepingCapacity: true)
            for group in choice.groups {
                var bestCost = Double.infinity
                for option in group.options {
                    var c = 0.0
                    for i in option { c += ws.pairCost[i] }
                    bestCost = min(bestCost, c)
                }
                ws.groupCost.append(bestCost)
            }
            for i in 0..<stateCount { ws.next[i] = .infinity }
            let base = d * stateCount
            let sameDateSpread = spreadWeight * Double(windowsHolding(d, d))
            for delta in 1...horizon {
                for rest in 0..<perDelta {
                    let state = (delta - 1) * perDelta + rest
                    let value = ws.current[state]
                    if value == .infinity { continue }
                    if !choice.mandatory {
                        let target = (min(delta + 1, horizon) - 1) * perDelta + rest
                        if value < ws.next[target] {
                            ws.next[target] = value
                            ws.fromState[base + target] = Int32(state)
                            ws.fromGroup[base + target] = -1
                        }
                    }
                    guard delta >= minGap else { continue }
                    let k = rest / (hCount * cCount), h = (rest / cCount) % hCount, c = rest % cCount
                    // Spread between the last start and today (none once δ saturates: δ ≥ spreadDays).
                    let between = delta < horizon ? spreadWeight * Double(windowsHolding(d - delta, d)) : 0
                    if choice.groups.isEmpty {
                        // Only pins start today.
                        guard choice.mandatory else { continue }
                        let cost = value + between + sameDateSpread * Double(max(0, choice.pinnedStarts - 1))
                        let target = rest  // δ = 1 tomorrow
                        if cost < ws.next[target] {
                            ws.next[target] = cost
                            ws.fromState[base + target] = Int32(state)
                            ws.fromGroup[base + target] = -2
                        }
                        continue
                    }
                    for (g, group) in choice.groups.enumerated() {
                        let newC = c + group.duties
                        if dutyCap != nil && newC >= cCount { continue }
                        let newK = min(k + group.steps, pointsCap), newH = min(h + group.holidays, holidayCap)
                        let cost = value + ws.groupCost[g] + between + sameDateSpread * Double(group.starts - 1)
                        let target = (newK * hCount + newH) * cCount + (dutyCap == nil ? 0 : newC)
                        if cost < ws.next[target] {
                            ws.next[target] = cost
                            ws.fromState[base + target] = Int32(state)
                            ws.fromGroup[base + target] = Int32(g)
                        }
                    }
                    // Pins with nothing more: a start without free pairs.
                    if choice.mandatory {
                        let cost = value + between + sameDateSpread * Double(max(0, choice.pinnedStarts - 1))
                        if cost < ws.next[rest] {
                            ws.next[rest] = cost
                            ws.fromState[base + rest] = Int32(state)
                            ws.fromGroup[base + rest] = -2
                        }
                    }
                }
            }
            swap(&ws.current, &ws.next)
        }
        // Terminal: the kinks of both deviations.
        var bestState = -1
        var bestCost = Double.infinity
        for state in 0..<stateCount where ws.current[state] < .infinity {
            let rest = state % perDelta
            let k = rest / (hCount * cCount), h = (rest / cCount) % hCount
            let cost = ws.current[state] + 2 * fw * max(0, -offset - step * Double(k))
                + 2 * holidayWeight * max(0, -holidayOffset - Double(h))
            if cost < bestCost { bestCost = cost; bestState = state }
        }
        guard bestState >= 0 else { return (.infinity, [], 0) }
        // The linear parts' constants: (w + μ)·a and w_h·b.
        bestCost += fw * offset + holidayWeight * holidayOffset
        var chosen: [Int] = []
        var state = bestState
        var earned = 0.0
        for d in stride(from: days - 1, through: 0, by: -1) {
            let g = ws.fromGroup[d * stateCount + state]
            if g >= 0 {
                let group = dates[d].groups[Int(g)]
                // The group's best option under the prices of this call.
                var best = group.options[0], bestC = Double.infinity
                for option in group.options {
                    let c = option.reduce(0.0) { $0 + ws.pairCost[$1] }
                    if c < bestC { bestC = c; best = option }
                }
                for i in best {
                    chosen.append(free[i])
                    earned += points[i]
                }
            }
            state = Int(ws.fromState[d * stateCount + state])
        }
        return (bestCost, chosen, abs(offset + earned))
    }
}
