/// The terms of the objective (SPEC section 5). Raw values are exactly the term names
/// used in `weights` and in a plan's `objective.terms`.
public enum ObjectiveTerm: String, Hashable, Sendable, CaseIterable, Comparable {
    case uncovered
    case fairness
    case maxDeviation
    case holidayFairness
    case neighbor
    case avoid
    case spread
    case stability
    case loadMax
    case overflow
    case transfer
    case remoteStation
    case bedOverload
    case outsideGroup
    case bedDistance
    case respiteRejected
    case respiteDelay
    case undeputed
    case deputyDistance
    case deputyFairness
    case deputyChange
    case deputyGap

    /// The weight a term has unless the instance overrides it.
    public var defaultWeight: Double {
        switch self {
        case .uncovered: return 1000
        case .fairness: return 10
        case .maxDeviation: return 20
        case .holidayFairness: return 10
        case .neighbor: return 3
        case .avoid: return 50
        case .spread: return 5
        case .stability: return 20
        case .loadMax: return 1
        case .overflow: return 100
        case .transfer: return 2
        case .remoteStation: return 1
        case .bedOverload: return 100
        case .outsideGroup: return 5
        case .bedDistance: return 2
        case .respiteRejected: return 50
        case .respiteDelay: return 1
        case .undeputed: return 500
        case .deputyDistance: return 2
        case .deputyFairness: return 5
        case .deputyChange: return 10
        case .deputyGap: return 3
        }
    }

    public static func < (lhs: ObjectiveTerm, rhs: ObjectiveTerm) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// Weights of the objective terms: the defaults of SPEC section 5 with the instance's overrides.
public struct Weights: Hashable, Sendable {
    public private(set) var overrides: [ObjectiveTerm: Double]

    public init(overrides: [ObjectiveTerm: Double] = [:]) {
        self.overrides = overrides
    }

    public subscript(term: ObjectiveTerm) -> Double { overrides[term] ?? term.defaultWeight }
}
