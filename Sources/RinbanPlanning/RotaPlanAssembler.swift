import RinbanCore

/// Turns a planned rota into a ``Plan``: assignments, the uncovered slots with the reason
/// each could not be filled, the planner's term values and the solver report.
public struct RotaPlanAssembler: Sendable {
    public let problem: RotaProblem

    public init(problem: RotaProblem) {
        self.problem = problem
    }

    public func plan(from outcome: RotaOutcome) -> Plan {
        let state = outcome.state
        let terms = state.terms
        let total = terms.reduce(0) { $0 + problem.weights[$1.key] * $1.value }
        return Plan(period: problem.instance.period, assignments: state.assignments, uncovered: uncovered(state),
                    objective: PlanObjective(total: total, terms: terms), solver: outcome.report)
    }

    /// Open slots with why: how many eligible members were away, at their cap, or on duty too close.
    public func uncovered(_ state: RotaState) -> [UncoveredSlot] {
        let instance = problem.instance
        let loaded = problem.loaded
        var result: [UncoveredSlot] = []
        for slot in problem.slots where state.slotCount[slot.index] < slot.demand {
            let duty = instance.duties[slot.duty]
            let area = duty.areas[slot.area]
            let kind = duty.pool == .physicians ? "physician" : "station"
            var capped = 0, busy = 0, other = 0
            for p in problem.pairsOfSlot[slot.index] where !state.assigned[p] {
                let m = problem.pairs[p].member
                if state.atCap(m) { capped += 1 } else if !state.blockers(p, limit: 1).isEmpty { busy += 1 } else { other += 1 }
            }
            let away = loaded.eligibility.unavailable[slot.index].count
            var parts: [String] = []
            if away > 0 { parts.append("\(away) unavailable") }
            if capped > 0 { parts.append("\(capped) at their duty cap") }
            if busy > 0 { parts.append("\(busy) on duty too close to it") }
            if other > 0 { parts.append("\(other) needed more elsewhere") }
            let place = area.name ?? area.id.rawValue
            let shift = instance.shifts[slot.shift].name
            let head = problem.pairsOfSlot[slot.index].isEmpty && away == 0
                ? "no \(kind) in or next to \(place) can take \(duty.name) on \(slot.date) \(shift)"
                : "no eligible \(kind) free in \(place) on \(slot.date) \(shift)"
            result.append(UncoveredSlot(
                duty: duty.id, area: area.id, date: slot.date, shift: instance.shifts[slot.shift].id,
                missing: slot.demand - state.slotCount[slot.index],
                reason: parts.isEmpty ? head : "\(head): \(parts.joined(separator: ", "))"))
        }
        return result
    }
}
