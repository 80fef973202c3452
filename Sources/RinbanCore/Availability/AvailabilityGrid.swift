/// Members' absences as the office sees them: a grid of members × the period's dates,
/// where a cell is marked 不可 (`unavailable`) or 避けたい (`avoid`) for the whole day or
/// for single shifts.
///
/// The instance stays the one source of truth: ``marks(of:)`` reads the grid from the
/// members' `unavailable` and `avoid` lists, and ``applying(_:to:)`` writes edits back
/// into those lists, so after an edit "the instance's absences are what the grid says".
///
/// Writing back keeps the meaning of everything not edited: each absence is cut at the
/// period's ends, the parts outside the period are kept as they were (a whole-day
/// absence on the day after the period still blocks the night that starts on its last
/// day), and the marks inside are written as the fewest absences that say the same thing:
/// runs of consecutive whole days as one `{from, to}`, runs of consecutive dates with the
/// same marked shifts as one `{from, to, shifts}`.
///
/// Rules of a cell (documented in docs/server.md):
/// - a whole-day mark replaces the cell: it removes the date's shift marks;
/// - clearing the whole day (`kind` nil, `shift` nil) empties the cell;
/// - a shift mark sets or clears that shift alone;
/// - marking a key 不可 or 避けたい removes the other kind from that key; a key the
///   instance names in both lists (possible in a file) reads as 不可 and keeps both until
///   it is edited.
public enum AvailabilityGrid {
    public enum Kind: String, Sendable, Hashable, CaseIterable, Comparable {
        case unavailable, avoid

        public static func < (a: Kind, b: Kind) -> Bool { a == .unavailable && b == .avoid }
    }

    /// One marked cell (or one shift of a cell).
    public struct Mark: Hashable, Sendable, Comparable {
        public var member: MemberID
        public var date: CivilDate
        /// nil: the whole day.
        public var shift: ShiftID?
        public var kind: Kind

        public init(member: MemberID, date: CivilDate, shift: ShiftID? = nil, kind: Kind) {
            self.member = member
            self.date = date
            self.shift = shift
            self.kind = kind
        }

        public static func < (a: Mark, b: Mark) -> Bool {
            (a.member.rawValue, a.date, a.shift?.rawValue ?? "", a.kind) < (b.member.rawValue, b.date, b.shift?.rawValue ?? "", b.kind)
        }
    }

    /// An edit of one cell: `kind` nil clears it.
    public struct Edit: Hashable, Sendable {
        public var member: MemberID
        public var date: CivilDate
        public var shift: ShiftID?
        public var kind: Kind?

        public init(member: MemberID, date: CivilDate, shift: ShiftID? = nil, kind: Kind?) {
            self.member = member
            self.date = date
            self.shift = shift
            self.kind = kind
        }
    }

    /// The marks of one member inside the period: the keys (date, shift) of each list.
    struct Cells {
        var unavailable: Set<CellKey> = []
        var avoid: Set<CellKey> = []

        subscript(kind: Kind) -> Set<CellKey> {
            get { kind == .unavailable ? unavailable : avoid }
            set { if kind == .unavailable { unavailable = newValue } else { avoid = newValue } }
        }
    }

    struct CellKey: Hashable {
        var date: CivilDate
        var shift: ShiftID?
    }

    /// Every marked cell of the period, sorted by member id, date and shift.
    /// A cell named by both lists reads as 不可 (it blocks the duty either way).
    public static func marks(of instance: Instance) -> [Mark] {
        instance.members.flatMap { marks(of: $0, in: instance.period) }.sorted()
    }

    /// One member's marks over `period` (the grid's row).
    public static func marks(of member: Member, in period: Period) -> [Mark] {
        var marks: [Mark] = []
        let cells = cells(of: member, in: period)
        for key in cells.unavailable {
            marks.append(Mark(member: member.id, date: key.date, shift: key.shift, kind: .unavailable))
        }
        for key in cells.avoid where !cells.unavailable.contains(key) {
            marks.append(Mark(member: member.id, date: key.date, shift: key.shift, kind: .avoid))
        }
        return marks.sorted()
    }

