/// One occurrence of a shift: the interval [date + start, date + end), where an end at
/// or before the start falls on the next day (SPEC section 2).
public struct Occurrence: Hashable, Sendable {
    public static let minutesPerDay = 1440

    public var shift: ShiftID
    /// The start date; the occurrence's day type is this date's.
    public var date: CivilDate
    /// Start in minutes since 1970-01-01 00:00 local time.
    public var start: Int
    /// End in minutes since 1970-01-01 00:00 local time (exclusive).
    public var end: Int

    public init(shift: Shift, date: CivilDate) {
        self.shift = shift.id
        self.date = date
        self.start = date.dayNumber * Occurrence.minutesPerDay + shift.start.minutes
        self.end = start + shift.duration
    }

    /// Whether two occurrences share any instant.
    public func overlaps(_ other: Occurrence) -> Bool { start < other.end && other.start < end }
}
