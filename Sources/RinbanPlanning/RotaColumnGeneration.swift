import Foundation
import MIP
import RinbanCore

/// Column generation over member-months (docs/rota-formulation.md, "Column generation").
///
/// The linear relaxation of ``RotaColumns``' program (one month per member, each slot
/// covered at most its demand, the pool's largest deviation) over a growing set of
/// months. Its row duals are prices of the Lagrangian relaxation: a slot's λ_s is the
/// cost of leaving it open minus its cover row's dual, a member's μ_m minus the dual of
/// their deviation row. Each round solves the linear program, prices every member's month
/// at those prices by the dynamic program of ``MemberMonth`` (``RotaLagrangian/evaluate``),
/// and adds the months that are new. The value of that evaluation is a proven bound in
/// every round, whatever the duals; once no month prices below its member's dual, the
/// linear program's value is the Lagrangian dual's optimum, the strongest bound of this
/// decomposition.
///
/// Prices are smoothed towards the best bound's (Wentges): months priced half-way between
/// the two come out closer to the ones an optimal rota uses, and the rounds converge in
/// fewer steps. A round in which smoothing finds nothing new prices at the duals alone.
struct RotaColumnGeneration {
    let problem: RotaProblem
    let lagrangian: RotaLagrangian
    let backend: any SolverBackend

    struct Outcome {
        /// The best Lagrangian value of the rounds (−∞ if none), lowered by a relative 1e-9.
        var bound: Double
        /// The linear program's value in the last round (an upper bound of the Lagrangian
        /// dual while months are still priced below their dual; equal to it once none are).
        var relaxation: Double?
        /// The months by member for the integer program: the master's own first, then by
        /// reduced cost, at most `keep` each, none that cannot be in a rota better than the
        /// incumbent (``Session/pool``).
        var columns: RotaColumnPool
        var rounds: Int
        /// No month priced below its member's dual in the last round.
        var converged: Bool
        /// The last round's linear program (its duals price the months).
        var master: Master?
    }

    /// Runs the rounds for at most `seconds`, starting from `pool` and the incumbent's months.
    ///
    /// - Parameters:
    ///   - center: the best prices known so far (the subgradient method's), for smoothing.
    ///   - keep: months per member in the outcome's pool.
    ///   - improved: told each better bound.
    func run(
        pool: RotaColumnPool, incumbent: RotaState, center: RotaLagrangian.Outcome?, seconds: Double, keep: Int,
        shouldStop: (@Sendable () -> Bool)?, improved: ((Double) -> Void)? = nil
    ) -> Outcome {
        let deadline = ContinuousClock.now + .seconds(seconds)
        var session = Session(self, pool: pool, incumbent: incumbent, center: center)
        let (lp, converged) = session.rounds(until: deadline, shouldStop: shouldStop, improved: improved)
        let bound = session.best.isFinite ? session.best - 1e-9 * max(1, abs(session.best)) : -Double.infinity
        return Outcome(bound: bound, relaxation: lp?.value,
                       columns: session.pool(keep: keep, last: lp, incumbent: incumbent.weightedTotal),
                       rounds: session.count, converged: converged, master: lp)
    }

