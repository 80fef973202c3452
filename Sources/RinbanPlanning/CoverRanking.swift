import RinbanCore

/// "Who can cover?": the members who could take one slot of a published plan, ranked by
/// how much the plan's objective rises, each with the reason for its place.
///
/// The published plan is its own baseline, so a swap (the candidate gives one of their
/// duties that clashes with the slot to someone else) pays the stability term for the
/// published duty it moves, and a member who can step in directly ranks ahead of an
/// equal one who needs a swap. `exclude` is the member who cannot do it (tonight's
/// physician who fell ill): their assignment to the slot is removed first and they are
/// no candidate. Every candidate's change is checked against H1–H5.
///
/// Cost: one pass over the slot's eligible members; a swap looks at the eligible members
/// of the one clashing slot. Milliseconds on the largest bundled instance.
public struct CoverRanking: Sendable {
    /// One member who could take the slot.
    public struct Candidate: Sendable, Hashable {
        public var member: MemberID
        public var name: String
        /// Objective after − objective of the published plan (including stability).
        public var increase: Double
        /// When the member needs a swap: the duty they give up and who takes it.
        public var gives: Assignment?
        public var givesTo: MemberID?
        /// Weighted contributions, largest first: ("fairness", 12.5), ("neighbor", 3), …
        public var parts: [(String, Double)]
        /// Whether it is a neighbouring-block member.
        public var neighbour: Bool

        public static func == (a: Candidate, b: Candidate) -> Bool {
            a.member == b.member && a.increase == b.increase && a.gives == b.gives && a.givesTo == b.givesTo
        }
        public func hash(into hasher: inout Hasher) { hasher.combine(member) }
    }

    /// An eligible member who cannot take the slot, and why.
    public struct Unavailable: Sendable, Hashable {
        public var member: MemberID
        public var name: String
        public var reason: String
        /// The reason in Japanese, for the office's pages.
        public var japanese: String
    }

    public var candidates: [Candidate]
    public var unavailable: [Unavailable]
    /// Objective change of only removing the excluded member (the slot left open).
    public var leavingOpen: Double

    /// Ranks the members who could take `slot` (an index of the problem's slot table) in
    /// `plan`. `problem` must be built with `plan` as its baseline.
    public init(problem: RotaProblem, plan: Plan, slot: Int, exclude: MemberIndex? = nil) {
        let instance = problem.instance
        var state = RotaState(problem: problem)
        for a in plan.assignments {
            guard let s = problem.loaded.slots.slot(duty: a.duty, area: a.area, date: a.date, shift: a.shift),
                  let m = instance.memberIndex[a.member],
                  let p = problem.pairIndex[RotaProblem.PairKey(slot: s.index, member: m)], !state.assigned[p]
            else { continue }
            state.assign(p)
        }
        var offset = 0.0
        if let exclude, let p = problem.pairIndex[RotaProblem.PairKey(slot: slot, member: exclude)], state.assigned[p] {
            offset = state.delta(removing: [p])
            state.unassign(p)
        }
        leavingOpen = offset
        var candidates: [Candidate] = []
        var unavailable: [Unavailable] = []
        let full = state.slotCount[slot] >= problem.slots[slot].demand

        for p in problem.pairsOfSlot[slot] {
            let pair = problem.pairs[p]
            let m = pair.member
            let member = instance.members[m]
            if m == exclude || state.assigned[p] { continue }
            func refuse(_ reason: String, _ japanese: String) {
                unavailable.append(Unavailable(member: member.id, name: member.name, reason: reason, japanese: japanese))
            }
            if full {
                refuse("the slot is already fully staffed", "この枠は埋まっています")
                continue
            }
            if state.atCap(m) {
                refuse("already at their cap of \(member.maxDuties ?? 0) duties", "当番回数の上限 (\(member.maxDuties ?? 0) 回) に達しています")
                continue
            }
            let blocking = state.blockers(p)
            if blocking.isEmpty {
                let delta = state.delta(adding: [p])
                candidates.append(Candidate(member: member.id, name: member.name, increase: offset + delta, gives: nil, givesTo: nil,
                                            parts: Self.parts(state, problem, removing: [], adding: [p], total: delta),
                                            neighbour: pair.neighbour))
                continue
            }
            guard blocking.count == 1, let b = blocking.first, !problem.pinned.contains(b) else {
                let list = blocking.map { Self.describe(problem, $0) }.joined(separator: ", ")
                refuse(blocking.count > 1
                       ? "on duty too close to this slot \(blocking.count) times (\(list))"
                       : "holds a pinned duty that clashes (\(list))",
                       blocking.count > 1
                       ? "この枠に近い当番が \(blocking.count) 件あります (\(list))"
                       : "重なる当番が固定されています (\(list))")
                continue
            }
            // One clash: hand that duty to the member for whom it costs least. The swap's
            // delta is that of the candidate's move plus that of the taker's.
            let move = state.delta(removing: [b], adding: [p])
            state.unassign(b)
            state.assign(p)
            var best: (delta: Double, q: Int)?
            for q in problem.pairsOfSlot[problem.pairs[b].slot] where problem.pairs[q].member != m
                && problem.pairs[q].member != exclude && state.canAssign(q)
            {
                let delta = move + state.delta(adding: [q])
                if best == nil || delta < best!.delta - 1e-9 { best = (delta, q) }
            }
            state.unassign(p)
            state.assign(b)
            if let best {
                let q = best.q
                candidates.append(Candidate(
                    member: member.id, name: member.name, increase: offset + best.delta,
                    gives: problem.assignment(b), givesTo: instance.members[problem.pairs[q].member].id,
                    parts: Self.parts(state, problem, removing: [b], adding: [p, q], total: best.delta),
                    neighbour: pair.neighbour))
            } else {
                refuse("on duty at \(Self.describe(problem, b)), and nobody else can take that duty",
                       "\(Self.describe(problem, b)) の当番があり、それを代われる人がいません")
            }
        }
        // Cheapest first; a direct take before a swap of equal cost; then by id.
        self.candidates = candidates.sorted {
            if abs($0.increase - $1.increase) > 1e-9 { return $0.increase < $1.increase }
            if ($0.gives == nil) != ($1.gives == nil) { return $0.gives == nil }
            return $0.member < $1.member
        }
        self.unavailable = unavailable.sorted { $0.member < $1.member }
    }

