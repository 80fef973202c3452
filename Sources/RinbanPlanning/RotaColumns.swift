import Foundation
import MIP
import RinbanCore

/// A rota put together from whole member-months (docs/rota-formulation.md, "Member-months").
///
/// The Lagrangian bound solves each member's month many times under changing prices; the
/// schedules it finds are good months for that member, and together they hold rotas close
/// to the bound. This program chooses one schedule per member — among those and the
/// incumbent's own — so that no slot is over-filled, at the rota's exact cost:
///
///   min Σ_j c_j y_j + w.uncovered Σ_s u_s + w.maxDeviation Σ_pool z_pool
///   Σ_{j of m} y_j = 1 (each member),  Σ_j a_sj y_j + u_s = D_s (each slot),
///   z_pool ≥ Σ_{j of m} |P_j − T_m| y_j (each member of the pool),
///
/// where c_j holds the schedule's linear costs, fairness, holiday fairness and spread.
/// Every schedule is checked against the hard rules with the member's pins before it
/// enters. The incumbent's schedules are among the choices and its rota is the solver's
/// start, so the answer is never worse than the incumbent.
///
/// Large networks give programs GLPK cannot search in seconds: there the members are
/// taken group by group (members of neighbouring blocks together, about
/// `groupColumns` schedules a group), the others keeping their incumbent months.
struct RotaColumns {
    let problem: RotaProblem
    /// Valid schedules of each member from the bound (free pairs, in pair order).
    let schedulesOf: [[[Int]]]
    let pinsOf: [[Int]]

    /// Schedules in one program, about (a whole rota up to this size is one program).
    let groupColumns: Int
    /// The cut families of its programs: all four, but none on the largest months
    /// (``RotaPlanner/largeMonthCuts``).
    var cuts: CutFamilies = .all

    init(problem: RotaProblem, columns: RotaColumnPool, groupColumns: Int = 4_000) {
        self.problem = problem
        self.groupColumns = groupColumns
        let members = problem.instance.members.indices
        var pinsOf = [[Int]](repeating: [], count: members.count)
        for p in problem.pinned { pinsOf[problem.pairs[p].member].append(p) }
        var scratch = RotaState(problem: problem)
        var schedulesOf = [[[Int]]](repeating: [], count: members.count)
        for (m, list) in columns where problem.active[m] {
            var seen: Set<[Int]> = []
            for pairs in list where seen.insert(pairs).inserted
                && Self.keepsRules(pairs, pins: pinsOf[m], in: &scratch)
            {
                schedulesOf[m].append(pairs)
            }
        }
        self.schedulesOf = schedulesOf
        self.pinsOf = pinsOf
    }

    var isEmpty: Bool { schedulesOf.allSatisfy(\.isEmpty) }

    /// Improves the shared rota with the schedules for at most `seconds` (whole, or group
    /// by group with the best rota so far). Returns the number of improvements.
    @discardableResult
    func search(
        shared: SharedIncumbent, backend: any SolverBackend, seconds: Double, shouldStop: (@Sendable () -> Bool)?,
        improved: (Double) -> Void
    ) -> Int {
        let clock = ContinuousClock()
        let began = clock.now
        func left() -> Double { seconds - (clock.now - began).seconds }
        let groups = memberGroups()
        var gains = 0
        while left() > 0.3, !(shouldStop?() ?? false) {
            var gainedThisPass = false
            for group in groups {
                guard left() > 0.3, !(shouldStop?() ?? false) else { break }
                let incumbent = shared.state(problem)
                let share = groups.count == 1 ? left() : min(left(), max(1, seconds / Double(groups.count)))
                if let better = try? improve(incumbent, members: group, backend: backend, seconds: share,
                                             shouldStop: shouldStop),
                   shared.offer(better) != nil
                {
                    gains += 1
                    gainedThisPass = true
                    improved(better.weightedTotal)
                }
            }
            // One program over everyone has nothing more to give; groups may, after others moved.
            if groups.count == 1 || !gainedThisPass { break }
        }
        return gains
    }

