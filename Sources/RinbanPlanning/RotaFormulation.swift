import MIP
import RinbanCore

/// The rota as one integer program (see docs/rota-formulation.md for the mathematics, in
/// the names used here).
///
/// Pairs listed in `free` become binary variables x; every other assigned pair of
/// `fixed` is a constant that uses up demand, rest and caps. With every pair free this
/// is the whole rota; with a few it is a neighbourhood of the search.
public struct RotaFormulation: Sendable {
    public let problem: RotaProblem
    public private(set) var model: Model
    /// The variable of each free pair (nil for pairs that are not free).
    public let x: [Variable?]
    public let free: [Int]
    /// Every variable that is not an x, with the value it takes for a given assignment.
    private var auxiliaries: [Auxiliary] = []

    /// How an auxiliary variable's value follows from the x values (for starts).
    enum Auxiliary: Sendable {
        /// u_s = remaining demand − Σ x.
        case uncovered(Variable, remaining: Int, pairs: [Int])
        /// k_m = Σ (points / step) x.
        case lattice(Variable, pairs: [Int], scaled: [Double])
        /// d_m: the largest of its envelope rows at the current value.
        case deviation(Variable, offset: Double, step: Double, lattice: [(Int, Double)], chord: (Double, Double))
        /// z_pool = max of deviations and constants.
        case poolMax(Variable, members: [Variable], constant: Double)
        /// v_W = max(0, Σ x + fixed − 1).
        case spread(Variable, pairs: [Int], fixed: Int)
        /// y_{m,d} = 1 if any x of that date is 1 (or forced).
        case works(Variable, pairs: [Int], forced: Bool)
    }

