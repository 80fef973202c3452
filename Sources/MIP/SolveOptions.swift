/// Families of cutting planes a branch-and-cut backend may generate.
public struct CutFamilies: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// Gomory mixed-integer cuts (often slow on large rosters; measure before enabling).
    public static let gomory = CutFamilies(rawValue: 1 << 0)
    /// Mixed-integer rounding cuts.
    public static let mixedIntegerRounding = CutFamilies(rawValue: 1 << 1)
    /// Mixed cover cuts.
    public static let cover = CutFamilies(rawValue: 1 << 2)
    /// Clique cuts.
    public static let clique = CutFamilies(rawValue: 1 << 3)

    public static let all: CutFamilies = [.gomory, .mixedIntegerRounding, .cover, .clique]
}

/// A snapshot of a running branch-and-bound search.
public struct SolveProgress: Sendable, Hashable {
    /// Seconds since the solve started.
    public var elapsed: Double
    /// Objective of the best solution found so far.
    public var incumbent: Double?
    /// Best proven bound so far.
    public var bound: Double?
    /// Relative gap `|incumbent − bound| / max(|incumbent|, 1)` when both exist.
    public var gap: Double?
    /// Branch-and-bound nodes created so far.
    public var nodes: Int

    public init(elapsed: Double, incumbent: Double?, bound: Double?, gap: Double?, nodes: Int) {
        self.elapsed = elapsed
        self.incumbent = incumbent
        self.bound = bound
        self.gap = gap
        self.nodes = nodes
    }
}

/// How a continuous model is solved.
public enum LPMethod: String, Sendable, Hashable, CaseIterable {
    /// The simplex method: exact vertices, honours the time limit.
    case simplex
    /// An interior-point method: often much faster on large sparse relaxations; its
    /// optimum is exact only to the method's tolerance (relative gap about 1e-7), and GLPK's
    /// implementation cannot be interrupted, so the time limit does not apply.
    case interiorPoint
}

/// How branch-and-bound picks the variable to branch on.
public enum BranchingRule: String, Sendable, Hashable, CaseIterable {
    /// The backend's default. GLPK's is Driebeck and Tomlin's heuristic: before each
    /// branching it computes a row of the simplex tableau for every fractional variable, a
    /// pass over the whole matrix each, to estimate how much either branch would cost.
    case automatic
    /// The variable whose value is farthest from an integer: no work beyond the relaxation.
    case mostFractional
}

/// How a solve is run.
public struct SolveOptions: Sendable {
    /// Wall-clock limit in seconds (`nil`: none). Honoured within about a second, also
    /// inside branch-and-bound.
    public var timeLimit: Double?
    /// Stop once `|objective − bound| / max(|objective|, 1) ≤ relativeGap` (`nil`: prove optimality).
    public var relativeGap: Double?
    /// Let the backend presolve the model. A backend may switch it off to use
    /// ``initialSolution`` (GLPK does: its start vector must be in the original columns).
    public var presolve: Bool = true
    /// Cutting-plane families to generate.
    public var cuts: CutFamilies = []
    /// Run the feasibility pump heuristic at the root.
    public var feasibilityPump: Bool = false
    /// How branch-and-bound picks the variable to branch on.
    public var branching: BranchingRule = .automatic
    /// The method for a model without integer variables.
    public var lpMethod: LPMethod = .simplex
    /// A full assignment (one value per variable) to start the search from. It is checked
    /// against the model first; an infeasible one is not used (see ``StartOutcome``).
    public var initialSolution: [Double]?
    /// Called during branch-and-bound on every new incumbent and at least every
    /// ``progressInterval`` seconds while callbacks arrive. Runs on the solving thread
    /// and must not start another solve on it.
    public var progress: (@Sendable (SolveProgress) -> Void)?
    /// Seconds between periodic progress reports.
    public var progressInterval: Double = 1
    /// Asked during branch-and-bound at least every ``progressInterval`` seconds: `true`
    /// stops the search as the time limit would (termination ``Termination/timeLimit``,
    /// keeping the best solution found). For a person cancelling a long solve.
    public var shouldStop: (@Sendable () -> Bool)?
    /// Receives the solver's own log. When `nil` the solver prints nothing.
    public var log: (@Sendable (String) -> Void)?

    public init(
        timeLimit: Double? = nil,
        relativeGap: Double? = nil,
        presolve: Bool = true,
        cuts: CutFamilies = [],
        initialSolution: [Double]? = nil
    ) {
        self.timeLimit = timeLimit
        self.relativeGap = relativeGap
        self.presolve = presolve
        self.cuts = cuts
        self.initialSolution = initialSolution
    }

    /// Rejects options out of range for `model`.
    public func validate(for model: Model) throws(MIPError) {
        if let timeLimit, !(timeLimit > 0 && timeLimit.isFinite) {
            throw .invalidOption(name: "timeLimit", reason: "\(timeLimit) is not a positive number of seconds")
        }
        if let relativeGap, !(relativeGap >= 0 && relativeGap.isFinite) {
            throw .invalidOption(name: "relativeGap", reason: "\(relativeGap) is not a finite number ≥ 0")
        }
        if !(progressInterval > 0 && progressInterval.isFinite) {
            throw .invalidOption(name: "progressInterval", reason: "\(progressInterval) is not a positive number of seconds")
        }
        if let initialSolution, initialSolution.count != model.variableCount {
            throw .invalidOption(
                name: "initialSolution",
                reason: "has \(initialSolution.count) values for \(model.variableCount) variables")
        }
    }
}
