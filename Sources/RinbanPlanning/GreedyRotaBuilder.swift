import RinbanCore

/// The greedy rota: pins first, then the tightest slots first, each given the eligible
/// member whose assignment raises the objective least; a one-step repair moves a blocking
/// assignment to someone else before a slot is left uncovered; then reassignment moves
/// improve the rota until none helps or the budget runs out.
///
/// Always returns a rota that keeps H1–H6. Deterministic: ties go to the lower index.
public struct GreedyRotaBuilder: Sendable {
    public let problem: RotaProblem
    /// Stop improving after this many seconds (construction always completes).
    public var improvementSeconds: Double

    public init(problem: RotaProblem, improvementSeconds: Double = 2) {
        self.problem = problem
        self.improvementSeconds = improvementSeconds
    }

    public func build() -> RotaState {
        var state = RotaState(problem: problem)
        for p in problem.pinned where !state.assigned[p] { state.assign(p) }
        construct(&state)
        improve(&state, until: ContinuousClock.now.advanced(by: .milliseconds(Int(improvementSeconds * 1000))))
        return state
    }

    /// The baseline's assignments first (pins, then every baseline pair that still keeps the
    /// rules, in slot order), then the usual construction for what is left open, then the
    /// improvement moves, which weigh the stability term like every other. This is the
    /// what-if start: the published rota with its holes filled.
    public func buildFromBaseline() -> RotaState {
        var state = RotaState(problem: problem)
        for p in problem.pinned where !state.assigned[p] { state.assign(p) }
        for p in problem.pairs.indices where problem.pairs[p].baselineCount > 0 && !state.assigned[p] && state.canAssign(p) {
            state.assign(p)
        }
        construct(&state)
        improve(&state, until: ContinuousClock.now.advanced(by: .milliseconds(Int(improvementSeconds * 1000))))
        return state
    }

    /// Fills slots, tightest first (fewest eligible members per unit of demand), then by date.
    func construct(_ state: inout RotaState) {
        let order = problem.slots.indices.sorted { a, b in
            let ra = Double(problem.pairsOfSlot[a].count) / Double(problem.slots[a].demand)
            let rb = Double(problem.pairsOfSlot[b].count) / Double(problem.slots[b].demand)
            return ra != rb ? ra < rb : a < b
        }
        for s in order {
            while state.slotCount[s] < problem.slots[s].demand {
                if let p = bestCandidate(for: s, in: state) {
                    state.assign(p)
                } else if !repair(s, &state) {
                    break
                }
            }
        }
    }

    /// The assignable pair of slot `s` with the smallest objective increase.
    func bestCandidate(for s: Int, in state: RotaState) -> Int? {
        var best: (Double, Int)?
        for p in problem.pairsOfSlot[s] where state.canAssign(p) {
            let cost = state.assignDelta(p)
            if best == nil || cost < best!.0 - 1e-9 { best = (cost, p) }
        }
        return best?.1
    }

    /// Frees an eligible member of slot `s` by moving one blocking assignment to another
    /// member, then assigns. Returns false when no such move exists.
    func repair(_ s: Int, _ state: inout RotaState) -> Bool {
        var best: (cost: Double, moved: Int, to: Int, then: Int)?
        for p in problem.pairsOfSlot[s] where !state.assigned[p] && !state.atCap(problem.pairs[p].member) {
            let blocking = state.blockers(p)
            guard blocking.count == 1, let q = blocking.first, !problem.pinned.contains(q) else { continue }
            state.unassign(q)
            if state.canAssign(p) {
                state.assign(p)
                for r in problem.pairsOfSlot[problem.pairs[q].slot] where r != q && state.canAssign(r) {
                    let cost = state.delta(adding: [r])
                    if best == nil || cost < best!.cost { best = (cost, q, r, p) }
                }
                state.unassign(p)
            }
            state.assign(q)
        }
        guard let best else { return false }
        state.unassign(best.moved)
        state.assign(best.then)
        state.assign(best.to)
        return true
    }

