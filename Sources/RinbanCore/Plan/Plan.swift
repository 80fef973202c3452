/// A plan (`rinban-plan/1`, SPEC section 6): who takes which slot, where load-sharing
/// items go, which hospital backs each registered patient, and the accepted respite stays,
/// with the objective the planner claims and how it was found.
public struct Plan: Sendable, Hashable {
    public static let format = "rinban-plan/1"

    public var period: Period
    public var assignments: [Assignment]
    /// Informative: demand left open. A checker derives it again from the assignments.
    public var uncovered: [UncoveredSlot]
    public var placements: [Placement]
    public var designations: [Designation]
    public var respite: [RespiteBooking]
    /// The deputy physician of each home-care patient that has one (SPEC section 4b).
    public var deputies: [DeputyDesignation]
    public var objective: PlanObjective?
    public var solver: SolverReport?

    public init(
        period: Period, assignments: [Assignment] = [], uncovered: [UncoveredSlot] = [], placements: [Placement] = [],
        designations: [Designation] = [], respite: [RespiteBooking] = [], deputies: [DeputyDesignation] = [],
        objective: PlanObjective? = nil, solver: SolverReport? = nil
    ) {
        self.period = period
        self.assignments = assignments
        self.uncovered = uncovered
        self.placements = placements
        self.designations = designations
        self.respite = respite
        self.deputies = deputies
        self.objective = objective
        self.solver = solver
    }
}

/// A slot with fewer members than its demand.
public struct UncoveredSlot: Hashable, Sendable {
    public var duty: DutyID
    public var area: AreaID
    public var date: CivilDate
    public var shift: ShiftID
    public var missing: Int
    /// Why it could not be covered, in plain words (not part of the file format's checks).
    public var reason: String?

    public init(duty: DutyID, area: AreaID, date: CivilDate, shift: ShiftID, missing: Int, reason: String? = nil) {
        self.duty = duty
        self.area = area
        self.date = date
        self.shift = shift
        self.missing = missing
        self.reason = reason
    }
}

/// A load-sharing item placed at a station.
public struct Placement: Hashable, Sendable {
    public var item: ItemID
    public var station: MemberID

    public init(item: ItemID, station: MemberID) {
        self.item = item
        self.station = station
    }
}

/// The hospital designated for a registered patient.
public struct Designation: Hashable, Sendable {
    public var patient: PatientID
    public var hospital: HospitalID

    public init(patient: PatientID, hospital: HospitalID) {
        self.patient = patient
        self.hospital = hospital
    }
}

/// An accepted respite request: the hospital and the first night.
public struct RespiteBooking: Hashable, Sendable {
    public var request: RespiteID
    public var hospital: HospitalID
    public var start: CivilDate

    public init(request: RespiteID, hospital: HospitalID, start: CivilDate) {
        self.request = request
        self.hospital = hospital
        self.start = start
    }
}

/// The deputy physician (副主治医) named for a home-care patient.
public struct DeputyDesignation: Hashable, Sendable {
    public var patient: HomePatientID
    public var deputy: MemberID

    public init(patient: HomePatientID, deputy: MemberID) {
        self.patient = patient
        self.deputy = deputy
    }
}

/// The objective a plan claims: unweighted term values and the weighted total.
public struct PlanObjective: Hashable, Sendable {
    public var total: Double
    public var terms: [ObjectiveTerm: Double]

    public init(total: Double, terms: [ObjectiveTerm: Double]) {
        self.total = total
        self.terms = terms
    }
}

/// How a plan was found (SPEC section 6, `solver`).
public struct SolverReport: Hashable, Sendable {
    /// "glpk", "greedy", "lns", …
    public var engine: String
    /// "optimal", "gapLimit", "timeLimit", "heuristic", …
    public var status: String
    /// A proven lower bound on the total objective, or nil.
    public var bound: Double?
    /// (total − bound) / max(|total|, 1), or nil without a bound.
    public var gap: Double?
    public var seconds: Double

    public init(engine: String, status: String, bound: Double?, gap: Double?, seconds: Double) {
        self.engine = engine
        self.status = status
        self.bound = bound
        self.gap = gap
        self.seconds = seconds
    }
}
