import RinbanCore

extension DeputyProblem {
    /// What pricing a designation over the pairs of a restricted program finds.
    public enum Pricing: Sendable {
        /// No exchange over *any* eligible pair lowers the objective: the designation is
        /// optimal among all designations, even fractional ones, with the same fixed patients.
        case optimal
        /// Pairs outside the restricted program whose reduced cost is negative.
        case pairs([(patient: Int, member: MemberIndex)])
        /// An exchange inside the restricted program that lowers the objective (the
        /// restricted solve stopped within its tolerance): patients and their new deputies.
        case exchange([(patient: Int, deputy: MemberIndex?)])
    }

    /// Prices the pairs left out of a restricted program (`allowed`) at the duals of its
    /// optimum `deputy`.
    ///
    /// The designation is a flow: each free patient sends one unit to one of its
    /// candidates or to "none", and each physician passes its patients on to a sink at the
    /// convex cost of its fairness deviation (within its cap). An integral flow is optimal
    /// exactly when the residual network has no cycle of negative cost, each physician's
    /// arcs priced at the change of its deviation for one patient more or less. Shortest
    /// distances in the residual network of the restricted program (Bellman–Ford from a
    /// virtual source) are node potentials — the program's duals; a left-out pair h → q
    /// can lower the objective only if cost + π(h) − π(q) < 0. When none can, the
    /// designation is optimal for the whole program. O(passes × arcs) for the distances,
    /// O(eligible pairs) for the pricing.
    public func price(_ deputy: [MemberIndex?], allowed: [Set<MemberIndex>], fixed: [Int: MemberIndex] = [:],
                      preferred: [Int: MemberIndex] = [:], preferenceCost: Double = 0) -> Pricing {
        let patients = patientCount
        let none = patients + instance.members.count, sink = none + 1, nodes = sink + 1
        var count = [Int](repeating: 0, count: instance.members.count)
        for q in deputy.compactMap({ $0 }) { count[q] += 1 }
        func cost(_ h: Int, _ c: Candidate) -> Double {
            linearCost(c) - (preferred[h] == c.member ? preferenceCost : 0)
        }
        func deviation(_ q: MemberIndex, _ n: Int) -> Double {
            guard fairnessCounts, let t = target[q] else { return 0 }
            return weights[.deputyFairness] * abs(Double(n) - t)
        }

        // The residual network of the restricted program. A patient arc remembers the
        // patient and the deputy it moves the patient to (-2: to none); others -1.
        var from: [Int] = [], to: [Int] = [], weight: [Double] = [], patientOf: [Int] = [], memberOf: [Int] = []
        func arc(_ a: Int, _ b: Int, _ c: Double, patient: Int = -1, member: Int = -1) {
            from.append(a); to.append(b); weight.append(c); patientOf.append(patient); memberOf.append(member)
        }
        var anyNone = false
        for h in 0..<patients where fixed[h] == nil {
            for c in candidates[h] where allowed[h].contains(c.member) || c.member == deputy[h] {
                if c.member == deputy[h] {
                    arc(patients + c.member, h, -cost(h, c))
                } else {
                    arc(h, patients + c.member, cost(h, c), patient: h, member: c.member)
                }
            }
            if deputy[h] == nil {
                arc(none, h, 0)
                anyNone = true
            } else {
                arc(h, none, 0, patient: h, member: -2)
            }
        }
        arc(none, sink, 0)
        if anyNone { arc(sink, none, 0) }
        for q in Set(candidates.joined().map(\.member)) {
            let n = count[q]
            if n < cap(q) { arc(patients + q, sink, deviation(q, n + 1) - deviation(q, n)) }
            if n > 0 { arc(sink, patients + q, deviation(q, n - 1) - deviation(q, n)) }
        }

        // Bellman–Ford from a virtual source joined to every node at cost 0.
        let tolerance = 1e-7
        var potential = [Double](repeating: 0, count: nodes)
        var predecessor = [Int](repeating: -1, count: nodes)
        var last = -1
        for _ in 0..<nodes {
            last = -1
            for e in from.indices where potential[from[e]] + weight[e] < potential[to[e]] - tolerance {
                potential[to[e]] = potential[from[e]] + weight[e]
                predecessor[to[e]] = e
                last = to[e]
            }
            if last < 0 { break }
        }
        if last >= 0 {
            // Still relaxing after |nodes| passes: a negative cycle, reached back from `last`.
            var node = last
            for _ in 0..<nodes { node = from[predecessor[node]] }
            var exchange: [(patient: Int, deputy: MemberIndex?)] = []
            let first = node
            repeat {
                let e = predecessor[node]
                if patientOf[e] >= 0 { exchange.append((patientOf[e], memberOf[e] >= 0 ? memberOf[e] : nil)) }
                node = from[e]
            } while node != first
            return .exchange(exchange)
        }

        // Reduced costs of the pairs left out.
        var priced: [(patient: Int, member: MemberIndex)] = []
        for h in 0..<patients where fixed[h] == nil {
            for c in candidates[h] where !allowed[h].contains(c.member) && c.member != deputy[h] {
                if cost(h, c) + potential[h] - potential[patients + c.member] < -tolerance { priced.append((h, c.member)) }
            }
        }
        return priced.isEmpty ? .optimal : .pairs(priced)
    }
}
