/// How a member qualifies for a slot's area.
public enum Proximity: String, Hashable, Sendable {
    /// The member's block is one of the area's blocks.
    case home
    /// The member's block neighbours one of the area's blocks (and the duty allows it).
    case neighbour
}

/// Why a member of the right pool cannot take a slot.
public enum Ineligibility: Hashable, Sendable {
    case noShare
    case missingSkills(Set<String>)
    case outsideArea
    case unavailable
}

/// Which members may take which slot (SPEC section 2, "Eligibility"), computed once.
///
/// Per duty and area the pool, share, skill and block tests are made once; per slot
/// only the member's absences are checked. O(slots × candidates × absences).
public struct EligibilityIndex: Sendable {
    public struct Candidate: Hashable, Sendable {
        public var member: MemberIndex
        public var proximity: Proximity
    }

    /// Eligible members of each slot, in member order.
    public let eligible: [[Candidate]]
    /// Slots each member is eligible for, in slot order.
    public let slotsOfMember: [[Int]]
    /// For each slot, members of the area's candidates who are unavailable for it.
    public let unavailable: [[MemberIndex]]

    public init(instance: Instance, slots: SlotTable) {
        // Candidates per (duty, area), ignoring dates.
        var areaCandidates: [[[Candidate]]] = []
        for duty in instance.duties {
            var perArea: [[Candidate]] = []
            for area in duty.areas {
                var candidates: [Candidate] = []
                for (m, member) in instance.members.enumerated() {
                    if let proximity = Self.proximity(of: member, duty: duty, area: area, instance: instance) {
                        candidates.append(Candidate(member: m, proximity: proximity))
                    }
                }
                perArea.append(candidates)
            }
            areaCandidates.append(perArea)
        }
        var eligible: [[Candidate]] = []
        var unavailable: [[MemberIndex]] = []
        var slotsOfMember = [[Int]](repeating: [], count: instance.members.count)
        eligible.reserveCapacity(slots.slots.count)
        for slot in slots.slots {
            var here: [Candidate] = []
            var away: [MemberIndex] = []
            for candidate in areaCandidates[slot.duty][slot.area] {
                let member = instance.members[candidate.member]
                if member.unavailable.contains(where: { $0.blocks(slot.occurrence) }) {
                    away.append(candidate.member)
                } else {
                    here.append(candidate)
                    slotsOfMember[candidate.member].append(slot.index)
                }
            }
            eligible.append(here)
            unavailable.append(away)
        }
        self.eligible = eligible
        self.unavailable = unavailable
        self.slotsOfMember = slotsOfMember
    }

    /// Whether `member` may take slots of `duty` in `area`, absences aside, and how; nil if not.
    public static func proximity(of member: Member, duty: Duty, area: Area, instance: Instance) -> Proximity? {
        ineligibility(of: member, duty: duty, area: area, instance: instance).proximity
    }

    /// The date-independent eligibility test: the proximity, or the first reason it fails.
    /// A member of the other pool gets neither (it is simply not a candidate).
    public static func ineligibility(of member: Member, duty: Duty, area: Area, instance: Instance)
        -> (proximity: Proximity?, reason: Ineligibility?)
    {
        guard member.pool == duty.pool else { return (nil, nil) }
        guard member.share > 0 else { return (nil, .noShare) }
        let missing = duty.requires.subtracting(member.skills)
        guard missing.isEmpty else { return (nil, .missingSkills(missing)) }
        if area.blocks.contains(member.block) { return (.home, nil) }
        if duty.allowNeighbors, let near = instance.neighbors[member.block],
           area.blocks.contains(where: near.contains)
        {
            return (.neighbour, nil)
        }
        return (nil, .outsideArea)
    }

    /// The candidate entry of `member` for `slot`, if eligible.
    public func candidate(_ member: MemberIndex, for slot: Int) -> Candidate? {
        eligible[slot].first { $0.member == member }
    }
}
