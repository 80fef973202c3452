import MIP
import RinbanCore

/// Local search on the backup-bed decisions (SPEC section 4), exact in the weighted bed
/// terms of SPEC section 5. It gives the bed programs' branch-and-cut a better start and
/// polishes what the branch-and-cut ends with: on large networks GLPK's tree search stalls
/// on the bed program while single moves still pay.
///
/// - Designations: a patient moves to another offering hospital, or two patients at
///   different hospitals trade places; each move is taken when it lowers overload,
///   outside-group and distance together. Then, while time is left, a few patients are
///   sent to random offering hospitals and the search runs again from there; the best
///   designation seen is kept (iterated local search, fixed seed, until ``patience`` kicks
///   in a row bring nothing or the time is up).
/// - Respite: a request moves to its cheapest start that fits every night (or is rejected,
///   or a rejected one is accepted); and a request takes a start whose nights are full by
///   displacing one booked request that holds a bed on all of those nights, which then
///   takes its own cheapest fitting start or is rejected. Then kicks as for designations:
///   a few bookings cancelled and a few requests sent to a random start that fits.
///
/// - Designations, after the programs: exact neighbourhoods (``neighbourhoods(designations:backend:needs:until:cheapShare:shouldStop:)``),
///   programs over every patient's cheap alternatives, over a few nearby hospitals or over
///   random patients, solved by branch-and-cut.
///
/// The answer is never worse than the start: both are scored by ``SharingGreedy/terms``.
struct BedSearch {
    let instance: Instance
    var seed: UInt64 = 2027
    /// The iterated search stops after this many kicks in a row without a better designation.
    var patience = 300
    /// The seed of the neighbourhoods that search beside a designation program
    /// (``SharingPlanner/backupBeds(startDesignations:startRespite:timeLimit:keep:secondCoreFree:)``).
    static let besideSeed: UInt64 = 2028
    /// Cuts of every designation program: overload rows are mixed knapsacks (fractional
    /// risks against whole beds), where MIR and cover cuts close most of the relaxation's
    /// gap and Gomory cuts the rest.
    static let designationCuts: CutFamilies = [.gomory, .mixedIntegerRounding, .cover]
    /// The share of the designations' neighbourhoods after the programs that goes to the
    /// cheap alternatives first (``neighbourhoods(designations:backend:needs:until:cheapShare:shouldStop:)``).
    /// They start from the best the programs and the searches beside them found, where
    /// nearby hospitals and random patients have mostly stalled. Measured with `--only
    /// beds` at 13.3 s (the beds' time of a one-minute plan at 300 clinics): the acute
    /// designations of city-300-2027-09 end at their optimum, 300, in 7 runs of 7 (301 in
    /// 4 of 5 runs without them), city-300 seed 2027's beds at 1,513 in 9 of 10 (3 of 6
    /// without; docs/rota-formulation.md).
    static let cheapFirst = 0.5

    /// The weighted bed terms of designations and respite (SPEC section 5).
    func value(_ designations: [Designation], _ respite: [RespiteBooking]) -> Double {
        let terms = SharingGreedy(instance: instance).terms(placements: [], designations: designations, respite: respite)
        return SharingPlanner.bedTerms.reduce(0) { $0 + instance.weights[$1] * (terms[$1] ?? 0) }
    }

    /// Both halves improved, each with about half of the time up to `deadline`; never worse
    /// than the start.
    func improve(designations: [Designation], respite: [RespiteBooking], until deadline: ContinuousClock.Instant)
        -> (designations: [Designation], respite: [RespiteBooking])
    {
        let clock = ContinuousClock()
        let half = clock.now + (deadline - clock.now) / 2
        var found = (designations: improve(designations: designations, until: half),
                     respite: improve(respite: respite, until: deadline))
        if value(found.designations, found.respite) > value(designations, respite) + 1e-9 {
            found = (designations, respite)
        }
        return found
    }

    // MARK: Designations

