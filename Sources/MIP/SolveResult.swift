/// Why a solve stopped.
public enum Termination: String, Sendable, Hashable, Codable, CustomStringConvertible {
    /// A solution proven optimal (within the solver's tolerances).
    case optimal
    /// A solution within the requested relative gap of the bound.
    case gapLimit
    /// The time limit was reached; ``SolveResult/hasSolution`` tells whether a solution exists.
    case timeLimit
    /// The model has no feasible solution (proven).
    case infeasible
    /// The objective is unbounded over a non-empty feasible set (proven).
    case unbounded
    /// The relaxation is unbounded; the model is either infeasible or unbounded.
    case infeasibleOrUnbounded
    /// The solver failed numerically; a solution may still be present.
    case numericalTrouble

    public var description: String { rawValue }
}

/// What became of ``SolveOptions/initialSolution``.
public enum StartOutcome: Sendable, Hashable {
    /// No start was given.
    case notGiven
    /// The start was handed to the solver and accepted as its incumbent.
    case accepted
    /// The solver already had a better incumbent when offered the start.
    case declined
    /// The solver never reached a point where it takes a start (for example the root
    /// relaxation was already integral, or time ran out first).
    case notReached
    /// The start failed the feasibility check and was not used; the first violations.
    case rejected([String])
}

/// The outcome of a solve: status, values and the numbers that qualify them.
public struct SolveResult: Sendable {
    public var termination: Termination
    /// Whether ``values`` holds a feasible assignment.
    public var hasSolution: Bool
    /// The objective value of ``values`` (`nil` without a solution).
    public var objective: Double?
    /// The best proven bound on the optimum (a lower bound when minimising), or `nil`.
    public var bound: Double?
    /// One value per variable when ``hasSolution``, else empty.
    public var values: [Double]
    /// Wall-clock seconds of the solve.
    public var seconds: Double
    /// Branch-and-bound nodes created (0 for a continuous model).
    public var nodes: Int
    /// What became of the initial solution.
    public var start: StartOutcome
    /// One dual value (shadow price) per constraint, for a continuous model solved to
    /// optimality by the simplex method; else empty. For a minimisation the dual of a
    /// `≤` row is ≤ 0 and of a `≥` row ≥ 0, so that each variable's reduced cost is its
    /// objective coefficient minus Σ (row coefficient × dual).
    public var rowDuals: [Double] = []

    public init(
        termination: Termination, hasSolution: Bool, objective: Double?, bound: Double?,
        values: [Double], seconds: Double, nodes: Int = 0, start: StartOutcome = .notGiven
    ) {
        self.termination = termination
        self.hasSolution = hasSolution
        self.objective = objective
        self.bound = bound
        self.values = values
        self.seconds = seconds
        self.nodes = nodes
        self.start = start
    }

    /// `|objective − bound| / max(|objective|, 1)`, or `nil` without both.
    public var relativeGap: Double? {
        guard let objective, let bound else { return nil }
        return Swift.abs(objective - bound) / Swift.max(Swift.abs(objective), 1)
    }

    /// The value of a variable. Requires a solution.
    public func value(_ variable: Variable) -> Double {
        precondition(hasSolution, "no solution to read")
        return values[variable.index]
    }

    /// The value of an expression. Requires a solution.
    public func value(_ expression: LinearExpression) -> Double {
        precondition(hasSolution, "no solution to read")
        return expression.value(values)
    }
}

/// A solver that takes a whole ``Model`` in one call.
///
/// Implementations create, solve and free their native problem inside the call, on the
/// calling thread, so a backend value can be shared freely between threads.
public protocol SolverBackend: Sendable {
    /// Solves `model`. Status is a value; throws only for misuse (``MIPError``) or a
    /// failure of the solver itself.
    func solve(_ model: Model, options: SolveOptions) throws -> SolveResult
}

extension Model {
    /// Solves the model with `backend`.
    public func solve(using backend: some SolverBackend, options: SolveOptions = SolveOptions()) throws -> SolveResult {
        try backend.solve(self, options: options)
    }
}
