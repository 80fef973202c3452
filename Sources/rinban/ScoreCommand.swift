import ArgumentParser
import Foundation
import RinbanCore

struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Check a plan against its instance and recompute its objective.",
        discussion: """
            Give the instance file first, then the plan file (JSON or YAML). rinban checks \
            every rule a plan must keep, using only the instance and the plan's lists: each \
            slot is real and its member may take it, nobody holds overlapping or too many \
            duties, the rest days between duties, the pins, every load-sharing item placed \
            once at an allowed station, every patient given one hospital with suitable beds, \
            and the respite stays (window and beds). Every broken rule is printed with the \
            entries at fault, such as assignments[3] (the fourth assignment of the plan).

            It then works out every objective term itself (open slots, fairness, neighbours, \
            avoided dates, spread, station load, beds, respite) and prints a table of value, \
            weight and weighted value with the total. If the plan states its own objective, \
            the two are compared term by term; any difference is listed.

            The last line is the verdict. Exit status: 0 the plan keeps every rule and its \
            stated objective matches (or it states none); 1 a rule is broken or the stated \
            objective differs; 2 a file cannot be read (every problem is listed with its place).

            Give --baseline with an earlier plan to count how many of its duties the new plan \
            moves (the stability term); without it, stability is 0.

            Give --change with a change file to check a plan made by `rinban whatif` against \
            the changed instance (with --baseline the published plan, so that a home-care \
            patient whose attending leaves is handed over to its deputy there, as whatif does).

            Example: rinban score instances/tokushima-2026-12.json plan.json --baseline plan-old.json
            """)

    @Argument(help: "The instance: .json, .yaml/.yml, an .xlsx workbook or a folder of CSV files (docs/workbook.md).")
    var instance: String

    @Argument(help: "The plan file to check (rinban-plan/1).")
    var plan: String

    @Option(help: "An earlier plan of the same instance, for the stability term.")
    var baseline: String?

    @Option(help: "A change file (rinban-change/1) to apply to the instance first, as `rinban whatif` does.")
    var change: String?

    func run() throws {
        var failed = false
        try runReportingErrors {
            let document = try readInstanceDocument(instance)
            var baseline: Plan?
            if let path = self.baseline { baseline = try PlanReader.load(contentsOf: path) }
            // The baseline is the published plan the changes were asked of: a leaving
            // attending's patients go to its deputies, as in `rinban whatif`.
            let loaded = try change.map {
                try ChangeSet.load(contentsOf: $0).apply(to: document, instanceFile: instance, published: baseline).loaded
            } ?? InstanceDecoder.decode(document, file: instance)
            let plan = try PlanReader.load(contentsOf: self.plan)
            let evaluation = Evaluator(loaded).evaluate(plan, baseline: baseline)
            print(ScoreReport(evaluation: evaluation, plan: plan).text)
            failed = !evaluation.isFeasible || evaluation.comparison?.agrees == false
        }
        if failed { throw ExitCode(ExitStatus.failure.rawValue) }
    }
}

/// The text `rinban score` prints: broken rules, the term table, differences, the verdict.
struct ScoreReport {
    let evaluation: Evaluation
    let plan: Plan

