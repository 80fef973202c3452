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

    /// Reassignment moves: give an assignment to another eligible member, or fill an open
    /// slot, whenever the objective drops. Stops at a local optimum or the deadline.
    func improve(_ state: inout RotaState, until deadline: ContinuousClock.Instant) {
        let pinned = Set(problem.pinned)
        var improved = true
        while improved && ContinuousClock.now < deadline {
            improved = false
            for s in problem.slots.indices {
                if ContinuousClock.now >= deadline { return }
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
    }
}
