import MIP
import RinbanCore

extension BedSearch {
    /// The respite requests, every start each one may take and what it costs (SPEC
    /// sections 4 and 5), shared by the local search and the exact neighbourhoods.
    struct RespiteTable {
        struct Option {
            let hospital: Int
            let start: CivilDate
            /// Days since the earliest start of any request (index into the nights).
            let day: Int
            let cost: Double
        }

        let instance: Instance
        /// Per request, its starts at every hospital with respite beds, cheapest first.
        let options: [[Option]]
        /// What rejecting each request costs.
        let rejection: [Double]
        let nights: [Int]
        /// Respite beds per hospital.
        let capacity: [Int]
        /// Nights from the earliest start to the last night of any stay.
        let days: Int

        init(instance: Instance) {
            self.instance = instance
            let w = instance.weights
            let hospitals = instance.hospitals
            let requests = instance.respiteRequests
            capacity = hospitals.map { $0.beds(.respite) }
            let first = requests.map(\.earliest.dayNumber).min() ?? 0
            days = (requests.map { $0.latest.dayNumber + $0.nights }.max() ?? first) - first + 1
            var options: [[Option]] = []
            for request in requests {
                let block = instance.block(ofClinic: request.clinic)
                var mine: [Option] = []
                for (h, hospital) in hospitals.enumerated() where capacity[h] > 0 {
                    let fixed = w[.bedDistance] * Double(instance.distance(block, hospital.block))
                        + (hospital.group.contains(request.clinic) ? 0 : w[.outsideGroup])
                    var day = request.earliest
                    while day <= request.latest {
                        mine.append(Option(hospital: h, start: day, day: day.dayNumber - first,
                                           cost: fixed + w[.respiteDelay] * Double(day.days(since: request.earliest))))
                        day = day.adding(days: 1)
                    }
                }
                options.append(mine.sorted { $0.cost < $1.cost })
            }
            self.options = options
            rejection = requests.map { w[.respiteRejected] * Double($0.priority) }
            nights = requests.map(\.nights)
        }

