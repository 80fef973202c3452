import RinbanCore

/// The rota part of an instance prepared for planning: every eligible (slot, member)
/// pair with its linear costs, the fair targets, pins and an optional baseline.
///
/// Built once per plan; the greedy, the integer program and the neighbourhood search
/// all read it. O(eligible pairs + members × dates).
public struct RotaProblem: Sendable {
    public let loaded: LoadedInstance
    public var instance: Instance { loaded.instance }
    public var slots: [Slot] { loaded.slots.slots }

    /// One eligible (slot, member) pair.
    public struct Pair: Hashable, Sendable {
        public var slot: Int
        public var member: MemberIndex
        public var neighbour: Bool
        public var avoided: Bool
        /// How many times the baseline lists this assignment (usually 0 or 1).
        public var baselineCount: Int
    }

    public let pairs: [Pair]
    public let pairsOfSlot: [[Int]]
    public let pairsOfMember: [[Int]]
    /// Pair index of (slot, member).
    public let pairIndex: [PairKey: Int]
    /// Pairs fixed by the instance's pins.
    public let pinned: [Int]

    /// Members with share > 0 (the only ones in fairness sums).
    public let active: [Bool]
    /// Active members of each pool, in member order.
    public let poolMembers: [Pool: [Int]]
    /// T_m and TH_m of SPEC section 5 (0 for inactive members).
    public let target: [Double]
    public let holidayTarget: [Double]
    /// Date offset (from the period start) of every slot.
    public let dateOffset: [Int]
    public let weights: Weights
    /// Baseline assignments inside the period that no plan can contain (no such pair).
    public let unreachableBaseline: Int
    public let hasBaseline: Bool

    public struct PairKey: Hashable, Sendable {
        public var slot: Int
        public var member: Int
    }

    public init(loaded: LoadedInstance, baseline: Plan? = nil) {
        self.loaded = loaded
        let instance = loaded.instance
        let slots = loaded.slots.slots
        let period = instance.period
        var baselineKeys: [PairKey: Int] = [:]
        var unreachable = 0
        if let baseline {
            for a in baseline.assignments where period.contains(a.date) {
                if let slot = loaded.slots.slot(duty: a.duty, area: a.area, date: a.date, shift: a.shift),
                   let m = instance.memberIndex[a.member],
                   loaded.eligibility.candidate(m, for: slot.index) != nil
                {
                    baselineKeys[PairKey(slot: slot.index, member: m), default: 0] += 1
                } else {
                    unreachable += 1
                }
            }
        }
        var pairs: [Pair] = []
        var pairsOfSlot = [[Int]](repeating: [], count: slots.count)
        var pairsOfMember = [[Int]](repeating: [], count: instance.members.count)
        var pairIndex: [PairKey: Int] = [:]
        for slot in slots {
            for candidate in loaded.eligibility.eligible[slot.index] {
                let member = instance.members[candidate.member]
                let key = PairKey(slot: slot.index, member: candidate.member)
                let pair = Pair(
                    slot: slot.index, member: candidate.member, neighbour: candidate.proximity == .neighbour,
                    avoided: member.avoid.contains { $0.blocks(slot.occurrence) },
                    baselineCount: baselineKeys[key] ?? 0)
                pairIndex[key] = pairs.count
                pairsOfSlot[slot.index].append(pairs.count)
                pairsOfMember[candidate.member].append(pairs.count)
                pairs.append(pair)
            }
        }
        self.pairs = pairs
        self.pairsOfSlot = pairsOfSlot
        self.pairsOfMember = pairsOfMember
        self.pairIndex = pairIndex
        pinned = instance.pins.compactMap { pin in
            guard let slot = loaded.slots.slot(duty: pin.duty, area: pin.area, date: pin.date, shift: pin.shift),
                  let m = instance.memberIndex[pin.member]
            else { return nil }
            return pairIndex[PairKey(slot: slot.index, member: m)]
        }
        unreachableBaseline = unreachable
        hasBaseline = baseline != nil
        weights = instance.weights
        dateOffset = slots.map { period.offset(of: $0.date) }

        // Fair targets per pool over members with share > 0.
        var active = [Bool](repeating: false, count: instance.members.count)
        var target = [Double](repeating: 0, count: instance.members.count)
        var holidayTarget = [Double](repeating: 0, count: instance.members.count)
        for pool in Pool.allCases {
            let members = instance.members.indices.filter { instance.members[$0].pool == pool && instance.members[$0].share > 0 }
            guard !members.isEmpty else { continue }
            let shares = members.reduce(0.0) { $0 + instance.members[$1].share }
            var points = members.reduce(0.0) { $0 + instance.members[$1].history.points }
            var holidays = Double(members.reduce(0) { $0 + instance.members[$1].history.holidays })
            for slot in slots where instance.duties[slot.duty].pool == pool {
                points += Double(slot.demand) * slot.points
                if slot.dayType == .holiday { holidays += Double(slot.demand) }
            }
            for m in members {
                active[m] = true
                target[m] = instance.members[m].share / shares * points
                holidayTarget[m] = instance.members[m].share / shares * holidays
            }
        }
        self.active = active
        var poolMembers: [Pool: [Int]] = [:]
        for m in instance.members.indices where active[m] { poolMembers[instance.members[m].pool, default: []].append(m) }
        self.poolMembers = poolMembers
        self.target = target
        self.holidayTarget = holidayTarget
    }

    /// A pair as the assignment a plan lists.
    public func assignment(_ p: Int) -> Assignment {
        let pair = pairs[p]
        let slot = slots[pair.slot]
        let duty = instance.duties[slot.duty]
        return Assignment(duty: duty.id, area: duty.areas[slot.area].id, date: slot.date,
                          shift: instance.shifts[slot.shift].id, member: instance.members[pair.member].id)
    }

    /// The pool rules of a member.
    public func rules(of member: MemberIndex) -> PoolRules { instance.rules[instance.members[member].pool] }

    /// The linear (per-assignment) part of the weighted objective for a pair.
    public func linearCost(_ p: Int) -> Double {
        let pair = pairs[p]
        var cost = 0.0
        if pair.neighbour { cost += weights[.neighbor] }
        if pair.avoided { cost += weights[.avoid] }
        cost -= weights[.stability] * Double(pair.baselineCount)
        return cost
    }

    /// Σ weights of the baseline term when nothing of the baseline is kept.
    public var baselineConstant: Double {
        guard hasBaseline else { return 0 }
        return weights[.stability] * Double(unreachableBaseline + pairs.reduce(0) { $0 + $1.baselineCount })
    }

    /// Number of spread windows: windows of `spreadDays` consecutive dates inside the
    /// period; none when spreadDays ≤ 1 or longer than the period.
    public func spreadWindows(_ pool: Pool) -> Int {
        let k = instance.rules[pool].spreadDays
        let n = instance.period.count
        return k <= 1 || k > n ? 0 : n - k + 1
    }
}
