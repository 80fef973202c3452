import Foundation
import Synchronization
import MIP
import RinbanCore

/// How `rinban plan` searches.
public enum RotaEngine: String, Sendable, CaseIterable {
    /// Picks by size: up to ``RotaPlanner/monolithicPairLimit`` eligible pairs, a short
    /// GLPK branch-and-cut, then (unless optimality is proven) the neighbourhood search for
    /// half the remaining time and branch-and-cut again from its incumbent; above that,
    /// the neighbourhood search.
    case auto
    /// Greedy start, then one GLPK branch-and-cut over the whole rota.
    case glpk
    /// Greedy start, then GLPK re-optimising small neighbourhoods (dates, blocks, members).
    case lns
    /// Greedy construction and reassignment moves only.
    case greedy
}

/// Options of a rota plan.
public struct RotaPlanOptions: Sendable {
    public var engine: RotaEngine = .auto
    /// Seconds for the whole rota.
    public var timeLimit: Double = 60
    /// Stop when within this relative gap of the bound.
    public var gap: Double?
    /// Seed of the neighbourhood choice (same seed, same plan on the same machine speed).
    public var seed: UInt64 = 1
    /// Receives progress lines for stderr.
    public var progress: (@Sendable (String) -> Void)?
    /// Receives the same progress as numbers (the server's live chart): the rota's best
    /// objective and bound so far, either nil when not known yet.
    public var values: (@Sendable (RotaProgress) -> Void)?
    /// Asked during the search (at least every second): `true` ends it early with the best
    /// rota so far (a person cancelled the run).
    public var shouldStop: (@Sendable () -> Bool)?

    var stopped: Bool { shouldStop?() ?? false }

    public init(engine: RotaEngine = .auto, timeLimit: Double = 60, gap: Double? = nil) {
        self.engine = engine
        self.timeLimit = timeLimit
        self.gap = gap
    }
}

/// The rota search at one moment.
public struct RotaProgress: Sendable, Hashable {
    /// Seconds since the rota search started.
    public var seconds: Double
    /// The best rota's objective so far.
    public var incumbent: Double?
    /// The best proven lower bound so far.
    public var bound: Double?

    public init(seconds: Double, incumbent: Double?, bound: Double?) {
        self.seconds = seconds
        self.incumbent = incumbent
        self.bound = bound
    }
}

/// A planned rota with how it was found.
public struct RotaOutcome: Sendable {
    public var state: RotaState
    public var report: SolverReport
}

/// Plans the rota: greedy start, then GLPK (whole, or neighbourhood by neighbourhood).
public struct RotaPlanner: Sendable {
    /// Above this many eligible pairs `auto` uses the neighbourhood search.
    public static let monolithicPairLimit = 12_000

    public let problem: RotaProblem
    public let backend: any SolverBackend

    public init(problem: RotaProblem, backend: any SolverBackend) {
        self.problem = problem
        self.backend = backend
    }

