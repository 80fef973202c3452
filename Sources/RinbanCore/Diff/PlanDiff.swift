/// What changed between two plans: assignments removed and added (by slot, by date, by
/// member), moved placements, designations, respite bookings and patient deputies, every
/// objective term before and after, and each member's fairness figures before and after.
///
/// "Before" is evaluated on its own instance without a baseline; "after" on its own
/// instance (the changed one in a what-if run) with "before" as the baseline, so its
/// `stability` counts the published duties it gives up. Assignments are compared as
/// (duty, area, date, shift, member), counted with multiplicity.
public struct PlanDiff: Sendable {
    /// One slot whose members changed.
    public struct SlotChange: Sendable, Hashable {
        public var duty: DutyID
        public var area: AreaID
        public var date: CivilDate
        public var shift: ShiftID
        public var removed: [MemberID]
        public var added: [MemberID]
        /// Members of the slot after, in plan order (the cell as it now reads).
        public var after: [MemberID]
    }

    /// A decision of load sharing or beds that differs (nil: absent on that side).
    public struct Moved<Subject: Hashable & Sendable, Value: Hashable & Sendable>: Sendable, Hashable {
        public var subject: Subject
        public var before: Value?
        public var after: Value?
    }

    /// One objective term, unweighted and weighted, on both sides.
    public struct Term: Sendable, Hashable {
        public var term: ObjectiveTerm
        public var before: Double
        public var after: Double
        public var weightBefore: Double
        public var weightAfter: Double
        public var weightedChange: Double { weightAfter * after - weightBefore * before }
    }

    /// A member's figures on both sides (nil where the member is not in that instance).
    public struct Member: Sendable, Hashable {
        public var id: MemberID
        public var name: String
        public var before: MemberFigures?
        public var after: MemberFigures?
        public var removed: [Assignment]
        public var added: [Assignment]

        /// Whether anything of this member changed: assignments, points, target or holidays.
        public var changed: Bool {
            guard let before, let after else { return true }
            return !removed.isEmpty || !added.isEmpty || abs(before.points - after.points) > 1e-9
                || abs((before.target ?? 0) - (after.target ?? 0)) > 1e-9 || before.holidays != after.holidays
                || abs((before.holidayTarget ?? 0) - (after.holidayTarget ?? 0)) > 1e-9
        }
    }

    public var removed: [Assignment]
    public var added: [Assignment]
    /// Slots whose members changed, by date, then duty, area and shift.
    public var slots: [SlotChange]
    public var placements: [Moved<ItemID, MemberID>]
    public var designations: [Moved<PatientID, HospitalID>]
    public var respite: [Moved<RespiteID, RespiteBooking>]
    /// Home-care patients whose deputy differs (nil: none on that side), in the order of the
    /// plans' `deputies` lists (before, then patients only after has).
    public var deputies: [Moved<HomePatientID, MemberID>]
    public var terms: [Term]
    public var totalBefore: Double
    public var totalAfter: Double
    /// Every member of either instance, in the after instance's order, then removed ones.
    public var members: [Member]
    /// Assignments on each side.
    public var countBefore: Int
    public var countAfter: Int
    /// Hard rules the after plan breaks (empty for every plan rinban writes).
    public var violationsAfter: [PlanViolation]
    /// What a change file did (what-if runs), one line per change.
    public var changes: [String]

    /// Whether the plans make the same decisions.
    public var isEmpty: Bool {
        removed.isEmpty && added.isEmpty && placements.isEmpty && designations.isEmpty && respite.isEmpty && deputies.isEmpty
    }

