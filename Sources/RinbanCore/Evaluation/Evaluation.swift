/// The hard rules a plan is checked against: the rota's H1–H6 (SPEC section 3), load
/// sharing and beds (section 4) and the plan's period (section 6).
public enum PlanRule: String, Hashable, Sendable, CaseIterable, Comparable {
    /// The plan's period equals the instance's.
    case period
    /// Existing slot, eligible member, once per slot, no more than the demand.
    case h1 = "H1"
    /// No overlapping occurrences for one member.
    case h2 = "H2"
    /// At most `maxDutiesPerDate` starts on one date.
    case h3 = "H3"
    /// Different dates at least `minDaysBetween` days apart.
    case h4 = "H4"
    /// At most `maxDuties` assignments.
    case h5 = "H5"
    /// Every pin is in the plan.
    case h6 = "H6"
    /// Every load-sharing item is placed exactly once, at an allowed station.
    case placement = "L1"
    /// Every registered patient is designated exactly once, to a hospital with beds for the need.
    case designation = "B1"
    /// A respite booking names a known request once, a hospital with respite beds, a start in the window.
    case respiteBooking = "B2"
    /// On no night does a hospital hold more respite stays than its respite beds.
    case respiteCapacity = "B3"
    /// Each home-care patient has at most one deputy, and only an eligible one.
    case deputy = "D1"
    /// A physician with `maxDeputyPatients` deputises for at most that many patients.
    case deputyCap = "D2"

    /// The rule in a few plain words, for reports.
    public var summary: String {
        switch self {
        case .period: return "the plan covers the instance's period"
        case .h1: return "existing slot, eligible member, once per slot, no more than the demand"
        case .h2: return "no member holds overlapping shifts"
        case .h3: return "no more than maxDutiesPerDate duties starting on one date"
        case .h4: return "at least minDaysBetween days between a member's duties"
        case .h5: return "no more than maxDuties duties"
        case .h6: return "every pin is in the plan"
        case .placement: return "every load-sharing item placed once, at an allowed station"
        case .designation: return "every patient designated once, to a hospital with beds for the need"
        case .respiteBooking: return "respite stays: known request, booked once, hospital with respite beds, start in the window"
        case .respiteCapacity: return "no more respite stays on a night than the hospital's respite beds"
        case .deputy: return "at most one deputy per home-care patient, and only an eligible physician"
        case .deputyCap: return "no physician deputises for more patients than maxDeputyPatients"
        }
    }

    public static func < (lhs: PlanRule, rhs: PlanRule) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// One broken hard rule and what breaks it.
public struct PlanViolation: Hashable, Sendable, CustomStringConvertible {
    public var rule: PlanRule
    /// The plan's offending entries by position: `assignments[3]`, `respite[0]`, `period`.
    public var entries: [DocumentPath]
    /// Entries of the instance the plan fails to honour, when the fault is something
    /// missing from the plan: `pins[0]`, `loadSharing.items[2]`, `beds.patients[1]`.
    public var instanceEntries: [DocumentPath]
    /// What is wrong, naming the ids involved.
    public var message: String

    public init(rule: PlanRule, entries: [DocumentPath] = [], instanceEntries: [DocumentPath] = [], message: String) {
        self.rule = rule
        self.entries = entries
        self.instanceEntries = instanceEntries
        self.message = message
    }

    /// `H1 assignments[3]: p02 is not eligible for …`.
    public var description: String {
        let places = entries.map(\.description) + instanceEntries.map { "instance \($0)" }
        return "\(rule.rawValue) \(places.joined(separator: ", ")): \(message)"
    }
}

/// A member's fairness figures (SPEC section 5), from its history and its counted assignments.
public struct MemberFigures: Hashable, Sendable {
    /// Position in ``Instance/members``.
    public var member: MemberIndex
    public var id: MemberID
    public var pool: Pool
    /// Assignments that count (they pass H1).
    public var assignments: Int
    /// Of those, assignments on holiday-type dates.
    public var holidayAssignments: Int
    /// P_m: history points plus the points of the assignments.
    public var points: Double
    /// T_m; nil for a member with share 0, who takes no part in fairness.
    public var target: Double?
    /// H_m: history holidays plus the holiday assignments.
    public var holidays: Int
    /// TH_m; nil for a member with share 0.
    public var holidayTarget: Double?

    /// |P_m − T_m|, or nil with share 0.
    public var deviation: Double? { target.map { abs(points - $0) } }
    /// |H_m − TH_m|, or nil with share 0.
    public var holidayDeviation: Double? { holidayTarget.map { abs(Double(holidays) - $0) } }
}

/// A station's load after the plan's placements (visits per week).
public struct StationFigures: Hashable, Sendable {
    /// Position in ``Instance/stations``.
    public var station: Int
    public var id: MemberID
    /// The station's fixed load plus the visits of the items counted as placed there.
    public var load: Double
    public var capacity: Double