    /// Plans the rota. `startFromBaseline`: the greedy starts from the baseline's assignments
    /// that still keep the rules (``GreedyRotaBuilder/buildFromBaseline()``), as what-if runs do.
    public func plan(_ options: RotaPlanOptions, startFromBaseline: Bool = false) throws -> RotaOutcome {
        let clock = ContinuousClock()
        let began = clock.now
        func elapsed() -> Double { (clock.now - began).seconds }
        let greedyBudget = options.engine == .greedy ? min(options.timeLimit, 5) : min(2, options.timeLimit * 0.1)
        let builder = GreedyRotaBuilder(problem: problem, improvementSeconds: greedyBudget)
        let greedy = startFromBaseline ? builder.buildFromBaseline() : builder.build()
        options.progress?(String(format: "%7.1f s  greedy         objective %.4f", elapsed(), greedy.weightedTotal))
        options.values?(RotaProgress(seconds: elapsed(), incumbent: greedy.weightedTotal, bound: nil))

        switch options.engine {
        case .greedy:
            return RotaOutcome(state: greedy, report: SolverReport(engine: "greedy", status: "heuristic", bound: nil,
                                                                   gap: nil, seconds: elapsed()))
        case .glpk:
            return try monolithic(from: greedy, options: options, seconds: options.timeLimit - elapsed(), elapsed: elapsed)
        case .lns:
            return try neighbourhoodSearch(from: greedy, bound: nil, engine: "lns", options: options, elapsed: elapsed)
        case .auto:
            // Large rotas: the neighbourhood search. Small ones: a short branch-and-cut
            // (enough to prove small months outright), then the search from its incumbent,
            // then branch-and-cut again from the search's incumbent, which prunes most of
            // the tree; the best bound of the three stages is kept.
            guard problem.pairs.count <= Self.monolithicPairLimit else {
                return try neighbourhoodSearch(from: greedy, bound: nil, engine: "lns", options: options, elapsed: elapsed)
            }
            let total = options.timeLimit
            let first = try monolithic(from: greedy, options: options, seconds: min(10, total * 0.1), elapsed: elapsed)
            if first.report.status == "optimal" || first.report.status == "gapLimit" || elapsed() >= total - 0.5 {
                return first
            }
            var searchOptions = options
            searchOptions.timeLimit = elapsed() + (total - elapsed()) * 0.5
            let searched = try neighbourhoodSearch(from: first.state, bound: first.report.bound, engine: "glpk+lns",
                                                   options: searchOptions, stallRounds: 15, elapsed: elapsed)
            if searched.report.status == "optimal" || searched.report.status == "gapLimit" || elapsed() >= total - 0.5 {
                return searched
            }
            var last = try monolithic(from: searched.state, options: options, seconds: total - elapsed(), elapsed: elapsed)
            let bound = max(last.report.bound ?? -.infinity, searched.report.bound ?? -.infinity)
            last.report = report(engine: "glpk+lns+glpk", status: last.report.status, total: last.state.weightedTotal,
                                 bound: bound.isFinite ? bound : nil, seconds: elapsed())
            return last
        }
    }

    // MARK: One branch-and-cut

    private func monolithic(
        from greedy: RotaState, options: RotaPlanOptions, seconds remaining: Double, elapsed: () -> Double
    ) throws -> RotaOutcome {
        let pinned = Set(problem.pinned)
        let free = problem.pairs.indices.filter { !pinned.contains($0) }
        let formulation = try RotaFormulation(problem: problem, free: free, fixed: problem.pinned)
        var solve = SolveOptions(timeLimit: max(remaining, 0.5), relativeGap: options.gap ?? 1e-6)
        solve.shouldStop = options.shouldStop
        solve.initialSolution = formulation.values(for: greedy)
        solve.cuts = [.mixedIntegerRounding, .clique]
        if options.progress != nil || options.values != nil {
            let offset = elapsed()
            let progress = options.progress, values = options.values
            solve.progress = { p in
                values?(RotaProgress(seconds: offset + p.elapsed, incumbent: p.incumbent, bound: p.bound))
                progress?(String(format: "%7.1f s  branch-and-cut incumbent %@  bound %@  gap %@  nodes %d",
                                offset + p.elapsed, p.incumbent.map { String(format: "%.4f", $0) } ?? "-",
                                p.bound.map { String(format: "%.4f", $0) } ?? "-",
                                p.gap.map { String(format: "%.2f%%", $0 * 100) } ?? "-", p.nodes))
            }
        }
        let result = try formulation.model.solve(using: backend, options: solve)
        var state = greedy
        if result.hasSolution, let objective = result.objective, objective <= greedy.weightedTotal + 1e-9 {
            state = RotaState(problem: problem)
            for p in problem.pinned { state.assign(p) }
            for p in formulation.assignedPairs(in: result.values) { state.assign(p) }
        }
        let status: String
        switch result.termination {
        case .optimal: status = "optimal"
        // Without a requested gap the solver stops at 1e-6: optimal within its tolerance.
        case .gapLimit: status = options.gap == nil ? "optimal" : "gapLimit"
        case .timeLimit: status = "timeLimit"
        default: status = result.termination.rawValue
        }
        return RotaOutcome(state: state, report: report(engine: "glpk", status: status, total: state.weightedTotal,
                                                        bound: result.bound, seconds: elapsed()))
    }

    // MARK: Neighbourhood search

