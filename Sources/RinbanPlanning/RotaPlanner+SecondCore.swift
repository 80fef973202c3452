import Foundation
import MIP
import RinbanCore

extension RotaPlanner {
    /// The second core after the bound (docs/rota-formulation.md, "Column generation" and
    /// "Member-months"): first column generation from the subgradient method's prices and
    /// months (at most `generationShare` of the time limit; a better bound, and the months
    /// of the first program, reduced-cost fixed; not above `generationMonthLimit` months;
    /// above it, a rota from the first prices instead, ``lagrangianRota(_:prices:seconds:)``),
    /// then rounds until the time is up:
    ///
    /// 1. the best rota GLPK puts together from the member-months collected so far (at
    ///    most a tenth of the time limit the first time, a twentieth later), then
    ///    member-months neighbourhoods (``RotaColumns/searchNeighbourhoods``; at most a
    ///    fifth, then a tenth). The months are published to `months` for the first core;
    /// 2. once column generation has converged and the best rota is within `gapLimit` of
    ///    it, the program over every month within the gap (``searchWithinGap``), again
    ///    whenever the best rota is better than when it last ran; it ends the work here
    ///    when it proves the best rota optimal;
    /// 3. unless the round's months gave a better rota and step 2 did not run, a
    ///    neighbourhood search with its own seed (each round another), for `searchShare` of
    ///    the time limit;
    /// 4. the subgradient method again, from its last best prices with full steps and
    ///    aimed at the best rota so far, for `boundShare` of the time limit: new
    ///    member-months around the same prices, and sometimes a better bound. Its months
    ///    and the best rota's join the collection (the newest `2 × columnsPerMember` of
    ///    each member are kept). While the best rota is far above the bound, the steps aim
    ///    lower than it (``subgradientTarget(best:bound:)``).
    ///
    /// Rounds go on until the time is up, whether or not the first ones gained: on
    /// Takamatsu-like months the months that fit come from the later rounds.
    func combineAndSearch(
        lagrangian: RotaLagrangian, first: RotaLagrangian.Outcome, shared: SharedIncumbent, months: SharedMonths,
        options: RotaPlanOptions,
        total: Double, offerBound: @escaping @Sendable (Double) -> Void, elapsed: @escaping @Sendable () -> Double
    ) {
        var prices = first
        var pool = first.columns
        var bound = first.bound
        // Too many member-months for column generation (1,000 clinics): it is left out, and
        // the subgradient method of a later round resumes where it ended (a round affords a
        // hundred steps or so there).
        let large = lagrangian.months.count > Self.generationMonthLimit
        // The converged relaxation, whose duals price every month (``searchWithinGap``).
        var converged: (generation: RotaColumnGeneration, master: RotaColumnGeneration.Master)?
        if total - elapsed() > 3, !large {
            let generation = RotaColumnGeneration(problem: problem, lagrangian: lagrangian, backend: backend)
            let outcome = generation.run(
                pool: pool, incumbent: shared.state(problem), center: first,
                seconds: min(total * Self.generationShare, total - elapsed() - 2),
                keep: Self.columnsPerMember / 2, shouldStop: options.shouldStop, improved: offerBound)
            if outcome.bound.isFinite {
                bound = max(bound, outcome.bound)
                options.progress?(String(format: "%7.1f s  column generation bound %.4f  relaxation %@  (%d rounds%@, %d months kept)",
                                         elapsed(), outcome.bound, outcome.relaxation.map { String(format: "%.4f", $0) } ?? "-",
                                         outcome.rounds, outcome.converged ? ", converged" : "",
                                         outcome.columns.reduce(0) { $0 + $1.pairs.count }))
            }
            pool = RotaColumns.merged(outcome.columns, pool, cap: Self.columnsPerMember)
            if outcome.converged, let master = outcome.master { converged = (generation, master) }
            // With the relaxation solved (its masters are quick then) and the best rota far
            // above it, a dive from it: there the first member-months seldom fit together
            // (Takamatsu), while near the bound they do and the dive's time is better spent
            // on them (Shizuoka).
            if outcome.converged, Self.isFar(best: shared.total, bound: bound), total - elapsed() > 3 {
                let dive = generation.dive(pool: pool, incumbent: shared.state(problem),
                                           seconds: min(total * Self.generationShare, total - elapsed() - 2),
                                           cutoff: shared.total, shouldStop: options.shouldStop)
                if let rota = dive.rota, shared.offer(rota) != nil {
                    options.progress?(String(format: "%7.1f s  dive           objective %.4f", elapsed(), rota.weightedTotal))
                }
                pool = RotaColumns.merged(RotaColumns.months(of: shared.state(problem), problem: problem) + dive.months, pool,
                                          cap: 2 * Self.columnsPerMember)
            }
        }
        // The largest months: a rota from the first prices before the months are published,
        // so that the first core's member-months start from it. The first core has nothing
        // to do until then: the subgradient method goes on there from where it ended, for
        // the same time (``resumeBeside(_:from:target:seconds:shouldStop:)``).
        if large, first.bound.isFinite, total - elapsed() > 2 {
            let seconds = min(total * Self.lagrangianRotaShare, total - elapsed() - 1)
            let resumed = Self.resumeBeside(lagrangian, from: first, target: shared.total, seconds: seconds,
                                            shouldStop: options.shouldStop)
            let rota = lagrangianRota(lagrangian, prices: first, seconds: seconds)
            if shared.offer(rota) != nil {
                options.progress?(String(format: "%7.1f s  from the prices objective %.4f", elapsed(), rota.weightedTotal))
            }
            let next = resumed()
            if next.bound.isFinite {
                bound = max(bound, next.bound)
                offerBound(next.bound)
                options.progress?(String(format: "%7.1f s  Lagrangian bound %.4f  (%d steps more, beside)", elapsed(),
                                         next.bound, next.iterations))
            }
            // The later rounds resume from here; the months published stay the first run's.
            prices = next
        }
        months.publish(pool)
        var round = 0
        var gains = 0
        // The best rota when the months within the gap were last listed.
        var listedAt: Double?
        while !options.stopped, total - elapsed() > 1 {
            var members = RotaColumns(problem: problem, columns: pool)
            if large { members.cuts = Self.largeMonthCuts }
            let gainsBefore = gains
            var listedThisRound = false
            if !members.isEmpty {
                // The whole program first, for a part of the round's time: GLPK ends it on
                // small months. Then neighbourhoods of it, which GLPK ends in a second or two.
                let share = round == 0 ? Self.firstCombineShare : Self.combineShare
                gains += members.search(shared: shared, backend: backend,
                                        seconds: min(total * share * Self.wholeProgramFraction, total - elapsed() - 0.5),
                                        shouldStop: options.shouldStop) { value in
                    options.progress?(String(format: "%7.1f s  member-months  objective %.4f", elapsed(), value))
                }
                gains += members.searchNeighbourhoods(
                    shared: shared, backend: backend, seconds: min(total * share, total - elapsed() - 0.5),
                    seed: options.seed &+ UInt64(round), shouldStop: options.shouldStop
                ) { value in
                    options.progress?(String(format: "%7.1f s  member-months² objective %.4f", elapsed(), value))
                }
            }
            // Every month within the gap, once the best rota is near the relaxation; again
            // each time it is better (the gap, and so the list, is smaller).
            if let converged, shared.total - converged.master.value <= Self.gapLimit * max(1, abs(converged.master.value)),
               listedAt.map({ shared.total < $0 - 1e-9 * max(1, abs($0)) }) ?? true, total - elapsed() > 2
            {
                listedAt = shared.total
                listedThisRound = true
                if searchWithinGap(converged.generation, master: converged.master, shared: shared, options: options,
                                   seconds: min(total * Self.gapShare, total - elapsed() - 1), pool: &pool,
                                   offerBound: offerBound, elapsed: elapsed)
                {
                    return
                }
                months.publish(pool)
            }
            // A round whose months gave a better rota goes straight on to new months (the
            // first core searches neighbourhoods all the time anyway), unless it listed the
            // months within the gap without proving the best rota: near the relaxation the
            // months seldom gain more, and the rota's own neighbourhoods do.
            if gains == gainsBefore || listedThisRound {
                var slice = options
                slice.seed = options.seed &+ UInt64(round)
                slice.timeLimit = min(total, elapsed() + total * Self.searchShare)
                _ = try? neighbourhoodSearch(from: shared.state(problem), bound: nil, engine: "lns", options: slice, worker: nil,
                                             shared: shared, kindOffset: 1, label: "neighbourhood²", elapsed: elapsed)
            }
            round += 1
            guard !options.stopped, total - elapsed() > 2 else { break }
            // Resumed runs (1,000 clinics) still raise the bound, and aim at the best rota.
            let target = large ? shared.total : Self.subgradientTarget(best: shared.total, bound: bound)
            let next = lagrangian.solve(upperBound: target, seconds: min(total * Self.boundShare, total - elapsed() - 1),
                                        columnsPerMember: Self.columnsPerMember, from: prices, resumeStep: large,
                                        shouldStop: options.shouldStop)
            if next.bound.isFinite {
                bound = max(bound, next.bound)
                offerBound(next.bound)
                options.progress?(String(format: "%7.1f s  Lagrangian bound %.4f  (%d steps more)", elapsed(), next.bound,
                                         next.iterations))
            }
            prices = next
            pool = RotaColumns.merged(next.columns + RotaColumns.months(of: shared.state(problem), problem: problem),
                                      pool, cap: 2 * Self.columnsPerMember)
            months.publish(pool)
        }
    }