    /// load / capacity.
    public var utilisation: Double { load / capacity }
}

/// A home-care patient's deputy as the evaluator counts it.
public struct PatientDeputyFigures: Hashable, Sendable {
    /// Position in ``Instance/homePatients``.
    public var patient: Int
    /// The counted deputy (position in ``Instance/members``), nil when none counts.
    public var deputy: MemberIndex?
    /// Period dates on which the attending and the deputy are both whole-day unavailable.
    public var bothAway: [CivilDate]
}

/// A physician of the deputy pool: patients counted against the fair share.
public struct DeputyLoadFigures: Hashable, Sendable {
    public var member: MemberIndex
    /// n_q: patients whose counted deputy this physician is.
    public var patients: Int
    /// t_q = share / Σ share × N.
    public var target: Double

    /// |n_q − t_q|.
    public var deviation: Double { abs(Double(patients) - target) }
}

/// The plan's stated objective set against the recomputed one.
public struct ObjectiveComparison: Hashable, Sendable {
    /// Two values agree when they differ by at most this share of the larger magnitude…
    public static let relativeTolerance = 1e-6
    /// …or by at most this much (for values near zero).
    public static let absoluteTolerance = 1e-6

    /// One term, or the total.
    public struct Line: Hashable, Sendable {
        /// nil for the total.
        public var term: ObjectiveTerm?
        /// What the plan states; nil when the plan does not list the term (compared as 0).
        public var claimed: Double?
        /// The evaluator's value.
        public var recomputed: Double
        /// Whether `claimed` (0 when not stated) and `recomputed` agree within the tolerance.
        public var agrees: Bool
    }

    /// Every term, in the order of ``ObjectiveTerm``.
    public var terms: [Line]
    public var total: Line

    /// Whether every term and the total agree.
    public var agrees: Bool { total.agrees && terms.allSatisfy(\.agrees) }
    /// The lines that do not agree, terms first, then the total.
    public var differences: [Line] { (terms + [total]).filter { !$0.agrees } }

    /// |a − b| ≤ max(absoluteTolerance, relativeTolerance × max(|a|, |b|)).
    public static func agree(_ a: Double, _ b: Double) -> Bool {
        abs(a - b) <= max(absoluteTolerance, relativeTolerance * max(abs(a), abs(b)))
    }

    /// Compares every term (a term the plan does not state counts as 0) and the total.
    public init(claimed: PlanObjective, recomputed terms: [ObjectiveTerm: Double], total: Double) {
        self.terms = ObjectiveTerm.allCases.map { term in
            let value = terms[term] ?? 0
            let stated = claimed.terms[term]
            return Line(term: term, claimed: stated, recomputed: value, agrees: Self.agree(stated ?? 0, value))
        }
        self.total = Line(term: nil, claimed: claimed.total, recomputed: total, agrees: Self.agree(claimed.total, total))
    }
}

/// What ``Evaluator`` finds in a plan: every broken hard rule, every objective term
/// recomputed from the instance and the plan's lists, and the figures behind them.
public struct Evaluation: Sendable {
    /// Broken hard rules, by rule (``PlanRule`` order), then in plan order.
    public var violations: [PlanViolation]
    /// Unweighted value of every term of SPEC section 5 (0 where nothing is penalised).
    public var terms: [ObjectiveTerm: Double]
    /// The instance's weights.
    public var weights: Weights
    /// Σ weight × value over the terms.
    public var total: Double
    /// Slots with fewer counted assignments than their demand, in slot order.
    public var uncovered: [UncoveredSlot]
    /// One entry per member of the instance, in instance order.
    public var members: [MemberFigures]
    /// One entry per station, in instance order.
    public var stations: [StationFigures]
    /// Positions in the plan's `assignments` of the entries that break H1 and therefore
    /// count toward no term (they cover nothing and earn no points).
    public var ignoredAssignments: [Int]
    /// The stated objective against the recomputed one; nil when the plan states none.
    public var comparison: ObjectiveComparison?
    /// Whether a baseline was given (without one, `stability` is 0).
    public var hasBaseline: Bool
    /// One entry per home-care patient, in instance order.
    public var patientDeputies: [PatientDeputyFigures] = []
    /// One entry per physician of the deputy pool, in instance order.
    public var deputyLoads: [DeputyLoadFigures] = []

    /// A plan is feasible when it breaks no hard rule.
    public var isFeasible: Bool { violations.isEmpty }

    /// Value of a term (0 when absent).
    public func value(_ term: ObjectiveTerm) -> Double { terms[term] ?? 0 }

    /// weight × value of a term.
    public func weighted(_ term: ObjectiveTerm) -> Double { weights[term] * value(term) }

    /// The rules broken, each once, in rule order.
    public var brokenRules: [PlanRule] { Array(Set(violations.map(\.rule))).sorted() }
}
