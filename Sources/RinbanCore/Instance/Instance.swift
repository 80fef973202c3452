/// A planning instance (format `rinban/1`, SPEC sections 2 and 4), validated.
///
/// Every reference between entities has been resolved and checked, so code that holds an
/// `Instance` may look ids up without failing. Lists keep the order of the file.
public struct Instance: Sendable {
    public var association: String?
    public var period: Period
    public var calendar: CalendarSettings
    public var blocks: [Block]
    public var clinics: [Clinic]
    /// Physicians then stations: the members of both duty pools. A member's position in
    /// this list is its ``MemberIndex``.
    public var members: [Member]
    public var stations: [Station]
    public var shifts: [Shift]
    public var duties: [Duty]
    public var rules: Rules
    public var pins: [Pin]
    public var weights: Weights
    public var loadSharingItems: [LoadSharingItem]
    public var hospitals: [Hospital]
    public var patients: [Patient]
    public var respiteRequests: [RespiteRequest]
    /// Home-care patients who need a deputy physician (`deputies.patients`, SPEC section 4b).
    public var homePatients: [HomePatient]

    // Lookup tables, built once.
    public let blockIndex: [BlockID: Int]
    public let clinicIndex: [ClinicID: Int]
    public let memberIndex: [MemberID: Int]
    public let stationIndex: [MemberID: Int]
    public let shiftIndex: [ShiftID: Int]
    public let dutyIndex: [DutyID: Int]
    public let homePatientIndex: [HomePatientID: Int]
    /// Each block's neighbours, both directions of every `neighbors` entry.
    public let neighbors: [BlockID: Set<BlockID>]

