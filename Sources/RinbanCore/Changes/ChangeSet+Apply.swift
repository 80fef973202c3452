/// An instance with a change set applied.
public struct ChangedInstance: Sendable {
    /// The edited instance document (write it with `jsonText()` to keep the scenario).
    public let document: DocumentNode
    /// The edited instance, validated.
    public let loaded: LoadedInstance
    /// One line per change, in order: what it did ("p07 unavailable 2026-12-10 – 2026-12-12").
    public let applied: [String]
    /// Whether a change concerns load sharing (stations added, removed or resized).
    public let touchesLoadSharing: Bool
    /// Whether a change concerns beds (pledged beds, patients, respite requests).
    public let touchesBeds: Bool
}

extension ChangeSet {
    /// Applies the changes in order to an instance document and validates the result.
    ///
    /// - Throws: ``InputError``: every change that refers to something missing (at its path
    ///   in the change file), then every problem of the edited instance. Problems inside an
    ///   entity a change added point into the change file; the rest name the instance path.
    public func apply(to document: DocumentNode, instanceFile: String? = nil) throws(InputError) -> ChangedInstance {
        var editor = Editor(root: document)
        var issues = IssueCollector()
        var applied: [String] = []
        for change in changes {
            do {
                applied.append(try editor.apply(change))
            } catch {
                issues.error(error.path, error.position, error.message)
            }
        }
        if issues.hasErrors { throw InputError(file: file, issues: issues.sorted) }
        do {
            let loaded = try InstanceDecoder.decode(editor.root, file: instanceFile)
            let kinds = Set(changes.map(\.kind))
            return ChangedInstance(document: editor.root, loaded: loaded, applied: applied,
                                   touchesLoadSharing: editor.touchesStations,
                                   touchesBeds: !kinds.isDisjoint(with: [.setBeds, .addPatient, .removePatient, .addRespite, .removeRespite]))
        } catch {
            throw InputError(file: file, issues: error.issues.map { editor.mapped($0) })
        }
    }
}

/// A change that refers to something that is not there.
private struct ChangeProblem: Error {
    var path: DocumentPath
    var position: SourcePosition?
    var message: String
}

/// The instance document being edited, with where each added entity came from.
private struct Editor {
    var root: DocumentNode
    /// (collection path, id) of every entity a change added → that entity's path in the change file.
    var added: [String: DocumentPath] = [:]
    /// Whether a station was added, removed or changed.
    var touchesStations = false

    /// The collections a change can add entities to.
    static let collections: [[String]] = [["physicians"], ["stations"], ["beds", "patients"], ["beds", "respite"]]

    // MARK: Lookup

    func list(_ key: [String]) -> [DocumentNode] {
        var node: DocumentNode? = root
        for k in key { node = node?[key: k] }
        return node?.elements ?? []
    }

    mutating func editList(_ key: [String], _ body: (inout [DocumentNode]) -> Void) {
        let position = root.position
        func descend(_ node: inout DocumentNode, _ rest: ArraySlice<String>) {
            guard let first = rest.first else { node.editElements(body); return }
            node.edit(first, creating: { rest.count == 1 ? .list(at: position) : .object(at: position) }) {
                if rest.count == 1, $0.isNull { $0 = .list(at: position) }
                descend(&$0, rest.dropFirst())
            }
        }
        descend(&root, key[...])
    }

    /// (collection, index) of a member id among physicians, then stations.
    func findMember(_ id: String) -> (key: String, index: Int)? {
        for key in ["physicians", "stations"] {
            if let index = list([key]).firstIndex(where: { $0.idText == id }) { return (key, index) }
        }
        return nil
    }

    func ids(_ key: [String]) -> [String] { list(key).compactMap(\.idText) }

    func requireExisting(_ id: String, in key: [String], what: String, _ change: ChangeSet.Change, field: String) throws(ChangeProblem) {
        guard ids(key).contains(id) else { throw unknown(what, id, change, field) }
    }

    func unknown(_ what: String, _ id: String, _ change: ChangeSet.Change, _ field: String) -> ChangeProblem {
        ChangeProblem(path: change.path / field, position: change.node[key: field]?.position ?? change.position,
                      message: "unknown \(what) \"\(id)\"")
    }

    // MARK: Applying