    /// Active members in groups of about `groupColumns` schedules, members of
    /// neighbouring blocks together (blocks in breadth-first order over the neighbours).
    func memberGroups() -> [[MemberIndex]] {
        let instance = problem.instance
        let active = instance.members.indices.filter { problem.active[$0] }
        let total = active.reduce(0) { $0 + schedulesOf[$1].count + 1 }
        if total <= groupColumns { return [active] }
        var order: [BlockID] = []
        var seen: Set<BlockID> = []
        for root in instance.blocks.map(\.id) where !seen.contains(root) {
            var queue = [root]
            seen.insert(root)
            while !queue.isEmpty {
                let block = queue.removeFirst()
                order.append(block)
                for next in (instance.neighbors[block] ?? []).sorted() where seen.insert(next).inserted { queue.append(next) }
            }
        }
        let rank = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        let sorted = active.sorted { (rank[instance.members[$0].block] ?? 0, $0) < (rank[instance.members[$1].block] ?? 0, $1) }
        var groups: [[MemberIndex]] = [[]]
        var size = 0
        for m in sorted {
            if size >= groupColumns { groups.append([]); size = 0 }
            groups[groups.count - 1].append(m)
            size += schedulesOf[m].count + 1
        }
        return groups
    }

    /// Improves the shared rota by member-months neighbourhoods for at most `seconds`: one
    /// short program after another in which only some members choose among their months,
    /// everyone else keeping the best rota's. The members are those of a few neighbouring
    /// blocks (they compete for the same slots) or, every other round, members drawn at
    /// random. The part grows while its programs are solved to the end without a gain and
    /// shrinks while they run out of time; the search ends early once everyone chose without
    /// a gain, or after ``neighbourhoodStall`` programs without one. Returns the number of
    /// improvements.
    @discardableResult
    func searchNeighbourhoods(
        shared: SharedIncumbent, backend: any SolverBackend, seconds: Double, seed: UInt64,
        shouldStop: (@Sendable () -> Bool)?, improved: (Double) -> Void
    ) -> Int {
        let clock = ContinuousClock()
        let began = clock.now
        func left() -> Double { seconds - (clock.now - began).seconds }
        let choosing = problem.instance.members.indices.filter { problem.active[$0] && !schedulesOf[$0].isEmpty }
        guard choosing.count > 2 else { return 0 }
        var random = SplitMix64(seed: seed)
        // Half of the members, at most about `neighbourhoodColumns` months, to begin with.
        let perMember = Double(choosing.reduce(0) { $0 + schedulesOf[$1].count + 1 }) / Double(choosing.count)
        var size = max(2, min(choosing.count / 2, Int(Double(Self.neighbourhoodColumns) / perMember)))
        var gains = 0
        var round = 0
        var lastGain = 0
        while left() > 0.3, !(shouldStop?() ?? false), round - lastGain < Self.neighbourhoodStall {
            let group = round % 2 == 0 ? neighbouringMembers(size, among: choosing, random: &random)
                                       : Array(random.shuffled(choosing).prefix(size))
            round += 1
            let incumbent = shared.state(problem)
            guard let outcome = try? solve(incumbent, members: group, backend: backend,
                                           seconds: min(left(), Self.neighbourhoodSeconds), shouldStop: shouldStop)
            else { continue }
            if let better = outcome.better, shared.offer(better) != nil {
                gains += 1
                lastGain = round
                improved(better.weightedTotal)
            } else if outcome.solved {
                // Everyone chose and the best rota stands: these months hold nothing better.
                if group.count == choosing.count { break }
                size = min(choosing.count, size + max(1, size / 4))
            }
            if !outcome.solved { size = max(2, size * 4 / 5) }
        }
        return gains
    }

    /// At most this long for one program of ``searchNeighbourhoods``, and about this many
    /// months in its first.
    static let neighbourhoodSeconds = 2.0
    static let neighbourhoodColumns = 1_500
    /// Programs in a row without a gain after which the months are taken as spent: newer
    /// months, priced at the best rota, are then worth more than more neighbourhoods.
    static let neighbourhoodStall = 12

    /// About `size` of `choosing`: the members of a random block, then of its neighbours,
    /// breadth first (whole blocks, stopping once `size` is reached).
    func neighbouringMembers(_ size: Int, among choosing: [MemberIndex], random: inout SplitMix64) -> [MemberIndex] {
        let instance = problem.instance
        var membersOf: [BlockID: [MemberIndex]] = [:]
        for m in choosing { membersOf[instance.members[m].block, default: []].append(m) }
        var blocks = membersOf.keys.sorted()
        var seen: Set<BlockID> = []
        var group: [MemberIndex] = []
        while group.count < size, !blocks.isEmpty {
            let root = blocks.remove(at: random.below(blocks.count))
            guard seen.insert(root).inserted else { continue }
            var queue = [root]
            while !queue.isEmpty, group.count < size {
                let block = queue.removeFirst()
                group += membersOf[block] ?? []
                var next = (instance.neighbors[block] ?? []).filter { !seen.contains($0) }.sorted()
                random.shuffle(&next)
                for b in next { seen.insert(b); queue.append(b) }
            }
        }
        return group
    }

