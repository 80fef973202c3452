/// A change file (`"format": "rinban-change/1"`, JSON or YAML): a list of edits applied, in
/// order, to an instance, for what-if runs. See `docs/what-if.md`.
///
/// ```yaml
/// format: rinban-change/1
/// changes:
///   - change: unavailable
///     member: p07
///     from: 2026-12-10
///     to: 2026-12-12
///   - change: setBeds
///     hospital: h03
///     acute: 2
///   - change: setDeputy
///     patient: hp07
///     deputy: p12
/// ```
///
/// Reading checks each edit's shape (known kind, allowed keys, types, ranges); applying
/// checks what it refers to against the instance as the earlier edits left it; the edited
/// instance is then validated like any instance. Every problem is reported with its path
/// in the change file (`changes[2].member: unknown member "p99"`), or, when it only shows
/// in the edited instance, with the instance path and the words "after the changes".
public struct ChangeSet: Sendable {
    /// The format tag a change file must carry.
    public static let format = "rinban-change/1"

    /// The kinds of edit.
    public enum Kind: String, Sendable, CaseIterable {
        /// A member is away: `member`, `date` or `from`/`to`, optional `shifts`.
        case unavailable
        /// A physician or station joins: `physician: MEMBER` or `station: STATION`.
        case addMember
        /// A member leaves (`member`), or every physician of a clinic (`clinic`); their pins go
        /// too. A home-care patient whose attending leaves is handed over to its published
        /// deputy; a `previous` naming a leaving physician is removed.
        case removeMember
        /// A member's `share`, `maxDuties` and/or `maxDeputyPatients` (null removes a cap).
        case setMember
        /// A pin is added or removed: `duty`, `area`, `date`, `shift`, `member`.
        case addPin, removePin
        /// A duty's demand for one shift and day type: `duty`, `shift`, `dayType`, `count`.
        case setDemand
        /// A station's `capacity`, `load` and/or `nurses`.
        case setStation
        /// A hospital's pledged beds: `acute`, `palliative` and/or `respite`.
        case setBeds
        /// A pre-registered patient: `patient: PATIENT` / `patient: id`.
        case addPatient, removePatient
        /// A respite request: `request: RESPITE` / `request: id`.
        case addRespite, removeRespite
        /// A home-care patient of the deputy designation: `patient: HOMEPATIENT` / `patient: id`.
        case addHomePatient, removeHomePatient
        /// A deputy set by hand (`patient`, `deputy`), kept whatever else moves. The instance
        /// format has no place for it: it stays in the change set (``ChangedInstance/deputyPins``).
        case setDeputy
    }

    /// One edit with where it is written.
    public struct Change: Sendable {
        public var kind: Kind
        /// `changes[i]`.
        public var path: DocumentPath
        public var position: SourcePosition
        /// The free-text `note`, if any.
        public var note: String?
        let node: DocumentNode
    }

    public var description: String?
    public var changes: [Change]
    /// The file the changes came from.
    public var file: String?

    /// Reads and checks the shape of a change file.
    public static func load(contentsOf path: String) throws(InputError) -> ChangeSet {
        let (node, _) = try DocumentReader.read(contentsOf: path)
        return try parse(node, file: path)
    }

    /// Checks the shape of a change document: kinds, keys, types and ranges.
    public static func parse(_ root: DocumentNode, file: String? = nil) throws(InputError) -> ChangeSet {
        var issues = IssueCollector()
        var set = ChangeSet(description: nil, changes: [], file: file)
        guard let top = issues.object(root, .root, allowed: ["format", "description", "changes"]) else {
            throw InputError(file: file, issues: issues.sorted)
        }
        if let node = issues.required(top, "format"), let text = issues.string(node, .root / "format"), text != format {
            issues.error(.root / "format", node.position, "format is \"\(text)\"; a change file says \"\(format)\"")
        }
        set.description = issues.string(top, "description", required: false)
        for (node, path) in issues.list(top, "changes", required: true) ?? [] {
            if let change = checkShape(node, path, &issues) { set.changes.append(change) }
        }
        if case .array(let list)? = top["changes"]?.value, list.isEmpty {
            issues.error(.root / "changes", top["changes"]?.position, "the list of changes is empty")
        }
        if issues.hasErrors { throw InputError(file: file, issues: issues.sorted) }
        return set
    }

    private static let entityKeys: [Kind: [String]] = [
        .unavailable: ["member", "date", "from", "to", "shifts"],
        .addMember: ["physician", "station"],
        .removeMember: ["member", "clinic"],
        .setMember: ["member", "share", "maxDuties", "maxDeputyPatients"],
        .addPin: ["duty", "area", "date", "shift", "member"],
        .removePin: ["duty", "area", "date", "shift", "member"],
        .setDemand: ["duty", "shift", "dayType", "count"],
        .setStation: ["station", "capacity", "load", "nurses"],
        .setBeds: ["hospital", "acute", "palliative", "respite"],
        .addPatient: ["patient"], .removePatient: ["patient"],
        .addRespite: ["request"], .removeRespite: ["request"],
        .addHomePatient: ["patient"], .removeHomePatient: ["patient"],
        .setDeputy: ["patient", "deputy"],
    ]

