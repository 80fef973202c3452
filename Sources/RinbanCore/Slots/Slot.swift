/// One slot to staff: a duty, one of its areas, a date and a shift (SPEC section 2).
public struct Slot: Hashable, Sendable {
    /// Position in ``SlotTable/slots``.
    public var index: Int
    public var duty: Int
    public var area: Int
    public var shift: Int
    public var date: CivilDate
    public var dayType: DayType
    /// Members wanted (≥ 1).
    public var demand: Int
    /// Points of one assignment (the shift's points for the day type).
    public var points: Double
    public var occurrence: Occurrence
}

/// Every slot of an instance, in a fixed order: by date, then duty, area and shift in
/// file order.
public struct SlotTable: Sendable {
    public let slots: [Slot]
    /// Slot index by (duty, area, date, shift) ids.
    private let lookup: [SlotKey: Int]

    struct SlotKey: Hashable {
        var duty: DutyID
        var area: AreaID
        var date: CivilDate
        var shift: ShiftID
    }

    /// Expands the duties' demand over the period. O(dates × duties × areas × shifts).
    public init(instance: Instance) {
        var slots: [Slot] = []
        var lookup: [SlotKey: Int] = [:]
        for date in instance.period.dates {
            let dayType = instance.dayType(of: date)
            for (d, duty) in instance.duties.enumerated() {
                for (a, area) in duty.areas.enumerated() {
                    for demand in duty.demand {
                        let count = demand.counts[dayType] ?? 0
                        guard count > 0, let s = instance.shiftIndex[demand.shift] else { continue }
                        let shift = instance.shifts[s]
                        let slot = Slot(
                            index: slots.count, duty: d, area: a, shift: s, date: date, dayType: dayType,
                            demand: count, points: shift.points(on: dayType),
                            occurrence: Occurrence(shift: shift, date: date))
                        lookup[SlotKey(duty: duty.id, area: area.id, date: date, shift: shift.id)] = slot.index
                        slots.append(slot)
                    }
                }
            }
        }
        self.slots = slots
        self.lookup = lookup
    }

    /// The slot of (duty, area, date, shift), or nil if the instance has no such slot.
    public func slot(duty: DutyID, area: AreaID, date: CivilDate, shift: ShiftID) -> Slot? {
        lookup[SlotKey(duty: duty, area: area, date: date, shift: shift)].map { slots[$0] }
    }

    /// Σ demand over all slots.
    public var totalDemand: Int { slots.reduce(0) { $0 + $1.demand } }
}