    /// The best rota in which `members` choose among their schedules and the incumbent's,
    /// everyone else keeping the incumbent's. Nil when it is no better than the incumbent.
    func improve(
        _ incumbent: RotaState, members: [MemberIndex], backend: any SolverBackend, seconds: Double,
        shouldStop: (@Sendable () -> Bool)?
    ) throws -> RotaState? {
        try solve(incumbent, members: members, backend: backend, seconds: seconds, shouldStop: shouldStop).better
    }

    /// ``improve(_:members:backend:seconds:shouldStop:)``, whether GLPK ended its search, and
    /// GLPK's bound of this program (nil if none).
    func solve(
        _ incumbent: RotaState, members: [MemberIndex], backend: any SolverBackend, seconds: Double,
        shouldStop: (@Sendable () -> Bool)?
    ) throws -> (better: RotaState?, solved: Bool, bound: Double?) {
        let instance = problem.instance
        let w = problem.weights
        let current = Self.freePairsByMember(incumbent, problem: problem)
        // Only members with a share hold pairs (as in RotaFormulation); anything else is left alone.
        guard instance.members.indices.allSatisfy({ problem.active[$0] || current[$0].isEmpty }) else { return (nil, true, nil) }
        let chosenMembers = Set(members)

        var model = Model(name: "rota-members")
        var objective = LinearExpression()
        var constant = problem.baselineConstant
        for p in problem.pinned { constant += problem.linearCost(p) }
        var remaining = problem.slots.map(\.demand)
        for p in problem.pinned { remaining[problem.pairs[p].slot] -= 1 }
        var floor: [Pool: Double] = [:]
        for m in instance.members.indices where problem.active[m] && !chosenMembers.contains(m) {
            let cost = self.cost(of: current[m], member: m)
            constant += cost.total
            floor[instance.members[m].pool] = max(floor[instance.members[m].pool] ?? 0, cost.deviation)
            for p in current[m] { remaining[problem.pairs[p].slot] -= 1 }
        }
        var zOf: [Pool: Variable] = [:]
        for pool in Pool.allCases where problem.poolMembers[pool] != nil {
            let z = try model.addVariable(.continuous, lower: floor[pool] ?? 0, name: "z[\(pool.rawValue)]")
            zOf[pool] = z
            objective.add(z, times: w[.maxDeviation])
        }

        var columns: [(pairs: [Int], variable: Variable)] = []
        var startColumns: [Variable] = []
        var cover = [LinearExpression](repeating: LinearExpression(), count: problem.slots.count)
        var deviationOfStart: [Pool: Double] = [:]
        for m in members {
            var one = LinearExpression()
            var deviationRow = LinearExpression()
            var distinct: Set<[Int]> = []
            for pairs in [current[m]] + schedulesOf[m] where distinct.insert(pairs).inserted {
                let y = try model.addVariable(.binary, name: "y[\(m),\(distinct.count)]")
                let cost = self.cost(of: pairs, member: m)
                objective.add(y, times: cost.total)
                one.add(y)
                deviationRow.add(y, times: cost.deviation)
                for p in pairs { cover[problem.pairs[p].slot].add(y) }
                columns.append((pairs, y))
                if distinct.count == 1 {
                    startColumns.append(y)
                    deviationOfStart[instance.members[m].pool] = max(deviationOfStart[instance.members[m].pool] ?? 0,
                                                                     cost.deviation)
                }
            }
            try model.addConstraint(.equal(one, 1), name: "one[\(m)]")
            deviationRow.add(zOf[instance.members[m].pool]!, times: -1)
            try model.addConstraint(deviationRow <= 0, name: "max[\(m)]")
        }
        var uOf = [Variable?](repeating: nil, count: problem.slots.count)
        for s in problem.slots.indices {
            if cover[s].termCount == 0 {
                constant += w[.uncovered] * Double(max(0, remaining[s]))
                continue
            }
            let u = try model.addVariable(.continuous, lower: 0, name: "u[\(s)]")
            uOf[s] = u
            objective.add(u, times: w[.uncovered])
            var row = cover[s]
            row.add(u)
            try model.addConstraint(.equal(row, Double(remaining[s])), name: "cover[\(s)]")
        }
        objective.constant = constant
        try model.minimize(objective)

        // Start: the incumbent (each member's first schedule).
        var start = [Double](repeating: 0, count: model.variableCount)
        var taken = [Int](repeating: 0, count: problem.slots.count)
        for m in members {
            for p in current[m] { taken[problem.pairs[p].slot] += 1 }
        }
        for y in startColumns { start[y.index] = 1 }
        for s in problem.slots.indices { if let u = uOf[s] { start[u.index] = Double(remaining[s] - taken[s]) } }
        for (pool, z) in zOf { start[z.index] = max(floor[pool] ?? 0, deviationOfStart[pool] ?? 0) }

        var options = SolveOptions(timeLimit: max(0.3, seconds), relativeGap: 1e-6, cuts: cuts)
        options.branching = .planning
        options.shouldStop = shouldStop
        options.initialSolution = start
        let result = try model.solve(using: backend, options: options)
        let solved = result.termination == .optimal || result.termination == .gapLimit
        guard result.hasSolution else { return (nil, solved, result.bound) }
        var state = RotaState(problem: problem)
        for p in problem.pinned { state.assign(p) }
        for m in instance.members.indices where !chosenMembers.contains(m) { for p in current[m] { state.assign(p) } }
        for column in columns where result.values[column.variable.index] > 0.5 {
            for p in column.pairs {
                guard state.canAssign(p) else { return (nil, solved, result.bound) }
                state.assign(p)
            }
        }
        let better = state.weightedTotal < incumbent.weightedTotal - 1e-9 * max(1, abs(incumbent.weightedTotal))
        return (better ? state : nil, solved, result.bound)
    }

