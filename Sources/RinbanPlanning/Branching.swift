import MIP

extension BranchingRule {
    /// The branching rule of the programs the planners solve: the most fractional variable.
    /// The bed designations' neighbourhoods keep GLPK's default (``BedSearch``): with this
    /// rule the acute designations of city-300-2027-09 stay one above their optimum (beds
    /// 2,653 in three runs of three, 2,652 with the default in all runs).
    ///
    /// GLPK's default (Driebeck and Tomlin's heuristic) computes a row of the simplex
    /// tableau for every fractional variable before each branching, a pass over the whole
    /// matrix each time: about 7 % of both cores in a one-minute plan of the 1,000-clinic
    /// city (`perf`). More than the time, the rule changes what the short programs find
    /// within their seconds: there the member-months neighbourhoods of the same six seconds
    /// of the plan took the rota down by about 300 instead of about 90. Measured at 60 s
    /// (whole plans): rota 13,367, 13,516 and 13,497 against 13,850 and 13,889, the whole
    /// plan's gap 6.1–6.7 % against 7.8 % and 8.1 %; Tokushima is proven as fast (4.1 s
    /// against 4.2 s for the rota) and the 50–68-clinic months end where they did
    /// (docs/rota-formulation.md, "Solving").
    static let planning = BranchingRule.mostFractional
}
