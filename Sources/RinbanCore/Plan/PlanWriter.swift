/// Writes a ``Plan`` as `rinban-plan/1` JSON (SPEC section 6).
///
/// The text depends on the plan alone: keys in a fixed order, list entries in the plan's
/// order, one entry per line (so two plans compare well in a diff), objective terms in
/// the order of ``ObjectiveTerm``. Numbers are written as the shortest decimal that reads
/// back as the same `Double` (so at least as many digits as it takes, never fewer than a
/// reader needs), and whole numbers without a fraction: `3`, `12.5`, `0.1`, `1e-07`.
/// Reading the text with ``PlanReader`` gives back an equal plan.
public enum PlanWriter {
    /// The plan as JSON text, ending with a newline.
    public static func json(_ plan: Plan) -> String {
        var out = "{\n"
        out += "  \"format\": \(string(Plan.format)),\n"
        out += "  \"period\": { \"start\": \(string(plan.period.start.iso)), \"end\": \(string(plan.period.end.iso)) },\n"
        out += list("assignments", plan.assignments) { a in
            [("duty", string(a.duty.rawValue)), ("area", string(a.area.rawValue)), ("date", string(a.date.iso)),
             ("shift", string(a.shift.rawValue)), ("member", string(a.member.rawValue))]
        }
        out += ",\n"
        out += list("uncovered", plan.uncovered) { u in
            var fields = [("duty", string(u.duty.rawValue)), ("area", string(u.area.rawValue)), ("date", string(u.date.iso)),
                          ("shift", string(u.shift.rawValue)), ("missing", String(u.missing))]
            if let reason = u.reason { fields.append(("reason", string(reason))) }
            return fields
        }
        out += ",\n"
        out += list("placements", plan.placements) { p in
            [("item", string(p.item.rawValue)), ("station", string(p.station.rawValue))]
        }
        out += ",\n"
        out += list("designations", plan.designations) { d in
            [("patient", string(d.patient.rawValue)), ("hospital", string(d.hospital.rawValue))]
        }
        out += ",\n"
        out += list("respite", plan.respite) { r in
            [("request", string(r.request.rawValue)), ("hospital", string(r.hospital.rawValue)), ("start", string(r.start.iso))]
        }
        out += ",\n"
        out += list("deputies", plan.deputies) { d in
            [("patient", string(d.patient.rawValue)), ("deputy", string(d.deputy.rawValue))]
        }
        if let objective = plan.objective {
            out += ",\n  \"objective\": {\n    \"total\": \(number(objective.total)),\n    \"terms\": {"
            let terms = ObjectiveTerm.allCases.compactMap { term in objective.terms[term].map { (term, $0) } }
            if terms.isEmpty {
                out += "}\n"
            } else {
                out += "\n" + terms.map { "      \(string($0.0.rawValue)): \(number($0.1))" }.joined(separator: ",\n") + "\n    }\n"
            }
            out += "  }"
        }
        if let solver = plan.solver {
            out += ",\n  \"solver\": " + inline([
                ("engine", string(solver.engine)), ("status", string(solver.status)),
                ("bound", solver.bound.map(number) ?? "null"), ("gap", solver.gap.map(number) ?? "null"),
                ("seconds", number(solver.seconds)),
            ])
        }
        out += "\n}\n"
        return out
    }

    /// Writes the plan atomically: a reader of `path` sees the old file or the complete new one.
    public static func write(_ plan: Plan, to path: String) throws(OutputError) {
        try AtomicFile.write(json(plan), to: path)
    }

    /// A finite number as JSON: whole numbers below 2^53 as integers (`3`, `-2`), others
    /// as the shortest text that reads back exactly (`12.5`, `0.1`, `1e-07`, `1e+16`).
    public static func number(_ value: Double) -> String {
        precondition(value.isFinite, "a plan holds only finite numbers")
        if value == value.rounded(), abs(value) < 9_007_199_254_740_992 { return String(Int(value)) }
        return value.description
    }

    /// A JSON string literal.
    static func string(_ text: String) -> String { jsonQuoted(text) }

    /// A JSON string literal of `text` (for other JSON rinban prints).
    public static func json(string text: String) -> String { jsonQuoted(text) }

    /// `{ "a": 1, "b": "x" }` on one line.
    static func inline(_ fields: [(String, String)]) -> String {
        "{ " + fields.map { "\(string($0.0)): \($0.1)" }.joined(separator: ", ") + " }"
    }

    /// `  "key": [` entries one per line `]`, or `  "key": []`.
    static func list<T>(_ key: String, _ elements: [T], _ fields: (T) -> [(String, String)]) -> String {
        if elements.isEmpty { return "  \(string(key)): []" }
        return "  \(string(key)): [\n" + elements.map { "    " + inline(fields($0)) }.joined(separator: ",\n") + "\n  ]"
    }
}