    static func describe(_ problem: RotaProblem, _ p: Int) -> String {
        let a = problem.assignment(p)
        return "\(a.date) \(a.duty)/\(a.area) \(a.shift)"
    }

    /// The weighted contributions of a move, by term, for the reason text. Exact: the
    /// parts add up to `total` (anything not attributed to the moved members' own terms,
    /// such as a pool's largest deviation, is listed as maxDeviation).
    static func parts(_ state: RotaState, _ problem: RotaProblem, removing: [Int], adding: [Int], total: Double)
        -> [(String, Double)]
    {
        let w = problem.weights
        var state = state
        let members = Array(Set((removing + adding).map { problem.pairs[$0].member })).sorted()
        func memberTerms(_ s: RotaState) -> (fairness: Double, holiday: Double, spread: Double) {
            var f = 0.0, h = 0.0, sp = 0.0
            for m in members where problem.active[m] {
                f += s.deviation(m)
                h += s.holidayDeviation(m)
                sp += Double(s.spreadValue(m))
            }
            return (f, h, sp)
        }
        let before = memberTerms(state)
        let uncoveredBefore = Set((removing + adding).map { problem.pairs[$0].slot }).reduce(0) {
            $0 + problem.slots[$1].demand - state.slotCount[$1]
        }
        for p in removing { state.unassign(p) }
        for p in adding { state.assign(p) }
        let after = memberTerms(state)
        let uncoveredAfter = Set((removing + adding).map { problem.pairs[$0].slot }).reduce(0) {
            $0 + problem.slots[$1].demand - state.slotCount[$1]
        }
        var parts: [(String, Double)] = []
        // Filling the slot itself is what every candidate does: not listed as a reason.
        let filled = adding.isEmpty ? 0 : 1
        parts.append(("uncovered", w[.uncovered] * Double(uncoveredAfter - uncoveredBefore + filled)))
        parts.append(("fairness", w[.fairness] * (after.fairness - before.fairness)))
        parts.append(("holidayFairness", w[.holidayFairness] * (after.holiday - before.holiday)))
        parts.append(("spread", w[.spread] * (after.spread - before.spread)))
        let neighbours = adding.filter { problem.pairs[$0].neighbour }.count - removing.filter { problem.pairs[$0].neighbour }.count
        parts.append(("neighbor", w[.neighbor] * Double(neighbours)))
        let avoided = adding.filter { problem.pairs[$0].avoided }.count - removing.filter { problem.pairs[$0].avoided }.count
        parts.append(("avoid", w[.avoid] * Double(avoided)))
        let moved = removing.reduce(0) { $0 + problem.pairs[$1].baselineCount }
            - adding.reduce(0) { $0 + problem.pairs[$1].baselineCount }
        parts.append(("stability", w[.stability] * Double(moved)))
        let attributed = parts.reduce(0) { $0 + $1.1 } - w[.uncovered] * Double(filled)
        parts.append(("maxDeviation", total - attributed))
        return parts.filter { abs($0.1) > 1e-9 }.sorted { abs($0.1) > abs($1.1) }
    }
}