    private static func checkShape(_ node: DocumentNode, _ path: DocumentPath, _ issues: inout IssueCollector) -> Change? {
        guard case let .object(members) = node.value else {
            issues.error(path, node.position, "expected an object, found \(node.kindDescription)")
            return nil
        }
        guard let kindNode = members.first(where: { $0.key == "change" })?.node else {
            issues.error(path / "change", node.position,
                         "missing \"change\" (one of \(Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
            return nil
        }
        guard let kindText = issues.string(kindNode, path / "change") else { return nil }
        guard let kind = Kind(rawValue: kindText) else {
            var message = "unknown change \"\(kindText)\"; use one of \(Kind.allCases.map(\.rawValue).joined(separator: ", "))"
            if let near = Kind.allCases.first(where: { $0.rawValue.lowercased() == kindText.lowercased() }) {
                message = "unknown change \"\(kindText)\" (did you mean \"\(near.rawValue)\"?)"
            }
            issues.error(path / "change", kindNode.position, message)
            return nil
        }
        let keys = entityKeys[kind]!
        guard let object = issues.object(node, path, allowed: ["change", "note"] + keys) else { return nil }
        let note = issues.string(object, "note", required: false)
        let before = issues.issues.count
        func requireIDs(_ names: [String]) {
            for name in names { _ = issues.identifier(object, name) }
        }
        func exactlyOne(_ a: String, _ b: String) {
            if object.has(a) == object.has(b) {
                issues.error(path, node.position, "give exactly one of \"\(a)\" and \"\(b)\"")
            }
        }
        func atLeastOne(_ names: [String]) {
            if !names.contains(where: object.has) {
                issues.error(path, node.position, "nothing to change: give at least one of \(names.map { "\"\($0)\"" }.joined(separator: ", "))")
            }
        }
        switch kind {
        case .unavailable:
            requireIDs(["member"])
            if object.has("date") {
                if object.has("from") || object.has("to") {
                    issues.error(path / "date", object["date"]?.position, "give either \"date\" or \"from\" and \"to\", not both")
                }
                _ = issues.date(object, "date", required: true)
            } else if let from = issues.date(object, "from", required: true), let to = issues.date(object, "to", required: true), to < from {
                issues.error(path / "to", object["to"]?.position, "the absence ends (\(to)) before it starts (\(from))")
            }
            if object.has("shifts") {
                let shifts = issues.list(object, "shifts") ?? []
                for (shift, shiftPath) in shifts { _ = issues.identifier(shift, shiftPath) }
                if shifts.isEmpty { issues.error(path / "shifts", object["shifts"]?.position, "an empty list of shifts blocks nothing") }
            }
        case .addMember:
            exactlyOne("physician", "station")
            for key in ["physician", "station"] where object.has(key) { requireObject(object[key]!, path / key, &issues) }
        case .removeMember:
            exactlyOne("member", "clinic")
            if object.has("member") { requireIDs(["member"]) }
            if object.has("clinic") { requireIDs(["clinic"]) }
        case .setMember:
            requireIDs(["member"])
            atLeastOne(["share", "maxDuties", "maxDeputyPatients"])
            _ = issues.number(object, "share", required: false, where: { $0 >= 0 }, "≥ 0")
            for key in ["maxDuties", "maxDeputyPatients"] {
                if let cap = object[key], !cap.isNull {
                    _ = issues.integer(object, key, required: false, where: { $0 >= 0 }, "≥ 0")
                }
            }
        case .addPin, .removePin:
            requireIDs(["duty", "area", "shift", "member"])
            _ = issues.date(object, "date", required: true)
        case .setDemand:
            requireIDs(["duty", "shift"])
            if let dayType = issues.string(object, "dayType", required: true), DayType(rawValue: dayType) == nil {
                issues.error(path / "dayType", object["dayType"]?.position,
                             "unknown day type \"\(dayType)\"; use weekday, saturday or holiday")
            }
            _ = issues.integer(object, "count", required: true, where: { $0 >= 0 }, "≥ 0")
        case .setStation:
            requireIDs(["station"])
            atLeastOne(["capacity", "load", "nurses"])
            _ = issues.number(object, "capacity", required: false, where: { $0 > 0 }, "> 0")
            _ = issues.number(object, "load", required: false, where: { $0 >= 0 }, "≥ 0")
            _ = issues.number(object, "nurses", required: false, where: { $0 > 0 }, "> 0")
        case .setBeds:
            requireIDs(["hospital"])
            atLeastOne(["acute", "palliative", "respite"])
            for need in ["acute", "palliative", "respite"] {
                _ = issues.integer(object, need, required: false, where: { $0 >= 0 }, "≥ 0")
            }
        case .addPatient, .addRespite, .addHomePatient:
            let key = kind == .addRespite ? "request" : "patient"
            if let entity = issues.required(object, key) { requireObject(entity, path / key, &issues) }
        case .removePatient, .removeRespite, .removeHomePatient:
            requireIDs([kind == .removeRespite ? "request" : "patient"])
        case .setDeputy:
            requireIDs(["patient", "deputy"])
        }
        guard issues.issues.count == before else { return nil }
        return Change(kind: kind, path: path, position: node.position, note: note, node: node)
    }

    /// The entity inside addMember/addPatient/addRespite/addHomePatient must be an object; its keys and
    /// values are checked by the instance validation once it is in place.
    private static func requireObject(_ node: DocumentNode, _ path: DocumentPath, _ issues: inout IssueCollector) {
        if node.members == nil { issues.error(path, node.position, "expected an object, found \(node.kindDescription)") }
    }
}

extension DocumentNode {
    var isNull: Bool {
        if case .null = value { return true }
        return false
    }
}
