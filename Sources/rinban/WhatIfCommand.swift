import ArgumentParser
import Foundation
import MIPGLPK
import RinbanCore
import RinbanPlanning
import RinbanWorkbook

struct WhatIfCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whatif",
        abstract: "Apply a change file to a published plan's instance and re-plan with as few changes as possible.",
        discussion: """
            Reads the instance, the published plan (--baseline) and a change file (--change, \
            see docs/what-if.md: absences, members joining or leaving, shares and caps, pins, \
            demand, station capacity, beds, patients, respite requests, home-care patients and \
            their deputies). The changes are applied in order and the changed instance is \
            checked like any instance; a home-care patient whose attending physician leaves \
            is handed over to its published deputy. Then the \
            month is planned again with the stability term: every published duty the new \
            plan does not keep costs 20 (the instance's weight for stability), so duties move \
            only where the change forces it or where moving gains more than that. Load \
            sharing and beds keep the published decisions unless a change concerns them \
            (stations, beds, patients, respite requests); then a decision moves only where \
            that improves the objective. Every published deputy who is still eligible and \
            within their maxDeputyPatients stays; deputies set by hand (setDeputy) are kept \
            whatever else moves; the other patients get the best deputy the program finds.

            The search starts from the published rota with its broken duties taken out and \
            the gaps filled (what --engine greedy returns at once), then GLPK improves it \
            and, on a month of Tokushima's size, proves it optimal in about a second.

            Writes the new plan (-o) and prints the difference: duties removed and added by \
            date and by member, moved placements, designations and respite bookings, every \
            objective term before and after, and the fairness of every member concerned. \
            --json prints the same as JSON; --html writes a month calendar with the changed \
            cells highlighted; --xlsx writes the new rota as an Excel workbook to print and mail; \
            --save-instance writes the changed instance (JSON), which \
            `rinban score CHANGED.json NEW.json --baseline PUBLISHED.json` accepts (deputies \
            set by hand are not part of an instance: only the change file keeps them).

            Exit status: 0 planned, all demand covered; 3 planned, some demand uncovered (listed); \
            2 bad input (every problem with its place in the file).

            Example:
              rinban whatif instances/tokushima-2026-12.json --baseline plan.json \\
                --change examples/sato-away.yaml -o plan-sato.json --html changes.html
            """)

    @Argument(help: "The instance the published plan was made for (.json, .yaml or .yml).")
    var instance: String

    @Option(help: "The published plan (rinban-plan/1).")
    var baseline: String

    @Option(help: "The change file (rinban-change/1, JSON or YAML).")
    var change: String

    @Option(name: .shortAndLong, help: "Where to write the new plan (JSON).")
    var output: String

    @Option(help: "glpk (default: GLPK from the published rota with its gaps filled), greedy (instant), lns or auto.")
    var engine: String = "glpk"

    @Option(help: "Seconds to spend at most.")
    var timeLimit: Double = 10

    @Option(help: "Stop when the plan is proven within this relative gap of the best possible.")
    var gap: Double?

    @Flag(help: "Print the difference as JSON instead of text.")
    var json = false

    @Option(help: "Also write the difference as a printable month calendar (HTML).")
    var html: String?

    @Option(help: "Also write the rota as an Excel workbook (.xlsx) to print and mail.")
    var xlsx: String?

    @Option(help: "Also write the changed instance (JSON), to score or plan it later.")
    var saveInstance: String?

    @Flag(help: "Print no progress.")
    var quiet = false

    func run() throws {
        try runReportingErrors {
            var options = try planningOptions(engine: engine, timeLimit: timeLimit, gap: gap)
            let document = try readInstanceDocument(instance)
            let original = try InstanceDecoder.decode(document, file: instance)
            let published = try PlanReader.load(contentsOf: baseline)
            guard published.period == original.instance.period else {
                throw InputError(file: baseline, at: .root / "period",
                                 "the plan covers \(published.period.start) – \(published.period.end), the instance \(original.instance.period.start) – \(original.instance.period.end)")
            }
            let changes = try ChangeSet.load(contentsOf: change)
            let changed = try changes.apply(to: document, instanceFile: instance, published: published)
            if let saveInstance { try AtomicFile.write(changed.document.jsonText(), to: saveInstance) }

            if !quiet { options.progress = { printError($0) } }
            let scope = WhatIfScope(replanLoadSharing: changed.touchesLoadSharing, replanBeds: changed.touchesBeds,
                                    deputyPins: changed.deputyPins)
            let outcome = try MonthPlanner.plan(
                changed.loaded, MonthPlanRequest(options: options, baseline: published, whatIf: scope), backend: GLPKBackend())
            try PlanWriter.write(outcome.plan, to: output)
            if let xlsx { try RotaWorkbook.write(loaded: changed.loaded, plan: outcome.plan, to: xlsx) }

            let diff = PlanDiff(before: published, on: original, after: outcome.plan, on: changed.loaded, changes: changed.applied)
            print(json ? PlanDiffReport.json(diff) : PlanDiffReport.text(diff), terminator: "")
            if let html { try AtomicFile.write(PlanDiffReport.html(diff, after: outcome.plan, on: changed.loaded), to: html) }
            let solver = outcome.plan.solver
            printError("plan written to \(output): objective \(formatNumber(outcome.plan.objective?.total ?? 0)), "
                       + "\(solver?.engine ?? "") \(solver?.status ?? "")"
                       + (solver?.bound.map { ", bound \(formatNumber($0))" } ?? "")
                       + String(format: ", %.2f s", solver?.seconds ?? 0))
            let open = outcome.plan.uncovered
            if !open.isEmpty {
                printError("\(open.reduce(0) { $0 + $1.missing }) duties uncovered:")
                for slot in open { printError("  \(slot.duty)/\(slot.area) \(slot.date) \(slot.shift): \(slot.reason ?? "")") }
                throw ExitCode(ExitStatus.uncovered.rawValue)
            }
        }
    }
}

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show what changed between two plans of an instance.",
        discussion: """
            Compares plan A (before) with plan B (after), for example last month's draft and \
            the published rota: duties removed and added by date and by member, moved \
            placements, designations, respite bookings and patient deputies, every objective \
            term before and after (B's stability counts A's duties that B does not keep), and \
            the fairness of every member concerned. With --change, B is taken on the instance \
            with those changes applied (as `rinban whatif` made it, A as the published plan).

            Exit status: 0 the plans make the same decisions; 1 they differ; 2 bad input.

            Example: rinban diff instances/tokushima-2026-12.json draft.json published.json --html diff.html
            """)

    @Argument(help: "The instance: .json, .yaml/.yml, an .xlsx workbook or a folder of CSV files (docs/workbook.md).")
    var instance: String

    @Argument(help: "The plan before.")
    var before: String

    @Argument(help: "The plan after.")
    var after: String

    @Option(help: "A change file whose changes B was planned under.")
    var change: String?

    @Flag(help: "Print the difference as JSON instead of text.")
    var json = false

    @Option(help: "Also write the difference as a printable month calendar (HTML).")
    var html: String?

    func run() throws {
        var differ = false
        try runReportingErrors {
            let document = try readInstanceDocument(instance)
            let original = try InstanceDecoder.decode(document, file: instance)
            let a = try PlanReader.load(contentsOf: before)
            let b = try PlanReader.load(contentsOf: after)
            var afterInstance = original
            var applied: [String] = []
            if let change {
                // A is the plan the changes were asked of: a leaving attending's patients go to A's deputies.
                let changed = try ChangeSet.load(contentsOf: change).apply(to: document, instanceFile: instance, published: a)
                afterInstance = changed.loaded
                applied = changed.applied
            }
            let diff = PlanDiff(before: a, on: original, after: b, on: afterInstance, changes: applied)
            print(json ? PlanDiffReport.json(diff) : PlanDiffReport.text(diff), terminator: "")
            if let html { try AtomicFile.write(PlanDiffReport.html(diff, after: b, on: afterInstance), to: html) }
            differ = !diff.isEmpty
        }
        if differ { throw ExitCode(ExitStatus.failure.rawValue) }
    }
}
