import Foundation
import MIP
import RinbanCore
import Synchronization

/// Load sharing and backup beds as two integer programs (SPEC sections 4 and 5), each
/// started from ``SharingGreedy`` and solved by the given backend. Small: items ×
/// stations, patients × hospitals and requests × hospitals × start dates.
public struct SharingPlanner: Sendable {
    public let instance: Instance
    public let backend: any SolverBackend

    public init(instance: Instance, backend: any SolverBackend) {
        self.instance = instance
        self.backend = backend
    }

    /// Decisions with the proven bound of their weighted terms.
    public struct Outcome: Sendable {
        public var placements: [Placement]
        public var designations: [Designation]
        public var respite: [RespiteBooking]
        /// Proven lower bound on the weighted load-sharing and bed terms.
        public var bound: Double
        /// Whether both programs were solved to optimality.
        public var optimal: Bool
    }

    /// Plans load sharing and beds; a part left out (`stations` or `beds` false) keeps the
    /// greedy decisions and contributes only its counting bound.
    ///
    /// With `keep` (a published plan), its decisions are the start wherever still allowed,
    /// and every published decision the answer does not keep costs ``moveCost`` in the
    /// programs: a decision moves only when that improves the objective by more than that.
    /// The bound is lowered by the most those costs can add, so it stays a bound on the
    /// objective of SPEC section 5.
    ///
    /// `secondCoreFree` tells whether the other core is idle (the month's deputies proven):
    /// then a search runs beside each part of the bed program (see `backupBeds`).
    public func plan(timeLimit: Double, stations planStations: Bool = true, beds planBeds: Bool = true,
                     keep: Plan? = nil, secondCoreFree: (@Sendable () -> Bool)? = nil) throws -> Outcome {
        var planned = try planBoundLater(timeLimit: timeLimit, stations: planStations, beds: planBeds, keep: keep,
                                         secondCoreFree: secondCoreFree)
        planned.outcome.bound = planned.bound()
        return planned.outcome
    }

