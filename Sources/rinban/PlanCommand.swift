import ArgumentParser
import Foundation
import MIP
import MIPGLPK
import RinbanCore
import RinbanPlanning
import RinbanWorkbook

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Make the month's rota and write it as a plan file.",
        discussion: """
            Plans every duty of the instance (substitute physicians, end-of-life duty, duty \
            stations) so that every hard rule holds, as little demand as possible stays open \
            and the load is shared fairly. Progress goes to the terminal's error stream; the \
            plan goes to the file given with -o.

            Exit status: 0 all demand covered; 3 plan written but some demand is uncovered \
            (each open slot is listed with the reason); 2 the instance is invalid.

            Examples:
              rinban plan instances/tokushima-2026-12.json -o plan.json
              rinban plan december.yaml -o plan.json --time-limit 300 --csv rota.csv --html rota.html --xlsx rota.xlsx
            """)

    @Argument(help: "The instance: .json, .yaml/.yml, an .xlsx workbook or a folder of CSV files (docs/workbook.md).")
    var instance: String

    @Option(name: .shortAndLong, help: "Where to write the plan (JSON).")
    var output: String

    @Option(help: "auto (chosen by size), glpk (one branch-and-cut), lns (neighbourhood search) or greedy.")
    var engine: String = "auto"

    @Option(help: "Seconds to spend at most.")
    var timeLimit: Double = 60

    @Option(help: "Stop when the plan is proven within this relative gap of the best possible (e.g. 0.01).")
    var gap: Double?

    @Option(help: "Search threads: 2 (both cores search once the bound is proven) or 1 (the same seed gives the same rota on the same machine speed).")
    var threads: Int = 2

    @Option(help: "Optimise one part only: rota, stations (load sharing), beds or deputies; the others get the quick greedy answer.")
    var only: String?

    @Option(help: "A published plan to stay close to (adds the stability term).")
    var baseline: String?

    @Option(help: "Also write the rota as a spreadsheet (CSV for Excel).")
    var csv: String?

    @Option(help: "Also write one calendar file (.ics) per member into this folder.")
    var ics: String?

    @Option(help: "Also write a printable month calendar (HTML).")
    var html: String?

    @Option(help: "Also write the rota as an Excel workbook (.xlsx) to print and mail.")
    var xlsx: String?

    @Option(help: "Also write an integer program (.lp: CPLEX LP, otherwise free MPS) for other solvers: the rota's, or with --only stations, beds or deputies that program.")
    var exportModel: String?

    @Flag(help: "Print no progress.")
    var quiet = false

    func run() throws {
        try runReportingErrors {
            var options = try planningOptions(engine: engine, timeLimit: timeLimit, gap: gap, threads: threads)
            let part = try only.map { text throws(InputError) in
                guard let part = PlanPart(rawValue: text) else {
                    throw InputError(at: .root, "--only \(text) is unknown; use \(PlanPart.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return part
            }
            let loaded = try loadInstance(instance)
            let baselinePlan = try baseline.map { try PlanReader.load(contentsOf: $0) }
            if let exportModel { try exportProgram(loaded, baseline: baselinePlan, part: part ?? .rota, to: exportModel) }
            if !quiet { options.progress = { printError($0) } }
            let outcome = try MonthPlanner.plan(loaded, MonthPlanRequest(options: options, only: part, baseline: baselinePlan),
                                                backend: GLPKBackend())
            let plan = outcome.plan
            try PlanWriter.write(plan, to: output)
            if let csv { try RotaCSV.write(loaded: loaded, plan: plan, to: csv) }
            if let html { try RotaHTML.write(loaded: loaded, plan: plan, to: html) }
            if let xlsx { try RotaWorkbook.write(loaded: loaded, plan: plan, to: xlsx) }
            if let ics { _ = try RotaICS.write(loaded: loaded, plan: plan, stamp: calendarStamp(), toDirectory: ics) }
            let deputyProblem = outcome.deputyProblem
            let deputy = outcome.deputies.deputy
            let undeputed = deputy.indices.filter { deputy[$0] == nil }
            if !undeputed.isEmpty {
                printError("\(undeputed.count) home-care patient\(undeputed.count == 1 ? "" : "s") without a deputy:")
                for h in undeputed {
                    printError("  \(loaded.instance.homePatients[h].id): \(deputyProblem.whyUndeputed(h, in: deputy))")
                }
            }
            let open = plan.uncovered
            let solver = plan.solver ?? outcome.rota.report
            printError("plan written to \(output): objective \(formatNumber(plan.objective?.total ?? 0)), "
                       + "\(solver.engine) \(solver.status)"
                       + (solver.bound.map { ", bound \(formatNumber($0))" } ?? "")
                       + (solver.gap.map { String(format: ", gap %.2f%%", $0 * 100) } ?? ""))
            if !open.isEmpty {
                printError("\(open.reduce(0) { $0 + $1.missing }) duties uncovered:")
                for slot in open { printError("  \(slot.duty)/\(slot.area) \(slot.date) \(slot.shift): \(slot.reason ?? "")") }
                throw ExitCode(ExitStatus.uncovered.rawValue)
            }
        }
    }
}

/// Writes the whole program of `part` (rota, load sharing, beds or deputies) as CPLEX LP or free MPS.
func exportProgram(_ loaded: LoadedInstance, baseline: Plan?, part: PlanPart, to path: String) throws {
    let format: ModelFileFormat = path.hasSuffix(".lp") ? .cplexLP : .freeMPS
    switch part {
    case .deputies:
        let formulation = try DeputyPlanner(problem: DeputyProblem(instance: loaded.instance), backend: GLPKBackend())
            .formulation(names: true)
        try GLPKBackend().write(formulation.model, format: format, to: path)
    case .rota:
        let problem = RotaProblem(loaded: loaded, baseline: baseline)
        let pinned = Set(problem.pinned)
        let whole = try RotaFormulation(problem: problem, free: problem.pairs.indices.filter { !pinned.contains($0) },
                                        fixed: problem.pinned, names: true)
        try GLPKBackend().write(whole.model, format: format, to: path)
    case .stations:
        let planner = SharingPlanner(instance: loaded.instance, backend: GLPKBackend())
        guard let program = try planner.loadSharingProgram(start: SharingGreedy(instance: loaded.instance).placements()) else {
            throw InputError(at: .root, "--export-model: この施設データには訪問看護ステーションがないため、負担分散のモデルはありません (the instance has no stations: no load-sharing program)")
        }
        try GLPKBackend().write(program.model, format: format, to: path)
    case .beds:
        let planner = SharingPlanner(instance: loaded.instance, backend: GLPKBackend())
        let greedy = SharingGreedy(instance: loaded.instance)
        let program = try planner.bedsProgram(startDesignations: greedy.designations(), startRespite: greedy.respite())
        try GLPKBackend().write(program.model, format: format, to: path)
    }
}

/// Up to 6 decimals, without trailing zeros.
func formatNumber(_ value: Double) -> String {
    var text = String(format: "%.6f", value)
    while text.hasSuffix("0") { text.removeLast() }
    if text.hasSuffix(".") { text.removeLast() }
    return text
}

/// The DTSTAMP of calendar files: now, or SOURCE_DATE_EPOCH when set (reproducible output).
func calendarStamp() -> Date {
    if let text = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"], let seconds = Double(text) {
        return Date(timeIntervalSince1970: seconds)
    }
    return Date()
}