    /// Reassignment and swap moves: give an assignment to another eligible member, fill an
    /// open slot, or let two members exchange slots, whenever the objective drops. Stops at
    /// a local optimum or the deadline.
    func improve(_ state: inout RotaState, until deadline: ContinuousClock.Instant) {
        let pinned = Set(problem.pinned)
        var improved = true
        while improved && ContinuousClock.now < deadline {
            improved = reassign(&state, pinned: pinned, until: deadline)
            if swap(&state, pinned: pinned, until: deadline) { improved = true }
        }
    }

    /// Two members exchange slots: (s1, m1) and (s2, m2) become (s1, m2) and (s2, m1).
    /// Balances holidays and points where moving one assignment would not.
    func swap(_ state: inout RotaState, pinned: Set<Int>, until deadline: ContinuousClock.Instant) -> Bool {
        var improved = false
        for q1 in problem.pairs.indices where state.assigned[q1] && !pinned.contains(q1) {
            if ContinuousClock.now >= deadline { return improved }
            guard state.assigned[q1] else { continue }
            let s1 = problem.pairs[q1].slot
            let m1 = problem.pairs[q1].member
            for p21 in problem.pairsOfMember[m1] {
                let s2 = problem.pairs[p21].slot
                guard s2 != s1, !state.assigned[p21] else { continue }
                for q2 in problem.pairsOfSlot[s2] where state.assigned[q2] && !pinned.contains(q2) {
                    let m2 = problem.pairs[q2].member
                    guard m2 != m1, let p12 = problem.pairIndex[RotaProblem.PairKey(slot: s1, member: m2)],
                          !state.assigned[p12]
                    else { continue }
                    // Cheap screen: the two members' own terms and the pairs' linear costs.
                    let before = memberCost(state, m1) + memberCost(state, m2)
                    state.unassign(q1)
                    state.unassign(q2)
                    var feasible = false
                    var after = 0.0
                    if state.canAssign(p12) {
                        state.assign(p12)
                        if state.canAssign(p21) {
                            state.assign(p21)
                            feasible = true
                            after = memberCost(state, m1) + memberCost(state, m2)
                            state.unassign(p21)
                        }
                        state.unassign(p12)
                    }
                    state.assign(q2)
                    state.assign(q1)
                    let linear = problem.linearCost(p12) + problem.linearCost(p21) - problem.linearCost(q1) - problem.linearCost(q2)
                    guard feasible, after - before + linear < -1e-9 else { continue }
                    if state.delta(removing: [q1, q2], adding: [p12, p21]) < -1e-9 {
                        state.unassign(q1)
                        state.unassign(q2)
                        state.assign(p12)
                        state.assign(p21)
                        improved = true
                        break
                    }
                }
                if !state.assigned[q1] { break }
            }
        }
        return improved
    }

    /// A member's weighted fairness, holiday and spread terms.
    func memberCost(_ state: RotaState, _ m: Int) -> Double {
        let w = problem.weights
        return w[.fairness] * state.deviation(m) + w[.holidayFairness] * state.holidayDeviation(m)
            + w[.spread] * Double(state.spreadValue(m))
    }

    /// One pass of reassignment moves over every slot.
    func reassign(_ state: inout RotaState, pinned: Set<Int>, until deadline: ContinuousClock.Instant) -> Bool {
        var improved = false
        do {
            for s in problem.slots.indices {
                if ContinuousClock.now >= deadline { return improved }
                // Open demand first: any assignable member helps (uncovered weighs most).
                while state.slotCount[s] < problem.slots[s].demand, let p = bestCandidate(for: s, in: state),
                      state.assignDelta(p) < 0
                {
                    state.assign(p)
                    improved = true
                }
                for q in problem.pairsOfSlot[s] where state.assigned[q] && !pinned.contains(q) {
                    let leaving = state.unassignDelta(q)
                    var best: (Double, Int)?
                    state.unassign(q)
                    for r in problem.pairsOfSlot[s] where r != q && state.canAssign(r) {
                        let estimate = leaving + state.assignDelta(r)
                        if estimate < -1e-9 && (best == nil || estimate < best!.0) { best = (estimate, r) }
                    }
                    state.assign(q)
                    if let (_, r) = best {
                        let exact = state.delta(removing: [q], adding: [r])
                        if exact < -1e-9 {
                            state.unassign(q)
                            state.assign(r)
                            improved = true
                        }
                    }
                }
            }
        }
        return improved
    }
}