    /// ``plan(timeLimit:stations:beds:keep:secondCoreFree:)`` with the bound left to the
    /// caller: the decisions (their outcome's `bound` still 0) and the work that proves the
    /// bound, which the bed parts' Lagrangian bounds take up to `respiteBoundShare` of the
    /// time limit for. Run on a thread of its own, that bound costs the month nothing: the
    /// rota's greedy start, which uses one core, runs beside it.
    public func planBoundLater(timeLimit: Double, stations planStations: Bool = true, beds planBeds: Bool = true,
                               keep: Plan? = nil, secondCoreFree: (@Sendable () -> Bool)? = nil) throws
        -> (outcome: Outcome, bound: @Sendable () -> Double)
    {
        let greedy = SharingGreedy(instance: instance)
        let start = keep.map { greedy.kept(from: $0) }
            ?? (placements: greedy.placements(), designations: greedy.designations(), respite: greedy.respite())
        var outcome = Outcome(placements: start.placements, designations: start.designations,
                              respite: start.respite, bound: 0, optimal: true)
        // Load sharing first, with at most half the time when beds follow; beds get the rest
        // (a program proven early leaves its time to the other).
        let clock = ContinuousClock()
        let began = clock.now
        let share = planStations && planBeds ? timeLimit / 2 : timeLimit
        var bound = 0.0
        var boundsComplete = true
        var bedsFound: BedsFound?
        if planStations {
            let stations = try loadSharing(start: outcome.placements, timeLimit: max(0.5, share), keep: keep)
            outcome.placements = stations.placements
            bound += stations.bound
            outcome.optimal = outcome.optimal && stations.optimal
        } else {
            boundsComplete = false
            outcome.optimal = false
        }
        if planBeds {
            // Outside what-if runs (whose programs price every change of a published
            // decision), search around the programs (see `BedSearch`): local search improves
            // the greedy start (a tenth of the time), the programs get what is left but
            // `bedShares.neighbourhoods`, and when they end unproven, exact neighbourhoods of
            // the unproven parts (the designations' cheap alternatives first) and a last
            // local search take that. A part too large for its
            // program to reach even its relaxation in the time (`bedProgramLimit`) gets no
            // program: its share goes to its neighbourhoods. On large networks that is where
            // the gains are (see docs/rota-formulation.md).
            let search = keep == nil ? BedSearch(instance: instance) : nil
            let left = max(0.5, timeLimit - (clock.now - began).seconds)
            if let search {
                (outcome.designations, outcome.respite) = search.improve(
                    designations: outcome.designations, respite: outcome.respite,
                    until: clock.now + .seconds(left * Self.bedShares.localSearch))
            }
            // Without the search (what-if runs) the programs get all the time.
            let sizes = bedPartSizes()
            let skipped = search == nil ? [] : Set(sizes.filter { $0.value > Self.bedProgramLimit }.keys)
            let parts = sizes.values.filter { $0 > 0 }.count
            let programTime = search == nil ? timeLimit - (clock.now - began).seconds
                : left * (1 - Self.bedShares.localSearch - Self.bedShares.neighbourhoods)
                    * Double(parts - skipped.count) / Double(max(1, parts))
            var beds = try backupBeds(startDesignations: outcome.designations, startRespite: outcome.respite,
                                      timeLimit: max(0.5, programTime), keep: keep, skipping: skipped,
                                      secondCoreFree: search == nil ? nil : secondCoreFree)
            let needOf = Dictionary(instance.patients.map { ($0.id, $0.needs) }, uniquingKeysWith: { a, _ in a })
            if let search, !beds.optimal {
                // The unproven parts share what is left but the last local search's tenth,
                // each its neighbourhoods: the designations' needs first, then the respite.
                let unproven = BedPart.all.subtracting(beds.provenParts)
                let needs = Set(unproven.compactMap(\.need))
                let last = left * Self.bedShares.localSearch
                let searchTime = max(0, timeLimit - (clock.now - began).seconds - last)
                let searchEnd = clock.now + .seconds(searchTime)
                let designationsEnd = clock.now + .seconds(searchTime * Double(needs.count) / Double(unproven.count))
                // The respite's neighbourhoods move to the other core as soon as it is idle
                // (the deputies proven) while the designations' run here, each then until
                // the end; a core that stays busy leaves them their turns here.
                let aside = unproven.contains(.respite) && !needs.isEmpty ? secondCoreFree.map { free in
                    RespiteAside(search: search, from: beds.respite, backend: backend, waitUntil: designationsEnd,
                                 until: searchEnd, secondCoreFree: free)
                } : nil
                // A need whose program was left out starts its search from the Lagrangian
                // heuristic's designations polished by local search, when those are better.
                for need in needs where skipped.contains(.designations(need)) {
                    let others = beds.designations.filter { needOf[$0.patient] != need }
                    let current = beds.designations.filter { needOf[$0.patient] == need }
                    let target = search.value(current, []) - search.value([], [])
                    let start = BedBounds(instance: instance).lagrangianDesignations(target: target, iterations: 300, needs: [need])
                    let polished = search.improve(designations: others + start,
                                                  until: clock.now + .seconds(searchTime / Double(unproven.count) / 4))
                    if search.value(polished, []) < search.value(beds.designations, []) { beds.designations = polished }
                }
                if !needs.isEmpty {
                    beds.designations = try search.neighbourhoods(designations: beds.designations, backend: backend,
                                                                  needs: needs, until: designationsEnd,
                                                                  cheapShare: BedSearch.cheapFirst)
                }
                if let found = aside?.finish() {
                    beds.designations = try search.neighbourhoods(designations: beds.designations, backend: backend,
                                                                  needs: needs, until: searchEnd)
                    beds.respite = found()
                } else if unproven.contains(.respite) {
                    beds.respite = try search.neighbourhoods(respite: beds.respite, backend: backend, until: searchEnd)
                }
                (beds.designations, beds.respite) = search.improve(
                    designations: beds.designations, respite: beds.respite, until: clock.now + .seconds(last))
            }
            outcome.designations = beds.designations
            outcome.respite = beds.respite
            outcome.optimal = outcome.optimal && beds.optimal
            bedsFound = beds
        } else {
            boundsComplete = false
            outcome.optimal = false
        }
        let instance = instance
        let counting = greedy.lowerBound()
        let stationsBound = bound
        let found = bedsFound, complete = boundsComplete
        return (outcome, {
            // With a part left out, only the counting bound is sure for the whole.
            guard complete else { return counting }
            guard let found else { return max(stationsBound, counting) }
            return max(stationsBound + Self.bedBound(instance, found, respiteSeconds: timeLimit * Self.respiteBoundShare),
                       counting)
        })
    }