    func improve(designations start: [Designation], until deadline: ContinuousClock.Instant) -> [Designation] {
        let table = DesignationTable(instance: instance)
        let patients = instance.patients
        let hospitalCount = instance.hospitals.count, needCount = table.needCount
        guard !patients.isEmpty, hospitalCount > 1 else { return start }
        let cost = table.cost, offered = table.offered, need = table.need, risk = table.risk, beds = table.beds
        var at = table.assignment(start)
        var expected = [Double](repeating: 0, count: hospitalCount * needCount)
        for p in patients.indices where at[p] >= 0 { expected[at[p] * needCount + need[p]] += risk[p] }
        let overload = instance.weights[.bedOverload]
        /// What the overload term changes by when cell's expected admissions change by d.
        func change(_ cell: Int, _ d: Double) -> Double {
            overload * (max(0, expected[cell] + d - beds[cell]) - max(0, expected[cell] - beds[cell]))
        }
        func total() -> Double {
            var sum = 0.0
            for p in patients.indices where at[p] >= 0 { sum += cost[p][at[p]] }
            for cell in expected.indices { sum += overload * max(0, expected[cell] - beds[cell]) }
            return sum
        }
        func move(_ p: Int, to g: Int) {
            expected[at[p] * needCount + need[p]] -= risk[p]
            expected[g * needCount + need[p]] += risk[p]
            at[p] = g
        }
        let epsilon = 1e-9
        /// Moves and swaps until neither pays (or time is up).
        func descend() {
            var improved = true
            while improved, ContinuousClock().now < deadline {
                improved = false
                for p in patients.indices where at[p] >= 0 {
                    let h = at[p]
                    let leave = change(h * needCount + need[p], -risk[p]) - cost[p][h]
                    var best = -epsilon, target = -1
                    for g in offered[p] where g != h {
                        let d = leave + cost[p][g] + change(g * needCount + need[p], risk[p])
                        if d < best { best = d; target = g }
                    }
                    if target >= 0 {
                        move(p, to: target)
                        improved = true
                    }
                }
                for p in patients.indices where at[p] >= 0 {
                    for q in (p + 1)..<patients.count where at[q] >= 0 && at[q] != at[p] {
                        let h = at[p], g = at[q]
                        guard cost[p][g].isFinite, cost[q][h].isFinite else { continue }
                        var d = cost[p][g] + cost[q][h] - cost[p][h] - cost[q][g]
                        if need[p] == need[q] {
                            let moved = risk[q] - risk[p]
                            if abs(moved) < epsilon && d >= -epsilon { continue }
                            d += change(h * needCount + need[p], moved) + change(g * needCount + need[p], -moved)
                        } else {
                            d += change(h * needCount + need[p], -risk[p]) + change(g * needCount + need[p], risk[p])
                                + change(g * needCount + need[q], -risk[q]) + change(h * needCount + need[q], risk[q])
                        }
                        if d < -epsilon {
                            move(p, to: g)
                            move(q, to: h)
                            improved = true
                        }
                    }
                }
            }
        }
        descend()
        var bestAt = at, bestValue = total()
        var random = SplitMix64(seed: seed)
        let movable = patients.indices.filter { offered[$0].count > 1 && at[$0] >= 0 }
        var sinceBest = 0
        while !movable.isEmpty, sinceBest < patience, ContinuousClock().now < deadline {
            for _ in 0..<min(movable.count, 3 + random.below(6)) {
                let p = movable[random.below(movable.count)]
                move(p, to: offered[p][random.below(offered[p].count)])
            }
            descend()
            let value = total()
            sinceBest += 1
            if value < bestValue - epsilon {
                bestValue = value
                bestAt = at
                sinceBest = 0
            } else {
                for p in patients.indices where at[p] != bestAt[p] { move(p, to: bestAt[p]) }
            }
        }
        // Patients the start left out (none offered a bed) stay out.
        return table.designations(bestAt)
    }