    /// - Parameter stallRounds: stop after this many rounds without a gain of more than a
    ///   millionth of the total (nil: search until the time limit or a proof).
    private func neighbourhoodSearch(
        from start: RotaState, bound known: Double?, engine: String, options: RotaPlanOptions,
        stallRounds: Int? = nil, elapsed: () -> Double
    ) throws -> RotaOutcome {
        var state = start
        let pinned = Set(problem.pinned)
        let limit = options.timeLimit

        // The bound: the linear relaxation of the whole rota, solved on a second thread (GLPK
        // keeps its state per thread) while the search runs on this one, with the whole time
        // limit. A branch-and-cut bound handed in is at least as good and is used instead.
        var bound = known
        let relaxation = known == nil ? try RelaxationThread(
            model: RotaFormulation(problem: problem, free: problem.pairs.indices.filter { !pinned.contains($0) },
                                   fixed: problem.pinned).model.relaxation(),
            backend: backend, seconds: max(0.5, limit - elapsed() - 0.3)) : nil
        func collectBound(wait: Bool) {
            let deadline = DispatchTime.now() + max(0, limit - elapsed() - 0.1)
            guard bound == nil, let relaxation, let value = relaxation.result(waitUntil: wait ? deadline : nil) else { return }
            bound = value
            options.progress?(String(format: "%7.1f s  LP bound       %.4f", elapsed(), value))
            options.values?(RotaProgress(seconds: elapsed(), incumbent: nil, bound: value))
        }

        var random = SplitMix64(seed: options.seed)
        var round = 0
        var lastGain = 0
        // Neighbourhood size adapts: grow after a sub-problem solved to optimality quickly,
        // shrink after one ran out of time.
        var size = Double(Self.neighbourhoodSize)
        while elapsed() < limit - 0.2, !options.stopped {
            collectBound(wait: false)
            if let bound, (state.weightedTotal - bound) / max(abs(state.weightedTotal), 1) <= max(options.gap ?? 0, 1e-6) { break }
            if let stallRounds, round - lastGain >= stallRounds { break }
            round += 1
            let free = neighbourhood(round: round, size: Int(size), state: state, random: &random).filter { !pinned.contains($0) }
            guard !free.isEmpty else { continue }
            let freeSet = Set(free)
            let fixed = state.assignedPairs.filter { !freeSet.contains($0) }
            let formulation = try RotaFormulation(problem: problem, free: free, fixed: fixed)
            var solve = SolveOptions(timeLimit: max(0.3, min(2, limit - elapsed() - 0.1)), relativeGap: 1e-6)
            solve.shouldStop = options.shouldStop
            solve.initialSolution = formulation.values(for: state)
            let result = try formulation.model.solve(using: backend, options: solve)
            if result.termination == .optimal || result.termination == .gapLimit {
                if result.seconds < 0.5 { size = min(size * 1.25, Double(Self.neighbourhoodSize) * 8) }
            } else {
                size = max(size * 0.7, 100)
            }
            let current = state.weightedTotal
            guard result.hasSolution, let objective = result.objective, objective < current - 1e-6 else { continue }
            // Judge the change by the rota's own total, not the solver's value (which may sit
            // a tolerance below it), and keep it only if it really is lower.
            let before = free.filter { state.assigned[$0] }
            for p in before { state.unassign(p) }
            for p in formulation.assignedPairs(in: result.values) { state.assign(p) }
            let now = state.weightedTotal
            if now >= current - 1e-9 * max(abs(current), 1) {
                for p in free where state.assigned[p] { state.unassign(p) }
                for p in before { state.assign(p) }
                continue
            }
            if now < current - 1e-6 * max(abs(current), 1) { lastGain = round }
            options.progress?(String(format: "%7.1f s  neighbourhood  objective %.4f  (round %d)", elapsed(), state.weightedTotal, round))
            options.values?(RotaProgress(seconds: elapsed(), incumbent: state.weightedTotal, bound: bound))
        }
        collectBound(wait: !options.stopped)
        if bound == nil { options.progress?(String(format: "%7.1f s  LP bound       none in time", elapsed())) }
        let total = state.weightedTotal
        var status = "timeLimit"
        if let bound, let gap = options.gap, (total - bound) / max(abs(total), 1) <= gap { status = "gapLimit" }
        if let bound, total - bound <= 1e-6 * max(abs(total), 1) { status = "optimal" }
        return RotaOutcome(state: state, report: report(engine: engine, status: status, total: total, bound: bound, seconds: elapsed()))
    }

    /// Initial number of free pairs in one neighbourhood.
    static let neighbourhoodSize = 600