    /// The bed program's bound: per part, the better of its program's bound and its
    /// Lagrangian bound (proven in milliseconds to about `respiteSeconds` where the program
    /// ends without a bound: large networks).
    static func bedBound(_ instance: Instance, _ beds: BedsFound, respiteSeconds: Double) -> Double {
        let needOf = Dictionary(instance.patients.map { ($0.id, $0.needs) }, uniquingKeysWith: { a, _ in a })
        let bedBounds = BedBounds(instance: instance)
        let respiteValue = BedSearch(instance: instance).value([], beds.respite)
        let respiteDeadline = ContinuousClock.now + .seconds(max(0.2, respiteSeconds))
        var bound = 0.0
        for part in BedPart.all {
            // Each subgradient steps towards the value of its own part.
            let lagrangian = part.need.map { need in
                let mine = beds.designations.filter { needOf[$0.patient] == need }
                let target = BedSearch(instance: instance).value(mine, beds.respite) - respiteValue
                return bedBounds.designations(target: target, iterations: 300, needs: [need])
            } ?? bedBounds.respite(target: respiteValue, iterations: Self.respiteBoundSteps.iterations,
                                   patience: Self.respiteBoundSteps.patience, deadline: respiteDeadline)
            bound += max(beds.partBounds[part] ?? 0, lagrangian)
        }
        return bound
    }

    /// The published decisions where still allowed, the greedy answer elsewhere, with the
    /// counting bound; no program is solved (what-if runs with `--engine greedy`).
    public func keptGreedy(_ published: Plan) -> Outcome {
        let greedy = SharingGreedy(instance: instance)
        let kept = greedy.kept(from: published)
        return Outcome(placements: kept.placements, designations: kept.designations, respite: kept.respite,
                       bound: greedy.lowerBound(), optimal: false)
    }

    /// Shares of the beds' time (see ``plan(timeLimit:stations:beds:keep:)``): the first
    /// local search, and the neighbourhoods with the last local search after the programs.
    static let bedShares = (localSearch: 0.1, neighbourhoods: 0.35)

    /// The respite's Lagrangian bound (``BedBounds/respite(target:iterations:patience:deadline:)``):
    /// at most this many subgradient steps, the step halved after `patience` without a gain,
    /// and at most `respiteBoundShare` of the time limit of load sharing and beds (after it:
    /// at most 2.2 s of a one-minute plan at 1,000 clinics, milliseconds on small networks;
    /// in a month's plan beside the rota's greedy start, see ``planBoundLater(timeLimit:stations:beds:keep:secondCoreFree:)``).
    /// Its steps aim at the respite's own value, far above
    /// the bound on large networks, and with the step halved after 20 steps the ascent
    /// stalled. Measured on the 1,000-clinic city (300 requests, 1,677 nightly rows; its
    /// linear relaxation, by HiGHS, is 2,475.98): 1,000 steps, patience 20: 2,379–2,416;
    /// 20,000 steps, patience 100: 2,466.61 in 1.5 s; patience 200: 2,474.96 in 1.9 s.
    static let respiteBoundSteps = (iterations: 20_000, patience: 200)
    static let respiteBoundShare = 0.12

    /// Bed parts with more decisions than this get exact neighbourhoods instead of their
    /// program (see ``plan(timeLimit:stations:beds:keep:secondCoreFree:)``). Measured at
    /// 1,000 clinics: within 2 s, GLPK ends the acute designations (82,880 decisions) and the
    /// respite (46,254) without even a bound, while it takes the palliative designations
    /// (15,844) to 0.7 % of theirs; at 300 clinics every part (at most 7,488) is proven.
    static let bedProgramLimit = 30_000

    /// The share of a month's time limit for load sharing and beds (each program stops
    /// early when proven): a fifth, or 30 % where a bed part is larger than
    /// `bedProgramLimit`. Measured at 1,000 clinics (60 s): the bed neighbourhoods gain
    /// about 50 points a second there, the rota's search about 5.
    public var timeShare: Double {
        bedPartSizes().values.contains { $0 > Self.bedProgramLimit } ? 0.3 : 0.2
    }