    /// Starts the subgradient method again from `start` on a thread of its own, with its
    /// last step factor (as a later round resumes it), aimed at `target`, for `seconds`;
    /// the returned function waits for its outcome. On the largest months the first core
    /// waits while the second puts a rota together from the first prices: measured at
    /// 1,000 clinics, 49–107 steps there raised the bound by 0.5–35 in two plans.
    static func resumeBeside(_ lagrangian: RotaLagrangian, from start: RotaLagrangian.Outcome, target: Double,
                             seconds: Double, shouldStop: (@Sendable () -> Bool)?) -> () -> RotaLagrangian.Outcome {
        onThreadOfItsOwn {
            lagrangian.solve(upperBound: target, seconds: seconds, columnsPerMember: columnsPerMember, from: start,
                             resumeStep: true, shouldStop: shouldStop)
        }
    }

    /// A rota from the relaxation's prices (docs/rota-formulation.md, "A rota from the first
    /// prices"): the pins, then each member's best month at `prices`, member by member, each
    /// pair while its slot has room and the member's rules allow it; the open demand filled
    /// as the greedy fills it; then the greedy's reassignment and swap moves for at most
    /// `seconds`.
    func lagrangianRota(_ lagrangian: RotaLagrangian, prices: RotaLagrangian.Outcome, seconds: Double) -> RotaState {
        var workspace = MemberMonth.Workspace()
        let evaluation = lagrangian.evaluate(lambda: prices.lambda, mu: prices.mu, workspace: &workspace)
        var state = RotaState(problem: problem)
        for p in problem.pinned where !state.assigned[p] { state.assign(p) }
        for month in evaluation.schedules {
            for p in month where state.canAssign(p) { state.assign(p) }
        }
        let builder = GreedyRotaBuilder(problem: problem)
        builder.construct(&state)
        builder.improve(&state, until: ContinuousClock.now + .seconds(max(0, seconds)))
        return state
    }

