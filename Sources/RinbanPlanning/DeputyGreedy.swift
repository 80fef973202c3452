import RinbanCore

extension DeputyProblem {
    /// A designation by construction and improvement, always within the caps.
    ///
    /// Patients with the fewest candidates go first, each to the candidate whose choice
    /// raises the weighted objective least (distance, both-absent dates, continuity and the
    /// fairness change); then single-patient moves (to another candidate, or to none) are
    /// made while one lowers the objective. O(passes × patients × candidates).
    ///
    /// - Parameters:
    ///   - fixed: patients whose deputy is given (pinned or kept); never moved.
    ///   - start: a previous choice to begin from (entries that are not candidates, or that
    ///     would break a cap, are dropped).
    public func greedy(fixed: [Int: MemberIndex] = [:], start: [MemberIndex?]? = nil) -> [MemberIndex?] {
        var state = DeputyChoiceState(problem: self)
        for (h, q) in fixed.sorted(by: { $0.key < $1.key }) { state.set(h, q) }
        if let start {
            // Where a cap keeps only some of a physician's start patients, the cheapest stay
            // (a patient whose previous deputy this is, before one for whom it is a change).
            let kept = start.enumerated().compactMap { h, q -> (h: Int, c: Candidate)? in
                guard fixed[h] == nil, let q, let c = candidate(h, q) else { return nil }
                return (h, c)
            }.sorted { linearCost($0.c) != linearCost($1.c) ? linearCost($0.c) < linearCost($1.c) : $0.h < $1.h }
            for (h, c) in kept where state.count[c.member] < cap(c.member) { state.set(h, c.member) }
        }
        let open = candidates.indices.filter { fixed[$0] == nil && state.deputy[$0] == nil }
            .sorted { candidates[$0].count != candidates[$1].count ? candidates[$0].count < candidates[$1].count : $0 < $1 }
        for h in open {
            var best: (cost: Double, member: MemberIndex)?
            for c in candidates[h] where state.count[c.member] < cap(c.member) {
                let cost = linearCost(c) + state.fairnessChange(c.member, by: 1)
                if best == nil || cost < best!.cost - 1e-12 { best = (cost, c.member) }
            }
            if let best, best.cost < 0 { state.set(h, best.member) }
        }
        // Single-patient moves until none improves (a few passes in practice).
        for _ in 0..<50 {
            var improved = false
            for h in candidates.indices where fixed[h] == nil {
                let current = state.deputy[h]
                let now = current.map { q in linearCost(candidates[h].first { $0.member == q }!) } ?? 0
                let leaving = current.map { state.fairnessChange($0, by: -1) } ?? 0
                var best: (delta: Double, member: MemberIndex?)?
                if current != nil, -now + leaving < -1e-9 { best = (-now + leaving, nil) }
                for c in candidates[h] where c.member != current && state.count[c.member] < cap(c.member) {
                    let delta = linearCost(c) - now + leaving + state.fairnessChange(c.member, by: 1)
                    if delta < -1e-9, best == nil || delta < best!.delta { best = (delta, c.member) }
                }
                if let best {
                    state.set(h, best.member)
                    improved = true
                }
            }
            if !improved { break }
        }
        return state.deputy
    }
}

/// A designation being built: each patient's deputy and each physician's count.
struct DeputyChoiceState {
    let problem: DeputyProblem
    var deputy: [MemberIndex?]
    /// Patients per physician (by member index).
    var count: [Int]
    /// t_q by member index (0 outside the pool), and whether fairness counts at all.
    private let target: [Double]
    private let fairnessWeight: Double

    init(problem: DeputyProblem) {
        self.problem = problem
        deputy = [MemberIndex?](repeating: nil, count: problem.patientCount)
        count = [Int](repeating: 0, count: problem.instance.members.count)
        var target = [Double](repeating: 0, count: problem.instance.members.count)
        for (q, t) in problem.target { target[q] = t }
        self.target = target
        fairnessWeight = problem.fairnessCounts ? problem.weights[.deputyFairness] : 0
    }

    /// Gives patient h the deputy q (nil: none).
    mutating func set(_ h: Int, _ q: MemberIndex?) {
        if let old = deputy[h] { count[old] -= 1 }
        deputy[h] = q
        if let q { count[q] += 1 }
    }

    /// Weighted change of `deputyFairness` when q's count changes by `step` (q is in the
    /// pool: every candidate is).
    func fairnessChange(_ q: MemberIndex, by step: Int) -> Double {
        let n = Double(count[q]), t = target[q]
        return fairnessWeight * (abs(n + Double(step) - t) - abs(n - t))
    }
}