    /// The number of decisions of each bed part: a designation per patient and offering
    /// hospital, a booking per respite request and possible start.
    func bedPartSizes() -> [BedPart: Int] {
        var sizes: [BedPart: Int] = [:]
        for need in Need.allCases {
            sizes[.designations(need)] = instance.patients.filter { $0.needs == need }.count
                * instance.hospitals.filter { $0.beds(need.bedKind) > 0 }.count
        }
        sizes[.respite] = BedSearch.RespiteTable(instance: instance).options.reduce(0) { $0 + $1.count }
        return sizes
    }

    /// The terms of the bed program (SPEC section 5).
    static let bedTerms: [ObjectiveTerm] = [.bedOverload, .outsideGroup, .bedDistance, .respiteRejected, .respiteDelay]

    /// What not keeping one published decision costs in a what-if run (see ``plan(timeLimit:stations:beds:keep:)``).
    public static let moveCost = 0.001

    // MARK: Load sharing

    /// y[i,s] places item i at allowed station s; U ≥ load_s / capacity_s is the busiest
    /// utilisation; o_s ≥ load_s − capacity_s the overflow.
    func loadSharing(start: [Placement], timeLimit: Double, keep: Plan? = nil) throws
        -> (placements: [Placement], bound: Double, optimal: Bool)
    {
        guard let program = try loadSharingProgram(start: start, keep: keep) else { return ([], 0, true) }
        // Gomory cuts on the whole overflows close the gap at the root (see
        // `loadSharingProgram`).
        var polish = RelaxationPolish(model: program.model, backend: backend)
        polish.cuts = [.gomory]
        let result = try polish.solve(start: program.start, timeLimit: timeLimit)
        let bound = (result.bound ?? 0) - Self.moveCost * program.keptCount
        guard result.hasSolution else { return (start, bound, false) }
        return (program.read(result.values), bound, result.termination == .optimal || result.termination == .gapLimit)
    }

    /// One of the two programs: the model, the start (the greedy's or the kept decisions),
    /// how many kept decisions carry ``moveCost``, and how to read decisions from a solution.
    public struct Program<Decisions> {
        public var model: Model
        public var start: [Double]
        public var keptCount: Double
        public var read: ([Double]) -> Decisions
    }

    /// The load-sharing program (nil when the instance has no stations).
    public func loadSharingProgram(start: [Placement], keep: Plan? = nil) throws -> Program<[Placement]>? {
        let kept = Dictionary((keep?.placements ?? []).map { ($0.item, $0.station) }, uniquingKeysWith: { a, _ in a })
        var keptCount = 0.0
        let items = instance.loadSharingItems
        guard !instance.stations.isEmpty else { return nil }
        let w = instance.weights
        var model = Model(name: "load-sharing")
        var objective = LinearExpression()
        var y: [[(station: Int, variable: Variable)]] = []
        for item in items {
            var row: [(Int, Variable)] = []
            for s in instance.allowedStations(for: item) {
                let v = try model.addVariable(.binary, name: "y[\(item.id),\(instance.stations[s].id)]")
                var cost = 0.0
                if let from = item.from, from != instance.stations[s].id { cost += w[.transfer] }
                if instance.stations[s].block != item.block { cost += w[.remoteStation] }
                if kept[item.id] == instance.stations[s].id {
                    cost -= Self.moveCost
                    objective.constant += Self.moveCost
                    keptCount += 1
                }
                if cost != 0 { objective.add(v, times: cost) }
                row.append((s, v))
            }
            try model.addConstraint(.equal(LinearExpression(sum: row.map(\.1)), 1), name: "place[\(item.id)]")
            y.append(row)
        }
        let busiest = try model.addVariable(.continuous, lower: 0, name: "U")
        objective.add(busiest, times: 100 * w[.loadMax])
        var overflow: [Variable] = []
        for (s, station) in instance.stations.enumerated() {
            var load = LinearExpression(station.load)
            // Whole visits, load and capacity make the overflow a whole number at every
            // answer, so it is declared integer: GLPK's cuts then close the relaxation's gap
            // (1,000 clinics: proven in 0.1 s, where the continuous overflow leaves a 24 %
            // gap after 20 s).
            var whole = station.load.isWhole && station.capacity.isWhole
            for (i, row) in y.enumerated() {
                for (t, v) in row where t == s {
                    load.add(v, times: items[i].visits)
                    whole = whole && items[i].visits.isWhole
                }
            }
            try model.addConstraint(busiest * station.capacity - load >= 0, name: "busiest[\(station.id)]")
            let o = try model.addVariable(whole ? .integer : .continuous, lower: 0, name: "o[\(station.id)]")
            try model.addConstraint(o - load >= -station.capacity, name: "overflow[\(station.id)]")
            objective.add(o, times: w[.overflow])
            overflow.append(o)
        }
        try model.minimize(objective)

        // The greedy placement as the start.
        var values = [Double](repeating: 0, count: model.variableCount)
        var load = instance.stations.map(\.load)
        for placement in start {
            guard let i = items.firstIndex(where: { $0.id == placement.item }),
                  let s = instance.stationIndex[placement.station],
                  let v = y[i].first(where: { $0.station == s })?.variable
            else { continue }
            values[v.index] = 1
            load[s] += items[i].visits
        }
        values[busiest.index] = zip(load, instance.stations).map { $0 / $1.capacity }.max() ?? 0
        for (s, o) in overflow.enumerated() { values[o.index] = max(0, load[s] - instance.stations[s].capacity) }

        let instance = instance
        return Program(model: model, start: values, keptCount: keptCount) { solution in
            var placements: [Placement] = []
            for (i, row) in y.enumerated() {
                if let chosen = row.first(where: { solution[$0.variable.index] > 0.5 }) {
                    placements.append(Placement(item: items[i].id, station: instance.stations[chosen.station].id))
                }
            }
            return placements
        }
    }