        /// The option each request takes in `bookings` (−1: rejected, or a booking that is
        /// not one of its options).
        func choices(_ bookings: [RespiteBooking]) -> [Int] {
            let requestIndex = Dictionary(instance.respiteRequests.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
            let hospitalIndex = Dictionary(instance.hospitals.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
            var chosen = [Int](repeating: -1, count: options.count)
            for booking in bookings {
                guard let q = requestIndex[booking.request], let h = hospitalIndex[booking.hospital],
                      let k = options[q].firstIndex(where: { $0.hospital == h && $0.start == booking.start })
                else { continue }
                chosen[q] = k
            }
            return chosen
        }

        /// The bookings of `chosen`, in the instance's order of requests.
        func bookings(_ chosen: [Int]) -> [RespiteBooking] {
            chosen.indices.filter { chosen[$0] >= 0 }.map { q in
                let o = options[q][chosen[q]]
                return RespiteBooking(request: instance.respiteRequests[q].id, hospital: instance.hospitals[o.hospital].id,
                                      start: o.start)
            }
        }

        /// What request q costs with option k (−1: rejected).
        func price(_ q: Int, _ k: Int) -> Double { k < 0 ? rejection[q] : options[q][k].cost }
    }

    /// Respite improved by exact neighbourhoods: the requests booked at a few hospitals and
    /// every rejected request are set free to take any start at those hospitals (or stay
    /// rejected), the bookings elsewhere stay, and branch-and-cut (MIR and cover cuts on the
    /// nightly rows) solves that program; its answer is taken when it is better. Moves and
    /// single displacements cannot find what this finds on a full month: a rejected long
    /// stay that fits only once three short stays each shift by a night or change hospital.
    ///
    /// Two kinds of hospital sets take turns: a random hospital with the ones nearest to it
    /// (whose requests' distances barely change among them), and hospitals drawn at random.
    /// Both start with four hospitals, grow by a quarter after a program proven without a
    /// gain and shrink by a fifth after one that ran out of time. The search ends when the
    /// program over every hospital is proven, or when the time is up. Never worse than the
    /// start.
    func neighbourhoods(respite start: [RespiteBooking], backend: any SolverBackend,
                        until deadline: ContinuousClock.Instant, shouldStop: (@Sendable () -> Bool)? = nil) throws
        -> [RespiteBooking]
    {
        let table = RespiteTable(instance: instance)
        let hospitals = instance.hospitals
        let offering = hospitals.indices.filter { table.capacity[$0] > 0 }
        guard !table.options.isEmpty, !offering.isEmpty else { return start }
        var chosen = table.choices(start)
        var random = SplitMix64(seed: seed)
        var size = [min(4, offering.count), min(4, offering.count)]
        let clock = ContinuousClock()
        var turn = 0
        while clock.now < deadline, shouldStop?() != true {
            turn += 1
            let kind = turn % 2
            let chosenHospitals: [Int]
            if kind == 0 {
                let centre = offering[random.below(offering.count)]
                let nearest = offering.filter { $0 != centre }
                    .map { (h: $0, key: instance.distance(hospitals[centre].block, hospitals[$0].block) * 1_000_000 + random.below(1_000_000)) }
                    .sorted { $0.key < $1.key }.prefix(size[kind] - 1).map(\.h)
                chosenHospitals = [centre] + nearest
            } else {
                chosenHospitals = Array(random.shuffled(offering).prefix(size[kind]))
            }
            let left = (deadline - clock.now) / .seconds(1)
            guard left > 0.05 else { break }
            let outcome = try rebook(among: chosenHospitals, chosen: chosen, table: table, backend: backend,
                                     seconds: min(1, left), shouldStop: shouldStop)
            if let better = outcome.better {
                chosen = better
            } else {
                size[kind] = outcome.proven ? min(offering.count, size[kind] + max(1, size[kind] / 4)) : max(2, size[kind] * 4 / 5)
            }
            if chosenHospitals.count == offering.count && outcome.proven { break }
        }
        let respite = table.bookings(chosen)
        return value([], respite) <= value([], start) + 1e-9 ? respite : start
    }

    /// One exact respite neighbourhood: the requests booked at `among` and the rejected ones
    /// choose a start at those hospitals or rejection; the others keep `chosen`. Returns the
    /// better choices, if the program found them, and whether the program was proven.
    private func rebook(among allowed: [Int], chosen: [Int], table: RespiteTable, backend: any SolverBackend,
                        seconds: Double, shouldStop: (@Sendable () -> Bool)?) throws -> (better: [Int]?, proven: Bool)
    {
        let inside = Set(allowed)
        let freed = chosen.indices.filter { chosen[$0] < 0 || inside.contains(table.options[$0][chosen[$0]].hospital) }
        guard !freed.isEmpty else { return (nil, true) }
        var model = Model(name: "respite-neighbourhood")
        var objective = LinearExpression()
        var r: [[(k: Int, v: Variable)]] = []
        var startValues: [Double] = []
        var current = 0.0, rejected = 0.0
        // Stays per (hospital, night) of the freed requests' options; nobody else stays there.
        var stays: [Int: [Variable]] = [:]
        for q in freed {
            var row: [(Int, Variable)] = []
            // A start costing at least the rejection is never better than rejecting.
            for (k, o) in table.options[q].enumerated() where inside.contains(o.hospital) && o.cost < table.rejection[q] {
                let v = try model.addVariable(.binary, name: "r[\(q),\(k)]")
                objective.add(v, times: o.cost - table.rejection[q])
                row.append((k, v))
                startValues.append(k == chosen[q] ? 1 : 0)
                for n in 0..<table.nights[q] { stays[o.hospital * table.days + o.day + n, default: []].append(v) }
            }
            current += table.price(q, chosen[q])
            rejected += table.rejection[q]
            if !row.isEmpty { try model.addConstraint(LinearExpression(sum: row.map(\.1)) <= 1, name: "accept[\(q)]") }
            r.append(row)
        }
        guard model.variableCount > 0 else { return (nil, true) }
        for (night, vs) in stays.sorted(by: { $0.key < $1.key }) where vs.count > table.capacity[night / table.days] {
            try model.addConstraint(LinearExpression(sum: vs) <= Double(table.capacity[night / table.days]), name: "night[\(night)]")
        }
        try model.minimize(objective)
        var options = SolveOptions(timeLimit: seconds, relativeGap: 1e-9, cuts: [.mixedIntegerRounding, .cover],
                                   initialSolution: startValues)
        options.feasibilityPump = false
        options.branching = .planning
        options.shouldStop = shouldStop
        let result = try model.solve(using: backend, options: options)
        let proven = result.termination == .optimal || result.termination == .gapLimit
        guard result.hasSolution, let value = result.objective, rejected + value < current - 1e-6 else { return (nil, proven) }
        var better = chosen
        for (i, q) in freed.enumerated() {
            better[q] = r[i].first(where: { result.values[$0.v.index] > 0.5 })?.k ?? -1
        }
        return (better, proven)
    }
}
