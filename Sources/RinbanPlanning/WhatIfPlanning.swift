import MIP
import RinbanCore

/// Re-planning a published plan after changes (`rinban whatif`): the rota with the
/// stability term against the published plan, started from the published rota with its
/// broken duties taken out and the gaps filled; load sharing and beds keeping the
/// published decisions unless moving one improves the objective.
public enum WhatIfPlanning {
    /// The relative gap a what-if plan is proven within unless another is asked for.
    public static let defaultGap = 1e-4

    public struct Outcome: Sendable {
        /// The new plan (its objective includes `stability` against the published plan).
        public var plan: Plan
        public var rota: RotaOutcome
    }

    /// Plans `loaded` (the changed instance) close to `published`.
    ///
    /// Engines: `greedy` returns the filled published rota (milliseconds); `glpk` runs one
    /// branch-and-cut from it; `auto` is `glpk` up to ``RotaPlanner/monolithicPairLimit``
    /// eligible pairs and the neighbourhood search above; `lns` the neighbourhood search.
    ///
    /// `replanLoadSharing` / `replanBeds`: whether the changes concern that part. A part no
    /// change concerns keeps the published decisions (where still allowed) even if a
    /// better answer exists, so the what-if shows only what the changes cause; its program
    /// still runs (briefly) for the bound.
    public static func plan(_ loaded: LoadedInstance, published: Plan, options: RotaPlanOptions,
                            replanLoadSharing: Bool = true, replanBeds: Bool = true,
                            backend: any SolverBackend) throws -> Outcome {
        let clock = ContinuousClock()
        let began = clock.now
        let problem = RotaProblem(loaded: loaded, baseline: published)
        var options = options
        if options.engine == .auto {
            options.engine = problem.pairs.count <= RotaPlanner.monolithicPairLimit ? .glpk : .lns
        }
        let sharingPlanner = SharingPlanner(instance: loaded.instance, backend: backend)
        let kept = sharingPlanner.keptGreedy(published)
        var sharing = kept
        if options.engine != .greedy {
            sharing = try sharingPlanner.plan(timeLimit: min(5, options.timeLimit / 10), keep: published)
            if !replanLoadSharing { sharing.placements = kept.placements }
            if !replanBeds {
                sharing.designations = kept.designations
                sharing.respite = kept.respite
            }
        }
        let total = options.timeLimit
        options.timeLimit = max(0.5, total - (clock.now - began).seconds)
        let rota = try RotaPlanner(problem: problem, backend: backend).plan(options, startFromBaseline: true)
        var plan = RotaPlanAssembler(problem: problem).plan(from: rota, sharing: sharing)
        plan.solver?.seconds = (clock.now - began).seconds
        // Keeping published decisions costs up to moveCost each in the sharing programs, so
        // their bound is lowered by that much: a what-if plan is proven within `gap` (default
        // 0.01 %), not to the last 0.001, and says so.
        if let report = plan.solver, report.status == "timeLimit", let gap = report.gap,
           gap <= (options.gap ?? defaultGap), rota.report.status == "optimal" || rota.report.status == "gapLimit"
        {
            plan.solver?.status = "gapLimit"
        }
        return Outcome(plan: plan, rota: rota)
    }
}