    // MARK: Backup beds

    /// What ``backupBeds(startDesignations:startRespite:timeLimit:keep:skipping:secondCoreFree:)``
    /// found: the decisions, the programs' bound, whether all are proven, the parts proven
    /// and each part's own bound.
    typealias BedsFound = (designations: [Designation], respite: [RespiteBooking], bound: Double, optimal: Bool,
                           provenParts: Set<BedPart>, partBounds: [BedPart: Double])

    /// z[p,h] designates patient p to hospital h; r[q,h,t] books request q at h from date t;
    /// over[h,need] ≥ expected admissions − pledged beds; nightly respite rows per hospital.
    ///
    /// The program falls apart into independent parts that share no row and no term: the
    /// designations of each need (acute and palliative patients never share an overload
    /// row) and the respite. Each is solved on its own, the smallest first, each with an
    /// equal share of the time left, so that a part proven early leaves its time to the
    /// larger ones. Apart, each is far easier for branch-and-cut than all together (300
    /// clinics: both needs proven in 3 s, where the joint program stays 6 % above its bound
    /// after 30 s). Returns the parts proven optimal, too.
    ///
    /// With `secondCoreFree` saying so when a part's program starts, a search of the same
    /// part runs from the same start on another thread for the same time: exact
    /// neighbourhoods of the need (``BedSearch/neighbourhoods(designations:backend:needs:until:cheapShare:shouldStop:)``)
    /// beside a designation program, those of the respite
    /// (``BedSearch/neighbourhoods(respite:backend:until:shouldStop:)``) beside the respite's.
    /// The better answer is kept (the program's when proven). Where branch-and-cut stalls on
    /// a large part, the search usually ends lower; where it proves, nothing is lost. Parts
    /// in `skipping` get no program (their bound is left to the caller).
    func backupBeds(startDesignations: [Designation], startRespite: [RespiteBooking], timeLimit: Double, keep: Plan? = nil,
                    skipping: Set<BedPart> = [], secondCoreFree: (@Sendable () -> Bool)? = nil) throws -> BedsFound
    {
        let clock = ContinuousClock()
        let began = clock.now
        var designations = startDesignations, respite = startRespite
        var bound = 0.0, optimal = true
        var provenParts = Set<BedPart>()
        var partBounds: [BedPart: Double] = [:]
        if !skipping.isEmpty { optimal = false }
        let needOf = Dictionary(instance.patients.map { ($0.id, $0.needs) }, uniquingKeysWith: { a, _ in a })
        var programs: [(part: BedPart, program: Program<(designations: [Designation], respite: [RespiteBooking])>)] = []
        for part in [BedPart.designations(.acute), .designations(.palliative), .respite] where !skipping.contains(part) {
            let program = try bedsProgram(startDesignations: startDesignations, startRespite: startRespite, keep: keep,
                                          parts: [part])
            guard program.model.variableCount > 0 else {
                bound += program.model.objectiveConstant
                partBounds[part] = program.model.objectiveConstant
                provenParts.insert(part)
                continue
            }
            programs.append((part, program))
        }
        programs = programs.enumerated()
            .sorted { ($0.element.program.model.variableCount, $0.offset) < ($1.element.program.model.variableCount, $1.offset) }
            .map(\.element)
        for (k, (part, program)) in programs.enumerated() {
            let left = timeLimit - (clock.now - began).seconds
            // MIR and cover cuts on the respite's nightly rows; see `BedSearch.designationCuts`.
            var polish = RelaxationPolish(model: program.model, backend: backend)
            polish.cuts = part == .respite ? [.mixedIntegerRounding, .cover] : BedSearch.designationCuts
            polish.feasibilityPump = false
            let share = max(0.5, left / Double(programs.count - k))
            // The search beside the program, when the other core is idle.
            var beside: BesideSearch?
            if secondCoreFree?() == true {
                let helper = BesideSearch()
                let search = BedSearch(instance: instance, seed: BedSearch.besideSeed)
                let from = (designations: designations, respite: respite)
                let deadline = clock.now + .seconds(share), backend = backend
                let thread = Thread {
                    var found = from
                    if let need = part.need {
                        found.designations = (try? search.neighbourhoods(
                            designations: from.designations, backend: backend, needs: [need], until: deadline,
                            shouldStop: helper.stopped)) ?? from.designations
                    } else {
                        found.respite = (try? search.neighbourhoods(respite: from.respite, backend: backend, until: deadline,
                                                                    shouldStop: helper.stopped)) ?? from.respite
                    }
                    helper.found.withLock { $0 = found }
                    helper.done.signal()
                }
                thread.stackSize = 8 << 20
                thread.start()
                beside = helper
            }
            let result = try polish.solve(start: program.start, timeLimit: share)
            let besideFound = beside.flatMap { helper in
                // A proven program leaves the search nothing to find.
                if result.termination == .optimal || result.termination == .gapLimit { helper.stop.withLock { $0 = true } }
                helper.done.wait()
                return helper.found.withLock { $0 }
            }
            // Every term is ≥ 0, so 0 bounds a part whose search ended without a bound.
            let partBound = max(0, result.bound ?? 0) - Self.moveCost * program.keptCount
            bound += partBound
            partBounds[part] = partBound
            let proven = result.hasSolution && (result.termination == .optimal || result.termination == .gapLimit)
            var solved = (designations: designations, respite: respite)
            if result.hasSolution {
                let decisions = program.read(result.values)
                if let need = part.need {
                    solved.designations = designations.filter { needOf[$0.patient] != need } + decisions.designations
                } else {
                    solved.respite = decisions.respite
                }
            }
            if !proven, let besideFound {
                let search = BedSearch(instance: instance)
                if search.value(besideFound.designations, besideFound.respite) < search.value(solved.designations, solved.respite) {
                    solved = besideFound
                }
            }
            (designations, respite) = solved
            if proven { provenParts.insert(part) }
            optimal = optimal && proven
        }
        return (designations, respite, bound, optimal, provenParts, partBounds)
    }

