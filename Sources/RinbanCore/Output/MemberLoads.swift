/// One member's load in a plan, next to the fair targets of SPEC section 5.
///
/// "Cumulative" values include the member's `history` (duties already served this fiscal
/// year); the differences compare cumulative values with the targets, as the `fairness`
/// and `holidayFairness` terms do.
package struct MemberLoad: Hashable, Sendable {
    /// Position in ``Instance/members``.
    package var member: MemberIndex
    /// Assignments in the plan.
    package var duties: Int
    /// Of those, assignments on holiday-type dates.
    package var holidayDuties: Int
    /// Σ points of the plan's assignments (without history).
    package var periodPoints: Double
    /// P_m = history.points + ``periodPoints``.
    package var points: Double
    /// H_m = history.holidays + ``holidayDuties``.
    package var holidays: Int
    /// T_m, or nil for a member with share 0 (takes no part in fairness).
    package var target: Double?
    /// TH_m, or nil for a member with share 0.
    package var holidayTarget: Double?

    /// P_m − T_m (positive: more than the fair share), nil without a target.
    package var difference: Double? { target.map { points - $0 } }
    /// H_m − TH_m, nil without a target.
    package var holidayDifference: Double? { holidayTarget.map { Double(holidays) - $0 } }
}

/// Loads and fair targets of every member (SPEC section 5, "Fairness"), as the
/// evaluator behind `rinban score` computes them, so the outputs show exactly the numbers
/// the plan is scored on. Assignments that break H1 count toward nothing.
package enum MemberLoads {
    /// One load per member of the instance, in member order.
    package static func compute(_ loaded: LoadedInstance, _ plan: Plan) -> [MemberLoad] {
        let members = loaded.instance.members
        return Evaluator(loaded).evaluate(plan).members.map { figures in
            MemberLoad(
                member: figures.member, duties: figures.assignments, holidayDuties: figures.holidayAssignments,
                periodPoints: figures.points - members[figures.member].history.points, points: figures.points,
                holidays: figures.holidays, target: figures.target, holidayTarget: figures.holidayTarget)
        }
    }
}