    /// Designations improved by exact neighbourhoods: a part of the patients of one need is
    /// set free, everyone else stays, and branch-and-cut (with Gomory, MIR and cover cuts
    /// on the overload rows) re-designates the free ones; the answer is taken when it is
    /// better. Each program takes one need (the needs share no overload row, so a program
    /// over both would only be two independent ones that GLPK's tree mixes up), the needs
    /// in `needs` taking turns. There are three kinds:
    ///
    /// - **Cheap alternatives**: every patient of the need is free, but only to stay or to
    ///   go to a hospital whose distance and outside-group terms cost at most δ more than
    ///   their own's. Catches long chains across the whole network, each step a small
    ///   price, that end at a hospital with beds to spare (city-300-2027-09: 11 patients
    ///   along 8 hospitals, the acute designations' optimum). δ takes the differences between
    ///   the costs of two choices, smallest first; at the largest it is the whole need's
    ///   program.
    /// - **Nearby hospitals**: a random hospital and the nearest ones to it give up all their
    ///   patients, who choose among those hospitals. Catches chains and rings of patients
    ///   between hospitals that balance their overload, which moves and swaps cannot find.
    ///   Starts with four hospitals.
    /// - **Random patients**: patients drawn from all hospitals, each free to choose any
    ///   hospital offering their kind of bed; the others' admissions stay in the overload
    ///   rows. Starts with a quarter of the need's patients.
    ///
    /// The cheap alternatives take the first `cheapShare` of the time alone, the needs taking
    /// turns; then nearby hospitals and random patients alternate. Each kind and need grows
    /// after a program proven without a gain (δ to the next difference, at once; the others
    /// by a quarter, at least one) and shrinks after one that ran out of time (δ to the one
    /// before; the others by a fifth). The search ends when the program over every patient
    /// of every need in `needs` is proven, or when the time is up.
    func neighbourhoods(designations start: [Designation], backend: any SolverBackend,
                        needs: Set<Need> = Set(Need.allCases), until deadline: ContinuousClock.Instant,
                        cheapShare: Double = 0, shouldStop: (@Sendable () -> Bool)? = nil) throws -> [Designation]
    {
        let hospitals = instance.hospitals
        let patients = instance.patients
        guard hospitals.count > 1, !patients.isEmpty else { return start }
        let table = DesignationTable(instance: instance)
        var at = table.assignment(start)
        var random = SplitMix64(seed: seed)
        // Per need (index into Need.allCases): its designated patients and those of them with
        // a choice (neither changes while the search moves patients), the two kinds' sizes,
        // and whether the program over all of them was proven.
        let members = Need.allCases.indices.map { n in patients.indices.filter { table.need[$0] == n && at[$0] >= 0 } }
        let movable = members.map { $0.filter { table.offered[$0].count > 1 } }
        let searched = Need.allCases.indices.filter { needs.contains(Need.allCases[$0]) && !movable[$0].isEmpty }
        var size = [Int](repeating: min(4, hospitals.count), count: Need.allCases.count)
        var drawn = members.map { max(1, $0.count / 4) }
        // The cheap alternatives' steps per need and the one each need is at.
        let steps = members.map { table.costSteps(of: $0) }
        var step = [Int](repeating: 0, count: Need.allCases.count)
        var settled = Set<Int>()
        let clock = ContinuousClock()
        let cheapUntil = clock.now + (deadline - clock.now) * cheapShare
        let cheapAtAll = searched.contains { !steps[$0].isEmpty }
        var turn = 0
        // A cheap-alternatives program proven without a gain (or with no one to move): its
        // need's next one, at the next δ, comes straight after (the small ones take
        // milliseconds).
        var climbing = false
        while clock.now < deadline, settled.count < searched.count, shouldStop?() != true {
            if !climbing { turn += 1 }
            climbing = false
            let cheapPhase = cheapAtAll && clock.now < cheapUntil
            let n = searched[(cheapPhase ? turn : turn / 2) % searched.count]
            guard !settled.contains(n) else { continue }
            let kind: Kind = cheapPhase ? .cheap : turn % 2 == 1 ? .nearby : .random
            let freed: [Int]
            let choices: [[Int]]
            switch kind {
            case .cheap:
                guard !steps[n].isEmpty else { continue }
                let delta = steps[n][step[n]] + 1e-9
                let near = members[n].map { p in
                    table.offered[p].filter { $0 == at[p] || table.cost[p][$0] <= table.cost[p][at[p]] + delta }
                }
                let moving = members[n].indices.filter { near[$0].count > 1 }
                if moving.isEmpty, step[n] + 1 < steps[n].count {
                    step[n] += 1
                    climbing = true
                    continue
                }
                freed = moving.map { members[n][$0] }
                choices = moving.map { near[$0] }
            case .nearby:
                let centre = random.below(hospitals.count)
                let nearest = hospitals.indices.filter { $0 != centre }
                    .map { (h: $0, key: instance.distance(hospitals[centre].block, hospitals[$0].block) * 1_000_000 + random.below(1_000_000)) }
                    .sorted { $0.key < $1.key }.prefix(size[n] - 1).map(\.h)
                let allowed = [centre] + nearest
                let inside = Set(allowed)
                freed = members[n].filter { inside.contains(at[$0]) }
                choices = freed.map { _ in allowed }
            case .random:
                freed = Array(random.shuffled(movable[n]).prefix(drawn[n])).sorted()
                choices = freed.map { _ in Array(hospitals.indices) }
            }
            guard !freed.isEmpty else { continue }
            let left = (deadline - clock.now) / .seconds(1)
            guard left > 0.05 else { break }
            let outcome = try reassign(freed, among: choices, at: at, table: table, backend: backend, seconds: min(1, left),
                                       shouldStop: shouldStop)
            if let better = outcome.better {
                at = better
            } else {
                switch kind {
                case .cheap:
                    climbing = outcome.proven && step[n] + 1 < steps[n].count
                    step[n] = outcome.proven ? min(steps[n].count - 1, step[n] + 1) : max(0, step[n] - 1)
                case .nearby:
                    size[n] = outcome.proven ? min(hospitals.count, size[n] + max(1, size[n] / 4)) : max(2, size[n] * 4 / 5)
                case .random:
                    drawn[n] = outcome.proven ? min(movable[n].count, drawn[n] + max(1, drawn[n] / 4)) : max(2, drawn[n] * 4 / 5)
                }
            }
            // Every patient free to go to every hospital offering their kind of bed.
            let everyone = freed.count >= movable[n].count && zip(freed, choices).allSatisfy { p, hospitals in
                hospitals.filter { table.cost[p][$0].isFinite }.count == table.offered[p].count
            }
            if everyone && outcome.proven { settled.insert(n) }
        }
        let designations = table.designations(at)
        return value(designations, []) <= value(start, []) + 1e-9 ? designations : start
    }