    /// A rota by diving on the relaxation (docs/rota-formulation.md, "Diving, and where the
    /// steps aim"): the rounds
    /// run until no month is added or the master's value stalls, then every free member
    /// whose master takes one month at 0.99 or more is fixed to it, or else the tenth of the
    /// free members whose months the master takes most; the rounds run again with those
    /// members fixed (the others priced as before), until every member is fixed. When the
    /// master's value reaches `cutoff` (no better rota that way), the last batch of fixes is
    /// undone and its least sure month forbidden (at most ``diveBacktracks`` times). A dive
    /// that does not finish (time, backtracks, a failed master) ends with branch-and-cut
    /// over the free members' months, the fixed ones keeping theirs.
    ///
    /// Returns the rota and the months the dive priced that `pool` lacked (for ``RotaColumns``).
    func dive(
        pool: RotaColumnPool, incumbent: RotaState, seconds: Double, cutoff: Double, shouldStop: (@Sendable () -> Bool)?
    ) -> (rota: RotaState?, months: RotaColumnPool) {
        let deadline = ContinuousClock.now + .seconds(seconds)
        var session = Session(self, pool: pool, incumbent: incumbent, center: nil)
        let months = lagrangian.months
        let before = session.columnsOf.map(\.count)
        var rota: RotaState?
        // Batches of fixes, the last undone when the master's value reaches the cutoff.
        var batches: [[(i: Int, j: Int, value: Double)]] = []
        var backtracks = 0
        while ContinuousClock.now < deadline, !(shouldStop?() ?? false) {
            // Rounds until no month is added, or the master's value stalls.
            var last: Master?
            var values: [Double] = []
            while values.count < Self.diveRounds, ContinuousClock.now < deadline {
                let (lp, converged) = session.rounds(until: deadline, limit: 1, shouldStop: shouldStop, improved: nil)
                guard let lp else { break }
                last = lp
                values.append(lp.value)
                if converged { break }
                if values.count >= 3, values[values.count - 3] - lp.value <= 1e-6 * max(1, abs(lp.value)) { break }
            }
            guard let lp = last else { break }
            if lp.value >= cutoff - 1e-6 * max(1, abs(cutoff)) {
                // Undo the last batch and forbid its least sure month.
                guard backtracks < Self.diveBacktracks, let batch = batches.popLast(),
                      let doubt = batch.min(by: { $0.value < $1.value })
                else { break }
                backtracks += 1
                for choice in batch { session.fixed[choice.i] = nil }
                session.forbidden.insert([doubt.i, doubt.j])
                continue
            }
            let free = months.indices.filter { session.fixed[$0] == nil }
            if free.isEmpty {
                rota = session.rota(from: incumbent)
                break
            }
            // Each free member's most taken month.
            let top = free.map { i in
                (i: i, j: lp.values[i].indices.max { lp.values[i][$0] < lp.values[i][$1] } ?? 0,
                 value: lp.values[i].max() ?? 0)
            }
            let sure = top.filter { $0.value >= 0.99 }
            let batch = sure.isEmpty
                ? Array(top.sorted { $0.value > $1.value }.prefix(max(1, free.count / Self.diveGuesses))) : sure
            batches.append(batch)
            for choice in batch {
                session.fixed[choice.i] = choice.j
            }
        }
        if rota == nil, !(shouldStop?() ?? false), let partial = session.rota(from: incumbent, partial: true) {
            // Unfinished: the free members choose among their months by branch-and-cut, the
            // fixed ones keeping theirs.
            let free = months.indices.filter { session.fixed[$0] == nil }
            let columns = RotaColumns(problem: problem, columns: free.map { (months[$0].member, session.columnsOf[$0].map(\.pairs)) })
            rota = try? columns.solve(partial, members: free.map { months[$0].member }, backend: backend,
                                      seconds: Self.diveCompletionSeconds, shouldStop: shouldStop).better
        }
        let priced = months.indices.map { i in (months[i].member, session.columnsOf[i].dropFirst(before[i]).map(\.pairs)) }
        return (rota, priced)
    }

    /// Linear programs (pricing rounds) at most per step of a dive. A step also ends when
    /// two rounds have not lowered the master's value: with members fixed the duals are
    /// degenerate, and the rounds would go on adding months that do not lower it.
    static let diveRounds = 30
    /// Without a month at 0.99, a step of a dive fixes this fraction of the free members
    /// (1/n, at least one): those whose months the master takes most.
    static let diveGuesses = 10
    /// An unfinished dive's last step: branch-and-cut over the free members' months, at
    /// most this long.
    static let diveCompletionSeconds = 2.0
    /// Batches of fixes a dive may undo.
    static let diveBacktracks = 10