    /// Free pairs of one neighbourhood: a window of dates, the slots around one block, or
    /// a group of members who share slots — in turn.
    func neighbourhood(round: Int, size: Int, state: RotaState, random: inout SplitMix64) -> [Int] {
        let slots = problem.slots
        let instance = problem.instance
        let days = instance.period.count
        switch round % 3 {
        case 0:
            // Dates: grow a window from a random date until it holds enough pairs.
            let start = random.below(max(days, 1))
            var chosen: [Int] = []
            var length = 0
            let byDate = Dictionary(grouping: slots.indices, by: { problem.dateOffset[$0] })
            while chosen.count < size && length < days {
                let d = (start + length) % days
                for s in byDate[d] ?? [] { chosen += problem.pairsOfSlot[s] }
                length += 1
            }
            return chosen
        case 1:
            // A block and its neighbours: slots whose area touches them, over a random run of dates.
            let block = instance.blocks[random.below(max(instance.blocks.count, 1))].id
            let near = (instance.neighbors[block] ?? []).union([block])
            let touching = slots.indices.filter { s in
                instance.duties[slots[s].duty].areas[slots[s].area].blocks.contains(where: near.contains)
            }
            let total = touching.reduce(0) { $0 + problem.pairsOfSlot[$1].count }
            if total <= size { return touching.flatMap { problem.pairsOfSlot[$0] } }
            let span = max(1, days * size / max(total, 1))
            let first = random.below(max(1, days - span + 1))
            return touching.filter { (first..<(first + span)).contains(problem.dateOffset[$0]) }.flatMap { problem.pairsOfSlot[$0] }
        default:
            // Members: a random member and those who share the most slots with them.
            let m = random.below(max(instance.members.count, 1))
            var shared: [Int: Int] = [:]
            for p in problem.pairsOfMember[m] {
                for q in problem.pairsOfSlot[problem.pairs[p].slot] { shared[problem.pairs[q].member, default: 0] += 1 }
            }
            var members: [Int] = []
            var count = 0
            for (other, _) in shared.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
                members.append(other)
                count += problem.pairsOfMember[other].count
                if count >= size { break }
            }
            return members.flatMap { problem.pairsOfMember[$0] }
        }
    }

    private func report(engine: String, status: String, total: Double, bound: Double?, seconds: Double) -> SolverReport {
        let honest = bound.map { min($0, total) }
        let gap = honest.map { (total - $0) / max(abs(total), 1) }
        return SolverReport(engine: engine, status: status, bound: honest, gap: gap, seconds: seconds)
    }
}

/// Solves a relaxation on its own thread and hands back a proven lower bound from it.
///
/// Above ``RotaPlanner/monolithicPairLimit`` columns the interior-point method is tried
/// first (much faster on these relaxations when it converges, but exact only to its
/// tolerance: its value is lowered by a relative 1e-5 so that the bound stays a bound);
/// otherwise, or if it fails, the simplex method with the time that is left.
final class RelaxationThread: Sendable {
    private let finished = DispatchSemaphore(value: 0)
    /// (worker done, lower bound if solved)
    private let outcome = Mutex<(done: Bool, value: Double?)>((false, nil))

    init(model: Model, backend: any SolverBackend, seconds: Double) {
        let thread = Thread { [self] in
            let began = ContinuousClock.now
            var bound: Double?
            if model.variableCount > RotaPlanner.monolithicPairLimit {
                var options = SolveOptions()
                options.lpMethod = .interiorPoint
                if let result = try? model.solve(using: backend, options: options), result.termination == .optimal,
                   let value = result.objective
                {
                    bound = value - 1e-5 * max(abs(value), 1)
                }
            }
            let left = seconds - (ContinuousClock.now - began).seconds
            if bound == nil, left > 0.5,
               let result = try? model.solve(using: backend, options: SolveOptions(timeLimit: left)),
               result.termination == .optimal
            {
                bound = result.objective
            }
            self.outcome.withLock { $0 = (true, bound) }
            self.finished.signal()
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// The bound; nil if not (yet) found. With a deadline, waits for the worker until then.
    func result(waitUntil deadline: DispatchTime? = nil) -> Double? {
        if let deadline, finished.wait(timeout: deadline) == .success { finished.signal() }
        return outcome.withLock { $0.done ? $0.value : nil }
    }
}
