import RinbanCore

/// Turns a planned rota into a ``Plan``: assignments, the uncovered slots with the reason
/// each could not be filled, the planner's term values and the solver report.
public struct RotaPlanAssembler: Sendable {
    public let problem: RotaProblem

    public init(problem: RotaProblem) {
        self.problem = problem
    }

    /// The plan for a rota, with load sharing and beds from `sharing` (planned by
    /// ``SharingPlanner``) or, without it, from ``SharingGreedy``; the patient deputies from
    /// `deputies` (planned by ``DeputyPlanner``) or, without it, the greedy designation.
    public func plan(from outcome: RotaOutcome, sharing: SharingPlanner.Outcome? = nil,
                     deputies: DeputyPlanner.Outcome? = nil, deputyProblem: DeputyProblem? = nil) -> Plan {
        let state = outcome.state
        let greedy = SharingGreedy(instance: problem.instance)
        let placements = sharing?.placements ?? greedy.placements()
        let designations = sharing?.designations ?? greedy.designations()
        let respite = sharing?.respite ?? greedy.respite()
        var terms = state.terms
        terms.merge(greedy.terms(placements: placements, designations: designations, respite: respite)) { a, _ in a }
        let deputyProblem = deputyProblem ?? DeputyProblem(instance: problem.instance)
        let deputy = deputies?.deputy ?? deputyProblem.greedy()
        terms.merge(deputyProblem.terms(deputy)) { a, _ in a }
        let total = terms.reduce(0) { $0 + problem.weights[$1.key] * $1.value }
        var report = outcome.report
        // The rota's bound plus the proven bounds of the load-sharing, bed and deputy terms.
        if let rotaBound = report.bound {
            let bound = min(total, rotaBound + (sharing?.bound ?? greedy.lowerBound())
                                + (deputies?.bound ?? deputyProblem.countingBound()))
            report.bound = bound
            let gap = (total - bound) / max(abs(total), 1)
            report.gap = gap
            if report.status == "optimal" && gap > 1e-6 {
                // The rota is proven, the rest is not: the search for the rest stopped on time.
                report.status = sharing == nil || deputies == nil ? "heuristic" : "timeLimit"
            }
        }
        return Plan(period: problem.instance.period, assignments: state.assignments, uncovered: uncovered(state),
                    placements: placements, designations: designations, respite: respite,
                    deputies: deputyProblem.designations(deputy), objective: PlanObjective(total: total, terms: terms), solver: report)
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