    public init(
        association: String?, period: Period, calendar: CalendarSettings, blocks: [Block], clinics: [Clinic],
        members: [Member], stations: [Station], shifts: [Shift], duties: [Duty], rules: Rules, pins: [Pin],
        weights: Weights, loadSharingItems: [LoadSharingItem], hospitals: [Hospital], patients: [Patient],
        respiteRequests: [RespiteRequest], homePatients: [HomePatient] = []
    ) {
        self.association = association
        self.period = period
        self.calendar = calendar
        self.blocks = blocks
        self.clinics = clinics
        self.members = members
        self.stations = stations
        self.shifts = shifts
        self.duties = duties
        self.rules = rules
        self.pins = pins
        self.weights = weights
        self.loadSharingItems = loadSharingItems
        self.hospitals = hospitals
        self.patients = patients
        self.respiteRequests = respiteRequests
        self.homePatients = homePatients
        blockIndex = Dictionary(blocks.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        clinicIndex = Dictionary(clinics.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        memberIndex = Dictionary(members.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        stationIndex = Dictionary(stations.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        shiftIndex = Dictionary(shifts.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        dutyIndex = Dictionary(duties.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        homePatientIndex = Dictionary(homePatients.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        var neighbors: [BlockID: Set<BlockID>] = [:]
        for block in blocks {
            neighbors[block.id, default: []].formUnion(block.neighbors)
            for other in block.neighbors { neighbors[other, default: []].insert(block.id) }
        }
        for block in blocks { neighbors[block.id, default: []].remove(block.id) }
        self.neighbors = neighbors
    }

    /// Members of one pool, in file order.
    public func members(of pool: Pool) -> [Member] { members.filter { $0.pool == pool } }

    /// Block distance of SPEC section 4: 0 same block, 1 neighbours, 3 otherwise.
    public func distance(_ a: BlockID, _ b: BlockID) -> Int {
        if a == b { return 0 }
        return neighbors[a]?.contains(b) == true ? 1 : 3
    }

    /// The day type of a date under this instance's calendar settings (SPEC section 2).
    public func dayType(of date: CivilDate) -> DayType {
        calendar.dayType(of: date)
    }

    /// The block of a clinic.
    public func block(ofClinic clinic: ClinicID) -> BlockID {
        clinics[clinicIndex[clinic]!].block
    }
}

/// The planning period, inclusive at both ends (1–92 days, within 1980–2099).
public struct Period: Hashable, Sendable {
    public var start: CivilDate
    public var end: CivilDate

    public init(start: CivilDate, end: CivilDate) {
        self.start = start
        self.end = end
    }

    /// Number of dates.
    public var count: Int { end.days(since: start) + 1 }
    /// Every date in order.
    public var dates: [CivilDate] { (0..<count).map { start.adding(days: $0) } }
    public func contains(_ date: CivilDate) -> Bool { date >= start && date <= end }
    /// Position of a date in ``dates``.
    public func offset(of date: CivilDate) -> Int { date.days(since: start) }

    /// Longest period an instance may have.
    public static let maximumDays = 92
    /// Years a period may touch (the holiday calendar's range).
    public static let supportedYears = 1980...2099
}

/// Calendar settings of an instance.
public struct CalendarSettings: Hashable, Sendable {
    /// Extra holiday-type dates, e.g. 年末年始 (12/29–1/3).
    public var extraHolidays: Set<CivilDate>
    /// Treat Saturdays as holidays.
    public var saturdayIsHoliday: Bool

    public init(extraHolidays: Set<CivilDate> = [], saturdayIsHoliday: Bool = false) {
        self.extraHolidays = extraHolidays
        self.saturdayIsHoliday = saturdayIsHoliday
    }

    /// `holiday` for a Sunday, a national holiday or an extra holiday; `saturday` for a
    /// Saturday (or `holiday` when Saturdays are holidays); else `weekday`.
    public func dayType(of date: CivilDate) -> DayType {
        let weekday = date.weekday
        if weekday == 0 || extraHolidays.contains(date) { return .holiday }
        if JapaneseHolidays.supportedYears.contains(date.year), JapaneseHolidays.name(on: date) != nil { return .holiday }
        if weekday == 6 { return saturdayIsHoliday ? .holiday : .saturday }
        return .weekday
    }
}

/// The three day types of SPEC section 2.
public enum DayType: String, Hashable, Sendable, CaseIterable, Comparable {
    case weekday
    case saturday
    case holiday

    public static func < (lhs: DayType, rhs: DayType) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

public struct Block: Hashable, Sendable {
    public var id: BlockID
    public var name: String
    /// Neighbours as written in the file (``Instance/neighbors`` holds the symmetric closure).
    public var neighbors: [BlockID]
}

public struct Clinic: Hashable, Sendable {
    public var id: ClinicID
    public var name: String
    public var block: BlockID
}

/// The two duty pools.
public enum Pool: String, Hashable, Sendable, CaseIterable {
    case physicians
    case stations
}

/// Position of a member in ``Instance/members``.
public typealias MemberIndex = Int

/// A member of a duty pool: a physician or a visiting-nurse station.
public struct Member: Hashable, Sendable {
    public var id: MemberID
    public var name: String
    public var pool: Pool
    /// The physician's clinic (nil for stations).
    public var clinic: ClinicID?
    /// The clinic's block for a physician, the station's own block for a station.
    public var block: BlockID
    public var skills: Set<String>
    /// Share of duties volunteered for (0 takes none).
    public var share: Double
    /// Hard cap on assignments over the period.
    public var maxDuties: Int?
    public var unavailable: [Absence]
    public var avoid: [Absence]
    public var history: History
    /// At most this many home-care patients as their deputy (nil: no cap; physicians only).
    public var maxDeputyPatients: Int? = nil
}

/// Duties and points already served this fiscal year.
public struct History: Hashable, Sendable {
    public var points: Double
    public var holidays: Int

    public init(points: Double = 0, holidays: Int = 0) {
        self.points = points
        self.holidays = holidays
    }
}

/// A visiting-nurse station: a member of the station pool and a target of load sharing.
public struct Station: Hashable, Sendable {
    public var id: MemberID
    public var name: String
    public var block: BlockID
    /// Full-time-equivalent nurses (> 0).
    public var nurses: Double
    /// Visits per week the station can make (> 0).
    public var capacity: Double
    /// Visits per week already committed and not movable (≥ 0).
    public var load: Double
    public var skills: Set<String>
}

/// A time when a member cannot (``Member/unavailable``) or would rather not
/// (``Member/avoid``) take duties.
public struct Absence: Hashable, Sendable {
    public var from: CivilDate
    public var to: CivilDate
    /// With shifts: only occurrences of these shifts starting on a date in [from, to].
    /// Without: every occurrence overlapping [from 00:00, to+1 00:00).
    public var shifts: Set<ShiftID>?

    public init(from: CivilDate, to: CivilDate, shifts: Set<ShiftID>? = nil) {
        self.from = from
        self.to = to
        self.shifts = shifts
    }

    /// Whether the absence blocks the occurrence of `shift` starting on `date` (SPEC section 2).
    public func blocks(_ occurrence: Occurrence) -> Bool {
        if let shifts {
            return shifts.contains(occurrence.shift) && occurrence.date >= from && occurrence.date <= to
        }
        let absenceStart = from.dayNumber * Occurrence.minutesPerDay
        let absenceEnd = (to.dayNumber + 1) * Occurrence.minutesPerDay
        return occurrence.start < absenceEnd && absenceStart < occurrence.end
    }
}

/// A time of day in minutes after midnight (0–1439), written `HH:MM`.
public struct TimeOfDay: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var minutes: Int

    public init?(minutes: Int) {
        guard (0..<1440).contains(minutes) else { return nil }
        self.minutes = minutes
    }

    /// Parses exactly `HH:MM`, 00:00–23:59.
    public init?(text: String) {
        let b = Array(text.utf8)
        guard b.count == 5, b[2] == UInt8(ascii: ":"),
              b.enumerated().allSatisfy({ $0.offset == 2 || ($0.element >= 48 && $0.element <= 57) })
        else { return nil }
        let h = Int(b[0] - 48) * 10 + Int(b[1] - 48)
        let m = Int(b[3] - 48) * 10 + Int(b[4] - 48)
        guard h < 24, m < 60 else { return nil }
        self.minutes = h * 60 + m
    }

    public var description: String {
        let h = minutes / 60, m = minutes % 60
        return "\(h < 10 ? "0" : "")\(h):\(m < 10 ? "0" : "")\(m)"
    }

    public static func < (lhs: TimeOfDay, rhs: TimeOfDay) -> Bool { lhs.minutes < rhs.minutes }
}

public struct Shift: Hashable, Sendable {
    public var id: ShiftID
    public var name: String
    public var start: TimeOfDay
    /// End ≤ start means the next day; start = end is 24 hours.
    public var end: TimeOfDay
    /// Burden per day type; a missing day type means 1.0.
    public var points: [DayType: Double]

    /// Length in minutes (1–1440).
    public var duration: Int {
        end.minutes > start.minutes ? end.minutes - start.minutes : end.minutes + 1440 - start.minutes
    }

    /// Points of an occurrence on a date of `dayType`.
    public func points(on dayType: DayType) -> Double { points[dayType] ?? 1.0 }
}

/// Where a duty is planned.
public enum DutyScope: String, Hashable, Sendable {
    /// One area per block (area id = block id).
    case block
    /// One area "all" with every block.
    case network
    /// The duty's own list of areas.
    case areas
}

public struct Area: Hashable, Sendable {
    public var id: AreaID
    public var name: String?
    public var blocks: [BlockID]
}

public struct Duty: Hashable, Sendable {
    public var id: DutyID
    public var name: String
    public var pool: Pool
    public var scope: DutyScope
    /// The areas after applying the scope (for "block" and "network", derived).
    public var areas: [Area]
    /// Skills a member must have.
    public var requires: Set<String>
    public var allowNeighbors: Bool
    /// Demand per shift and day type, shifts in file order; a missing day type means 0.
    public var demand: [ShiftDemand]

    /// The demand of `shift` on a date of `dayType` (0 when none).
    public func demand(of shift: ShiftID, on dayType: DayType) -> Int {
        demand.first { $0.shift == shift }?.counts[dayType] ?? 0
    }
}

public struct ShiftDemand: Hashable, Sendable {
    public var shift: ShiftID
    public var counts: [DayType: Int]
}

/// The rules of one pool (SPEC section 2, `rules`).
public struct PoolRules: Hashable, Sendable {
    public var maxDutiesPerDate: Int
    public var minDaysBetween: Int
    public var spreadDays: Int

    public static let physicianDefaults = PoolRules(maxDutiesPerDate: 1, minDaysBetween: 2, spreadDays: 7)
    public static let stationDefaults = PoolRules(maxDutiesPerDate: 1, minDaysBetween: 1, spreadDays: 0)
}

public struct Rules: Hashable, Sendable {
    public var physicians: PoolRules
    public var stations: PoolRules

    public init(physicians: PoolRules = .physicianDefaults, stations: PoolRules = .stationDefaults) {
        self.physicians = physicians
        self.stations = stations
    }

    public subscript(pool: Pool) -> PoolRules { pool == .physicians ? physicians : stations }
}

/// An assignment fixed in advance.
public struct Pin: Hashable, Sendable {
    public var duty: DutyID
    public var area: AreaID
    public var date: CivilDate
    public var shift: ShiftID
    public var member: MemberID
}

extension Pin {
    /// The pin that fixes `assignment`.
    public init(_ assignment: Assignment) {
        self.init(duty: assignment.duty, area: assignment.area, date: assignment.date, shift: assignment.shift, member: assignment.member)
    }
}

public struct LoadSharingItem: Hashable, Sendable {
    public var id: ItemID
    /// The station it comes from, nil for a new referral.
    public var from: MemberID?
    public var block: BlockID
    /// Visits per week (> 0).
    public var visits: Double
    public var requires: Set<String>
}

/// Kinds of pledged beds.
public enum BedKind: String, Hashable, Sendable, CaseIterable {
    case acute
    case palliative
    case respite
}

public struct Hospital: Hashable, Sendable {
    public var id: HospitalID
    public var name: String
    public var block: BlockID
    /// Clinics of its home-care liaison group (在宅医療連携グループ).
    public var group: Set<ClinicID>
    public var beds: [BedKind: Int]

    public func beds(_ kind: BedKind) -> Int { beds[kind] ?? 0 }
}

/// What a registered patient would be admitted for.
public enum Need: String, Hashable, Sendable, CaseIterable {
    case acute
    case palliative

    public var bedKind: BedKind { self == .acute ? .acute : .palliative }
}

public struct Patient: Hashable, Sendable {
    public var id: PatientID
    public var clinic: ClinicID
    public var needs: Need
    /// Expected admissions in the period (≥ 0).
    public var risk: Double
}

public struct RespiteRequest: Hashable, Sendable {
    public var id: RespiteID
    public var clinic: ClinicID
    /// 1–60 nights.
    public var nights: Int
    public var earliest: CivilDate
    public var latest: CivilDate
    /// 1–3 (3 most urgent).
    public var priority: Int
}

/// A home-care patient (在宅患者) of the deputy designation (SPEC section 4b). Patients are
/// known by id only: the format has no place for a name.
public struct HomePatient: Hashable, Sendable {
    public var id: HomePatientID
    /// The attending physician (主治医).
    public var attending: MemberID
    /// Where the patient lives (default: the attending's clinic's block).
    public var block: BlockID
    /// Skills the deputy must have (e.g. "eol").
    public var requires: Set<String>
    /// The deputy of the last period, for continuity.
    public var previous: MemberID?

    public init(id: HomePatientID, attending: MemberID, block: BlockID, requires: Set<String> = [], previous: MemberID? = nil) {
        self.id = id
        self.attending = attending
        self.block = block
        self.requires = requires
        self.previous = previous
    }
}
