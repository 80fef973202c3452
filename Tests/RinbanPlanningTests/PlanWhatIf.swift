import MIP
import RinbanCore
import RinbanPlanning

/// A what-if run as `rinban whatif` makes it: the month planner with the published plan as
/// baseline and the parts the changes concern.
func planWhatIf(_ loaded: LoadedInstance, published: Plan, options: RotaPlanOptions, replanLoadSharing: Bool = true,
                replanBeds: Bool = true, deputyPins: [HomePatientID: MemberID] = [:],
                backend: any SolverBackend) throws -> MonthPlanOutcome {
    let scope = WhatIfScope(replanLoadSharing: replanLoadSharing, replanBeds: replanBeds, deputyPins: deputyPins)
    return try MonthPlanner.plan(loaded, MonthPlanRequest(options: options, baseline: published, whatIf: scope), backend: backend)
}