    /// One exact neighbourhood: each of the `freed` patients chooses among their `choices`
    /// (hospitals; those offering their kind of bed count), everyone else keeps `at`.
    /// Returns the better assignment, if the program found one, and whether the program
    /// was proven.
    private func reassign(_ freed: [Int], among choices: [[Int]], at: [Int], table: DesignationTable,
                          backend: any SolverBackend, seconds: Double, shouldStop: (@Sendable () -> Bool)?) throws
        -> (better: [Int]?, proven: Bool)
    {
        let patients = instance.patients
        let hospitals = instance.hospitals
        let needCount = table.needCount
        var model = Model(name: "designations-neighbourhood")
        var objective = LinearExpression()
        var z: [[(h: Int, v: Variable)]] = []
        var current = 0.0
        var startValues: [Double] = []
        var isFree = [Bool](repeating: false, count: patients.count)
        for p in freed { isFree[p] = true }
        for (p, allowed) in zip(freed, choices) {
            var row: [(Int, Variable)] = []
            for h in allowed where table.cost[p][h].isFinite {
                let v = try model.addVariable(.binary, name: "z[\(p),\(h)]")
                objective.add(v, times: table.cost[p][h])
                row.append((h, v))
                startValues.append(h == at[p] ? 1 : 0)
            }
            current += table.cost[p][at[p]]
            try model.addConstraint(.equal(LinearExpression(sum: row.map(\.1)), 1), name: "designate[\(p)]")
            z.append(row)
        }
        // Admissions of the patients who stay, per cell (hospital, need).
        var fixed = [Double](repeating: 0, count: hospitals.count * needCount)
        for p in patients.indices where at[p] >= 0 && !isFree[p] { fixed[at[p] * needCount + table.need[p]] += table.risk[p] }
        var terms = [[(Double, Variable)]](repeating: [], count: hospitals.count * needCount)
        var now = fixed
        for (i, p) in freed.enumerated() {
            for (h, v) in z[i] { terms[h * needCount + table.need[p]].append((table.risk[p], v)) }
            now[at[p] * needCount + table.need[p]] += table.risk[p]
        }
        let overload = instance.weights[.bedOverload]
        for cell in terms.indices where !terms[cell].isEmpty {
            let beds = table.beds[cell]
            var expected = LinearExpression()
            for (risk, v) in terms[cell] { expected.add(v, times: risk) }
            let over = try model.addVariable(.continuous, lower: 0, name: "over[\(cell)]")
            try model.addConstraint(over - expected >= fixed[cell] - beds, name: "beds[\(cell)]")
            objective.add(over, times: overload)
            startValues.append(max(0, now[cell] - beds))
            current += overload * max(0, now[cell] - beds)
        }
        try model.minimize(objective)
        var options = SolveOptions(timeLimit: seconds, relativeGap: 1e-9, cuts: Self.designationCuts,
                                   initialSolution: startValues)
        options.feasibilityPump = false
        // GLPK's default branching, not ``BranchingRule/planning``: with the most fractional
        // variable the cheap alternatives at δ = 4 no longer reach city-300-2027-09's acute
        // optimum (beds 2,653 in three runs of three, 2,652 with the default).
        options.shouldStop = shouldStop
        let result = try model.solve(using: backend, options: options)
        // A gap of 1e-9 reached is a proof too.
        let proven = result.termination == .optimal || result.termination == .gapLimit
        guard result.hasSolution, let value = result.objective, value < current - 1e-6 else { return (nil, proven) }
        var better = at
        for (i, p) in freed.enumerated() {
            if let entry = z[i].first(where: { result.values[$0.v.index] > 0.5 }) { better[p] = entry.h }
        }
        return (better, proven)
    }