    /// The months and prices of a run.
    private struct Session {
        let generation: RotaColumnGeneration
        var columnsOf: [[Column]]
        var known: [Set<[Int]>]
        /// The best Lagrangian value so far and its prices (the smoothing's centre).
        var best = -Double.infinity
        var centerLambda: [Double]?
        var centerMu: [Double]?
        /// Linear programs solved.
        var count = 0
        /// Per month index: the column it is fixed to (diving), nil while free.
        var fixed: [Int?]
        /// Months a dive gave up on (month index, column index): priced out of the master.
        var forbidden: Set<[Int]> = []
        private let costs: RotaColumns
        private var scratch: RotaState
        private var workspace = MemberMonth.Workspace()

        init(_ generation: RotaColumnGeneration, pool: RotaColumnPool, incumbent: RotaState,
             center: RotaLagrangian.Outcome?)
        {
            self.generation = generation
            let problem = generation.problem
            let months = generation.lagrangian.months
            // Valid months of each month index (their costs and deviations from RotaColumns).
            costs = RotaColumns(problem: problem, columns: RotaColumns.months(of: incumbent, problem: problem) + pool)
            columnsOf = [[Column]](repeating: [], count: months.count)
            fixed = [Int?](repeating: nil, count: months.count)
            known = [Set<[Int]>](repeating: [], count: months.count)
            for (i, month) in months.enumerated() {
                // The month without free duties is always among the choices.
                for pairs in costs.schedulesOf[month.member] + [[]] where known[i].insert(pairs).inserted {
                    let cost = costs.cost(of: pairs, member: month.member)
                    columnsOf[i].append(Column(pairs: pairs, cost: cost.total, deviation: cost.deviation))
                }
            }
            scratch = RotaState(problem: problem)
            if let center, center.bound.isFinite {
                best = center.bound
                centerLambda = center.lambda
                centerMu = center.mu
            }
        }

        /// Rounds until no month prices below its member's dual, or the deadline. Returns
        /// the last linear program and whether the rounds converged.
        mutating func rounds(
            until deadline: ContinuousClock.Instant, limit: Int = .max, shouldStop: (@Sendable () -> Bool)?,
            improved: ((Double) -> Void)?
        ) -> (Master?, Bool) {
            var solved = 0
            let problem = generation.problem
            let lagrangian = generation.lagrangian
            let months = lagrangian.months
            let w = problem.weights
            var last: Master?
            while ContinuousClock.now < deadline, solved < limit, !(shouldStop?() ?? false) {
                solved += 1
                let seconds = (deadline - ContinuousClock.now).seconds
                // A master that takes longer than a few seconds (thousands of members) leaves
                // no time for rounds: the subgradient method's bound and months stay.
                let offered = columnsOf.indices.map { i in
                    fixed[i].map { [columnsOf[i][$0]] } ?? columnsOf[i].enumerated().map { j, column in
                        var column = column
                        if forbidden.contains([i, j]) { column.cost += Self.forbiddenCost }
                        return column
                    }
                }
                guard let lp = try? generation.master(offered, seconds: min(seconds, Self.masterSeconds)) else {
                    return (last, false)
                }
                count += 1
                last = lp
                // Duals → prices of the relaxation (clipped into its domain).
                var lambda = [Double](repeating: 0, count: problem.slots.count)
                for s in problem.slots.indices where lagrangian.priced[s] {
                    lambda[s] = max(0, w[.uncovered] - lp.coverDual[s])
                }
                let mu = RotaLagrangian.project(lp.deviationDual.map { max(0, -$0) }, pools: lagrangian.poolOfMonth,
                                                poolCount: lagrangian.poolCount, cap: w[.maxDeviation])
                // Price at the smoothed point first, at the duals alone if that brings nothing new.
                var added = 0
                for alpha in centerLambda == nil ? [0.0] : [0.5, 0.0] {
                    var priceLambda = lambda, priceMu = mu
                    if alpha > 0, let centerLambda, let centerMu {
                        for s in lambda.indices { priceLambda[s] = alpha * centerLambda[s] + (1 - alpha) * lambda[s] }
                        for i in mu.indices { priceMu[i] = alpha * centerMu[i] + (1 - alpha) * mu[i] }
                    }
                    let evaluation = lagrangian.evaluate(lambda: priceLambda, mu: priceMu, workspace: &workspace)
                    if evaluation.value > best + 1e-9 * max(1, abs(best)) {
                        best = evaluation.value
                        centerLambda = priceLambda
                        centerMu = priceMu
                        improved?(best - 1e-9 * max(1, abs(best)))
                    }
                    for (i, month) in months.enumerated() {
                        let pairs = evaluation.schedules[i]
                        guard fixed[i] == nil, !known[i].contains(pairs),
                              RotaColumns.keepsRules(pairs, pins: costs.pinsOf[month.member], in: &scratch)
                        else { continue }
                        known[i].insert(pairs)
                        let cost = costs.cost(of: pairs, member: month.member)
                        columnsOf[i].append(Column(pairs: pairs, cost: cost.total, deviation: cost.deviation))
                        added += 1
                    }
                    if added > 0 { break }
                }
                if added == 0 { return (lp, true) }
                if lp.value - best <= 1e-6 * max(1, abs(lp.value)) { return (lp, true) }
            }
            return (last, false)
        }

