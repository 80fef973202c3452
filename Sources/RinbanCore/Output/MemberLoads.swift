/// One member's load in a plan, next to the fair targets of SPEC section 5.
///
/// "Cumulative" values include the member's `history` (duties already served this fiscal
/// year); the differences compare cumulative values with the targets, as the `fairness`
/// and `holidayFairness` terms do.
struct MemberLoad: Hashable, Sendable {
    /// Position in ``Instance/members``.
    var member: MemberIndex
    /// Assignments in the plan.
    var duties: Int
    /// Of those, assignments on holiday-type dates.
    var holidayDuties: Int
    /// Σ points of the plan's assignments (without history).
    var periodPoints: Double
    /// P_m = history.points + ``periodPoints``.
    var points: Double
    /// H_m = history.holidays + ``holidayDuties``.
    var holidays: Int
    /// T_m, or nil for a member with share 0 (takes no part in fairness).
    var target: Double?
    /// TH_m, or nil for a member with share 0.
    var holidayTarget: Double?

    /// P_m − T_m (positive: more than the fair share), nil without a target.
    var difference: Double? { target.map { points - $0 } }
    /// H_m − TH_m, nil without a target.
    var holidayDifference: Double? { holidayTarget.map { Double(holidays) - $0 } }
}

/// Loads and fair targets of every member (SPEC section 5, "Fairness").
///
/// A stand-in for the evaluator, which will own these numbers: the outputs need them
/// before it exists. Swapping means replacing ``compute(_:_:)``'s body with a call to the
/// evaluator and mapping its values onto ``MemberLoad``; the outputs read nothing else.
///
/// Per pool, over members with share > 0:
/// - points of an assignment = its shift's points for its date's day type;
/// - T_m = share_m / Σ share × (Σ history.points + Σ over the pool's slots of demand × points);
/// - TH_m = share_m / Σ share × (Σ history.holidays + Σ demand of the pool's holiday-type slots).
///
/// The plan is not checked here (that is `rinban score`'s job): assignments naming an
/// unknown member are ignored, an unknown shift counts 0 points.
enum MemberLoads {
    /// One load per member of the instance, in member order. O(slots + assignments).
    static func compute(_ loaded: LoadedInstance, _ plan: Plan) -> [MemberLoad] {
        let instance = loaded.instance
        var loads = instance.members.enumerated().map { index, member in
            MemberLoad(
                member: index, duties: 0, holidayDuties: 0, periodPoints: 0, points: member.history.points,
                holidays: member.history.holidays, target: nil, holidayTarget: nil)
        }
        for assignment in OutputAssignments.distinct(plan) {
            guard let m = instance.memberIndex[assignment.member] else { continue }
            let dayType = instance.dayType(of: assignment.date)
            let points = instance.shiftIndex[assignment.shift].map { instance.shifts[$0].points(on: dayType) } ?? 0
            loads[m].duties += 1
            loads[m].periodPoints += points
            loads[m].points += points
            if dayType == .holiday {
                loads[m].holidayDuties += 1
                loads[m].holidays += 1
            }
        }

        for pool in Pool.allCases {
            let takingPart = instance.members.indices.filter {
                instance.members[$0].pool == pool && instance.members[$0].share > 0
            }
            let totalShare = takingPart.reduce(0.0) { $0 + instance.members[$1].share }
            guard totalShare > 0 else { continue }
            var pointsToShare = takingPart.reduce(0.0) { $0 + instance.members[$1].history.points }
            var holidaysToShare = Double(takingPart.reduce(0) { $0 + instance.members[$1].history.holidays })
            for slot in loaded.slots.slots where instance.duties[slot.duty].pool == pool {
                pointsToShare += Double(slot.demand) * slot.points
                if slot.dayType == .holiday { holidaysToShare += Double(slot.demand) }
            }
            for m in takingPart {
                let fraction = instance.members[m].share / totalShare
                loads[m].target = fraction * pointsToShare
                loads[m].holidayTarget = fraction * holidaysToShare
            }
        }
        return loads
    }
}