    /// The search beside a bed part's program, on another thread: its answer, when it is
    /// there, and the flag that stops it early.
    private final class BesideSearch: Sendable {
        let done = DispatchSemaphore(value: 0)
        let found = Mutex<(designations: [Designation], respite: [RespiteBooking])?>(nil)
        let stop = Mutex(false)
        var stopped: @Sendable () -> Bool { { [self] in stop.withLock { $0 } } }
    }

    /// The respite's exact neighbourhoods on another thread, started once the other core is
    /// idle (polled every 20 ms) and before `waitUntil`; they then run until `until`.
    final class RespiteAside: Sendable {
        private let done = DispatchSemaphore(value: 0)
        /// Whether the search started, or was called off before it did.
        private let state = Mutex<(started: Bool, cancelled: Bool)>((false, false))
        private let found = Mutex<[RespiteBooking]?>(nil)

        init(search: BedSearch, from: [RespiteBooking], backend: any SolverBackend, waitUntil: ContinuousClock.Instant,
             until deadline: ContinuousClock.Instant, secondCoreFree: @escaping @Sendable () -> Bool)
        {
            let thread = Thread { [self] in
                while ContinuousClock.now < waitUntil, !secondCoreFree(), !state.withLock({ $0.cancelled }) {
                    Thread.sleep(forTimeInterval: 0.02)
                }
                let start = state.withLock { state in
                    state.started = !state.cancelled && ContinuousClock.now < waitUntil
                    return state.started
                }
                if start {
                    let respite = (try? search.neighbourhoods(respite: from, backend: backend, until: deadline)) ?? from
                    found.withLock { $0 = respite }
                }
                done.signal()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }

        /// Nil when the search had not started (it never will); otherwise a function that
        /// waits for its end and returns its respite.
        func finish() -> (() -> [RespiteBooking])? {
            let started = state.withLock { state in
                if !state.started { state.cancelled = true }
                return state.started
            }
            guard started else {
                done.wait()
                return nil
            }
            return { [self] in
                done.wait()
                return found.withLock { $0! }
            }
        }
    }

