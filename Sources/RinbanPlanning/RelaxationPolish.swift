import MIP

/// Branch-and-cut helped by its own linear relaxation, for the load-sharing and bed
/// programs, whose relaxations are nearly whole but on which GLPK's tree search stalls
/// (1,000 clinics: load sharing stays 25 % above its bound for 30 s, while rounding the
/// relaxation's answer is within 2 % of the optimum).
///
/// 1. The linear relaxation (at most a third of the time).
/// 2. Relaxation-induced neighbourhood: every whole variable on which the relaxation and
///    the start agree is fixed there, and branch-and-cut solves what is left (small, since
///    the two agree on most) from the start; a better answer becomes the start. Repeated
///    while it helps, at most three times.
/// 3. Branch-and-cut on the whole program from that start, for the proof.
///
/// The bound reported is the best of the relaxation's and the final branch-and-cut's, so it
/// stays a proven bound; the answer is never worse than the start.
struct RelaxationPolish {
    let model: Model
    let backend: any SolverBackend
    /// Cuts and feasibility pump of the branch-and-cut stages.
    var cuts: CutFamilies = []
    var feasibilityPump = true

    func solve(start: [Double], timeLimit: Double, relativeGap: Double = 1e-7) throws -> SolveResult {
        let clock = ContinuousClock()
        let began = clock.now
        func left() -> Double { timeLimit - (clock.now - began).seconds }
        var incumbent = start
        var incumbentValue = model.objectiveValue(start)
        var relaxationBound: Double?

        let relaxed = try model.relaxation().solve(using: backend, options: SolveOptions(timeLimit: max(0.2, timeLimit / 3)))
        if relaxed.termination == .optimal, relaxed.hasSolution {
            relaxationBound = relaxed.objective
            for _ in 0..<3 {
                guard left() > 0.5 * timeLimit / 3 else { break }
                var neighbourhood = model
                var fixed = 0
                for j in 0..<model.variableCount where model.kinds[j].isIntegral {
                    let value = incumbent[j].rounded()
                    if abs(relaxed.values[j] - value) < 1e-6 {
                        try neighbourhood.setBounds(of: Variable(index: j), lower: value, upper: value)
                        fixed += 1
                    }
                }
                if fixed == 0 { break }
                var options = SolveOptions(timeLimit: max(0.2, left() / 2), relativeGap: relativeGap, cuts: cuts,
                                           initialSolution: incumbent)
                options.feasibilityPump = feasibilityPump
                options.branching = .planning
                let result = try neighbourhood.solve(using: backend, options: options)
                guard result.hasSolution, let value = result.objective, value < incumbentValue - 1e-9 * max(1, abs(value))
                else { break }
                incumbent = result.values
                incumbentValue = value
            }
        }
        var options = SolveOptions(timeLimit: max(0.2, left()), relativeGap: relativeGap, cuts: cuts, initialSolution: incumbent)
        options.feasibilityPump = feasibilityPump
        options.branching = .planning
        var result = try model.solve(using: backend, options: options)
        if let relaxationBound, relaxationBound > (result.bound ?? -.infinity) { result.bound = relaxationBound }
        if !result.hasSolution || (result.objective ?? .infinity) > incumbentValue + 1e-9 * max(1, abs(incumbentValue)) {
            // The whole search ended without its start: the neighbourhoods' answer stands.
            result.hasSolution = true
            result.values = incumbent
            result.objective = incumbentValue
        }
        if let bound = result.bound, let value = result.objective, value - bound <= relativeGap * max(1, abs(value)) {
            result.termination = .optimal
        }
        return result
    }
}