        /// Months by member for the integer program: those the master `last` uses, then by
        /// reduced cost at its duals, at most `keep` each, leaving out those that cannot be
        /// in a rota below `incumbent`.
        ///
        /// For any choice of one month per member, the rota's total is the master's value
        /// plus the chosen months' reduced costs plus terms ≥ 0 (open demand and the pool
        /// maxima, whose reduced costs are ≥ 0 at the optimum). So a month whose reduced cost
        /// exceeds incumbent − value − Σ_m min(0, m's least reduced cost) (the last sum for
        /// months added after the master was solved, which may price below 0) is in no
        /// better rota: reduced-cost fixing.
        func pool(keep: Int, last: Master?, incumbent: Double) -> RotaColumnPool {
            let problem = generation.problem
            let months = generation.lagrangian.months
            guard let last else {
                return months.indices.map { i in (months[i].member, columnsOf[i].prefix(keep).map(\.pairs)) }
            }
            let reduced = months.indices.map { i in
                columnsOf[i].map { column in
                    var value = column.cost - last.memberDual[i] - last.deviationDual[i] * column.deviation
                    for p in column.pairs { value -= last.coverDual[problem.pairs[p].slot] }
                    return value
                }
            }
            let below = reduced.reduce(0.0) { $0 + min(0, $1.min() ?? 0) }
            let limit = incumbent - last.value - below + 1e-6 * max(1, abs(incumbent))
            var columns: RotaColumnPool = []
            for (i, month) in months.enumerated() {
                // The master's own months first.
                func rank(_ j: Int) -> (Int, Double) {
                    (j < last.values[i].count && last.values[i][j] > 1e-6 ? 0 : 1, reduced[i][j])
                }
                let order = columnsOf[i].indices.filter { reduced[i][$0] <= limit }
                    .sorted { rank($0) != rank($1) ? rank($0) < rank($1) : $0 < $1 }
                if !order.isEmpty { columns.append((month.member, order.prefix(keep).map { columnsOf[i][$0].pairs })) }
            }
            return columns
        }

        /// The rota of the fixed months, nil if they break a rule together, or if a month is
        /// still free (unless `partial`: then the free members have no duties in it).
        func rota(from incumbent: RotaState, partial: Bool = false) -> RotaState? {
            let problem = generation.problem
            var state = RotaState(problem: problem)
            for p in problem.pinned { state.assign(p) }
            // Members without a month here (no share) keep the incumbent's pairs, if any.
            let priced = Set(generation.lagrangian.months.map(\.member))
            let current = RotaColumns.freePairsByMember(incumbent, problem: problem)
            for m in current.indices where !priced.contains(m) {
                for p in current[m] {
                    guard state.canAssign(p) else { return nil }
                    state.assign(p)
                }
            }
            for (i, choice) in fixed.enumerated() {
                guard let choice else {
                    if partial { continue }
                    return nil
                }
                for p in columnsOf[i][choice].pairs {
                    guard state.canAssign(p) else { return nil }
                    state.assign(p)
                }
            }
            return state
        }