    /// The kinds of exact neighbourhood of the designations (``neighbourhoods(designations:backend:needs:until:cheapShare:shouldStop:)``).
    enum Kind {
        case cheap, nearby, random
    }

    /// The patients, the hospitals offering each one's kind of bed, and what each choice
    /// costs in distance and outside group (SPEC section 5); cells are (hospital, need).
    struct DesignationTable {
        let instance: Instance
        /// cost[p][h]; infinity where h offers no bed of p's kind.
        let cost: [[Double]]
        let offered: [[Int]]
        let need: [Int]
        let risk: [Double]
        /// Pledged beds per cell h·needCount + n.
        let beds: [Double]
        let needCount = Need.allCases.count

        init(instance: Instance) {
            self.instance = instance
            let w = instance.weights
            let hospitals = instance.hospitals
            var cost = [[Double]](), offered = [[Int]](), need = [Int](), risk = [Double]()
            for patient in instance.patients {
                let block = instance.block(ofClinic: patient.clinic)
                var row = [Double](repeating: .infinity, count: hospitals.count)
                for (h, hospital) in hospitals.enumerated() where hospital.beds(patient.needs.bedKind) > 0 {
                    row[h] = w[.bedDistance] * Double(instance.distance(block, hospital.block))
                        + (hospital.group.contains(patient.clinic) ? 0 : w[.outsideGroup])
                }
                cost.append(row)
                offered.append(row.indices.filter { row[$0].isFinite })
                need.append(Need.allCases.firstIndex(of: patient.needs)!)
                risk.append(patient.risk)
            }
            (self.cost, self.offered, self.need, self.risk) = (cost, offered, need, risk)
            beds = hospitals.flatMap { hospital in Need.allCases.map { Double(hospital.beds($0.bedKind)) } }
        }

        /// Every positive difference between the costs of two choices of the same patient,
        /// among `patients`, ascending (the steps of the cheap-alternatives neighbourhood).
        /// The costs take a few values (weighted distances 0, 1 or 3 and outside group or
        /// not), so the differences are found among the distinct values.
        func costSteps(of patients: [Int]) -> [Double] {
            var values = Set<Double>()
            for p in patients { for h in offered[p] { values.insert(cost[p][h]) } }
            let sorted = values.sorted()
            var steps = Set<Double>()
            for (i, a) in sorted.enumerated() { for b in sorted[(i + 1)...] where b - a > 1e-9 { steps.insert(b - a) } }
            return steps.sorted()
        }

