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
    /// The groups of all dates in one flat layout for ``solve(lambda:mu:workspace:)``: the
    /// groups of date d are `groupFirst[d]..<groupFirst[d + 1]`; group g's options are
    /// `optionFirst[g]..<optionFirst[g + 1]`, option o's pairs (positions in `free`) are
    /// `optionPairs[pairFirst[o]..<pairFirst[o + 1]]`.
    let groupFirst: [Int]
    let groupSteps: [Int]
    let groupHolidays: [Int]
    let groupDuties: [Int]
    let groupStarts: [Int]
    let optionFirst: [Int]
    let pairFirst: [Int]
    let optionPairs: [Int]
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
        var groupFirst = [0], groupSteps: [Int] = [], groupHolidays: [Int] = [], groupDuties: [Int] = []
        var groupStarts: [Int] = [], optionFirst = [0], pairFirst = [0], optionPairs: [Int] = []
        for date in dates {
            for group in date.groups {
                groupSteps.append(group.steps)
                groupHolidays.append(group.holidays)
                groupDuties.append(group.duties)
                groupStarts.append(group.starts)
                for option in group.options {
                    optionPairs += option
                    pairFirst.append(optionPairs.count)
                }
                optionFirst.append(pairFirst.count - 1)
            }
            groupFirst.append(groupSteps.count)
        }
        (self.groupFirst, self.groupSteps, self.groupHolidays, self.groupDuties, self.groupStarts) =
            (groupFirst, groupSteps, groupHolidays, groupDuties, groupStarts)
        (self.optionFirst, self.pairFirst, self.optionPairs) = (optionFirst, pairFirst, optionPairs)
    }

    /// Reusable buffers of the dynamic program (their contents are scratch between calls).
    struct Workspace {
        /// The values of the states, then per (points, holidays, duties) the cheapest state a
        /// start may follow, then the groups' and the pairs' costs.
        var values: [Double] = []
        /// Per date and (points, holidays, duties): the state a start came from and the
        /// group it took (−1: none, horizon 1 only; −2: the pins alone; otherwise the
        /// group's position among its date's); then the state behind each `ready` value.
        var links: [Int32] = []
        /// Per date and (points, holidays, duties): 1 where the saturated δ came from
        /// itself rather than from δ − 1.
        var saturated: [UInt8] = []
    }

    /// Windows of `spreadLength` dates (inside the period) holding both dates t1 ≤ t2.
    func windowsHolding(_ t1: Int, _ t2: Int) -> Int {
        guard spreadLength > 0 else { return 0 }
        return max(0, min(t1, days - spreadLength) - max(0, t2 - spreadLength + 1) + 1)
    }

    /// The cheapest option of group g (flat index) under `pairCost`: its cost and its number.
    private func bestOption(_ g: Int, _ pairCost: UnsafeMutableBufferPointer<Double>) -> (cost: Double, option: Int) {
        var best = (cost: Double.infinity, option: optionFirst[g])
        for o in optionFirst[g]..<optionFirst[g + 1] {
            var c = 0.0
            for j in pairFirst[o]..<pairFirst[o + 1] { c += pairCost[optionPairs[j]] }
            if c < best.cost { best = (c, o) }
        }
        return best
    }

    /// The best month under prices λ (per slot) and μ: its cost, pairs and |P − T|.
    ///
    /// The states of a date are stored by δ (dates since the last start) in blocks of the
    /// (points, holidays, duties) counters. Without a start δ grows by one: the blocks stay
    /// where they are in memory and only their δ moves (δ's block on date d is at
    /// (δ − 1 − d) mod horizon), the saturated one taking the cheaper of itself and the
    /// block below, and its old place becoming the block of today's starts (δ = 1 tomorrow).
    /// A start today depends on δ only through the rest rule (δ ≥ minGap) and the spread
    /// between the two starts, so each date first takes, per counters, the cheapest δ with
    /// that spread added (`ready`), and tries the day's groups once from there; only starts
    /// need their origin stored for the way back. The points counter only grows: counters
    /// beyond the largest it can have reached so far are left out.
    func solve(lambda: [Double], mu: Double, workspace ws: inout Workspace) -> (cost: Double, pairs: [Int], deviation: Double) {
        let fw = fairnessWeight + mu
        let kCount = pointsCap + 1, hCount = holidayCap + 1, cCount = (dutyCap ?? 0) + 1
        let perK = hCount * cCount
        let perDelta = kCount * perK
        let stateCount = horizon * perDelta
        let groupCount = groupSteps.count
        let valueCount = stateCount + perDelta + groupCount + free.count
        if ws.values.count < valueCount { ws.values = [Double](repeating: .infinity, count: valueCount) }
        let linkCount = 2 * perDelta * days + perDelta
        if ws.links.count < linkCount { ws.links = [Int32](repeating: -1, count: linkCount) }
        if ws.saturated.count < perDelta * days { ws.saturated = [UInt8](repeating: 0, count: perDelta * days) }
        let capped = dutyCap != nil
        let pointsCap = pointsCap, holidayCap = holidayCap, horizon = horizon, minGap = minGap, days = days
        let spreadWeight = spreadWeight
        // Where δ's block is on date d (δ = 1…horizon).
        func place(_ delta: Int, _ d: Int) -> Int { ((delta - 1 - d) % horizon + horizon) % horizon * perDelta }
        var result: (cost: Double, pairs: [Int], deviation: Double) = (.infinity, [], 0)
        ws.values.withUnsafeMutableBufferPointer { values in
        ws.links.withUnsafeMutableBufferPointer { links in
        ws.saturated.withUnsafeMutableBufferPointer { saturated in
        groupSteps.withUnsafeBufferPointer { steps in
        groupHolidays.withUnsafeBufferPointer { holidays in
        groupDuties.withUnsafeBufferPointer { duties in
            let states = UnsafeMutableBufferPointer(rebasing: values[0..<stateCount])
            let ready = UnsafeMutableBufferPointer(rebasing: values[stateCount..<(stateCount + perDelta)])
            let groupCost = UnsafeMutableBufferPointer(rebasing: values[(stateCount + perDelta)..<(stateCount + perDelta + groupCount)])
            let pairCost = UnsafeMutableBufferPointer(rebasing: values[(stateCount + perDelta + groupCount)..<valueCount])
            // Per date and counters: the start's origin (a state as δ's block index × perDelta
            // + counters) and group.
            let fromState = UnsafeMutableBufferPointer(rebasing: links[0..<(perDelta * days)])
            let fromGroup = UnsafeMutableBufferPointer(rebasing: links[(perDelta * days)..<(2 * perDelta * days)])
            let readyFrom = UnsafeMutableBufferPointer(rebasing: links[(2 * perDelta * days)..<linkCount])
            for i in free.indices { pairCost[i] = baseCost[i] + lambda[slotOf[i]] + fw * points[i] }
            for i in 0..<stateCount { states[i] = .infinity }
            states[place(horizon, 0)] = 0  // nothing started yet: δ saturated, counters 0
            // The largest points counter of a reachable state (today's).
            var reach = 0
            for d in 0..<days {
                let choice = dates[d]
                let first = groupFirst[d], last = groupFirst[d + 1]
                let base = d * perDelta
                let live = (reach + 1) * perK
                var largestSteps = 0
                for g in first..<last { largestSteps = max(largestSteps, steps[g]) }
                let nextReach = min(pointsCap, reach + largestSteps)
                let nextLive = (nextReach + 1) * perK
                let starting = first < last || choice.mandatory
                if starting {
                    // A start today: from the cheapest δ ≥ minGap, with the spread between
                    // its last start and today (none once δ saturates: δ ≥ spreadDays).
                    for rest in 0..<live { ready[rest] = .infinity }
                    for delta in minGap...horizon {
                        let between = delta < horizon ? spreadWeight * Double(windowsHolding(d - delta, d)) : 0
                        let source = place(delta, d)
                        for rest in 0..<live {
                            let value = states[source + rest] + between
                            if value < ready[rest] {
                                ready[rest] = value
                                readyFrom[rest] = Int32((delta - 1) * perDelta + rest)
                            }
                        }
                    }
                }
                // No start today: every δ grows by one. The saturated block's place becomes
                // tomorrow's δ = 1 (today's starts); δ = horizon − 1 becomes the saturated
                // one, the cheaper of itself and the old.
                let top = place(horizon, d)
                if choice.mandatory {
                    for i in 0..<stateCount { states[i] = .infinity }
                } else if horizon == 1 {
                    for rest in 0..<live {
                        fromState[base + rest] = Int32(rest)
                        fromGroup[base + rest] = -1
                    }
                } else {
                    let below = place(horizon - 1, d)
                    for rest in 0..<live {
                        let kept = states[top + rest]
                        if kept < states[below + rest] {
                            states[below + rest] = kept
                            saturated[base + rest] = 1
                        } else {
                            saturated[base + rest] = 0
                        }
                    }
                    for rest in 0..<nextLive { states[top + rest] = .infinity }
                }
                if starting {
                    // Each group's best option under today's prices, with the spread of its
                    // starts on the same date.
                    let sameDateSpread = spreadWeight * Double(windowsHolding(d, d))
                    for g in first..<last {
                        groupCost[g] = bestOption(g, pairCost).cost + sameDateSpread * Double(groupStarts[g] - 1)
                    }
                    let pinsAlone = sameDateSpread * Double(max(0, choice.pinnedStarts - 1))
                    let block = UnsafeMutableBufferPointer(rebasing: states[top..<(top + perDelta)])
                    var rest = 0
                    for k in 0...reach {
                        for h in 0..<hCount {
                            for c in 0..<cCount {
                                defer { rest += 1 }
                                let value = ready[rest]
                                if value == .infinity { continue }
                                let from = readyFrom[rest]
                                for g in first..<last {
                                    let newC = c + duties[g]
                                    if capped && newC >= cCount { continue }
                                    let newK = min(k + steps[g], pointsCap), newH = min(h + holidays[g], holidayCap)
                                    let cost = value + groupCost[g]
                                    let target = (newK * hCount + newH) * cCount + (capped ? newC : 0)
                                    if cost < block[target] {
                                        block[target] = cost
                                        fromState[base + target] = from
                                        fromGroup[base + target] = Int32(g - first)
                                    }
                                }
                                // Pins with nothing more: a start without free pairs.
                                if choice.mandatory, value + pinsAlone < block[rest] {
                                    block[rest] = value + pinsAlone
                                    fromState[base + rest] = from
                                    fromGroup[base + rest] = -2
                                }
                            }
                        }
                    }
                }
                reach = nextReach
            }
            // Terminal: the kinks of both deviations.
            var bestState = -1
            var bestCost = Double.infinity
            for delta in 1...horizon {
                let source = place(delta, days)
                for rest in 0..<perDelta where states[source + rest] < .infinity {
                    let k = rest / perK, h = (rest / cCount) % hCount
                    let cost = states[source + rest] + 2 * fw * max(0, -offset - step * Double(k))
                        + 2 * holidayWeight * max(0, -holidayOffset - Double(h))
                    if cost < bestCost { bestCost = cost; bestState = (delta - 1) * perDelta + rest }
                }
            }
            guard bestState >= 0 else { return }
            // The linear parts' constants: (w + μ)·a and w_h·b.
            bestCost += fw * offset + holidayWeight * holidayOffset
            // Back through the dates: blocks δ ≥ 2 came from δ − 1 (or the saturated block
            // from itself), block δ = 1 from where its start says.
            var chosen: [Int] = []
            var state = bestState
            var earned = 0.0
            for d in stride(from: days - 1, through: 0, by: -1) {
                let block = state / perDelta, rest = state % perDelta
                if block == 0 {
                    let g = fromGroup[d * perDelta + rest]
                    if g >= 0 {
                        // The group's best option under the prices of this call.
                        let o = bestOption(groupFirst[d] + Int(g), pairCost).option
                        for j in pairFirst[o]..<pairFirst[o + 1] {
                            chosen.append(free[optionPairs[j]])
                            earned += points[optionPairs[j]]
                        }
                    }
                    state = Int(fromState[d * perDelta + rest])
                } else if block < horizon - 1 || saturated[d * perDelta + rest] == 0 {
                    state -= perDelta
                }
            }
            result = (bestCost, chosen, abs(offset + earned))
        }
        }
        }
        }
        }
        }
        return result
    }
}
