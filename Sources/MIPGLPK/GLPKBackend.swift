internal import CGLPK
internal import CGLPKGuard
import Foundation
import MIP

/// Solves ``MIP/Model``s with GLPK 5.0 (simplex for continuous models, branch-and-cut
/// for mixed-integer ones).
///
/// Each call creates, solves and frees its GLPK problem on the calling thread, so one
/// backend value may be used from many threads at once (GLPK's state is per thread).
/// GLPK's terminal output never reaches stdout; pass ``MIP/SolveOptions/log`` to read it.
/// GLPK's fatal errors are contained and surface as ``GLPKError/failed(operation:message:)``.
public struct GLPKBackend: SolverBackend {
    public init() {}

    /// The GLPK library version, e.g. "5.0".
    public static var version: String { String(cString: glp_version()) }

    public func solve(_ model: Model, options: SolveOptions = SolveOptions()) throws -> SolveResult {
        let clock = ContinuousClock()
        let began = clock.now
        try options.validate(for: model)

        // glp_ios_heur_sol checks nothing: only a verified-feasible start goes in.
        var start: [Double]?
        var startOutcome = StartOutcome.notGiven
        if let given = options.initialSolution {
            let violations = model.violations(of: given, limit: 5)
            if violations.isEmpty {
                start = zip(given, model.kinds).map { $1.isIntegral ? $0.rounded() : $0 }
            } else {
                startOutcome = .rejected(violations.map(\.description))
            }
        }

        var result = try withGLPKSession(log: options.log) { () throws -> SolveResult in
            let problem = try GLPKProblem(model)
            defer { problem.delete() }
            let run = try Self.run(problem, options: options, start: start)
            var values: [Double] = []
            if run.source != .none {
                values = [Double](repeating: 0, count: model.variableCount)
                values.withUnsafeMutableBufferPointer {
                    rg_column_values(problem.pointer, run.source == .mip ? 1 : run.source == .interior ? 2 : 0, $0.baseAddress,
                                     Int32(model.variableCount))
                }
                for j in values.indices where model.kinds[j].isIntegral { values[j] = values[j].rounded() }
            }
            let solved = run.source != .none
            var result = SolveResult(
                termination: run.termination, hasSolution: solved,
                objective: solved ? model.objectiveValue(values) : nil,
                bound: run.bound, values: values, seconds: 0, nodes: run.nodes,
                start: start == nil ? startOutcome : run.start)
            if run.source == .lp, run.termination == .optimal {
                result.rowDuals = [Double](repeating: 0, count: model.constraintCount)
                result.rowDuals.withUnsafeMutableBufferPointer {
                    rg_row_duals(problem.pointer, $0.baseAddress, Int32(model.constraintCount))
                }
            }
            return result
        }

        // A verified start is a solution in its own right: keep it when GLPK stopped with
        // nothing better (for example when time ran out in the root relaxation).
        if let start, [.timeLimit, .gapLimit, .numericalTrouble].contains(result.termination) {
            let startObjective = model.objectiveValue(start)
            let better = result.objective.map {
                model.sense == .minimize ? startObjective < $0 : startObjective > $0
            } ?? true
            if better {
                result.values = start
                result.objective = startObjective
                result.hasSolution = true
            }
        }
        result.bound = Self.clamp(result.bound, to: result.objective, sense: model.sense)
        if result.termination == .optimal { result.bound = result.objective }
        result.seconds = (clock.now - began).seconds
        return result
    }

    /// Loads the model into GLPK and frees it again; returns GLPK's counts. Useful to
    /// check that GLPK accepts a model and to measure loading on its own.
    public func load(_ model: Model) throws -> GLPKProblemSize {
        try withGLPKSession(log: nil) {
            let problem = try GLPKProblem(model)
            defer { problem.delete() }
            return problem.size
        }
    }

    /// Writes the model as CPLEX LP or free MPS, atomically (a temporary file in the same
    /// folder, then a rename). Unnamed or unrepresentable names are replaced by GLPK's
    /// generic ones in the file.
    ///
    /// Both formats lose what they cannot say, so the file is written from an equivalent
    /// model that says it plainly: an objective constant becomes a column
    /// `objective_constant` fixed at 1 (CPLEX LP has no constants), and, in MPS, which
    /// has no objective direction, a maximisation becomes the minimisation of the
    /// negated objective (its optimal value is the negated optimum).
    public func write(_ model: Model, format: ModelFileFormat, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp").path
        let exported = try Self.exportForm(of: model, format: format)
        // Both formats identify rows and columns by name: a repeated name would silently
        // merge two rows (or columns) in any reader.
        for (kind, names) in [("column", exported.variableNames), ("row", exported.constraintNames)] {
            var seen: Set<String> = []
            for case let name? in names where !seen.insert(name).inserted {
                throw GLPKError.file(path: path, message: "the model has two \(kind)s named \"\(name)\"; names must be unique to export")
            }
        }
        try withGLPKSession(log: nil) {
            let problem = try GLPKProblem(exported)
            defer { problem.delete() }
            var error = rg_error()
            var code: Int32 = 0
            guard rg_write(problem.pointer, format.code, temporary, &code, &error) == 0 else {
                problem.invalidate()
                throw GLPKError.failed(operation: "writing \(path)", message: error.message)
            }
            guard code == 0 else {
                try? FileManager.default.removeItem(atPath: temporary)
                throw GLPKError.file(path: path, message: "GLPK could not write \(format): \(error.message)")
            }
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw GLPKError.file(path: path, message: reason)
        }
    }

