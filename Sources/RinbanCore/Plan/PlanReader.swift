/// Reads a plan file (`rinban-plan/1`, SPEC section 6), JSON or YAML, into a ``Plan``.
///
/// Only the file's own structure is checked here: keys, types, dates, whole numbers.
/// References to the instance (members, slots, items, hospitals, requests) and the
/// plan's period are the evaluator's business, because a plan that names an unknown
/// member is a plan that breaks a rule, not an unreadable file. Every problem is reported
/// at once with its JSON path (`assignments[3].date`) and position.
public enum PlanReader {
    /// Keys a plan may have at its top level.
    static let topKeys = ["format", "period", "assignments", "uncovered", "placements", "designations", "respite",
                          "deputies", "objective", "solver"]

    /// Validates a parsed document and builds the plan.
    /// - Throws: ``InputError`` listing every problem.
    public static func decode(_ root: DocumentNode, file: String? = nil) throws(InputError) -> Plan {
        var reader = PlanDocumentReader()
        let plan = reader.decode(root)
        guard let plan, !reader.issues.hasErrors else {
            throw InputError(file: file, issues: reader.issues.sorted)
        }
        return plan
    }

    /// Reads a JSON or YAML plan file (the format follows the extension, else the first byte).
    public static func load(contentsOf path: String) throws(InputError) -> Plan {
        let (node, _) = try DocumentReader.read(contentsOf: path)
        return try decode(node, file: path)
    }
}

/// One pass over a plan document.
private struct PlanDocumentReader {
    var issues = IssueCollector()

    mutating func decode(_ root: DocumentNode) -> Plan? {
        guard let top = issues.object(root, .root, allowed: PlanReader.topKeys) else { return nil }
        if let formatNode = issues.required(top, "format"), let format = issues.string(formatNode, .root / "format"),
           format != Plan.format
        {
            if format == InstanceDecoder.format {
                // The two files of `rinban score` swapped: one clear message instead of a key per line.
                issues = IssueCollector()
                issues.error(.root / "format", formatNode.position,
                             "this is an instance (\(InstanceDecoder.format)), not a plan (\(Plan.format)); give the instance first, then the plan")
                return nil
            }
            issues.error(.root / "format", formatNode.position,
                         "format is \"\(format)\"; this version of rinban reads plans in \"\(Plan.format)\"")
        }
        let period = decodePeriod(top)
        let assignments = entries(top, "assignments", required: true) { $0.decodeAssignment($1, $2) }
        let uncovered = entries(top, "uncovered", required: false) { $0.decodeUncovered($1, $2) }
        let placements = entries(top, "placements", required: true) { $0.decodePlacement($1, $2) }
        let designations = entries(top, "designations", required: true) { $0.decodeDesignation($1, $2) }
        let respite = entries(top, "respite", required: true) { $0.decodeBooking($1, $2) }
        // Optional: plans written before patient deputies existed have no such list.
        let deputies = entries(top, "deputies", required: false) { $0.decodeDeputy($1, $2) }
        let objective = top["objective"].flatMap { decodeObjective($0) }
        let solver = top["solver"].flatMap { decodeSolver($0) }
        guard let period, !issues.hasErrors else { return nil }
        return Plan(period: period, assignments: assignments, uncovered: uncovered, placements: placements,
                    designations: designations, respite: respite, deputies: deputies, objective: objective,
                    solver: solver)
    }

    /// The decoded elements of the list at `key` (an element with problems is left out and reported).
    mutating func entries<T>(
        _ top: DocumentObject, _ key: String, required: Bool,
        _ decodeOne: (inout Self, DocumentNode, DocumentPath) -> T?
    ) -> [T] {
        (issues.list(top, key, required: required) ?? []).compactMap { decodeOne(&self, $0.0, $0.1) }
    }

    mutating func decodePeriod(_ top: DocumentObject) -> Period? {
        guard let node = issues.required(top, "period"),
              let object = issues.object(node, .root / "period", allowed: ["start", "end"])
        else { return nil }
        let start = issues.date(object, "start", required: true)
        let end = issues.date(object, "end", required: true)
        guard let start, let end else { return nil }
        if end < start {
            issues.error(object.path / "end", object["end"]?.position, "the period ends (\(end)) before it starts (\(start))")
            return nil
        }
        return Period(start: start, end: end)
    }

    /// duty, area, date and shift of an assignment or an uncovered slot.
    mutating func slotFields(_ object: DocumentObject) -> (DutyID, AreaID, CivilDate, ShiftID)? {
        let duty = issues.identifier(object, "duty")
        let area = issues.identifier(object, "area")
        let date = issues.date(object, "date", required: true)
        let shift = issues.identifier(object, "shift")
        guard let duty, let area, let date, let shift else { return nil }
        return (DutyID(duty), AreaID(area), date, ShiftID(shift))
    }