        /// At most this long for one linear program.
        static let masterSeconds = 3.0
        /// What a forbidden month costs in the master: more than any rota.
        static let forbiddenCost = 1e9
    }

    struct Column {
        var pairs: [Int]
        var cost: Double
        var deviation: Double
    }

    struct Master {
        var value: Double
        /// Per month index: each column's value.
        var values: [[Double]]
        var memberDual: [Double]
        var coverDual: [Double]
        var deviationDual: [Double]
    }

    /// The restricted master: the linear relaxation over `columnsOf` (by month index).
    func master(_ columnsOf: [[Column]], seconds: Double) throws -> Master {
        let w = problem.weights
        let months = lagrangian.months
        var model = Model(name: "rota-master")
        var objective = LinearExpression()
        var constant = problem.baselineConstant
        for p in problem.pinned { constant += problem.linearCost(p) }
        var zOf: [Int: Variable] = [:]
        for pool in Set(lagrangian.poolOfMonth) {
            let z = try model.addVariable(.continuous, lower: 0, name: "z[\(pool)]")
            zOf[pool] = z
            objective.add(z, times: w[.maxDeviation])
        }
        var cover = [LinearExpression](repeating: LinearExpression(), count: problem.slots.count)
        var variables: [[Variable]] = []
        var memberRows: [Int] = [], deviationRows: [Int] = []
        for (i, month) in months.enumerated() {
            var one = LinearExpression(), deviation = LinearExpression()
            var list: [Variable] = []
            for (j, column) in columnsOf[i].enumerated() {
                let y = try model.addVariable(.continuous, lower: 0, name: "y[\(month.member),\(j)]")
                objective.add(y, times: column.cost)
                one.add(y)
                deviation.add(y, times: column.deviation)
                for p in column.pairs { cover[problem.pairs[p].slot].add(y) }
                list.append(y)
            }
            variables.append(list)
            memberRows.append(model.constraintCount)
            try model.addConstraint(.equal(one, 1), name: "one[\(month.member)]")
            deviation.add(zOf[lagrangian.poolOfMonth[i]]!, times: -1)
            deviationRows.append(model.constraintCount)
            try model.addConstraint(deviation <= 0, name: "max[\(month.member)]")
        }
        var coverRows = [Int?](repeating: nil, count: problem.slots.count)
        for s in problem.slots.indices {
            let remaining = lagrangian.remaining[s]
            guard lagrangian.priced[s] else {
                constant += w[.uncovered] * Double(max(0, remaining))
                continue
            }
            let u = try model.addVariable(.continuous, lower: 0, name: "u[\(s)]")
            objective.add(u, times: w[.uncovered])
            var row = cover[s]
            row.add(u)
            coverRows[s] = model.constraintCount
            try model.addConstraint(.equal(row, Double(remaining)), name: "cover[\(s)]")
        }
        objective.constant = constant
        try model.minimize(objective)
        let result = try model.solve(using: backend, options: SolveOptions(timeLimit: max(0.05, seconds)))
        guard result.termination == .optimal, let value = result.objective,
              result.rowDuals.count == model.constraintCount
        else { throw MIPError.invalidOption(name: "master", reason: "not solved to optimality") }
        return Master(
            value: value, values: variables.map { $0.map { result.values[$0.index] } },
            memberDual: memberRows.map { result.rowDuals[$0] },
            coverDual: coverRows.map { $0.map { result.rowDuals[$0] } ?? w[.uncovered] },
            deviationDual: deviationRows.map { result.rowDuals[$0] })
    }
}