    /// One integer program over every month within the gap between the best rota and the
    /// converged relaxation (``RotaColumnGeneration/monthsWithinGap(master:incumbent:perMember:total:deadline:)``),
    /// every member choosing: a better rota, if there is one among them. When the list is
    /// complete and GLPK ends the program, its bound is the rota's (no better rota uses
    /// another month), and the best rota is proven optimal: returns true. Listing takes at
    /// most half of `seconds`, the program the rest.
    func searchWithinGap(
        _ generation: RotaColumnGeneration, master: RotaColumnGeneration.Master, shared: SharedIncumbent,
        options: RotaPlanOptions, seconds: Double, pool: inout RotaColumnPool, offerBound: @Sendable (Double) -> Void,
        elapsed: () -> Double
    ) -> Bool {
        let clock = ContinuousClock()
        let began = clock.now
        let listed = generation.monthsWithinGap(
            master: master, incumbent: shared.state(problem), perMember: Self.gapMonthsPerMember, total: Self.gapMonths,
            deadline: began + .seconds(seconds / 2))
        let count = listed.pool.reduce(0) { $0 + $1.pairs.count }
        // The months join the collection for the member-months neighbourhoods of both cores.
        pool = RotaColumns.merged(pool, listed.pool, cap: Self.gapMonthsPerMember)
        guard count > 0, !options.stopped else { return false }
        let columns = RotaColumns(problem: problem, columns: listed.pool, groupColumns: .max)
        let incumbent = shared.state(problem)
        guard let outcome = try? columns.solve(
            incumbent, members: generation.lagrangian.months.map(\.member), backend: backend,
            seconds: seconds - (clock.now - began).seconds, shouldStop: options.shouldStop)
        else { return false }
        if let better = outcome.better { shared.offer(better) }
        let proven = listed.complete && outcome.solved
        options.progress?(String(format: "%7.1f s  within the gap  objective %.4f  (%d months%@)", elapsed(), shared.total,
                                 count, proven ? ", every one: optimal" : listed.complete ? "" : ", not all"))
        guard proven, let bound = outcome.bound, bound.isFinite else { return false }
        offerBound(min(bound, shared.total) - 1e-9 * max(1, abs(bound)))
        return true
    }