    /// Whether a member's schedule keeps H2–H5 with their pins (checked on an empty rota).
    static func keepsRules(_ pairs: [Int], pins: [Int], in scratch: inout RotaState) -> Bool {
        var placed: [Int] = []
        defer { for p in placed.reversed() { scratch.unassign(p) } }
        for p in pins + pairs {
            guard scratch.canAssign(p) else { return false }
            scratch.assign(p)
            placed.append(p)
        }
        return true
    }

    /// A schedule's part of the rota total (linear costs, fairness, holiday fairness,
    /// spread; the pins' linear costs are counted once, elsewhere) and its |P − T|.
    func cost(of pairs: [Int], member m: MemberIndex) -> (total: Double, deviation: Double) {
        let w = problem.weights
        let member = problem.instance.members[m]
        var points = member.history.points - problem.target[m]
        var holidays = Double(member.history.holidays) - problem.holidayTarget[m]
        var total = 0.0
        var startsOn = [Int](repeating: 0, count: problem.instance.period.count)
        for p in pinsOf[m] + pairs {
            let slot = problem.slots[problem.pairs[p].slot]
            points += slot.points
            if slot.dayType == .holiday { holidays += 1 }
            startsOn[problem.dateOffset[problem.pairs[p].slot]] += 1
        }
        for p in pairs { total += problem.linearCost(p) }
        total += w[.fairness] * abs(points) + w[.holidayFairness] * abs(holidays)
        if problem.spreadWindows(member.pool) > 0 {
            let length = problem.instance.rules[member.pool].spreadDays
            var spread = 0
            for first in 0...(startsOn.count - length) {
                spread += max(0, startsOn[first..<(first + length)].reduce(0, +) - 1)
            }
            total += w[.spread] * Double(spread)
        }
        return (total, abs(points))
    }
}

extension RotaColumns {
    /// Each active member's month in `state`: their free (not pinned) pairs, in pair order.
    static func months(of state: RotaState, problem: RotaProblem) -> RotaColumnPool {
        let pairsOf = freePairsByMember(state, problem: problem)
        return pairsOf.indices.filter { problem.active[$0] }.map { ($0, [pairsOf[$0].sorted()]) }
    }

    /// The assigned pairs of `state` that are not pins, by member index.
    static func freePairsByMember(_ state: RotaState, problem: RotaProblem) -> [[Int]] {
        let pinned = Set(problem.pinned)
        var pairsOf = [[Int]](repeating: [], count: problem.instance.members.count)
        for p in state.assignedPairs where !pinned.contains(p) { pairsOf[problem.pairs[p].member].append(p) }
        return pairsOf
    }

    /// The months of `newer` and then of `older`, without repeats, at most `cap` per member
    /// (the newer ones kept).
    static func merged(_ newer: RotaColumnPool, _ older: RotaColumnPool, cap: Int) -> RotaColumnPool {
        var order: [MemberIndex] = []
        var listOf: [MemberIndex: [[Int]]] = [:]
        var seenOf: [MemberIndex: Set<[Int]>] = [:]
        for (m, list) in newer + older {
            if listOf[m] == nil { order.append(m); listOf[m] = [] }
            for pairs in list where listOf[m]!.count < cap && seenOf[m, default: []].insert(pairs).inserted {
                listOf[m]!.append(pairs)
            }
        }
        return order.map { ($0, listOf[$0]!) }
    }
}
