import MIP
import RinbanCore

/// The deputy designation as an integer program (see docs/rota-formulation.md, "Patient
/// deputies"), started from ``DeputyProblem/greedy(fixed:start:)``.
///
/// x[h,q] ∈ {0,1} for every eligible pair; Σ_q x[h,q] ≤ 1 per patient; Σ_h x[h,q] ≤ cap_q;
/// the fairness deviation d_q ≥ |n_q − t_q| through the convex hull of its values at whole
/// n_q (two slopes and the chord between ⌊t_q⌋ and ⌊t_q⌋ + 1), so the relaxation cannot
/// settle n_q at a fractional target (pitfall P1 of the GLPK notes).
public struct DeputyPlanner: Sendable {
    public let problem: DeputyProblem
    public let backend: any SolverBackend

    public init(problem: DeputyProblem, backend: any SolverBackend) {
        self.problem = problem
        self.backend = backend
    }

    /// A designation with how it was found.
    public struct Outcome: Sendable {
        /// Each patient's deputy (nil: none).
        public var deputy: [MemberIndex?]
        /// Proven lower bound on the weighted deputy terms (of the problem as posed:
        /// with `fixed` patients, of the restricted problem).
        public var bound: Double
        /// Proven optimal (within 1e-7).
        public var optimal: Bool
        /// Seconds spent in the solver.
        public var seconds: Double
    }

    /// The program with its variables, for solving or exporting.
    public struct Formulation: Sendable {
        public var model: Model
        /// x of each free patient's candidates (same order as ``DeputyProblem/candidates``).
        var x: [[Variable]]
        var deviation: [MemberIndex: Variable]
        var free: [Bool]
        let fixed: [Int: MemberIndex]
        let problem: DeputyProblem

        /// Variable values of a choice (the start handed to the solver).
        func values(for deputy: [MemberIndex?]) -> [Double] {
            var values = [Double](repeating: 0, count: model.variableCount)
            var count: [MemberIndex: Int] = [:]
            for (h, q) in deputy.enumerated() {
                guard let q else { continue }
                count[q, default: 0] += 1
                if free[h], let k = problem.candidates[h].firstIndex(where: { $0.member == q }) { values[x[h][k].index] = 1 }
            }
            for (q, d) in deviation {
                let t = problem.target[q]!, n = Double(count[q] ?? 0)
                let fl = t.rounded(.down), f = t - fl
                values[d.index] = max(abs(n - t), f + (n - fl) * (1 - 2 * f))
            }
            return values
        }

        /// The choice a solution's values encode.
        func choice(_ values: [Double]) -> [MemberIndex?] {
            var deputy = [MemberIndex?](repeating: nil, count: problem.patientCount)
            for (h, q) in fixed { deputy[h] = q }
            for h in x.indices where free[h] {
                if let k = x[h].indices.first(where: { values[x[h][$0].index] > 0.5 }) { deputy[h] = problem.candidates[h][k].member }
            }
            return deputy
        }
    }

