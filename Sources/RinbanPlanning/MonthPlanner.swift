import Foundation
import MIP
import Synchronization
import RinbanCore

/// The four programs of a month.
public enum PlanPart: String, Sendable, CaseIterable {
    /// The duty rota (輪番・看取り当番・当番ステーション).
    case rota
    /// Load sharing among visiting-nurse stations.
    case stations
    /// Backup beds: designations and respite stays.
    case beds
    /// Patient deputies (主治医・副主治医制).
    case deputies
}

/// What to plan and how: the one request behind `rinban plan`, `rinban whatif` and the server.
public struct MonthPlanRequest: Sendable {
    /// Engine, whole time limit, gap, seed and progress sink (the rota engine's options;
    /// `timeLimit` is for the whole month, every program included).
    public var options: RotaPlanOptions
    /// Optimise one part only; the others get their quick greedy answer.
    public var only: PlanPart?
    /// A published plan: adds `stability` (SPEC section 5) against its assignments.
    public var baseline: Plan?
    /// Set for a what-if run against `baseline` (which must then be given).
    public var whatIf: WhatIfScope?

    public init(options: RotaPlanOptions, only: PlanPart? = nil, baseline: Plan? = nil, whatIf: WhatIfScope? = nil) {
        self.options = options
        self.only = only
        self.baseline = baseline
        self.whatIf = whatIf
    }
}

/// How a what-if run treats the published plan: the rota starts from it (its broken duties
/// taken out, the gaps filled); load sharing and beds keep the published decisions unless
/// a change concerns them; every published deputy that is still eligible stays, except
/// where a lowered cap forces some to move (the program then chooses which).
public struct WhatIfScope: Sendable {
    /// Whether a change concerns load sharing (stations added, removed or resized).
    public var replanLoadSharing: Bool
    /// Whether a change concerns beds (pledged beds, patients, respite requests).
    public var replanBeds: Bool
    /// Deputies set by hand (a change file's `setDeputy`): kept whatever else moves.
    public var deputyPins: [HomePatientID: MemberID]

    public init(replanLoadSharing: Bool = true, replanBeds: Bool = true, deputyPins: [HomePatientID: MemberID] = [:]) {
        self.replanLoadSharing = replanLoadSharing
        self.replanBeds = replanBeds
        self.deputyPins = deputyPins
    }
}

/// A planned month.
public struct MonthPlanOutcome: Sendable {
    /// The plan, with its objective and solver report (the bound covers all four programs).
    public var plan: Plan
    public var rota: RotaOutcome
    public var deputies: DeputyPlanner.Outcome
    /// The deputy designation's data (for explaining a patient left without a deputy).
    public var deputyProblem: DeputyProblem
}

/// Plans a month: the deputies and the load-sharing and bed programs first (small, mostly
/// proven in well under a second), then the rota with the time that is left.
///
/// Time: of the limit T, the deputies get at most T/4 and, at the same time on the other
/// core, load sharing with beds at most T/5 (3T/10 where a bed part is too large for its
/// program, see ``SharingPlanner/timeShare``), each stopping as soon as it is proven (on
/// networks up to a few hundred clinics all of them are proven in well under a second);
/// the rota gets the rest, at least 55 %. The bed parts' Lagrangian bounds (the respite's up
/// to 12 % of that share, ``SharingPlanner/respiteBoundShare``) run on a thread of their own
/// beside the rota's greedy start, which uses one core. With `only`, that program gets 90 % of T and the others their greedy answer.
/// The plan's bound is the sum of the four programs' proven bounds (a counting bound for a
/// program answered greedily), so it never exceeds the optimum.
public enum MonthPlanner {
    /// The relative gap a what-if plan is proven within unless another is asked for.
    public static let whatIfGap = 1e-4