    /// The model rewritten so that `format` states it completely (see ``write(_:format:to:)``).
    static func exportForm(of model: Model, format: ModelFileFormat) throws -> Model {
        let negate = format == .freeMPS && model.sense == .maximize
        guard model.objectiveConstant != 0 || negate else { return model }
        var exported = model
        var objective = LinearExpression()
        for (j, c) in model.objectiveCoefficients.enumerated() where c != 0 { objective.add(Variable(index: j), times: c) }
        if model.objectiveConstant != 0 {
            let one = try exported.addVariable(.continuous, lower: 1, upper: 1, name: "objective_constant")
            objective.add(one, times: model.objectiveConstant)
        }
        if negate { objective.scale(by: -1) }
        try exported.setObjective(objective, sense: negate ? .minimize : model.sense)
        return exported
    }

    /// The model as CPLEX LP or free MPS text.
    public func text(of model: Model, format: ModelFileFormat) throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("rinban-model-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString).\(format.rawValue)").path
        try write(model, format: format, to: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw GLPKError.file(path: path, message: "could not read back the exported model")
        }
    }

    /// Reads a CPLEX LP or free MPS file with GLPK and solves it. Returns the termination
    /// and GLPK's objective value; used to check exports against the original model.
    func solveFile(at path: String, format: ModelFileFormat, options: SolveOptions = SolveOptions()) throws
        -> (termination: Termination, objective: Double?)
    {
        try withGLPKSession(log: options.log) {
            let problem = try GLPKProblem(reading: path, format: format)
            defer { problem.delete() }
            let run = try Self.run(problem, options: options, start: nil)
            return (run.termination, run.source == .none ? nil : run.objective)
        }
    }

    // MARK: - Running GLPK

    enum SolutionSource { case none, lp, interior, mip }

    struct Run {
        var termination: Termination
        var source: SolutionSource
        var objective: Double
        var bound: Double?
        var nodes: Int
        var start: StartOutcome
    }

    /// Carries the caller's progress handler through the C callback's `void *`.
    private final class ProgressSink {
        let report: (@Sendable (SolveProgress) -> Void)?
        let shouldStop: (@Sendable () -> Bool)?
        init(report: (@Sendable (SolveProgress) -> Void)?, shouldStop: (@Sendable () -> Bool)?) {
            self.report = report
            self.shouldStop = shouldStop
        }
    }

    private static func run(_ problem: GLPKProblem, options: SolveOptions, start: [Double]?) throws -> Run {
        let sink = options.progress == nil && options.shouldStop == nil
            ? nil : ProgressSink(report: options.progress, shouldStop: options.shouldStop)
        var params = rg_params()
        params.presolve = options.presolve ? 1 : 0
        params.time_limit = options.timeLimit ?? 0
        params.gap_limit = options.relativeGap ?? -1
        params.gmi_cuts = options.cuts.contains(.gomory) ? 1 : 0
        params.mir_cuts = options.cuts.contains(.mixedIntegerRounding) ? 1 : 0
        params.cov_cuts = options.cuts.contains(.cover) ? 1 : 0
        params.clq_cuts = options.cuts.contains(.clique) ? 1 : 0
        params.fp_heur = options.feasibilityPump ? 1 : 0
        params.most_fractional = options.branching == .mostFractional ? 1 : 0
        params.verbose = options.log == nil ? 0 : 1
        params.interior = options.lpMethod == .interiorPoint ? 1 : 0
        params.progress_interval = options.progressInterval
        if let sink {
            params.progress_info = Unmanaged.passUnretained(sink).toOpaque()
            params.progress = { info, elapsed, hasIncumbent, incumbent, hasBound, bound, nodes in
                guard let info else { return 0 }
                let incumbentValue: Double? = hasIncumbent != 0 ? incumbent : nil
                let boundValue: Double? = hasBound != 0 ? bound : nil
                var gap: Double?
                if let incumbentValue, let boundValue {
                    gap = Swift.abs(incumbentValue - boundValue) / Swift.max(Swift.abs(incumbentValue), 1)
                }
                let sink = Unmanaged<ProgressSink>.fromOpaque(info).takeUnretainedValue()
                sink.report?(SolveProgress(elapsed: elapsed, incumbent: incumbentValue, bound: boundValue, gap: gap,
                                           nodes: Int(nodes)))
                return sink.shouldStop?() == true ? 1 : 0
            }
        }
        // 1-based copy for glp_ios_heur_sol.
        let startVector: [Double]? = start.map { [0] + $0 }
        var outcome = rg_outcome()
        var error = rg_error()
        let status = withExtendedLifetime(sink) {
            Self.withOptionalBuffer(startVector) { pointer in
                params.start = pointer
                return rg_solve(problem.pointer, &params, &outcome, &error)
            }
        }
        guard status == 0 else {
            problem.invalidate()
            throw GLPKError.failed(operation: outcome.is_mip != 0 ? "glp_intopt" : "glp_simplex", message: error.message)
        }
        let (termination, source) = classify(outcome)
        var bound: Double?
        if termination == .optimal {
            bound = outcome.objective
        } else if source == .mip || termination == .timeLimit || termination == .gapLimit, outcome.has_bound != 0 {
            bound = outcome.bound
        }
        let startOutcome: StartOutcome
        switch Int32(outcome.start_state) {
        case Int32(RG_START_ACCEPTED): startOutcome = .accepted
        case Int32(RG_START_DECLINED): startOutcome = .declined
        case Int32(RG_START_PENDING), Int32(RG_START_SIZE_MISMATCH): startOutcome = .notReached
        default: startOutcome = .notGiven
        }
        return Run(termination: termination, source: source, objective: outcome.objective, bound: bound,
                   nodes: Int(outcome.nodes), start: startOutcome)
    }

    /// The one table from GLPK's return codes and statuses to a termination and the
    /// solution that can be read.
    static func classify(_ o: rg_outcome) -> (Termination, SolutionSource) {
        if o.interior != 0 {
            switch (o.ret, o.lp_status) {
            case (0, GLP_OPT): return (.optimal, .interior)
            case (0, GLP_NOFEAS): return (.infeasible, .none)
            case (GLP_ENOFEAS, _): return (.infeasibleOrUnbounded, .none)
            default: return (.numericalTrouble, .none)
            }
        }
        if o.is_mip == 0 || o.relaxation_only != 0 {
            let lpSolution: SolutionSource = o.is_mip == 0 ? .lp : .none
            switch o.ret {
            case 0:
                switch o.lp_status {
                case GLP_OPT: return (.optimal, lpSolution)
                case GLP_NOFEAS: return (.infeasible, .none)
                case GLP_UNBND: return (o.is_mip == 0 ? .unbounded : .infeasibleOrUnbounded, .none)
                default: return (.numericalTrouble, .none)
                }
            case GLP_ETMLIM: return (.timeLimit, o.is_mip == 0 && o.lp_status == GLP_FEAS ? .lp : .none)
            case GLP_ENOPFS: return (.infeasible, .none)
            case GLP_ENODFS: return (.infeasibleOrUnbounded, .none)
            default: return (.numericalTrouble, .none)
            }
        }
        let incumbent: SolutionSource = o.has_incumbent != 0 ? .mip : .none
        switch o.ret {
        case 0:
            switch o.mip_status {
            case GLP_OPT: return (.optimal, .mip)
            case GLP_NOFEAS: return (.infeasible, .none)
            default: return (.numericalTrouble, incumbent)
            }
        case GLP_EMIPGAP: return (.gapLimit, incumbent)
        case GLP_ETMLIM: return (.timeLimit, incumbent)
        case GLP_ESTOP: return (o.stop_reason == Int32(RG_STOP_GAP) ? .gapLimit : .timeLimit, incumbent)
        case GLP_ENOPFS: return (.infeasible, .none)
        case GLP_ENODFS: return (o.lp_status == GLP_NOFEAS ? .infeasible : .infeasibleOrUnbounded, .none)
        default: return (.numericalTrouble, incumbent)
        }
    }

    /// A bound never lies beyond the objective it bounds (GLPK's node bounds may, by
    /// tolerances, when a node is about to be pruned).
    static func clamp(_ bound: Double?, to objective: Double?, sense: ObjectiveSense) -> Double? {
        guard let bound, let objective else { return bound }
        return sense == .minimize ? Swift.min(bound, objective) : Swift.max(bound, objective)
    }

    private static func withOptionalBuffer<R>(_ array: [Double]?, _ body: (UnsafePointer<Double>?) -> R) -> R {
        guard let array else { return body(nil) }
        return array.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}