    mutating func apply(_ change: ChangeSet.Change) throws(ChangeProblem) -> String {
        let node = change.node
        let at = change.position
        func text(_ key: String) -> String { node[key: key]?.text ?? "" }
        switch change.kind {
        case .unavailable:
            let id = text("member")
            guard let (key, index) = findMember(id) else { throw unknown("member", id, change, "member") }
            let from = node[key: "date"] ?? node[key: "from"]!
            let to = node[key: "date"] ?? node[key: "to"]!
            var absence: [(String, DocumentNode)] = [("from", from), ("to", to)]
            if let shifts = node[key: "shifts"] {
                let known = Set(ids(["shifts"]))
                for (i, shift) in (shifts.elements ?? []).enumerated() where !known.contains(shift.text ?? "") {
                    throw ChangeProblem(path: change.path / "shifts" / i, position: shift.position,
                                        message: "unknown shift \"\(shift.text ?? "")\"")
                }
                absence.append(("shifts", shifts))
            }
            editList([key]) { $0[index].edit("unavailable", creating: { .list(at: at) }) { list in
                if list.isNull { list = .list(at: at) }
                list.editElements { $0.append(.object(absence, at: at)) }
            } }
            let span = from.text == to.text ? from.text ?? "" : "\(from.text ?? "") – \(to.text ?? "")"
            let shifts = node[key: "shifts"]?.elements?.compactMap(\.text).joined(separator: ", ")
            return "\(id) unavailable \(span)" + (shifts.map { " (\($0))" } ?? "")

        case .addMember:
            let key = node[key: "physician"] != nil ? "physician" : "station"
            let entity = node[key: key]!
            let collection = key == "physician" ? "physicians" : "stations"
            if key == "station" { touchesStations = true }
            if let id = entity.idText { added["\(collection)|\(id)"] = change.path / key }
            editList([collection]) { $0.append(entity) }
            return "\(key) \(entity.idText ?? "?") added"

        case .removeMember:
            var removed: [String] = []
            if let clinic = node[key: "clinic"]?.text {
                try requireExisting(clinic, in: ["clinics"], what: "clinic", change, field: "clinic")
                removed = list(["physicians"]).filter { $0[key: "clinic"]?.text == clinic }.compactMap(\.idText)
                if removed.isEmpty {
                    throw ChangeProblem(path: change.path / "clinic", position: node[key: "clinic"]?.position,
                                        message: "clinic \"\(clinic)\" has no physicians to remove")
                }
            } else {
                let id = text("member")
                guard findMember(id) != nil else { throw unknown("member", id, change, "member") }
                removed = [id]
            }
            let gone = Set(removed)
            if list(["stations"]).contains(where: { gone.contains($0.idText ?? "") }) { touchesStations = true }
            var pinsRemoved = 0
            var referralsFreed = 0
            for key in ["physicians", "stations"] {
                // A station that leaves: items it referred become new referrals in its block.
                if key == "stations" {
                    for station in list(["stations"]) where gone.contains(station.idText ?? "") {
                        let block = station[key: "block"]
                        editList(["loadSharing", "items"]) { items in
                            for i in items.indices where items[i][key: "from"]?.text == station.idText {
                                items[i].set("from", DocumentNode(.null, at: at))
                                if items[i][key: "block"] == nil, let block { items[i].set("block", block) }
                                referralsFreed += 1
                            }
                        }
                    }
                }
                editList([key]) { $0.removeAll { gone.contains($0.idText ?? "") } }
            }
            editList(["pins"]) { pins in
                let before = pins.count
                pins.removeAll { gone.contains($0[key: "member"]?.text ?? "") }
                pinsRemoved = before - pins.count
            }
            var line = (node[key: "clinic"]?.text.map { "clinic \($0) leaves the rota: " } ?? "")
                + removed.joined(separator: ", ") + " removed"
            if pinsRemoved > 0 { line += " (with \(pinsRemoved) pin\(pinsRemoved == 1 ? "" : "s"))" }
            if referralsFreed > 0 { line += "; \(referralsFreed) item(s) it referred become new referrals" }
            return line

        case .setMember:
            let id = text("member")
            guard let (key, index) = findMember(id) else { throw unknown("member", id, change, "member") }
            var parts: [String] = []
            editList([key]) { members in
                if let share = node[key: "share"] {
                    members[index].set("share", share)
                    parts.append("share \(share.numberText)")
                }
                if let cap = node[key: "maxDuties"] {
                    if cap.isNull { members[index].remove("maxDuties"); parts.append("no duty cap") } else {
                        members[index].set("maxDuties", cap)
                        parts.append("at most \(cap.numberText) duties")
                    }
                }
            }
            return "\(id): " + parts.joined(separator: ", ")

        case .addPin, .removePin:
            let fields = ["duty", "area", "date", "shift", "member"]
            let pin = fields.map { ($0, node[key: $0]!) }
            let line = fields.map { text($0) }.joined(separator: " ")
            if change.kind == .addPin {
                guard findMember(text("member")) != nil else { throw unknown("member", text("member"), change, "member") }
                try requireExisting(text("duty"), in: ["duties"], what: "duty", change, field: "duty")
                try requireExisting(text("shift"), in: ["shifts"], what: "shift", change, field: "shift")
                editList(["pins"]) { $0.append(.object(pin, at: at)) }
                return "pin added: \(line)"
            }
            guard let index = list(["pins"]).firstIndex(where: { existing in fields.allSatisfy { existing[key: $0]?.text == text($0) } })
            else { throw ChangeProblem(path: change.path, position: at, message: "the instance has no pin \(line)") }
            editList(["pins"]) { $0.remove(at: index) }
            return "pin removed: \(line)"

        case .setDemand:
            let duty = text("duty"), shift = text("shift"), dayType = text("dayType")
            guard let index = list(["duties"]).firstIndex(where: { $0.idText == duty }) else { throw unknown("duty", duty, change, "duty") }
            try requireExisting(shift, in: ["shifts"], what: "shift", change, field: "shift")
            let count = node[key: "count"]!
            editList(["duties"]) { duties in
                duties[index].edit("demand", creating: { .object(at: at) }) { demand in
                    demand.edit(shift, creating: { .object(at: at) }) { $0.set(dayType, count) }
                }
            }
            return "\(duty) demand for \(shift) on \(dayType) dates: \(count.numberText)"

        case .setStation:
            let id = text("station")
            guard let index = list(["stations"]).firstIndex(where: { $0.idText == id }) else { throw unknown("station", id, change, "station") }
            var parts: [String] = []
            touchesStations = true
            editList(["stations"]) { stations in
                for key in ["capacity", "load", "nurses"] {
                    if let value = node[key: key] {
                        stations[index].set(key, value)
                        parts.append("\(key) \(value.numberText)")
                    }
                }
            }
            return "station \(id): " + parts.joined(separator: ", ")

        case .setBeds:
            let id = text("hospital")
            guard let index = list(["beds", "hospitals"]).firstIndex(where: { $0.idText == id }) else {
                throw unknown("hospital", id, change, "hospital")
            }
            var parts: [String] = []
            editList(["beds", "hospitals"]) { hospitals in
                hospitals[index].edit("beds", creating: { .object(at: at) }) { beds in
                    for need in ["acute", "palliative", "respite"] {
                        if let value = node[key: need] {
                            beds.set(need, value)
                            parts.append("\(need) \(value.numberText)")
                        }
                    }
                }
            }
            return "hospital \(id) beds: " + parts.joined(separator: ", ")

        case .addPatient, .addRespite:
            let field = change.kind == .addPatient ? "patient" : "request"
            let collection = change.kind == .addPatient ? "patients" : "respite"
            let entity = node[key: field]!
            if let id = entity.idText { added["beds.\(collection)|\(id)"] = change.path / field }
            editList(["beds", collection]) { $0.append(entity) }
            return "\(change.kind == .addPatient ? "patient" : "respite request") \(entity.idText ?? "?") added"

        case .removePatient, .removeRespite:
            let field = change.kind == .removePatient ? "patient" : "request"
            let collection = change.kind == .removePatient ? "patients" : "respite"
            let what = change.kind == .removePatient ? "patient" : "respite request"
            let id = text(field)
            try requireExisting(id, in: ["beds", collection], what: what, change, field: field)
            editList(["beds", collection]) { $0.removeAll { $0.idText == id } }
            return "\(what) \(id) removed"
        }
    }

    // MARK: Mapping problems back

    /// An instance problem inside an entity a change added → its path in the change file;
    /// any other → the instance path, marked "after the changes".
    func mapped(_ issue: InputIssue) -> InputIssue {
        let components = issue.path.components
        for key in Self.collections {
            guard components.count > key.count,
                  Array(components.prefix(key.count)) == key.map(DocumentPath.Component.key),
                  case let .index(index) = components[key.count]
            else { continue }
            let elements = list(key)
            guard index < elements.count, let id = elements[index].idText,
                  let origin = added["\(key.joined(separator: "."))|\(id)"]
            else { break }
            var mapped = issue
            mapped.path = DocumentPath(origin.components + Array(components.dropFirst(key.count + 1)))
            return mapped
        }
        var mapped = issue
        mapped.position = nil
        mapped.message = "in the instance after the changes: " + issue.message
        return mapped
    }
}

extension DocumentNode {
    /// A number as written, or a description of the value.
    var numberText: String {
        switch value {
        case let .number(_, text): return text
        case .null: return "none"
        default: return kindDescription
        }
    }
}