    static func cells(of member: Member, in period: Period) -> Cells {
        var cells = Cells()
        for (kind, list) in [(Kind.avoid, member.avoid), (.unavailable, member.unavailable)] {
            for absence in list {
                let from = max(absence.from, period.start), to = min(absence.to, period.end)
                guard from <= to else { continue }
                for offset in 0...to.days(since: from) {
                    let date = from.adding(days: offset)
                    if let shifts = absence.shifts {
                        for shift in shifts { cells[kind].insert(CellKey(date: date, shift: shift)) }
                    } else {
                        cells[kind].insert(CellKey(date: date, shift: nil))
                    }
                }
            }
        }
        return cells
    }

    /// The instance with `edits` applied in order. Edits of dates outside the period or of
    /// members the instance lacks are the caller's to refuse; here they are ignored.
    public static func applying(_ edits: [Edit], to instance: Instance) -> Instance {
        var instance = instance
        let period = instance.period
        let byMember = Dictionary(grouping: edits.filter { period.contains($0.date) }, by: \.member)
        for (id, memberEdits) in byMember {
            guard let m = instance.memberIndex[id] else { continue }
            var member = instance.members[m]
            var cells = cells(of: member, in: period)
            for edit in memberEdits {
                let key = CellKey(date: edit.date, shift: edit.shift)
                for kind in Kind.allCases {
                    if edit.shift == nil { cells[kind] = cells[kind].filter { $0.date != edit.date } }
                    cells[kind].remove(key)
                }
                if let kind = edit.kind { cells[kind].insert(key) }
            }
            member.unavailable = outside(member.unavailable, period) + absences(cells, kind: .unavailable)
            member.avoid = outside(member.avoid, period) + absences(cells, kind: .avoid)
            instance.members[m] = member
        }
        return instance
    }

    /// The parts of `list` outside the period, as they were.
    static func outside(_ list: [Absence], _ period: Period) -> [Absence] {
        var kept: [Absence] = []
        for absence in list {
            if absence.from < period.start {
                kept.append(Absence(from: absence.from, to: min(absence.to, period.start.adding(days: -1)), shifts: absence.shifts))
            }
            if absence.to > period.end {
                kept.append(Absence(from: max(absence.from, period.end.adding(days: 1)), to: absence.to, shifts: absence.shifts))
            }
        }
        return kept
    }

    /// The fewest absences meaning the cells of one kind.
    static func absences(_ cells: Cells, kind: Kind) -> [Absence] {
        var wholeDays: [CivilDate] = []
        var shiftsByDate: [CivilDate: Set<ShiftID>] = [:]
        for key in cells[kind] {
            if let shift = key.shift { shiftsByDate[key.date, default: []].insert(shift) } else { wholeDays.append(key.date) }
        }
        // A whole day of the same kind already covers its shifts.
        for date in wholeDays { shiftsByDate[date] = nil }
        var result: [Absence] = []
        for run in runs(wholeDays.sorted()) { result.append(Absence(from: run.from, to: run.to)) }
        let dates = shiftsByDate.keys.sorted()
        var start = 0
        while start < dates.count {
            var end = start
            while end + 1 < dates.count, dates[end + 1] == dates[end].adding(days: 1),
                  shiftsByDate[dates[end + 1]] == shiftsByDate[dates[start]] { end += 1 }
            result.append(Absence(from: dates[start], to: dates[end], shifts: shiftsByDate[dates[start]]))
            start = end + 1
        }
        return result.sorted { ($0.from, $0.shifts == nil ? 0 : 1) < ($1.from, $1.shifts == nil ? 0 : 1) }
    }

    /// Runs of consecutive dates in a sorted list.
    static func runs(_ dates: [CivilDate]) -> [(from: CivilDate, to: CivilDate)] {
        var result: [(from: CivilDate, to: CivilDate)] = []
        for date in dates {
            if let last = result.last, last.to.adding(days: 1) == date { result[result.count - 1].to = date } else { result.append((date, date)) }
        }
        return result
    }
}