    /// - Parameters:
    ///   - free: pairs that become variables.
    ///   - fixed: assigned pairs that stay as they are (must not be free; must keep H1–H5 together).
    ///   - names: give variables and rows structured names (for exports and debugging).
    public init(problem: RotaProblem, free: [Int], fixed: [Int], names: Bool = false) throws {
        self.problem = problem
        self.free = free
        let instance = problem.instance
        let slots = problem.slots
        let w = problem.weights
        var model = Model(name: "rota", keepsNames: names)
        var objective = LinearExpression()
        var constant = problem.baselineConstant
        var auxiliaries: [Auxiliary] = []

        // Pair and slot bookkeeping.
        var isFree = [Bool](repeating: false, count: problem.pairs.count)
        for p in free { isFree[p] = true }
        var isFixed = [Bool](repeating: false, count: problem.pairs.count)
        for p in fixed { isFixed[p] = true }
        func pairName(_ p: Int) -> String {
            let pair = problem.pairs[p]
            let slot = slots[pair.slot]
            let duty = instance.duties[slot.duty]
            return "x[\(duty.id),\(duty.areas[slot.area].id),\(slot.date),\(instance.shifts[slot.shift].id),\(instance.members[pair.member].id)]"
        }
        var x = [Variable?](repeating: nil, count: problem.pairs.count)
        for p in free {
            let v = try model.addVariable(.binary, name: pairName(p))
            x[p] = v
            let cost = problem.linearCost(p)
            if cost != 0 { objective.add(v, times: cost) }
        }
        for p in fixed { constant += problem.linearCost(p) }

        // Coverage: Σ x + u = demand − fixed.
        var fixedInSlot = [Int](repeating: 0, count: slots.count)
        for p in fixed { fixedInSlot[problem.pairs[p].slot] += 1 }
        var freeInSlot = [[Int]](repeating: [], count: slots.count)
        for p in free { freeInSlot[problem.pairs[p].slot].append(p) }
        var uncoveredVar = [Variable?](repeating: nil, count: slots.count)
        for s in slots.indices {
            let remaining = slots[s].demand - fixedInSlot[s]
            precondition(remaining >= 0, "fixed assignments exceed a slot's demand")
            if freeInSlot[s].isEmpty {
                constant += w[.uncovered] * Double(remaining)
                continue
            }
            let u = try model.addVariable(.integer, lower: 0, upper: Double(remaining), name: "u[\(s)]")
            uncoveredVar[s] = u
            objective.add(u, times: w[.uncovered])
            var row = LinearExpression(u)
            for p in freeInSlot[s] { row.add(x[p]!) }
            try model.addConstraint(.equal(row, Double(remaining)), name: "cover[\(s)]")
            auxiliaries.append(.uncovered(u, remaining: remaining, pairs: freeInSlot[s]))
        }

        // Per member: fairness envelopes, rest, overlap, cap, spread.
        var freeOfMember = [[Int]](repeating: [], count: instance.members.count)
        var fixedOfMember = [[Int]](repeating: [], count: instance.members.count)
        for p in free { freeOfMember[problem.pairs[p].member].append(p) }
        for p in fixed { fixedOfMember[problem.pairs[p].member].append(p) }
        var poolDeviations: [Pool: [Variable]] = [:]
        var poolConstant: [Pool: Double] = [:]
        var poolHolidayDeviations: [Pool: [Variable]] = [:]
        var poolConstantDeviation: [Pool: Double] = [:]
        var poolConstantHoliday: [Pool: Double] = [:]
        let days = instance.period.count

        for m in instance.members.indices where problem.active[m] {
            let member = instance.members[m]
            let pool = member.pool
            let mine = freeOfMember[m]
            let pinnedHere = fixedOfMember[m]
            let fixedPoints = pinnedHere.reduce(0.0) { $0 + slots[problem.pairs[$1].slot].points }
            let fixedHolidays = pinnedHere.filter { slots[problem.pairs[$0].slot].dayType == .holiday }.count
            let offset = member.history.points + fixedPoints - problem.target[m]
            let holidayOffset = Double(member.history.holidays + fixedHolidays) - problem.holidayTarget[m]

            if mine.isEmpty {
                constant += w[.fairness] * abs(offset) + w[.holidayFairness] * abs(holidayOffset)
                poolConstant[pool] = max(poolConstant[pool] ?? 0, abs(offset))
                poolConstantDeviation[pool, default: 0] += abs(offset)
                poolConstantHoliday[pool, default: 0] += abs(holidayOffset)
            } else {
                // Points lie on the lattice offset + step·k, k integer.
                let step = latticeStep(mine.map { slots[problem.pairs[$0].slot].points })
                let scaled = mine.map { slots[problem.pairs[$0].slot].points / step }
                let kMax = scaled.reduce(0, +)
                let k = try model.addVariable(.integer, lower: 0, upper: kMax.rounded(), name: "k[\(member.id)]")
                var latticeRow = LinearExpression()
                for (p, c) in zip(mine, scaled) { latticeRow.add(x[p]!, times: c) }
                latticeRow.add(k, times: -1)
                try model.addConstraint(.equal(latticeRow, 0), name: "lattice[\(member.id)]")
                auxiliaries.append(.lattice(k, pairs: mine, scaled: scaled))
                let d = try model.addVariable(.continuous, lower: 0, name: "d[\(member.id)]")
                let chord = try addEnvelope(&model, deviation: d, counter: LinearExpression(k), offset: offset, step: step,
                                            name: "fair[\(member.id)]")
                auxiliaries.append(.deviation(d, offset: offset, step: step, lattice: [(k.index, 1)], chord: chord))
                objective.add(d, times: w[.fairness])
                poolDeviations[pool, default: []].append(d)

                // Holiday count: step 1, counter Σ x over holiday-type slots.
                let holidayPairs = mine.filter { slots[problem.pairs[$0].slot].dayType == .holiday }
                if holidayPairs.isEmpty {
                    constant += w[.holidayFairness] * abs(holidayOffset)
                    poolConstantHoliday[pool, default: 0] += abs(holidayOffset)
                } else {
                    let e = try model.addVariable(.continuous, lower: 0, name: "e[\(member.id)]")
                    let counter = LinearExpression(sum: holidayPairs.map { x[$0]! })
                    let chordH = try addEnvelope(&model, deviation: e, counter: counter, offset: holidayOffset, step: 1,
                                                 name: "holiday[\(member.id)]")
                    auxiliaries.append(.deviation(e, offset: holidayOffset, step: 1,
                                                  lattice: holidayPairs.map { (x[$0]!.index, 1) }, chord: chordH))
                    objective.add(e, times: w[.holidayFairness])
                    poolHolidayDeviations[pool, default: []].append(e)
                }
            }

            let rules = instance.rules[pool]
            func dateOf(_ p: Int) -> Int { problem.dateOffset[problem.pairs[p].slot] }
            var fixedOnDate = [Int](repeating: 0, count: days)
            for p in pinnedHere { fixedOnDate[dateOf(p)] += 1 }
            guard !mine.isEmpty else {
                // A member with nothing free still pays the spread of their fixed starts.
                if problem.spreadWindows(pool) > 0 {
                    let length = rules.spreadDays
                    for first in 0...(days - length) {
                        let starts = fixedOnDate[first..<(first + length)].reduce(0, +)
                        constant += w[.spread] * Double(max(0, starts - 1))
                    }
                }
                continue
            }
            var freeOnDate = [[Int]](repeating: [], count: days)
            for p in mine { freeOnDate[dateOf(p)].append(p) }
            let k = min(rules.minDaysBetween, days)
            let windowStarts = days >= k ? Array(0...(days - k)) : [0]

            if rules.maxDutiesPerDate == 1 {
                // H3 and H4 together: at most one start in any k consecutive dates.
                var previous: [Int] = []
                for first in windowStarts {
                    let dates = first..<min(days, first + k)
                    let inWindow = dates.flatMap { freeOnDate[$0] }
                    let fixedCount = dates.reduce(0) { $0 + fixedOnDate[$1] }
                    guard inWindow.count >= 2 || (fixedCount >= 1 && !inWindow.isEmpty) else { continue }
                    if inWindow == previous && fixedCount == 0 { continue }
                    previous = inWindow
                    try model.addConstraint(LinearExpression(sum: inWindow.map { x[$0]! }) <= Double(1 - fixedCount),
                                            name: "rest[\(member.id),\(first)]")
                }
            } else {
                // Several starts a date allowed: y marks a working date.
                var works = [Variable?](repeating: nil, count: days)
                for day in 0..<days where !freeOnDate[day].isEmpty {
                    let capacity = rules.maxDutiesPerDate - fixedOnDate[day]
                    if k == 1 {
                        if freeOnDate[day].count > capacity {
                            try model.addConstraint(LinearExpression(sum: freeOnDate[day].map { x[$0]! }) <= Double(capacity),
                                                    name: "perdate[\(member.id),\(day)]")
                        }
                        continue
                    }
                    let y = try model.addVariable(.binary, lower: fixedOnDate[day] > 0 ? 1 : 0, name: "y[\(member.id),\(day)]")
                    works[day] = y
                    auxiliaries.append(.works(y, pairs: freeOnDate[day], forced: fixedOnDate[day] > 0))
                    var row = LinearExpression(sum: freeOnDate[day].map { x[$0]! })
                    row.add(y, times: -Double(capacity))
                    try model.addConstraint(row <= 0, name: "perdate[\(member.id),\(day)]")
                }
                if k >= 2 {
                    for first in windowStarts {
                        let dates = first..<min(days, first + k)
                        let ys = dates.compactMap { works[$0] }
                        let fixedDates = dates.filter { fixedOnDate[$0] > 0 && works[$0] == nil }.count
                        guard !ys.isEmpty, ys.count + fixedDates >= 2 else { continue }
                        try model.addConstraint(LinearExpression(sum: ys) <= Double(1 - fixedDates), name: "rest[\(member.id),\(first)]")
                    }
                }
            }

            // H2: members of an overlap clique, unless the rest rows already forbid it.
            var cliques: Set<[Int]> = []
            let all = (mine + pinnedHere).sorted { slots[problem.pairs[$0].slot].occurrence.start < slots[problem.pairs[$1].slot].occurrence.start }
            for p in mine {
                let t = slots[problem.pairs[p].slot].occurrence.start
                let clique = all.filter {
                    let o = slots[problem.pairs[$0].slot].occurrence
                    return o.start <= t && t < o.end
                }
                guard clique.count >= 2 else { continue }
                let dates = clique.map(dateOf)
                if rules.maxDutiesPerDate == 1 && dates.max()! - dates.min()! < k { continue }
                guard cliques.insert(clique).inserted else { continue }
                let freePart = clique.filter { isFree[$0] }
                let fixedPart = clique.count - freePart.count
                try model.addConstraint(LinearExpression(sum: freePart.map { x[$0]! }) <= Double(1 - fixedPart),
                                        name: "overlap[\(member.id),\(t)]")
            }

            // H5.
            if let cap = member.maxDuties, mine.count > cap - pinnedHere.count {
                try model.addConstraint(LinearExpression(sum: mine.map { x[$0]! }) <= Double(cap - pinnedHere.count),
                                        name: "cap[\(member.id)]")
            }

            // Spread: v ≥ starts in the window − 1.
            if problem.spreadWindows(pool) > 0 {
                let length = rules.spreadDays
                for first in 0...(days - length) {
                    let dates = first..<(first + length)
                    let inWindow = dates.flatMap { freeOnDate[$0] }
                    let fixedCount = dates.reduce(0) { $0 + fixedOnDate[$1] }
                    if inWindow.isEmpty {
                        constant += w[.spread] * Double(max(0, fixedCount - 1))
                        continue
                    }
                    // At most one start per minDaysBetween dates (times the per-date limit) fits.
                    let most = rules.maxDutiesPerDate * ((length + rules.minDaysBetween - 1) / rules.minDaysBetween)
                    guard min(most, inWindow.count + fixedCount) >= 2 else { continue }
                    let v = try model.addVariable(.integer, lower: 0, name: "v[\(member.id),\(first)]")
                    var row = LinearExpression(sum: inWindow.map { x[$0]! })
                    row.add(v, times: -1)
                    try model.addConstraint(row <= Double(1 - fixedCount), name: "spread[\(member.id),\(first)]")
                    objective.add(v, times: w[.spread])
                    auxiliaries.append(.spread(v, pairs: inWindow, fixed: fixedCount))
                }
            }
        }

        // maxDeviation: z_pool ≥ every deviation of the pool.
        for pool in Pool.allCases where problem.poolMembers[pool] != nil {
            let deviations = poolDeviations[pool] ?? []
            let floor = poolConstant[pool] ?? 0
            if deviations.isEmpty {
                constant += w[.maxDeviation] * floor
                continue
            }
            let z = try model.addVariable(.continuous, lower: floor, name: "z[\(pool.rawValue)]")
            for d in deviations { try model.addConstraint(z - d >= 0, name: "max[\(pool.rawValue),\(d.index)]") }
            objective.add(z, times: w[.maxDeviation])
            auxiliaries.append(.poolMax(z, members: deviations, constant: floor))

            // Aggregate: the deviations sum to at least the points left uncovered
            // (Σ_m (P_m − T_m) = −Σ_s points_s · uncovered_s).
            var aggregate = LinearExpression(sum: deviations)
            var holidayAggregate = LinearExpression(sum: poolHolidayDeviations[pool] ?? [])
            var uncoveredPoints = 0.0, uncoveredHolidays = 0.0
            for s in slots.indices where instance.duties[slots[s].duty].pool == pool {
                if let u = uncoveredVar[s] {
                    aggregate.add(u, times: -slots[s].points)
                    if slots[s].dayType == .holiday { holidayAggregate.add(u, times: -1) }
                } else {
                    let remaining = Double(slots[s].demand - fixedInSlot[s])
                    uncoveredPoints += slots[s].points * remaining
                    if slots[s].dayType == .holiday { uncoveredHolidays += remaining }
                }
            }
            try model.addConstraint(aggregate >= uncoveredPoints - (poolConstantDeviation[pool] ?? 0),
                                    name: "aggregate[\(pool.rawValue)]")
            if !(poolHolidayDeviations[pool] ?? []).isEmpty {
                try model.addConstraint(holidayAggregate >= uncoveredHolidays - (poolConstantHoliday[pool] ?? 0),
                                        name: "aggregateHoliday[\(pool.rawValue)]")
            }
        }

        objective.constant = constant
        try model.minimize(objective)
        self.model = model
        self.x = x
        self.auxiliaries = auxiliaries
    }

