/// One assignment of a member to a slot, by ids, as a plan or a pin states it.
public struct Assignment: Hashable, Sendable {
    public var duty: DutyID
    public var area: AreaID
    public var date: CivilDate
    public var shift: ShiftID
    public var member: MemberID

    public init(duty: DutyID, area: AreaID, date: CivilDate, shift: ShiftID, member: MemberID) {
        self.duty = duty
        self.area = area
        self.date = date
        self.shift = shift
        self.member = member
    }
}

/// A broken hard rule and the assignments involved (positions in the checked list).
public struct RuleViolation: Hashable, Sendable, CustomStringConvertible {
    public var rule: PlanRule
    public var assignments: [Int]
    public var message: String

    public var description: String { "\(rule.rawValue): \(message)" }
}

/// Checks a list of assignments against H1–H5, independently of how it was produced.
///
/// Used for the instance's pins and for any plan. O(n log n) in the number of assignments.
public struct HardRuleChecker: Sendable {
    public let instance: Instance
    public let slots: SlotTable
    public let eligibility: EligibilityIndex

    public init(instance: Instance, slots: SlotTable, eligibility: EligibilityIndex) {
        self.instance = instance
        self.slots = slots
        self.eligibility = eligibility
    }

    /// Every violation of H1–H5 in `assignments`, in rule order then list order.
    public func violations(of assignments: [Assignment]) -> [RuleViolation] {
        var found: [RuleViolation] = []
        // H1 — resolve each assignment to a slot and an eligible member.
        var resolved: [(slot: Slot, member: MemberIndex)?] = []
        var bySlotMember: [[Int]: Int] = [:]
        var perSlot: [Int: [Int]] = [:]
        for (k, a) in assignments.enumerated() {
            guard let member = instance.memberIndex[a.member] else {
                found.append(.init(rule: .h1, assignments: [k], message: "unknown member \"\(a.member)\""))
                resolved.append(nil)
                continue
            }
            guard let slot = slots.slot(duty: a.duty, area: a.area, date: a.date, shift: a.shift) else {
                found.append(.init(rule: .h1, assignments: [k], message: "no slot \(describe(a)): \(whyNoSlot(a))"))
                resolved.append(nil)
                continue
            }
            if eligibility.candidate(member, for: slot.index) == nil {
                found.append(.init(rule: .h1, assignments: [k],
                                   message: "\(a.member) is not eligible for \(describe(a)): \(whyIneligible(member, slot))"))
                resolved.append(nil)
                continue
            }
            if let first = bySlotMember[[slot.index, member]] {
                found.append(.init(rule: .h1, assignments: [first, k],
                                   message: "\(a.member) is assigned twice to \(describe(a))"))
                resolved.append(nil)
                continue
            }
            bySlotMember[[slot.index, member]] = k
            perSlot[slot.index, default: []].append(k)
            resolved.append((slot, member))
        }
        for (slotIndex, ks) in perSlot.sorted(by: { $0.key < $1.key }) where ks.count > slots.slots[slotIndex].demand {
            found.append(.init(rule: .h1, assignments: ks,
                               message: "\(describe(assignments[ks[0]])) has \(ks.count) members for a demand of \(slots.slots[slotIndex].demand)"))
        }

        // H2–H5 per member, over the assignments that resolved.
        var byMember: [MemberIndex: [Int]] = [:]
        for (k, r) in resolved.enumerated() { if let r { byMember[r.member, default: []].append(k) } }
        for (member, ks) in byMember.sorted(by: { $0.key < $1.key }) {
            let m = instance.members[member]
            let rules = instance.rules[m.pool]
            let sorted = ks.sorted { resolved[$0]!.slot.occurrence.start < resolved[$1]!.slot.occurrence.start }
            // H2: sweep by start; compare with the running latest end.
            var latest: Int?
            for k in sorted {
                let occurrence = resolved[k]!.slot.occurrence
                if let j = latest, resolved[j]!.slot.occurrence.end > occurrence.start {
                    found.append(.init(rule: .h2, assignments: [j, k],
                                       message: "\(m.id) holds overlapping \(describe(assignments[j])) and \(describe(assignments[k]))"))
                }
                if latest == nil || occurrence.end > resolved[latest!]!.slot.occurrence.end { latest = k }
            }
            // H3: starts per date.
            var perDate: [CivilDate: [Int]] = [:]
            for k in sorted { perDate[resolved[k]!.slot.date, default: []].append(k) }
            for (date, dated) in perDate.sorted(by: { $0.key < $1.key }) where dated.count > rules.maxDutiesPerDate {
                found.append(.init(rule: .h3, assignments: dated,
                                   message: "\(m.id) has \(dated.count) duties starting on \(date); at most \(rules.maxDutiesPerDate) allowed"))
            }
            // H4: consecutive distinct dates must be minDaysBetween apart.
            let dates = perDate.keys.sorted()
            for (d1, d2) in zip(dates, dates.dropFirst()) where d2.days(since: d1) < rules.minDaysBetween {
                found.append(.init(rule: .h4, assignments: [perDate[d1]![0], perDate[d2]![0]],
                                   message: "\(m.id) has duties on \(d1) and \(d2), \(d2.days(since: d1)) day\(d2.days(since: d1) == 1 ? "" : "s") apart; at least \(rules.minDaysBetween) required"))
            }
            // H5: the cap.
            if let cap = m.maxDuties, ks.count > cap {
                found.append(.init(rule: .h5, assignments: ks, message: "\(m.id) has \(ks.count) duties; maxDuties is \(cap)"))
            }
        }
        return found
    }

    /// `substitute/north 2027-01-02 night`.
    public func describe(_ a: Assignment) -> String { "\(a.duty)/\(a.area) \(a.date) \(a.shift)" }

    private func whyNoSlot(_ a: Assignment) -> String {
        guard let d = instance.dutyIndex[a.duty] else { return "unknown duty \"\(a.duty)\"" }
        let duty = instance.duties[d]
        guard duty.areas.contains(where: { $0.id == a.area }) else { return "duty \(a.duty) has no area \"\(a.area)\"" }
        guard instance.period.contains(a.date) else { return "\(a.date) is outside the period" }
        guard instance.shiftIndex[a.shift] != nil else { return "unknown shift \"\(a.shift)\"" }
        let dayType = instance.dayType(of: a.date)
        return "duty \(a.duty) has no demand for shift \(a.shift) on a \(dayType) date"
    }

    private func whyIneligible(_ member: MemberIndex, _ slot: Slot) -> String {
        let m = instance.members[member]
        let duty = instance.duties[slot.duty]
        let area = duty.areas[slot.area]
        if m.pool != duty.pool { return "the duty is for \(duty.pool.rawValue)" }
        switch EligibilityIndex.ineligibility(of: m, duty: duty, area: area, instance: instance).reason {
        case .noShare: return "share is 0"
        case let .missingSkills(skills): return "lacks skill \(skills.sorted().map { "\"\($0)\"" }.joined(separator: ", "))"
        case .outsideArea: return "block \(m.block) is \(duty.allowNeighbors ? "neither in nor next to" : "not in") area \(area.id)"
        case .unavailable, nil: return "unavailable then"
        }
    }
}
