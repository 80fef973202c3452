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
        /// x of each free patient's candidates in the program, and those candidates.
        var x: [[Variable]]
        var members: [[MemberIndex]]
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
                if free[h], let k = members[h].firstIndex(of: q) { values[x[h][k].index] = 1 }
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
                if let k = x[h].indices.first(where: { values[x[h][$0].index] > 0.5 }) { deputy[h] = members[h][k] }
            }
            return deputy
        }
    }

    /// Builds the program. `fixed` patients keep their deputy (constants); `preferred`
    /// deputies of free patients are cheaper by `preferenceCost` (what-if runs: a published
    /// deputy moves only when that gains more than this); with `allowed`, only those
    /// candidates of each patient get a variable (the restricted program of ``plan``).
    public func formulation(fixed: [Int: MemberIndex] = [:], preferred: [Int: MemberIndex] = [:],
                            preferenceCost: Double = 0, allowed: [Set<MemberIndex>]? = nil,
                            names: Bool = false) throws -> Formulation {
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
        var members: [[MemberIndex]] = []
        var load: [MemberIndex: LinearExpression] = [:]
        for (h, patient) in instance.homePatients.enumerated() {
            let candidates = problem.candidates[h].filter { allowed?[h].contains($0.member) ?? true }
            guard free[h], !candidates.isEmpty else {
                x.append([])
                members.append([])
                continue
            }
            members.append(candidates.map(\.member))
            var row: [Variable] = []
            for c in candidates {
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
        return Formulation(model: model, x: x, members: members, deviation: deviation, free: free, fixed: fixed,
                           problem: problem)
    }

    /// How many of its cheapest candidates each patient brings into the first restricted program.
    public static let initialCandidates = 6

    /// Solves the designation from the greedy start (or `start`), within `timeLimit` seconds.
    ///
    /// The program is a min-cost flow with convex costs in disguise (patients → physicians →
    /// fair shares), so it is solved by pricing: GLPK solves a restricted program in which
    /// each patient has only its ``initialCandidates`` cheapest candidates (and its start
    /// deputy); then ``DeputyProblem/price(_:allowed:fixed:preferred:preferenceCost:)``
    /// prices every pair left out at the restricted optimum's duals. None with a negative
    /// reduced cost means the restricted optimum is optimal for the whole program (no
    /// negative cycle in the residual network), so its bound is proven; otherwise those
    /// pairs join the program and it is solved again (column generation). If that does not settle within the time, the whole
    /// program is solved as it stands.
    public func plan(timeLimit: Double, fixed: [Int: MemberIndex] = [:], start: [MemberIndex?]? = nil,
                     preferred: [Int: MemberIndex] = [:], preferenceCost: Double = 0) throws -> Outcome {
        let clock = ContinuousClock()
        let began = clock.now
        func left() -> Double { timeLimit - (clock.now - began).seconds }
        let greedy = problem.greedy(fixed: fixed, start: start)
        guard problem.patientCount > 0 else { return Outcome(deputy: [], bound: problem.weightedTotal([]), optimal: true, seconds: 0) }
        func cost(_ deputy: [MemberIndex?]) -> Double {
            problem.weightedTotal(deputy) - preferenceCost * Double(preferred.filter { deputy[$0.key] != $0.value }.count)
        }
        var allowed = problem.candidates.indices.map { h in
            Set(problem.candidates[h].sorted { problem.linearCost($0) < problem.linearCost($1) }
                .prefix(Self.initialCandidates).map(\.member))
        }
        for (h, q) in greedy.enumerated() { if let q { allowed[h].insert(q) } }
        for (h, q) in preferred where problem.candidate(h, q) != nil { allowed[h].insert(q) }
        var best = greedy
        pricing: for _ in 0..<50 where left() > 0.05 {
            let restricted = try solve(fixed: fixed, preferred: preferred, preferenceCost: preferenceCost, allowed: allowed,
                                       start: best, timeLimit: left())
            if let choice = restricted.choice, cost(choice) <= cost(best) + 1e-9 { best = choice }
            guard restricted.proven, let bound = restricted.bound else { break }
            switch problem.price(best, allowed: allowed, fixed: fixed, preferred: preferred, preferenceCost: preferenceCost) {
            case .optimal:
                return Outcome(deputy: best, bound: bound - preferenceCost * Double(preferred.count), optimal: true,
                               seconds: (clock.now - began).seconds)
            case let .pairs(pairs):
                // All of them: fewer per round means more rounds, each a solve from scratch (measured).
                for (h, q) in pairs { allowed[h].insert(q) }
            case let .exchange(exchange):
                // The restricted solve stopped within its tolerance: take the exchange and solve again.
                var moved = best
                for (h, q) in exchange { moved[h] = q }
                if cost(moved) < cost(best) - 1e-12 { best = moved } else { break pricing }
            }
        }
        // Not settled by pricing: the whole program.
        let whole = try solve(fixed: fixed, preferred: preferred, preferenceCost: preferenceCost, allowed: nil, start: best,
                              timeLimit: max(0.1, left()))
        if let choice = whole.choice, cost(choice) <= cost(best) + 1e-9 { best = choice }
        let bound = whole.bound.map { $0 - preferenceCost * Double(preferred.count) } ?? problem.countingBound()
        return Outcome(deputy: best, bound: min(bound, problem.weightedTotal(best)), optimal: whole.proven,
                       seconds: (clock.now - began).seconds)
    }

    /// One GLPK solve of the (restricted or whole) program from `start`.
    private func solve(fixed: [Int: MemberIndex], preferred: [Int: MemberIndex], preferenceCost: Double,
                       allowed: [Set<MemberIndex>]?, start: [MemberIndex?], timeLimit: Double) throws
        -> (choice: [MemberIndex?]?, bound: Double?, proven: Bool)
    {
        let formulation = try formulation(fixed: fixed, preferred: preferred, preferenceCost: preferenceCost, allowed: allowed)
        // No cuts: the relaxation of a flow with convex costs has a whole optimum already.
        var options = SolveOptions(timeLimit: max(0.1, timeLimit), relativeGap: 1e-7, cuts: [],
                                   initialSolution: formulation.values(for: start))
        options.feasibilityPump = false
        options.branching = .planning
        let result = try formulation.model.solve(using: backend, options: options)
        let proven = result.termination == .optimal || result.termination == .gapLimit
        return (result.hasSolution ? formulation.choice(result.values) : nil, result.bound, proven)
    }
}
