import ArgumentParser
import Foundation
import RinbanCore
import RinbanPlanning

struct DeputyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deputy",
        abstract: "Rank who could be one home-care patient's deputy physician (副主治医) in a published plan.",
        discussion: """
            Names one home-care patient (--patient, an id of deputies.patients) and lists every \
            physician who could be its deputy instead of the current one, ordered by how much \
            the plan's objective rises if only this patient's deputy changes (SPEC section 5): \
            fairness (the new deputy's patients n → n + 1 and the old deputy's n → n − 1, \
            each against their fair share), block distance, continuity with the patient's \
            previous deputy, and the dates on which the attending and the deputy would both be \
            away. Equal increases go to the physician with fewer patients, then by id. The \
            current deputy is shown first with what this patient's terms cost with them. \
            Eligible physicians at their maxDeputyPatients are listed as full, and every \
            physician who is not eligible with why (in Japanese and English). With --change, \
            the patient and physicians are taken from the changed instance (as `rinban \
            whatif` makes it). No solver runs; the answer takes milliseconds.

            Exit status: 0 at least one physician could take the patient; 1 nobody can; 2 bad input.

            Example:
              rinban deputy instances/nagasaki-2027-05.json --plan plan.json --patient hc0412
            """)

    @Argument(help: "The instance: .json, .yaml/.yml, an .xlsx workbook or a folder of CSV files (docs/workbook.md).")
    var instance: String

    @Option(help: "The published plan (rinban-plan/1).")
    var plan: String

    @Option(help: "The home-care patient's id (deputies.patients).")
    var patient: String

    @Option(help: "A change file (rinban-change/1) to apply to the instance first.")
    var change: String?

    @Option(help: "List at most this many candidates.")
    var top: Int = 10

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        var nobody = false
        try runReportingErrors {
            guard top > 0 else { throw InputError(at: .root, "--top must be at least 1") }
            let published = try PlanReader.load(contentsOf: plan)
            let document = try readInstanceDocument(instance)
            var pinned: MemberID?
            let loaded: LoadedInstance
            if let change {
                let changed = try ChangeSet.load(contentsOf: change).apply(to: document, instanceFile: instance, published: published)
                loaded = changed.loaded
                pinned = changed.deputyPins[HomePatientID(patient)]
            } else {
                loaded = try InstanceDecoder.decode(document, file: instance)
            }
            let instance = loaded.instance
            guard published.period == instance.period else {
                throw InputError(file: plan, at: .root / "period",
                                 "the plan covers \(published.period.start) – \(published.period.end), the instance \(instance.period.start) – \(instance.period.end)")
            }
            guard let h = instance.homePatientIndex[HomePatientID(patient)] else {
                let known = instance.homePatients.map(\.id.rawValue)
                throw InputError(at: .root, "--patient: " + IdentifierSuggestion.unknown("home-care patient", patient, among: known)
                                 + (known.isEmpty ? "; the instance has no deputies.patients" : ""))
            }
            let ranking = DeputyRanking(instance: instance, plan: published, patient: h)
            print(json ? Self.json(ranking, top: top, instance: instance, pinned: pinned)
                       : Self.text(ranking, top: top, instance: instance, pinned: pinned), terminator: "")
            nobody = ranking.candidates.isEmpty
        }
        if nobody { throw ExitCode(ExitStatus.failure.rawValue) }
    }

    /// "佐藤 一郎 (p01)", or the id alone when the name is the id.
    static func who(_ name: String, _ id: MemberID) -> String { name == id.rawValue ? name : "\(name) (\(id))" }

    static func reasons(_ parts: [DeputyRanking.Part]) -> String {
        parts.map { "\($0.term.rawValue) \(CoverCommand.signed($0.change)) (\($0.reason))" }.joined(separator: ", ")
    }

    static func patients(_ n: Int) -> String { n == 1 ? "1 patient" : "\(n) patients" }

    static func text(_ ranking: DeputyRanking, top: Int, instance: Instance, pinned: MemberID?) -> String {
        func name(_ id: MemberID) -> String { instance.memberIndex[id].map { who(instance.members[$0].name, id) } ?? id.rawValue }
        var lines: [String] = []
        var about = ["block \(ranking.block)", "attending \(name(ranking.attending))"]
        if !ranking.requires.isEmpty { about.append("requires \(ranking.requires.sorted().joined(separator: ", "))") }
        if let previous = ranking.previous { about.append("previous deputy \(previous)") }
        lines.append("Who could be the deputy of home-care patient \(ranking.patient) (\(about.joined(separator: ", "))):")
        if let current = ranking.current {
            lines.append("Current deputy: \(who(current.name, current.member)), \(patients(current.patients)) against a fair share of "
                         + "\(DeputyRanking.number(current.target)); this patient's deputy terms cost \(CoverCommand.signed(current.cost))")
            if !current.parts.isEmpty { lines.append("       " + reasons(current.parts)) }
        } else {
            var line = "Current deputy: none (costs \(CoverCommand.signed(ranking.withoutDeputy)): undeputed"
                + (ranking.previous != nil ? " and deputyChange)" : ")")
            if let named = ranking.notCounted { line += "; the plan names \(name(named.member)), who does not count: \(named.why)" }
            lines.append(line)
        }
        if let pinned { lines.append("(the change file sets this patient's deputy by hand: \(name(pinned)))") }
        if ranking.candidates.isEmpty { lines.append("  nobody else can be this patient's deputy") }
        for (rank, c) in ranking.candidates.prefix(top).enumerated() {
            lines.append("  \(rank + 1). \(who(c.name, c.member))  \(CoverCommand.signed(c.increase))")
            lines.append("       " + (c.parts.isEmpty ? "no change of the objective" : reasons(c.parts)))
        }
        if ranking.candidates.count > top { lines.append("  … \(ranking.candidates.count - top) more (--top)") }
        if !ranking.full.isEmpty {
            lines.append("Eligible but full (\(ranking.full.count)):")
            for f in ranking.full { lines.append("  \(who(f.name, f.member)): full: \(f.patients) of \(f.cap)") }
        }
        if !ranking.ineligible.isEmpty {
            lines.append("Not eligible (\(ranking.ineligible.count)):")
            // Physicians outside the patient's block and its neighbours, one line per block:
            // on a large network they are most of the list and need no other reason.
            var outside: [BlockID: [MemberID]] = [:]
            for i in ranking.ineligible {
                if !i.isAttending, let block = i.reasons.lazy.compactMap({ reason -> BlockID? in
                    if case let .outsideBlock(block) = reason { return block }
                    return nil
                }).first {
                    outside[block, default: []].append(i.member)
                    continue
                }
                let japanese = i.reasons.map(\.japanese).joined(separator: "、")
                let english = i.reasons.map(\.description).joined(separator: "; ")
                lines.append("  \(who(i.name, i.member)): " + (i.isAttending ? "主治医 (the attending physician)" : "\(japanese) (\(english))"))
            }
            for (block, members) in outside.sorted(by: { $0.key < $1.key }) {
                lines.append("  ブロック \(block) は患者のブロックでも隣接ブロックでもない (block \(block) is neither the patient's block "
                             + "nor next to it), \(members.count): " + members.map(\.rawValue).joined(separator: ", "))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func json(_ ranking: DeputyRanking, top: Int, instance: Instance, pinned: MemberID?) -> String {
        func q(_ s: String) -> String { PlanWriter.json(string: s) }
        func n(_ v: Double) -> String { PlanWriter.number(v) }
        func parts(_ parts: [DeputyRanking.Part]) -> String {
            "\"reasons\": [" + parts.map { "{\"term\": \(q($0.term.rawValue)), \"change\": \(n($0.change)), \"why\": \(q($0.reason))}" }
                .joined(separator: ", ") + "]"
        }
        func list(_ items: [String]) -> String { items.isEmpty ? "[]" : "[\n" + items.joined(separator: ",\n") + "\n  ]" }
        var fields: [String] = []
        fields.append("\"patient\": \(q(ranking.patient.rawValue))")
        fields.append("\"attending\": \(q(ranking.attending.rawValue))")
        fields.append("\"block\": \(q(ranking.block.rawValue))")
        fields.append("\"previous\": \(ranking.previous.map { q($0.rawValue) } ?? "null")")
        if let c = ranking.current {
            fields.append("\"current\": {\"member\": \(q(c.member.rawValue)), \"name\": \(q(c.name)), \"patients\": \(c.patients), "
                          + "\"target\": \(n(c.target)), \"cost\": \(n(c.cost)), \(parts(c.parts))}")
        } else {
            fields.append("\"current\": null")
        }
        fields.append("\"withoutDeputy\": \(n(ranking.withoutDeputy))")
        if let named = ranking.notCounted {
            fields.append("\"notCounted\": {\"member\": \(q(named.member.rawValue)), \"why\": \(q(named.why))}")
        }
        if let pinned { fields.append("\"setByHand\": \(q(pinned.rawValue))") }
        let candidates = ranking.candidates.prefix(top).map { c in
            "    {\"member\": \(q(c.member.rawValue)), \"name\": \(q(c.name)), \"patients\": \(c.patients), \"target\": \(n(c.target)), "
                + "\"increase\": \(n(c.increase)), \(parts(c.parts))}"
        }
        fields.append("\"candidates\": " + list(Array(candidates)))
        let full = ranking.full.map {
            "    {\"member\": \(q($0.member.rawValue)), \"name\": \(q($0.name)), \"patients\": \($0.patients), \"cap\": \($0.cap)}"
        }
        fields.append("\"full\": " + list(full))
        let ineligible = ranking.ineligible.map { i in
            "    {\"member\": \(q(i.member.rawValue)), \"name\": \(q(i.name)), \"attending\": \(i.isAttending), \"reasons\": ["
                + i.reasons.map { "{\"en\": \(q($0.description)), \"ja\": \(q($0.japanese))}" }.joined(separator: ", ") + "]}"
        }
        fields.append("\"ineligible\": " + list(ineligible))
        return "{\n" + fields.map { "  " + $0 }.joined(separator: ",\n") + "\n}\n"
    }
}