    public static func plan(_ loaded: LoadedInstance, _ request: MonthPlanRequest, backend: any SolverBackend) throws
        -> MonthPlanOutcome
    {
        let clock = ContinuousClock()
        let began = clock.now
        func elapsed() -> Double { (clock.now - began).seconds }
        let instance = loaded.instance
        var options = request.options
        let total = options.timeLimit
        let greedyOnly = options.engine == .greedy
        func solves(_ part: PlanPart) -> Bool { !greedyOnly && (request.only == nil || request.only == part) }
        let problem = RotaProblem(loaded: loaded, baseline: request.baseline)
        if request.whatIf != nil, options.engine == .auto {
            options.engine = problem.pairs.count <= RotaPlanner.monolithicPairLimit ? .glpk : .lns
        }

        // The deputies on a thread of their own while load sharing and beds run on this one:
        // the programs share nothing, and GLPK keeps its state per thread.
        let deputyProblem = DeputyProblem(instance: instance)
        let deputyBudget = request.only == .deputies ? total * 0.9 : total / 4
        let solveDeputies = solves(.deputies)
        let deputyDone = DispatchSemaphore(value: 0)
        let deputyResult = Mutex<Result<DeputyPlanner.Outcome, any Error>?>(nil)
        let deputyThread = Thread {
            let result = Result {
                try planDeputies(deputyProblem, request, solve: solveDeputies, timeLimit: deputyBudget, backend: backend)
            }
            deputyResult.withLock { $0 = result }
            deputyDone.signal()
        }
        deputyThread.stackSize = 8 << 20
        deputyThread.start()

        // Load sharing and beds.
        let sharingPlanner = SharingPlanner(instance: instance, backend: backend)
        var sharing: SharingPlanner.Outcome?
        // The bed parts' Lagrangian bounds (up to two seconds on the largest networks) run
        // beside the rota's greedy start, which uses one core.
        var sharingBound: (@Sendable () -> Double)?
        let sharingResult = Result { () throws -> SharingPlanner.Outcome? in
            if let published = request.baseline, request.whatIf != nil {
                let kept = sharingPlanner.keptGreedy(published)
                guard !greedyOnly, request.only == nil else { return kept }
                var solved = try sharingPlanner.plan(timeLimit: total / 5, keep: published)
                if request.whatIf?.replanLoadSharing == false { solved.placements = kept.placements }
                if request.whatIf?.replanBeds == false {
                    solved.designations = kept.designations
                    solved.respite = kept.respite
                }
                return solved
            } else if solves(.stations) || solves(.beds) {
                let budget = request.only == nil ? total * sharingPlanner.timeShare : total * 0.9
                let planned = try sharingPlanner.planBoundLater(
                    timeLimit: budget, stations: solves(.stations), beds: solves(.beds),
                    secondCoreFree: { deputyResult.withLock { $0 != nil } })
                sharingBound = planned.bound
                return planned.outcome
            }
            return nil
        }
        deputyDone.wait()
        sharing = try sharingResult.get()
        let deputies = try deputyResult.withLock { $0! }.get()
        if solves(.deputies), !instance.homePatients.isEmpty {
            options.progress?(String(format: "%7.1f s  deputies       objective %.4f  bound %.4f  %@ in %.3f s", elapsed(),
                                     deputyProblem.weightedTotal(deputies.deputy), deputies.bound,
                                     deputies.optimal ? "optimal" : "open", deputies.seconds))
        }

        let provenSharingBound = sharingBound.map { onThreadOfItsOwn($0) }

        // The rota.
        if request.only != nil && request.only != .rota { options.engine = .greedy }
        options.timeLimit = max(0.5, total - elapsed())
        let rota = try RotaPlanner(problem: problem, backend: backend).plan(options, startFromBaseline: request.whatIf != nil)
        if let provenSharingBound { sharing?.bound = provenSharingBound() }
        var plan = RotaPlanAssembler(problem: problem).plan(from: rota, sharing: sharing, deputies: deputies,
                                                            deputyProblem: deputyProblem)
        plan.solver?.seconds = elapsed()
        // A what-if's kept decisions cost up to a thousandth each in the small programs, so
        // their bound is lowered by that much: such a plan is proven within `gap` (default
        // 0.01 %), not to the last 0.001, and says so.
        if request.whatIf != nil, let report = plan.solver, report.status == "timeLimit", let gap = report.gap,
           gap <= (request.options.gap ?? whatIfGap), rota.report.status == "optimal" || rota.report.status == "gapLimit"
        {
            plan.solver?.status = "gapLimit"
        }
        return MonthPlanOutcome(plan: plan, rota: rota, deputies: deputies, deputyProblem: deputyProblem)
    }

    /// The deputies: solved (or greedy); in a what-if run, every published deputy that is
    /// still eligible and within its physician's cap is kept, hand-set ones are fixed, and
    /// only the rest are chosen.
    static func planDeputies(_ problem: DeputyProblem, _ request: MonthPlanRequest, solve: Bool, timeLimit: Double,
                             backend: any SolverBackend) throws -> DeputyPlanner.Outcome {
        let instance = problem.instance
        var fixed: [Int: MemberIndex] = [:]
        var preferred: [Int: MemberIndex] = [:]
        if let scope = request.whatIf, let published = request.baseline {
            for (patient, member) in scope.deputyPins {
                if let h = instance.homePatientIndex[patient], let q = instance.memberIndex[member], problem.candidate(h, q) != nil {
                    fixed[h] = q
                }
            }
            let kept = problem.choice(from: published.deputies)
            var count: [MemberIndex: Int] = [:]
            for q in fixed.values { count[q, default: 0] += 1 }
            for (h, q) in kept.enumerated() where fixed[h] == nil { if let q { count[q, default: 0] += 1 } }
            for (h, q) in kept.enumerated() where fixed[h] == nil {
                guard let q else { continue }
                // Over a (lowered) cap: all of this physician's kept patients are free to
                // move, each preferring to stay, so the program picks who moves.
                if count[q]! > problem.cap(q) { preferred[h] = q } else { fixed[h] = q }
            }
        }
        let planner = DeputyPlanner(problem: problem, backend: backend)
        guard solve else {
            let deputy = problem.greedy(fixed: fixed, start: preferred.isEmpty ? nil : preferredStart(preferred, problem))
            return DeputyPlanner.Outcome(deputy: deputy, bound: problem.countingBound(), optimal: false, seconds: 0)
        }
        if fixed.isEmpty && preferred.isEmpty { return try planner.plan(timeLimit: timeLimit) }
        // Keeping is a restriction: the bound of SPEC's objective comes from the free problem.
        var outcome = try planner.plan(timeLimit: timeLimit / 2, fixed: fixed, preferred: preferred,
                                       preferenceCost: SharingPlanner.moveCost)
        let free = try planner.plan(timeLimit: timeLimit / 2)
        outcome.bound = min(outcome.bound, free.bound)
        return outcome
    }

    static func preferredStart(_ preferred: [Int: MemberIndex], _ problem: DeputyProblem) -> [MemberIndex?] {
        var start = [MemberIndex?](repeating: nil, count: problem.patientCount)
        for (h, q) in preferred { start[h] = q }
        return start
    }
}
