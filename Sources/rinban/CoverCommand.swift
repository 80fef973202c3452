import ArgumentParser
import Foundation
import RinbanCore
import RinbanPlanning

struct CoverCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cover",
        abstract: "Rank who can take one slot of a published plan (e.g. tonight's physician fell ill).",
        discussion: """
            Names one slot of the plan (--duty, --area, --date, --shift) and, with --exclude, \
            the member who cannot do it: their duty in that slot is taken out first. Every \
            member eligible for the slot is then tried: directly when that keeps every hard \
            rule, or, when exactly one of their own duties clashes (too close, same date, \
            overlapping), with a swap that hands that duty to whoever it costs least. The \
            list is ordered by how much the plan's objective rises (against the published \
            plan, so a swap also pays 20 for the published duty it moves), with the reasons: \
            fairness (points against the member's fair share), a neighbouring block, an \
            avoided date, duties too close together, the swap. Members who cannot take the \
            slot are listed after, each with why. No solver runs; the answer takes milliseconds.

            Exit status: 0 at least one member can take the slot; 1 nobody can; 2 bad input.

            Example:
              rinban cover instances/tokushima-2026-12.json --plan plan.json \\
                --duty substitute --area north --date 2026-12-24 --shift night --exclude p07
            """)

    @Argument(help: "The instance: .json, .yaml/.yml, an .xlsx workbook or a folder of CSV files (docs/workbook.md).")
    var instance: String

    @Option(help: "The published plan (rinban-plan/1).")
    var plan: String

    @Option(help: "The slot's duty id.")
    var duty: String

    @Option(help: "The slot's area id (a block id for duties by block, \"all\" for network duties).")
    var area: String

    @Option(help: "The slot's date, YYYY-MM-DD.")
    var date: String

    @Option(help: "The slot's shift id.")
    var shift: String

    @Option(help: "The member who cannot take it (their assignment to the slot is removed).")
    var exclude: String?

    @Option(help: "List at most this many candidates.")
    var top: Int = 10

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        var nobody = false
        try runReportingErrors {
            let loaded = try loadInstance(instance)
            let instance = loaded.instance
            let published = try PlanReader.load(contentsOf: plan)
            guard top > 0 else { throw InputError(at: .root, "--top must be at least 1") }
            guard let day = CivilDate(iso: date) else { throw InputError(at: .root, "--date \"\(date)\" is not a date (YYYY-MM-DD)") }
            var problems: [InputIssue] = []
            if instance.dutyIndex[DutyID(duty)] == nil {
                problems.append(InputIssue(at: .root, "--duty: unknown duty \"\(duty)\"; the instance has \(instance.duties.map(\.id.rawValue).joined(separator: ", "))"))
            }
            if instance.shiftIndex[ShiftID(shift)] == nil {
                problems.append(InputIssue(at: .root, "--shift: unknown shift \"\(shift)\"; the instance has \(instance.shifts.map(\.id.rawValue).joined(separator: ", "))"))
            }
            if !instance.period.contains(day) {
                problems.append(InputIssue(at: .root, "--date \(day) is outside the period \(instance.period.start) – \(instance.period.end)"))
            }
            var excluded: MemberIndex?
            if let exclude {
                excluded = instance.memberIndex[MemberID(exclude)]
                if excluded == nil { problems.append(InputIssue(at: .root, "--exclude: unknown member \"\(exclude)\"")) }
            }
            if let d = instance.dutyIndex[DutyID(duty)], !instance.duties[d].areas.contains(where: { $0.id.rawValue == area }) {
                problems.append(InputIssue(at: .root, "--area: duty \(duty) has no area \"\(area)\"; its areas are \(instance.duties[d].areas.map(\.id.rawValue).joined(separator: ", "))"))
            }
            guard problems.isEmpty else { throw InputError(issues: problems) }
            guard let slot = loaded.slots.slot(duty: DutyID(duty), area: AreaID(area), date: day, shift: ShiftID(shift)) else {
                throw InputError(at: .root, "no slot \(duty)/\(area) \(day) \(shift): the duty has no demand for that shift on a \(instance.dayType(of: day).rawValue)")
            }
            let problem = RotaProblem(loaded: loaded, baseline: published)
            let ranking = CoverRanking(problem: problem, plan: published, slot: slot.index, exclude: excluded)
            print(json ? Self.json(ranking, top: top) : Self.text(ranking, top: top, slot: "\(duty)/\(area) \(day) \(shift)",
                                                             exclude: exclude), terminator: "")
            nobody = ranking.candidates.isEmpty
        }
        if nobody { throw ExitCode(ExitStatus.failure.rawValue) }
    }

    static func text(_ ranking: CoverRanking, top: Int, slot: String, exclude: String?) -> String {
        var lines: [String] = []
        lines.append("Who can cover \(slot)" + (exclude.map { " instead of \($0)" } ?? "") + ":")
        if let exclude, ranking.leavingOpen != 0 {
            lines.append("(taking \(exclude) out and leaving the slot open changes the objective by \(signed(ranking.leavingOpen)); "
                         + "each increase below includes that)")
        }
        if ranking.candidates.isEmpty { lines.append("  nobody can take it without breaking a hard rule") }
        for (rank, c) in ranking.candidates.prefix(top).enumerated() {
            let who = c.name == c.member.rawValue ? c.member.rawValue : "\(c.name) (\(c.member))"
            var line = "  \(rank + 1). \(who)  \(signed(c.increase))"
            if let gives = c.gives, let to = c.givesTo {
                line += "  — swap: gives \(gives.date) \(gives.duty)/\(gives.area) \(gives.shift) to \(to)"
            }
            lines.append(line)
            let reasons = c.parts.map { "\($0.0) \(signed($0.1))" }
            lines.append("       " + (reasons.isEmpty ? "no cost beyond filling the slot" : reasons.joined(separator: ", ")))
        }
        if ranking.candidates.count > top { lines.append("  … \(ranking.candidates.count - top) more (--top)") }
        if !ranking.unavailable.isEmpty {
            lines.append("Eligible but unable (\(ranking.unavailable.count)):")
            for u in ranking.unavailable {
                lines.append("  \(u.name == u.member.rawValue ? u.member.rawValue : "\(u.name) (\(u.member))"): \(u.reason)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func json(_ ranking: CoverRanking, top: Int) -> String {
        func q(_ s: String) -> String { PlanWriter.json(string: s) }
        let candidates = ranking.candidates.prefix(top).map { c in
            var fields = ["\"member\": \(q(c.member.rawValue))", "\"name\": \(q(c.name))", "\"increase\": \(PlanWriter.number(c.increase))"]
            if let gives = c.gives, let to = c.givesTo {
                fields.append("\"swap\": {\"duty\": \(q(gives.duty.rawValue)), \"area\": \(q(gives.area.rawValue)), "
                              + "\"date\": \(q(gives.date.description)), \"shift\": \(q(gives.shift.rawValue)), \"to\": \(q(to.rawValue))}")
            }
            fields.append("\"reasons\": {" + c.parts.map { "\(q($0.0)): \(PlanWriter.number($0.1))" }.joined(separator: ", ") + "}")
            return "    {" + fields.joined(separator: ", ") + "}"
        }
        let unable = ranking.unavailable.map { "    {\"member\": \(q($0.member.rawValue)), \"reason\": \(q($0.reason))}" }
        return "{\n  \"leavingOpen\": \(PlanWriter.number(ranking.leavingOpen)),\n  \"candidates\": [\n"
            + candidates.joined(separator: ",\n") + "\n  ],\n  \"unable\": [\n" + unable.joined(separator: ",\n") + "\n  ]\n}\n"
    }

    static func signed(_ value: Double) -> String {
        guard abs(value) >= 0.005 else { return "±0" }
        var text = String(format: "%.2f", abs(value))
        if text.hasSuffix(".00") { text.removeLast(3) }
        return (value > 0 ? "+" : "−") + text
    }
}