    /// Builds the program. `fixed` patients keep their deputy (constants); `preferred`
    /// deputies of free patients are cheaper by `preferenceCost` (what-if runs: a published
    /// deputy moves only when that gains more than this).
    public func formulation(fixed: [Int: MemberIndex] = [:], preferred: [Int: MemberIndex] = [:],
                            preferenceCost: Double = 0, names: Bool = false) throws -> Formulation {
        let instance = problem.instance
        let w = problem.weights
        var model = Model(name: "deputies", keepsNames: names)
        var objective = LinearExpression(problem.emptyConstant)
        var free = [Bool](repeating: true, count: problem.patientCount)
        var fixedCount: [MemberIndex: Int] = [:]
        for (h, q) in fixed {
            free[h] = false
            fixedCount[q, default: 0] += 1
            objective.constant += problem.candidate(h, q).map(problem.linearCost) ?? 0
        }
        var x: [[Variable]] = []
        var load: [MemberIndex: LinearExpression] = [:]
        for (h, patient) in instance.homePatients.enumerated() {
            guard free[h], !problem.candidates[h].isEmpty else {
                x.append([])
                continue
            }
            var row: [Variable] = []
            for c in problem.candidates[h] {
                let v = try model.addVariable(.binary, name: "x[\(patient.id),\(instance.members[c.member].id)]")
                var cost = problem.linearCost(c)
                if preferred[h] == c.member {
                    cost -= preferenceCost
                    objective.constant += preferenceCost
                }
                objective.add(v, times: cost)
                load[c.member, default: LinearExpression()].add(v)
                row.append(v)
            }
            if row.count > 1 {
                try model.addConstraint(LinearExpression(sum: row) <= 1, name: "one[\(patient.id)]")
            } else {
                try model.setBounds(of: row[0], lower: 0, upper: 1)
            }
            x.append(row)
        }
        for (q, expression) in load.sorted(by: { $0.key < $1.key }) {
            if let cap = instance.members[q].maxDeputyPatients, expression.termCount > cap - (fixedCount[q] ?? 0) {
                try model.addConstraint(expression <= Double(cap - (fixedCount[q] ?? 0)), name: "cap[\(instance.members[q].id)]")
            }
        }
        // Fairness: d_q ≥ n_q − t, d_q ≥ t − n_q and the chord between the whole numbers around t.
        var deviation: [MemberIndex: Variable] = [:]
        if problem.fairnessCounts {
            for q in problem.pool {
                let t = problem.target[q]!
                let constant = Double(fixedCount[q] ?? 0)
                guard var n = load[q] else {
                    objective.constant += w[.deputyFairness] * abs(constant - t)
                    continue
                }
                n.constant += constant
                let id = instance.members[q].id
                let d = try model.addVariable(.continuous, lower: 0, name: "d[\(id)]")
                try model.addConstraint(d - n >= -t, name: "over[\(id)]")
                try model.addConstraint(d + n >= t, name: "under[\(id)]")
                let fl = t.rounded(.down), f = t - fl
                if f > 1e-9 {
                    // d ≥ f + (n − fl)(1 − 2f)
                    try model.addConstraint(d - n * (1 - 2 * f) >= f - fl * (1 - 2 * f), name: "chord[\(id)]")
                }
                objective.add(d, times: w[.deputyFairness])
                deviation[q] = d
            }
        }
        try model.minimize(objective)
        return Formulation(model: model, x: x, deviation: deviation, free: free, fixed: fixed, problem: problem)
    }

    /// Solves the designation from the greedy start (or `start`), within `timeLimit` seconds.
    public func plan(timeLimit: Double, fixed: [Int: MemberIndex] = [:], start: [MemberIndex?]? = nil,
                     preferred: [Int: MemberIndex] = [:], preferenceCost: Double = 0) throws -> Outcome {
        let greedy = problem.greedy(fixed: fixed, start: start)
        guard problem.patientCount > 0 else { return Outcome(deputy: [], bound: problem.weightedTotal([]), optimal: true, seconds: 0) }
        let formulation = try formulation(fixed: fixed, preferred: preferred, preferenceCost: preferenceCost)
        var options = SolveOptions(timeLimit: max(0.1, timeLimit), relativeGap: 1e-7, cuts: [.mixedIntegerRounding],
                                   initialSolution: formulation.values(for: greedy))
        options.feasibilityPump = false
        let result = try formulation.model.solve(using: backend, options: options)
        // The preference is outside SPEC's objective: the bound is lowered by the most it can add.
        let bound = (result.bound ?? -Double.infinity) - preferenceCost * Double(preferred.count)
        var deputy = greedy
        if result.hasSolution {
            let solved = formulation.choice(result.values)
            if problem.weightedTotal(solved) <= problem.weightedTotal(greedy) + 1e-9 { deputy = solved }
        }
        let proven = result.termination == .optimal || result.termination == .gapLimit
        return Outcome(deputy: deputy, bound: bound.isFinite ? bound : problem.countingBound(), optimal: proven,
                       seconds: result.seconds)
    }
}