    /// The full variable vector for a rota (assigned pairs of `state` among the free ones),
    /// with every auxiliary at the value the rota implies: a start for the solver.
    public func values(for state: RotaState) -> [Double] {
        var values = [Double](repeating: 0, count: model.variableCount)
        for p in free where state.assigned[p] { values[x[p]!.index] = 1 }
        func sum(_ pairs: [Int]) -> Double { pairs.reduce(0) { $0 + (state.assigned[$1] ? 1 : 0) } }
        for aux in auxiliaries {
            switch aux {
            case let .uncovered(u, remaining, pairs):
                values[u.index] = Double(remaining) - sum(pairs)
            case let .lattice(k, pairs, scaled):
                values[k.index] = zip(pairs, scaled).reduce(0) { $0 + (state.assigned[$1.0] ? $1.1 : 0) }.rounded()
            case let .works(y, pairs, forced):
                values[y.index] = forced || sum(pairs) > 0 ? 1 : 0
            case let .spread(v, pairs, fixed):
                values[v.index] = max(0, sum(pairs) + Double(fixed) - 1)
            case .deviation, .poolMax:
                break
            }
        }
        // Deviations depend on the lattice counters, the pool maxima on the deviations.
        for aux in auxiliaries {
            if case let .deviation(d, offset, step, lattice, chord) = aux {
                let counter = lattice.reduce(0.0) { $0 + values[$1.0] * $1.1 }
                let line = offset + step * counter
                values[d.index] = max(line, -line, chord.0 + chord.1 * counter)
            }
        }
        for aux in auxiliaries {
            if case let .poolMax(z, members, floor) = aux {
                values[z.index] = members.reduce(floor) { max($0, values[$1.index]) }
            }
        }
        return values
    }

