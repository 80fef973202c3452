import ArgumentParser
import Foundation
import RinbanCore
import RinbanWorkbook

struct NextMonthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "next-month",
        abstract: "Make next month's instance from this month's and the plan that was served.",
        discussion: """
            Reads the instance and its served (published) plan, checks that the plan is for \
            the instance's period and keeps every hard rule, and writes the instance of the \
            next period (-o): the same network, rules, demand, shifts, duties and weights; \
            every member's history grown by the points and holiday duties the plan gave them \
            (from zero again when the new period opens a fiscal year, April by default); the \
            extra holidays, absences and pins of the new period (an absence across the \
            boundary is clipped); respite requests dropped; each home-care patient's previous \
            deputy set to its deputy in the plan. See docs/next-month.md.

            The new period is the calendar month after the one the served period ends in, or \
            the month given with --month. A summary of what was carried and dropped is printed.

            -o ending in .json writes JSON; .yaml or .yml writes the same JSON text (JSON is \
            valid YAML, and rinban reads it back as YAML).

            Exit status: 0 written; 2 bad input (the instance, the plan, a plan breaking a \
            rule, or an option), every problem listed; 1 the file could not be written.

            Example:
              rinban next-month instances/tokushima-2026-12.json --plan examples/tokushima-2026-12.published.json -o tokushima-2027-01.json
            """)

    @Argument(help: "This month's instance: .json, .yaml/.yml, the office workbook (.xlsx) or a folder of CSV files.")
    var instance: String

    @Option(help: "The plan that was served in this month (rinban-plan/1).")
    var plan: String

    @Option(name: .shortAndLong, help: "Where to write next month's instance: .json, .yaml/.yml or the office workbook (.xlsx).")
    var output: String

    @Option(help: "The new period's month, YYYY-MM (default: the month after the instance's period).")
    var month: String?

    @Option(help: "The month (1–12) the fiscal year starts in: histories restart from zero there.")
    var fiscalYearStart: Int = 4

    func run() throws {
        try runReportingErrors {
            guard (1...12).contains(fiscalYearStart) else {
                throw InputError(at: .root, "--fiscal-year-start \(fiscalYearStart) is not a month; give 1–12 (4 = April)")
            }
            let period = try month.map(Self.parseMonth)
            try Self.refuseOverwriting(output, inputs: [instance, plan])
            let loaded = try loadInstance(instance)
            let served = try PlanReader.load(contentsOf: plan)
            do throws(InputError) {
                _ = try NextMonth.checkServed(served, for: loaded)
            } catch {
                var located = error
                located.file = plan
                throw located
            }
            let (next, summary) = try NextMonth.make(
                from: loaded, served: served, options: NextMonthOptions(period: period, fiscalYearStartMonth: fiscalYearStart))
            try Self.writeInstance(next.instance, to: output)
            for line in summary.lines { print(line) }
            // The written file is new, so a warning names the entry (its JSON path), not a line.
            for warning in next.warnings { printError("warning: \(warning.path): \(warning.message)") }
            printError("next month's instance written to \(output): \(summary.period.start) – \(summary.period.end)")
        }
    }

    /// `YYYY-MM` as the whole month.
    static func parseMonth(_ text: String) throws(InputError) -> Period {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]),
              let start = CivilDate(year: year, month: month, day: 1)
        else {
            throw InputError(at: .root, "--month \(text) is not a month; give YYYY-MM, e.g. 2027-01")
        }
        return Period(start: start, end: CivilDate(year: year, month: month, day: CivilDate.daysIn(month: month, year: year))!)
    }

    /// Writing over an input would lose it if anything is wrong with the result.
    static func refuseOverwriting(_ output: String, inputs: [String]) throws(InputError) {
        let target = URL(fileURLWithPath: output).standardizedFileURL.resolvingSymlinksInPath().path
        for input in inputs where URL(fileURLWithPath: input).standardizedFileURL.resolvingSymlinksInPath().path == target {
            throw InputError(at: .root, "-o \(output) is an input file; write next month's instance to a new file")
        }
    }

    // MARK: Reading and writing instances (one place each, for the spreadsheet formats)

    /// Writes next month's instance atomically: the office workbook for `.xlsx`, YAML for
    /// `.yaml`/`.yml`, JSON otherwise.
    static func writeInstance(_ instance: Instance, to path: String) throws {
        let lower = path.lowercased()
        if lower.hasSuffix(".xlsx") {
            try InstanceWorkbook.write(instance, to: path)
        } else if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") {
            try AtomicFile.write(InstanceEncoder.document(instance).yamlText(), to: path)
        } else {
            try AtomicFile.write(InstanceEncoder.jsonText(instance), to: path)
        }
    }
}