        /// The hospital index of each patient in `designations` (−1: none, or not offering).
        func assignment(_ designations: [Designation]) -> [Int] {
            let hospitalIndex = Dictionary(instance.hospitals.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
            let patientIndex = Dictionary(instance.patients.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
            var at = [Int](repeating: -1, count: instance.patients.count)
            for d in designations {
                if let p = patientIndex[d.patient], let h = hospitalIndex[d.hospital], cost[p][h].isFinite { at[p] = h }
            }
            return at
        }

        func designations(_ at: [Int]) -> [Designation] {
            instance.patients.indices.filter { at[$0] >= 0 }.map {
                Designation(patient: instance.patients[$0].id, hospital: instance.hospitals[at[$0]].id)
            }
        }
    }

    // MARK: Respite

    func improve(respite start: [RespiteBooking], until deadline: ContinuousClock.Instant,
                 shouldStop: (@Sendable () -> Bool)? = nil) -> [RespiteBooking] {
        let requests = instance.respiteRequests
        guard !requests.isEmpty else { return start }
        let table = RespiteTable(instance: instance)
        let capacity = table.capacity, days = table.days, options = table.options, rejection = table.rejection
        guard capacity.contains(where: { $0 > 0 }) else { return start }
        // chosen[q]: index into options[q], or -1 for rejected.
        var chosen = table.choices(start)
        var stays = [Int](repeating: 0, count: instance.hospitals.count * days)
        func stay(_ q: Int, _ k: Int, _ d: Int) {
            let o = options[q][k]
            for n in 0..<requests[q].nights { stays[o.hospital * days + o.day + n] += d }
        }
        for q in requests.indices where chosen[q] >= 0 { stay(q, chosen[q], 1) }
        func fits(_ q: Int, _ k: Int) -> Bool {
            let o = options[q][k]
            return (0..<requests[q].nights).allSatisfy { stays[o.hospital * days + o.day + $0] < capacity[o.hospital] }
        }
        func price(_ q: Int, _ k: Int) -> Double { table.price(q, k) }
        /// The cheapest fitting choice of q (q's own stays removed first), rejection included.
        func cheapest(_ q: Int) -> Int {
            for k in options[q].indices {
                if options[q][k].cost >= rejection[q] { break }
                if fits(q, k) { return k }
            }
            return -1
        }
        func set(_ q: Int, _ k: Int) {
            if chosen[q] >= 0 { stay(q, chosen[q], -1) }
            chosen[q] = k
            if k >= 0 { stay(q, k, 1) }
        }
        let epsilon = 1e-9
        /// Single moves and displacements until neither pays (or time is up).
        func descend() {
            var improved = true
            while improved, ContinuousClock().now < deadline {
                improved = false
                // Single moves.
                for q in requests.indices {
                    let was = chosen[q]
                    set(q, -1)
                    let k = cheapest(q)
                    if price(q, k) < price(q, was) - epsilon {
                        set(q, k)
                        improved = true
                    } else {
                        set(q, was)
                    }
                }
                // One displacement: q takes a full start; the one request holding a bed on each of
                // its full nights goes to its own cheapest fitting choice.
                for q in requests.indices {
                    let was = chosen[q], current = price(q, was)
                    set(q, -1)
                    var done = false
                    for k in options[q].indices where options[q][k].cost < current - epsilon {
                        let o = options[q][k]
                        let full = (0..<requests[q].nights).filter { stays[o.hospital * days + o.day + $0] >= capacity[o.hospital] }
                        guard !full.isEmpty else { continue }
                        for r in requests.indices where r != q && chosen[r] >= 0 && options[r][chosen[r]].hospital == o.hospital {
                            let held = options[r][chosen[r]]
                            guard full.allSatisfy({ o.day + $0 >= held.day && o.day + $0 < held.day + requests[r].nights }) else { continue }
                            let before = chosen[r]
                            set(r, -1)
                            guard fits(q, k) else { set(r, before); continue }
                            set(q, k)
                            let next = cheapest(r)
                            let d = o.cost + price(r, next) - current - price(r, before)
                            if d < -epsilon {
                                set(r, next)
                                done = true
                                break
                            }
                            set(q, -1)
                            set(r, before)
                        }
                        if done { break }
                    }
                    if done {
                        improved = true
                    } else {
                        set(q, was)
                    }
                }
            }
        }
        func total() -> Double { requests.indices.reduce(0) { $0 + price($1, chosen[$1]) } }
        descend()
        var best = chosen, bestValue = total()
        var random = SplitMix64(seed: seed)
        var sinceBest = 0
        while sinceBest < patience, ContinuousClock().now < deadline, shouldStop?() != true {
            // Kick: a few bookings are cancelled (and a few requests moved to a random start
            // that fits), then the descent takes it from there.
            let booked = requests.indices.filter { chosen[$0] >= 0 }
            guard !booked.isEmpty else { break }
            for _ in 0..<min(booked.count, 2 + random.below(4)) { set(booked[random.below(booked.count)], -1) }
            for _ in 0..<random.below(3) {
                let q = random.below(requests.count)
                guard !options[q].isEmpty else { continue }
                let k = random.below(options[q].count)
                let was = chosen[q]
                set(q, -1)
                set(q, fits(q, k) ? k : was)
            }
            descend()
            sinceBest += 1
            let value = total()
            if value < bestValue - epsilon {
                best = chosen
                bestValue = value
                sinceBest = 0
            } else {
                for q in requests.indices where chosen[q] >= 0 { set(q, -1) }
                for q in requests.indices where best[q] >= 0 { set(q, best[q]) }
            }
        }
        return table.bookings(best)
    }
}