    /// Compares `before` (on `beforeInstance`) with `after` (on `afterInstance`, the same
    /// instance unless a change file was applied).
    public init(before: Plan, on beforeInstance: LoadedInstance, after: Plan, on afterInstance: LoadedInstance,
                changes: [String] = []) {
        let evaluationBefore = Evaluator(beforeInstance).evaluate(before)
        let evaluationAfter = Evaluator(afterInstance).evaluate(after, baseline: before)
        self.changes = changes
        countBefore = before.assignments.count
        countAfter = after.assignments.count
        violationsAfter = evaluationAfter.violations

        // Assignments as multisets.
        var remaining: [Assignment: Int] = [:]
        for a in after.assignments { remaining[a, default: 0] += 1 }
        var removed: [Assignment] = []
        for a in before.assignments {
            if let n = remaining[a], n > 0 { remaining[a] = n - 1 } else { removed.append(a) }
        }
        var kept: [Assignment: Int] = [:]
        for a in before.assignments { kept[a, default: 0] += 1 }
        var added: [Assignment] = []
        for a in after.assignments {
            if let n = kept[a], n > 0 { kept[a] = n - 1 } else { added.append(a) }
        }
        let order: (Assignment, Assignment) -> Bool = {
            ($0.date, $0.duty.rawValue, $0.area.rawValue, $0.shift.rawValue, $0.member.rawValue)
                < ($1.date, $1.duty.rawValue, $1.area.rawValue, $1.shift.rawValue, $1.member.rawValue)
        }
        self.removed = removed.sorted(by: order)
        self.added = added.sorted(by: order)

        struct SlotKey: Hashable { var duty: DutyID; var area: AreaID; var date: CivilDate; var shift: ShiftID }
        func key(_ a: Assignment) -> SlotKey { SlotKey(duty: a.duty, area: a.area, date: a.date, shift: a.shift) }
        var bySlot: [SlotKey: (removed: [MemberID], added: [MemberID])] = [:]
        for a in self.removed { bySlot[key(a), default: ([], [])].removed.append(a.member) }
        for a in self.added { bySlot[key(a), default: ([], [])].added.append(a.member) }
        var afterMembers: [SlotKey: [MemberID]] = [:]
        for a in after.assignments { afterMembers[key(a), default: []].append(a.member) }
        slots = bySlot.map { k, v in
            SlotChange(duty: k.duty, area: k.area, date: k.date, shift: k.shift, removed: v.removed, added: v.added,
                       after: afterMembers[k] ?? [])
        }.sorted { ($0.date, $0.duty.rawValue, $0.area.rawValue, $0.shift.rawValue) < ($1.date, $1.duty.rawValue, $1.area.rawValue, $1.shift.rawValue) }

        placements = Self.moved(before.placements.map { ($0.item, $0.station) }, after.placements.map { ($0.item, $0.station) })
        designations = Self.moved(before.designations.map { ($0.patient, $0.hospital) },
                                  after.designations.map { ($0.patient, $0.hospital) })
        respite = Self.moved(before.respite.map { ($0.request, $0) }, after.respite.map { ($0.request, $0) })
        deputies = Self.moved(before.deputies.map { ($0.patient, $0.deputy) }, after.deputies.map { ($0.patient, $0.deputy) })

        terms = ObjectiveTerm.allCases.map { term in
            Term(term: term, before: evaluationBefore.value(term), after: evaluationAfter.value(term),
                 weightBefore: evaluationBefore.weights[term], weightAfter: evaluationAfter.weights[term])
        }
        totalBefore = evaluationBefore.total
        totalAfter = evaluationAfter.total

        let figuresBefore = Dictionary(evaluationBefore.members.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let figuresAfter = Dictionary(evaluationAfter.members.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var names: [MemberID: String] = [:]
        for m in beforeInstance.instance.members { names[m.id] = m.name }
        for m in afterInstance.instance.members { names[m.id] = m.name }
        var ids = afterInstance.instance.members.map(\.id)
        let present = Set(ids)
        ids += beforeInstance.instance.members.map(\.id).filter { !present.contains($0) }
        let removedBy = Dictionary(grouping: self.removed, by: \.member)
        let addedBy = Dictionary(grouping: self.added, by: \.member)
        members = ids.map { id in
            Member(id: id, name: names[id] ?? id.rawValue, before: figuresBefore[id], after: figuresAfter[id],
                   removed: removedBy[id] ?? [], added: addedBy[id] ?? [])
        }
    }

    private static func moved<S: Hashable & Sendable, V: Hashable & Sendable>(_ before: [(S, V)], _ after: [(S, V)]) -> [Moved<S, V>] {
        let a = Dictionary(before, uniquingKeysWith: { x, _ in x })
        let b = Dictionary(after, uniquingKeysWith: { x, _ in x })
        var subjects: [S] = []
        var seen: Set<S> = []
        for (s, _) in before + after where !seen.contains(s) {
            seen.insert(s)
            subjects.append(s)
        }
        return subjects.compactMap { s in a[s] == b[s] ? nil : Moved(subject: s, before: a[s], after: b[s]) }
    }
}