    /// The independent parts of the bed program.
    public enum BedPart: Sendable, Hashable {
        /// The designations of the patients with this need.
        case designations(Need)
        case respite

        /// The whole program.
        public static let all: Set<BedPart> = [.designations(.acute), .designations(.palliative), .respite]

        /// The need of a designation part.
        var need: Need? {
            if case .designations(let need) = self { return need }
            return nil
        }
    }

    /// The bed program: designations, respite bookings, overloads and nightly rows (`parts`:
    /// the whole program, or some of its parts; the others' decisions are then read as none).
    public func bedsProgram(startDesignations: [Designation], startRespite: [RespiteBooking], keep: Plan? = nil,
                            parts: Set<BedPart> = BedPart.all)
        throws -> Program<(designations: [Designation], respite: [RespiteBooking])>
    {
        let patients = instance.patients.filter { parts.contains(.designations($0.needs)) }
        let requests = parts.contains(.respite) ? instance.respiteRequests : []
        let keptHospital = Dictionary((keep?.designations ?? []).map { ($0.patient, $0.hospital) }, uniquingKeysWith: { a, _ in a })
        let keptBooking = Dictionary((keep?.respite ?? []).map { ($0.request, $0) }, uniquingKeysWith: { a, _ in a })
        var keptCount = 0.0
        let w = instance.weights
        let hospitals = instance.hospitals
        var model = Model(name: "beds")
        var objective = LinearExpression()
        var constant = 0.0
        var z: [[(hospital: Int, variable: Variable)]] = []
        for patient in patients {
            let block = instance.block(ofClinic: patient.clinic)
            var row: [(Int, Variable)] = []
            for (h, hospital) in hospitals.enumerated() where hospital.beds(patient.needs.bedKind) > 0 {
                let v = try model.addVariable(.binary, name: "z[\(patient.id),\(hospital.id)]")
                var cost = w[.bedDistance] * Double(instance.distance(block, hospital.block))
                if !hospital.group.contains(patient.clinic) { cost += w[.outsideGroup] }
                if keptHospital[patient.id] == hospital.id {
                    cost -= Self.moveCost
                    constant += Self.moveCost
                    keptCount += 1
                }
                if cost != 0 { objective.add(v, times: cost) }
                row.append((h, v))
            }
            try model.addConstraint(.equal(LinearExpression(sum: row.map(\.1)), 1), name: "designate[\(patient.id)]")
            z.append(row)
        }
        var overloads: [(Int, Need, Variable)] = []
        for (h, hospital) in hospitals.enumerated() {
            for need in Need.allCases where hospital.beds(need.bedKind) > 0 {
                var expected = LinearExpression()
                for (p, patient) in patients.enumerated() where patient.needs == need {
                    for (t, v) in z[p] where t == h { expected.add(v, times: patient.risk) }
                }
                guard expected.termCount > 0 else { continue }
                let over = try model.addVariable(.continuous, lower: 0, name: "over[\(hospital.id),\(need.rawValue)]")
                try model.addConstraint(over - expected >= -Double(hospital.beds(need.bedKind)), name: "beds[\(hospital.id),\(need.rawValue)]")
                objective.add(over, times: w[.bedOverload])
                overloads.append((h, need, over))
            }
        }
        // Respite: rejected requests cost their priority; accepted ones distance, group and delay.
        var r: [[(hospital: Int, start: CivilDate, variable: Variable)]] = []
        var nightly: [Int: [Int: LinearExpression]] = [:]  // hospital → night → stays
        for request in requests {
            let block = instance.block(ofClinic: request.clinic)
            constant += w[.respiteRejected] * Double(request.priority)
            var row: [(Int, CivilDate, Variable)] = []
            for (h, hospital) in hospitals.enumerated() where hospital.beds(.respite) > 0 {
                var start = request.earliest
                while start <= request.latest {
                    let v = try model.addVariable(.binary, name: "r[\(request.id),\(hospital.id),\(start)]")
                    var cost = w[.bedDistance] * Double(instance.distance(block, hospital.block))
                        + w[.respiteDelay] * Double(start.days(since: request.earliest))
                        - w[.respiteRejected] * Double(request.priority)
                    if !hospital.group.contains(request.clinic) { cost += w[.outsideGroup] }
                    if let booking = keptBooking[request.id], booking.hospital == hospital.id, booking.start == start {
                        cost -= Self.moveCost
                        constant += Self.moveCost
                        keptCount += 1
                    }
                    objective.add(v, times: cost)
                    for n in 0..<request.nights { nightly[h, default: [:]][start.dayNumber + n, default: LinearExpression()].add(v) }
                    row.append((h, start, v))
                    start = start.adding(days: 1)
                }
            }
            if !row.isEmpty {
                try model.addConstraint(LinearExpression(sum: row.map(\.2)) <= 1, name: "accept[\(request.id)]")
            }
            r.append(row)
        }
        for (h, nights) in nightly.sorted(by: { $0.key < $1.key }) {
            for (night, stays) in nights.sorted(by: { $0.key < $1.key }) where stays.termCount > hospitals[h].beds(.respite) {
                try model.addConstraint(stays <= Double(hospitals[h].beds(.respite)), name: "night[\(hospitals[h].id),\(night)]")
            }
        }
        objective.constant = constant
        try model.minimize(objective)

        // The greedy decisions as the start.
        var values = [Double](repeating: 0, count: model.variableCount)
        var expected: [Int: [Need: Double]] = [:]
        for d in startDesignations {
            guard let p = patients.firstIndex(where: { $0.id == d.patient }),
                  let entry = z[p].first(where: { hospitals[$0.hospital].id == d.hospital })
            else { continue }
            values[entry.variable.index] = 1
            expected[entry.hospital, default: [:]][patients[p].needs, default: 0] += patients[p].risk
        }
        for (h, need, over) in overloads {
            values[over.index] = max(0, (expected[h]?[need] ?? 0) - Double(hospitals[h].beds(need.bedKind)))
        }
        for booking in startRespite {
            guard let q = requests.firstIndex(where: { $0.id == booking.request }),
                  let entry = r[q].first(where: { hospitals[$0.hospital].id == booking.hospital && $0.start == booking.start })
            else { continue }
            values[entry.variable.index] = 1
        }

        return Program(model: model, start: values, keptCount: keptCount) { solution in
            var designations: [Designation] = []
            for (p, row) in z.enumerated() {
                if let chosen = row.first(where: { solution[$0.variable.index] > 0.5 }) {
                    designations.append(Designation(patient: patients[p].id, hospital: hospitals[chosen.hospital].id))
                }
            }
            var bookings: [RespiteBooking] = []
            for (q, row) in r.enumerated() {
                if let chosen = row.first(where: { solution[$0.variable.index] > 0.5 }) {
                    bookings.append(RespiteBooking(request: requests[q].id, hospital: hospitals[chosen.hospital].id,
                                                   start: chosen.start))
                }
            }
            return (designations, bookings)
        }
    }
}

private extension Double {
    /// A finite whole number.
    var isWhole: Bool { isFinite && rounded() == self }
}
