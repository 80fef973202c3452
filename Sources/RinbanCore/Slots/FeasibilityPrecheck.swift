/// What can be told about coverage before any planning: slots that cannot be fully
/// staffed whatever the plan, and members whose caps or rest rules make that so.
///
/// Every finding is a reason demand will stay uncovered; none makes the instance invalid.
public struct FeasibilityPrecheck: Sendable {
    /// A slot with fewer eligible members than its demand.
    public struct ShortSlot: Hashable, Sendable {
        public var slot: Int
        public var eligible: Int
        public var demand: Int
        /// Members of the area's candidates who are unavailable for this slot.
        public var unavailable: Int
    }

    /// A member needed for more than their rules allow.
    public struct MemberFinding: Hashable, Sendable {
        public var member: MemberIndex
        public var message: String
    }

    public let shortSlots: [ShortSlot]
    public let memberFindings: [MemberFinding]
    /// Pools whose members cannot, even all together, serve the pool's total demand.
    public let poolFindings: [String]

    /// O(slots × eligible members).
    public init(loaded: LoadedInstance) {
        let instance = loaded.instance
        let slots = loaded.slots.slots
        let eligibility = loaded.eligibility

        shortSlots = slots.compactMap { slot in
            let eligible = eligibility.eligible[slot.index].count
            guard eligible < slot.demand else { return nil }
            return ShortSlot(slot: slot.index, eligible: eligible, demand: slot.demand,
                             unavailable: eligibility.unavailable[slot.index].count)
        }

        // A slot with no more eligible members than its demand needs every one of them.
        var forced = [[Int]](repeating: [], count: instance.members.count)
        for slot in slots where eligibility.eligible[slot.index].count <= slot.demand {
            for candidate in eligibility.eligible[slot.index] { forced[candidate.member].append(slot.index) }
        }
        var findings: [MemberFinding] = []
        for (m, needed) in forced.enumerated() where !needed.isEmpty {
            let member = instance.members[m]
            let rules = instance.rules[member.pool]
            if let cap = member.maxDuties, needed.count > cap {
                findings.append(MemberFinding(
                    member: m,
                    message: "\(member.id) (\(member.name)) is needed for \(needed.count) slots nobody else can take, but maxDuties is \(cap)"))
            }
            let dates = needed.map { slots[$0].date }
            var perDate: [CivilDate: Int] = [:]
            for date in dates { perDate[date, default: 0] += 1 }
            for (date, count) in perDate.sorted(by: { $0.key < $1.key }) where count > rules.maxDutiesPerDate {
                findings.append(MemberFinding(
                    member: m,
                    message: "\(member.id) (\(member.name)) is needed for \(count) slots starting on \(date); at most \(rules.maxDutiesPerDate) allowed"))
            }
            let distinct = Set(dates).sorted()
            for (d1, d2) in zip(distinct, distinct.dropFirst()) where d2.days(since: d1) < rules.minDaysBetween {
                findings.append(MemberFinding(
                    member: m,
                    message: "\(member.id) (\(member.name)) is needed on \(d1) and \(d2), but needs \(rules.minDaysBetween) days between duties"))
            }
            let occurrences = needed.map { slots[$0].occurrence }.sorted { $0.start < $1.start }
            for (a, b) in zip(occurrences, occurrences.dropFirst()) where a.overlaps(b) {
                findings.append(MemberFinding(
                    member: m,
                    message: "\(member.id) (\(member.name)) is needed for overlapping shifts \(a.shift) and \(b.shift) on \(a.date)"))
            }
        }
        memberFindings = findings

        // Pool capacity: each member serves at most min(cap, eligible slots, what the rest rules allow).
        var pools: [String] = []
        let days = instance.period.count
        for pool in Pool.allCases {
            let demand = slots.filter { instance.duties[$0.duty].pool == pool }.reduce(0) { $0 + $1.demand }
            guard demand > 0 else { continue }
            let rules = instance.rules[pool]
            let byRest = rules.maxDutiesPerDate * ((days + rules.minDaysBetween - 1) / rules.minDaysBetween)
            var capacity = 0
            for (m, member) in instance.members.enumerated() where member.pool == pool {
                capacity += min(member.maxDuties ?? Int.max, eligibility.slotsOfMember[m].count, byRest)
            }
            if capacity < demand {
                pools.append("the \(pool.rawValue) can serve at most \(capacity) of the \(demand) duties of the period (caps, eligibility and rest rules)")
            }
        }
        poolFindings = pools
    }

    /// Whether nothing stands in the way of full coverage (as far as these checks see).
    public var isClear: Bool { shortSlots.isEmpty && memberFindings.isEmpty && poolFindings.isEmpty }
}