    /// Reads a solution: which free pairs are assigned.
    public func assignedPairs(in values: [Double]) -> [Int] {
        free.filter { values[x[$0]!.index] > 0.5 }
    }
}

/// d ≥ |offset + step·counter| on the lattice, with the chord through the two lattice
/// points around the kink: the convex envelope of the deviation at integer counters.
/// Returns the chord as (intercept, slope) in the counter.
private func addEnvelope(
    _ model: inout Model, deviation d: Variable, counter: LinearExpression, offset: Double, step: Double, name: String
) throws -> (Double, Double) {
    try model.addConstraint(d - step * counter >= offset, name: "\(name).above")
    try model.addConstraint(d + step * counter >= -offset, name: "\(name).below")
    let k0 = (-offset / step).rounded(.down)
    let f0 = abs(offset + step * k0)
    let f1 = abs(offset + step * (k0 + 1))
    let slope = f1 - f0
    let intercept = f0 - slope * k0
    if slope.magnitude < step - 1e-12 {
        try model.addConstraint(d - slope * counter >= intercept, name: "\(name).chord")
    }
    return (intercept, slope)
}

/// The largest step g with every value an integer multiple of g (to 1e-6).
func latticeStep(_ values: [Double]) -> Double {
    func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
    let scaled = values.map { Int(($0 * 1_000_000).rounded()) }.filter { $0 != 0 }
    guard let first = scaled.first else { return 1 }
    let g = scaled.dropFirst().reduce(abs(first)) { gcd($0, abs($1)) }
    return Double(g) / 1_000_000
}