    /// What a later round's subgradient method aims at (its Polyak steps are θ·(target − L)/‖g‖²):
    /// the best rota's total `best`, or, while that is more than `farGap` above the proven
    /// `bound`, the point `farShare` of the way from the bound to it. Full steps towards a
    /// rota far above the bound scatter the prices, and the member-months found around
    /// them seldom fit together; shorter ones stay near the best prices. Measured on the
    /// Takamatsu months (one-minute runs of the rota alone, docs/rota-formulation.md, "Diving,
    /// and where the steps aim"); a month whose rota comes within `farGap` early (Shizuoka) keeps
    /// full steps, where the shorter ones lost.
    static func subgradientTarget(best: Double, bound: Double) -> Double {
        isFar(best: best, bound: bound) ? bound + farShare * (best - bound) : best
    }

    /// Whether the best rota's total is more than `farGap` above the proven bound.
    static func isFar(best: Double, bound: Double) -> Bool {
        bound.isFinite && best > bound + farGap * max(1, abs(bound))
    }

    static let farGap = 0.05
    static let farShare = 0.3

    /// Shares of the time limit of the second core's rounds (``combineAndSearch``). The
    /// member-months neighbourhoods get `firstCombineShare` in the first round and
    /// `combineShare` in later ones; the whole program before them takes
    /// `wholeProgramFraction` of that again.
    static let firstCombineShare = 0.2
    static let combineShare = 0.1
    static let wholeProgramFraction = 0.5
    static let searchShare = 0.15
    static let boundShare = 0.1
    static let generationShare = 0.15
    /// The months within the gap are listed once the best rota is within this share of the
    /// relaxation: further away there are too many.
    static let gapLimit = 0.01
    /// At most this share of the time limit for one ``searchWithinGap(_:master:shared:options:seconds:pool:offerBound:elapsed:)``,
    /// and at most so many months listed, of each member and in all.
    static let gapShare = 0.1
    static let gapMonthsPerMember = 2_000
    static let gapMonths = 20_000
    /// Above this many member-months, column generation is left out: its first master
    /// program does not end in its time. Measured at 60 s: on the 1,000-clinic city (1,625
    /// members) it spent 3.8 s without one round; on the 300-clinic one (487 members) it
    /// made 4 rounds.
    static let generationMonthLimit = 1_000
    /// The cut families of the member-months programs (``RotaColumns``) on months of more
    /// than `generationMonthLimit` members: none. There the programs are neighbourhoods of
    /// up to about `RotaColumns.neighbourhoodColumns` months, two seconds each at most, and
    /// the search gains more in the minute without cuts. Measured on the 1,000-clinic city at 60 s, rota of the
    /// whole plan, interleaved: no cuts 12,815, 12,623, 12,844, 12,844 (mean 12,782); all
    /// four (as on smaller months) 12,952, 12,887, 13,003, 13,005 (mean 12,962); clique cuts
    /// only 12,921, 12,872, 13,023. Smaller months keep all four, as before (not measured
    /// there without them).
    static let largeMonthCuts: CutFamilies = []
    /// The first core's member-months neighbourhoods: this part of what is left after its
    /// neighbourhood search (the last branch-and-cut or search has the rest).
    static let monthsShare = 0.5
    /// Above `monolithicPairLimit` pairs and `generationMonthLimit` members (1,000 clinics):
    /// the first subgradient method takes this share of the time limit on both cores, and
    /// the first core then goes straight to the member-months neighbourhoods. There the
    /// first core's own neighbourhoods gained about 80 points in the 16 s the bound took
    /// alone. Since the members' program became faster, 6 s on both cores take about 500
    /// steps (10 s took about 420 before). Measured on the 1,000-clinic city at 60 s, rota of
    /// the plan: 0.15 of the time, 17 plans, mean 13,316 (13,167–13,499), bound after the
    /// second core's later runs 12,074–12,100; 0.25 (about 1,060 steps), 5 plans, mean
    /// 13,504, bound 12,101–12,113 (the months of prices so near convergence seem to
    /// combine less well); 0.1, 4 plans, mean 13,425. Before the faster program: 0.25,
    /// 4 plans, mean 13,388, bound 12,063–12,087.
    static let sharedBoundShare = 0.15
    /// The moves after ``lagrangianRota(_:prices:seconds:)`` on the largest months take at
    /// most this share of the time limit (3 s of the rota's 40 at 1,000 clinics).
    static let lagrangianRotaShare = 0.075
}