    mutating func decodeAssignment(_ node: DocumentNode, _ path: DocumentPath) -> Assignment? {
        guard let object = issues.object(node, path, allowed: ["duty", "area", "date", "shift", "member"]) else { return nil }
        let slot = slotFields(object)
        let member = issues.identifier(object, "member")
        guard let (duty, area, date, shift) = slot, let member else { return nil }
        return Assignment(duty: duty, area: area, date: date, shift: shift, member: MemberID(member))
    }

    mutating func decodeUncovered(_ node: DocumentNode, _ path: DocumentPath) -> UncoveredSlot? {
        guard let object = issues.object(node, path, allowed: ["duty", "area", "date", "shift", "missing", "reason"]) else {
            return nil
        }
        let slot = slotFields(object)
        let missing = issues.integer(object, "missing", required: true, where: { $0 >= 0 }, "a whole number ≥ 0")
        let reason = issues.string(object, "reason", required: false)
        guard let (duty, area, date, shift) = slot, let missing else { return nil }
        return UncoveredSlot(duty: duty, area: area, date: date, shift: shift, missing: missing, reason: reason)
    }

    mutating func decodePlacement(_ node: DocumentNode, _ path: DocumentPath) -> Placement? {
        guard let object = issues.object(node, path, allowed: ["item", "station"]) else { return nil }
        let item = issues.identifier(object, "item")
        let station = issues.identifier(object, "station")
        guard let item, let station else { return nil }
        return Placement(item: ItemID(item), station: MemberID(station))
    }

    mutating func decodeDesignation(_ node: DocumentNode, _ path: DocumentPath) -> Designation? {
        guard let object = issues.object(node, path, allowed: ["patient", "hospital"]) else { return nil }
        let patient = issues.identifier(object, "patient")
        let hospital = issues.identifier(object, "hospital")
        guard let patient, let hospital else { return nil }
        return Designation(patient: PatientID(patient), hospital: HospitalID(hospital))
    }

    mutating func decodeBooking(_ node: DocumentNode, _ path: DocumentPath) -> RespiteBooking? {
        guard let object = issues.object(node, path, allowed: ["request", "hospital", "start"]) else { return nil }
        let request = issues.identifier(object, "request")
        let hospital = issues.identifier(object, "hospital")
        let start = issues.date(object, "start", required: true)
        guard let request, let hospital, let start else { return nil }
        return RespiteBooking(request: RespiteID(request), hospital: HospitalID(hospital), start: start)
    }

    mutating func decodeDeputy(_ node: DocumentNode, _ path: DocumentPath) -> DeputyDesignation? {
        guard let object = issues.object(node, path, allowed: ["patient", "deputy"]) else { return nil }
        let patient = issues.identifier(object, "patient")
        let deputy = issues.identifier(object, "deputy")
        guard let patient, let deputy else { return nil }
        return DeputyDesignation(patient: HomePatientID(patient), deputy: MemberID(deputy))
    }

    /// `objective`: a total and the unweighted terms, keyed by the names of SPEC section 5.
    mutating func decodeObjective(_ node: DocumentNode) -> PlanObjective? {
        let path = DocumentPath.root / "objective"
        guard let object = issues.object(node, path, allowed: ["total", "terms"]) else { return nil }
        let total = issues.number(object, "total", required: true, where: { _ in true }, "")
        var terms: [ObjectiveTerm: Double] = [:]
        if let termsNode = issues.required(object, "terms"),
           let termsObject = issues.object(termsNode, path / "terms", allowed: ObjectiveTerm.allCases.map(\.rawValue))
        {
            for term in ObjectiveTerm.allCases {
                if let value = issues.number(termsObject, term.rawValue, required: false, where: { _ in true }, "") {
                    terms[term] = value
                }
            }
        }
        guard let total else { return nil }
        return PlanObjective(total: total, terms: terms)
    }

    mutating func decodeSolver(_ node: DocumentNode) -> SolverReport? {
        let path = DocumentPath.root / "solver"
        guard let object = issues.object(node, path, allowed: ["engine", "status", "bound", "gap", "seconds"]) else {
            return nil
        }
        let engine = issues.string(object, "engine", required: true)
        let status = issues.string(object, "status", required: true)
        let bound = nullableNumber(object, "bound")
        let gap = nullableNumber(object, "gap")
        let seconds = issues.number(object, "seconds", required: true, where: { $0 >= 0 }, "≥ 0")
        guard let engine, let status, let bound, let gap, let seconds else { return nil }
        return SolverReport(engine: engine, status: status, bound: bound, gap: gap, seconds: seconds)
    }

    /// A number that may be `null` or absent (both read as nil); the outer nil means "invalid".
    mutating func nullableNumber(_ object: DocumentObject, _ key: String) -> Double?? {
        guard let node = object[key] else { return .some(nil) }
        if case .null = node.value { return .some(nil) }
        guard let value = issues.number(node, object.path / key) else { return nil }
        return .some(value)
    }
}