    var text: String {
        var lines: [String] = []
        let violations = evaluation.violations
        if violations.isEmpty {
            lines.append("Rules: every hard rule is kept.")
        } else {
            lines.append("Broken rules (\(violations.count)):")
            for rule in evaluation.brokenRules {
                lines.append("  \(rule.rawValue) — \(rule.summary)")
                for violation in violations where violation.rule == rule {
                    let places = violation.entries.map(\.description) + violation.instanceEntries.map { "instance \($0)" }
                    lines.append("    \(places.joined(separator: ", ")): \(violation.message)")
                }
            }
            if !evaluation.ignoredAssignments.isEmpty {
                let count = evaluation.ignoredAssignments.count
                lines.append("  (\(count) assignment\(count == 1 ? "" : "s") breaking H1 count\(count == 1 ? "s" : "") toward no term below)")
            }
        }
        lines.append("")
        lines += termTable
        if let comparison = evaluation.comparison, !comparison.agrees {
            lines.append("")
            lines.append("The plan's stated objective differs:")
            for line in comparison.differences {
                let name = line.term?.rawValue ?? "total"
                let (claimed, recomputed) = distinct(line.claimed ?? 0, line.recomputed)
                lines.append("  \(name): \(line.claimed == nil ? "not stated (counts as 0)" : "stated \(claimed)"), recomputed \(recomputed)")
            }
            if !evaluation.hasBaseline, comparison.terms.contains(where: { $0.term == .stability && !$0.agrees }) {
                lines.append("  (stability is 0 without --baseline; give the plan the planner compared with)")
            }
        }
        let stated = plan.uncovered.reduce(0) { $0 + $1.missing }
        let derived = evaluation.uncovered.reduce(0) { $0 + $1.missing }
        if !plan.uncovered.isEmpty || derived > 0 {
            lines.append("")
            if plan.uncovered.isEmpty {
                lines.append("Open demand: \(derived), counted from the assignments (the plan lists no uncovered slots).")
            } else if stated == derived {
                lines.append("Open demand: \(derived), as the plan's uncovered list says.")
            } else {
                lines.append("Open demand: \(derived), counted from the assignments; the plan's uncovered list says \(stated).")
            }
        }
        lines.append("")
        lines.append(verdict)
        return lines.joined(separator: "\n")
    }

    /// term, value, weight, weighted; then the total.
    var termTable: [String] {
        let header = ["term", "value", "weight", "weighted"]
        var rows: [[String]] = ObjectiveTerm.allCases.map { term in
            [term.rawValue, display(evaluation.value(term)), display(evaluation.weights[term]), display(evaluation.weighted(term))]
        }
        rows.append(["total", "", "", display(evaluation.total)])
        let widths = (0..<4).map { c in ([header] + rows).map { $0[c].count }.max()! }
        func format(_ row: [String]) -> String {
            let name = row[0].padding(toLength: widths[0], withPad: " ", startingAt: 0)
            let numbers = (1..<4).map { c in String(repeating: " ", count: widths[c] - row[c].count) + row[c] }
            return "  " + ([name] + numbers).joined(separator: "  ")
        }
        let rule = "  " + String(repeating: "-", count: widths.reduce(0, +) + 6)
        return ["Objective, recomputed from the instance and the plan's lists:", format(header), rule]
            + rows.dropLast().map(format) + [rule, format(rows.last!)]
    }

    var verdict: String {
        let total = display(evaluation.total)
        var parts: [String] = []
        if evaluation.isFeasible {
            parts.append("plan is feasible")
        } else {
            let count = evaluation.violations.count
            let rules = evaluation.brokenRules.map(\.rawValue)
            parts.append("plan breaks \(rules.count) rule\(rules.count == 1 ? "" : "s") (\(rules.joined(separator: ", "))) in \(count) place\(count == 1 ? "" : "s")")
        }
        switch evaluation.comparison {
        case nil:
            parts.append("objective \(total) (the plan states none)")
        case let comparison? where comparison.agrees:
            parts.append("objective \(total) matches the plan")
        case let comparison?:
            let differing = comparison.terms.filter { !$0.agrees }.count
            let terms = "\(differing) term\(differing == 1 ? "" : "s") differ\(differing == 1 ? "s" : "")"
            if comparison.total.agrees {
                parts.append("objective \(total) matches the plan's total, but \(terms)")
            } else {
                let (claimed, recomputed) = distinct(comparison.total.claimed ?? 0, evaluation.total)
                var text = "claimed objective \(claimed) differs from \(recomputed)"
                if differing > 0 { text += " (\(terms))" }
                parts.append(text)
            }
        }
        return parts.joined(separator: "; ")
    }

    /// Two numbers as ``display(_:)`` writes them, or in full when that would make them look equal.
    func distinct(_ a: Double, _ b: Double) -> (String, String) {
        let short = (display(a), display(b))
        return short.0 != short.1 ? short : (PlanWriter.number(a), PlanWriter.number(b))
    }

    /// A table number: whole numbers as integers, others to at least 6 significant digits.
    func display(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        let magnitude = abs(value)
        let integerDigits = magnitude < 1 ? 0 : Int(log10(magnitude)) + 1
        let decimals = magnitude < 1 ? 6 + max(0, -Int(floor(log10(magnitude))) - 1) : max(2, 6 - integerDigits)
        var text = String(format: "%.\(decimals)f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
