/// An instance with a change set applied.
public struct ChangedInstance: Sendable {
    /// The edited instance document (write it with `jsonText()` to keep the scenario).
    public let document: DocumentNode
    /// The edited instance, validated.
    public let loaded: LoadedInstance
    /// What the changes did, in order: one line per change ("p07 unavailable 2026-12-10 –
    /// 2026-12-12"), then, after a `removeMember`, one line per home-care patient it
    /// concerns ("hp03: attending p07 leaves; p12 (the deputy) becomes the attending").
    public let applied: [String]
    /// Whether a change concerns load sharing (stations added, removed or resized).
    public let touchesLoadSharing: Bool
    /// Whether a change concerns beds (pledged beds, patients, respite requests).
    public let touchesBeds: Bool
    /// Deputies set by hand (`setDeputy`), by patient; the later of two for one patient
    /// wins. `rinban/1` has no place for them, so they live only in the change set: a plan
    /// made from the document alone (`--save-instance`) does not know them.
    public let deputyPins: [HomePatientID: MemberID]
    /// Whether a change concerns patient deputies: home-care patients added or removed, a
    /// deputy set by hand, a `maxDeputyPatients` changed, or a physician removed who is an
    /// attending, a `previous` deputy, a published deputy or a hand-set one.
    public let touchesDeputies: Bool
}

extension ChangeSet {
    /// Applies the changes in order to an instance document and validates the result.
    ///
    /// `published` is the plan the changes are asked of: when a physician leaves, each
    /// home-care patient they attend is handed over to its deputy in that plan, who knows
    /// the patient. Without it (or without a deputy who stays) such a change is refused.
    ///
    /// - Throws: ``InputError``: every change that refers to something missing (at its path
    ///   in the change file), then every problem of the edited instance (problems inside an
    ///   entity a change added point into the change file; the rest name the instance
    ///   path), then every hand-set deputy the edited instance does not allow.
    public func apply(to document: DocumentNode, instanceFile: String? = nil, published: Plan? = nil)
        throws(InputError) -> ChangedInstance
    {
        var editor = Editor(root: document, published: published)
        var issues = IssueCollector()
        var applied: [String] = []
        for change in changes {
            do {
                applied += try editor.apply(change)
            } catch {
                issues.error(error.path, error.position, error.message)
            }
        }
        if issues.hasErrors { throw InputError(file: file, issues: issues.sorted) }
        let loaded: LoadedInstance
        do {
            loaded = try InstanceDecoder.decode(editor.root, file: instanceFile)
        } catch {
            throw InputError(file: file, issues: error.issues.map { editor.mapped($0) })
        }
        let pinIssues = editor.checkDeputyPins(loaded.instance)
        if pinIssues.hasErrors { throw InputError(file: file, issues: pinIssues.sorted) }
        let kinds = Set(changes.map(\.kind))
        var pins: [HomePatientID: MemberID] = [:]
        for (patient, pin) in editor.deputyPins { pins[HomePatientID(patient)] = MemberID(pin.deputy) }
        return ChangedInstance(
            document: editor.root, loaded: loaded, applied: applied,
            touchesLoadSharing: editor.touchesStations,
            touchesBeds: !kinds.isDisjoint(with: [.setBeds, .addPatient, .removePatient, .addRespite, .removeRespite]),
            deputyPins: pins,
            touchesDeputies: editor.touchesDeputies
                || !kinds.isDisjoint(with: [.addHomePatient, .removeHomePatient, .setDeputy]))
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
    /// The plan the changes are asked of (for handing a leaving attending's patients over).
    let published: Plan?
    /// (collection path, id) of every entity a change added → that entity's path in the change file.
    var added: [String: DocumentPath] = [:]
    /// Whether a station was added, removed or changed.
    var touchesStations = false
    /// Whether a change besides the deputy kinds concerns deputies (a cap, a physician leaving).
    var touchesDeputies = false
    /// Deputies set by hand, by patient id (a later `setDeputy` replaces an earlier one).
    var deputyPins: [String: DeputyPin] = [:]

    /// A `setDeputy` in force.
    struct DeputyPin {
        var deputy: String
        var change: ChangeSet.Change
    }

    /// The collections a change can add entities to.
    static let collections: [[String]] = [["physicians"], ["stations"], ["beds", "patients"], ["beds", "respite"],
                                          ["deputies", "patients"]]
    /// Where home-care patients live in the document.
    static let homePatients = ["deputies", "patients"]

    init(root: DocumentNode, published: Plan?) {
        self.root = root
        self.published = published
    }

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
                if $0.isNull { $0 = rest.count == 1 ? .list(at: position) : .object(at: position) }
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

    mutating func apply(_ change: ChangeSet.Change) throws(ChangeProblem) -> [String] {
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
            return ["\(id) unavailable \(span)" + (shifts.map { " (\($0))" } ?? "")]

        case .addMember:
            let key = node[key: "physician"] != nil ? "physician" : "station"
            let entity = node[key: key]!
            let collection = key == "physician" ? "physicians" : "stations"
            if key == "station" { touchesStations = true }
            if let id = entity.idText { added["\(collection)|\(id)"] = change.path / key }
            editList([collection]) { $0.append(entity) }
            return ["\(key) \(entity.idText ?? "?") added"]

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
            // Refused before anything is edited when a patient would be left without an attending.
            let effects = try deputyEffects(of: gone, change)
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
            let deputyPinsRemoved = deputyPins.filter { gone.contains($0.value.deputy) }.count
            deputyPins = deputyPins.filter { !gone.contains($0.value.deputy) }
            if effects.concernsDeputies || deputyPinsRemoved > 0 { touchesDeputies = true }
            let effectLines = editHomePatients(effects, at: at)

            var line = (node[key: "clinic"]?.text.map { "clinic \($0) leaves the rota: " } ?? "")
                + removed.joined(separator: ", ") + " removed"
            var with: [String] = []
            if pinsRemoved > 0 { with.append("\(pinsRemoved) pin\(pinsRemoved == 1 ? "" : "s")") }
            if deputyPinsRemoved > 0 {
                with.append("\(deputyPinsRemoved) deput\(deputyPinsRemoved == 1 ? "y" : "ies") set by hand")
            }
            if !with.isEmpty { line += " (with \(with.joined(separator: ", ")))" }
            if referralsFreed > 0 { line += "; \(referralsFreed) item(s) it referred become new referrals" }
            return [line] + effectLines

        case .setMember:
            let id = text("member")
            guard let (key, index) = findMember(id) else { throw unknown("member", id, change, "member") }
            if key == "stations", let cap = node[key: "maxDeputyPatients"] {
                throw ChangeProblem(path: change.path / "maxDeputyPatients", position: cap.position,
                                    message: "\(id) is a visiting-nurse station: only physicians are deputies of home-care "
                                        + "patients, so a station takes no maxDeputyPatients")
            }
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
                if let cap = node[key: "maxDeputyPatients"] {
                    if cap.isNull {
                        members[index].remove("maxDeputyPatients")
                        parts.append("no cap on deputy patients")
                    } else {
                        members[index].set("maxDeputyPatients", cap)
                        parts.append("deputy of at most \(cap.numberText) patient\(cap.numberText == "1" ? "" : "s")")
                    }
                }
            }
            if node[key: "maxDeputyPatients"] != nil { touchesDeputies = true }
            return ["\(id): " + parts.joined(separator: ", ")]

        case .addPin, .removePin:
            let fields = ["duty", "area", "date", "shift", "member"]
            let pin = fields.map { ($0, node[key: $0]!) }
            let line = fields.map { text($0) }.joined(separator: " ")
            if change.kind == .addPin {
                guard findMember(text("member")) != nil else { throw unknown("member", text("member"), change, "member") }
                try requireExisting(text("duty"), in: ["duties"], what: "duty", change, field: "duty")
                try requireExisting(text("shift"), in: ["shifts"], what: "shift", change, field: "shift")
                editList(["pins"]) { $0.append(.object(pin, at: at)) }
                return ["pin added: \(line)"]
            }
            guard let index = list(["pins"]).firstIndex(where: { existing in fields.allSatisfy { existing[key: $0]?.text == text($0) } })
            else { throw ChangeProblem(path: change.path, position: at, message: "the instance has no pin \(line)") }
            editList(["pins"]) { $0.remove(at: index) }
            return ["pin removed: \(line)"]

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
            return ["\(duty) demand for \(shift) on \(dayType) dates: \(count.numberText)"]

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
            return ["station \(id): " + parts.joined(separator: ", ")]

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
            return ["hospital \(id) beds: " + parts.joined(separator: ", ")]

        case .addPatient, .addRespite:
            let field = change.kind == .addPatient ? "patient" : "request"
            let collection = change.kind == .addPatient ? "patients" : "respite"
            let entity = node[key: field]!
            if let id = entity.idText { added["beds.\(collection)|\(id)"] = change.path / field }
            editList(["beds", collection]) { $0.append(entity) }
            return ["\(change.kind == .addPatient ? "patient" : "respite request") \(entity.idText ?? "?") added"]

        case .removePatient, .removeRespite:
            let field = change.kind == .removePatient ? "patient" : "request"
            let collection = change.kind == .removePatient ? "patients" : "respite"
            let what = change.kind == .removePatient ? "patient" : "respite request"
            let id = text(field)
            try requireExisting(id, in: ["beds", collection], what: what, change, field: field)
            editList(["beds", collection]) { $0.removeAll { $0.idText == id } }
            return ["\(what) \(id) removed"]

        case .addHomePatient:
            let entity = node[key: "patient"]!
            if let id = entity.idText { added["deputies.patients|\(id)"] = change.path / "patient" }
            editList(Self.homePatients) { $0.append(entity) }
            return ["home-care patient \(entity.idText ?? "?") added"]

        case .removeHomePatient:
            let id = text("patient")
            try requireHomePatient(id, change)
            editList(Self.homePatients) { $0.removeAll { $0.idText == id } }
            let pin = deputyPins.removeValue(forKey: id)
            return ["home-care patient \(id) removed" + (pin.map { " (with its deputy set by hand, \($0.deputy))" } ?? "")]

        case .setDeputy:
            let patient = text("patient"), deputy = text("deputy")
            try requireHomePatient(patient, change)
            guard let (key, _) = findMember(deputy) else {
                throw ChangeProblem(path: change.path / "deputy", position: node[key: "deputy"]?.position,
                                    message: IdentifierSuggestion.unknown("physician", deputy, among: ids(["physicians"])))
            }
            guard key == "physicians" else {
                throw ChangeProblem(path: change.path / "deputy", position: node[key: "deputy"]?.position,
                                    message: "\"\(deputy)\" is a visiting-nurse station; a deputy is a physician")
            }
            let earlier = deputyPins[patient]
            deputyPins[patient] = DeputyPin(deputy: deputy, change: change)
            var line = "\(patient): deputy set by hand to \(deputy)"
            if let earlier { line += " (replaces \(earlier.deputy), set at \(earlier.change.path))" }
            return [line]
        }
    }

    func requireHomePatient(_ id: String, _ change: ChangeSet.Change) throws(ChangeProblem) {
        let known = ids(Self.homePatients)
        guard known.contains(id) else {
            throw ChangeProblem(path: change.path / "patient", position: change.node[key: "patient"]?.position ?? change.position,
                                message: IdentifierSuggestion.unknown("home-care patient", id, among: known))
        }
    }

    // MARK: Home-care patients of a leaving physician

    /// What physicians leaving means for the home-care patients, worked out before anything
    /// is edited.
    struct DeputyEffects {
        /// A patient whose attending leaves, handed over to its published deputy.
        struct Handover {
            var index: Int
            var patient: String
            var from: String
            var to: String
            /// The old attending's block, written into a patient that had none, so the patient
            /// does not move to the new attending's block.
            var block: String?
            /// `previous` named the new attending or a leaving physician and goes.
            var clearsPrevious: Bool
        }

        var handovers: [Handover] = []
        /// Patients (index, id, previous) whose `previous` deputy leaves.
        var previousLeaving: [(index: Int, patient: String, previous: String)] = []
        /// Whether a leaving physician attends a patient, is a `previous` or a published deputy.
        var concernsDeputies = false
    }

    /// The handovers and cleared `previous` entries for the physicians in `gone`.
    ///
    /// - Throws: a problem at the change naming every patient whose attending leaves without
    ///   a published deputy who stays to take over.
    func deputyEffects(of gone: Set<String>, _ change: ChangeSet.Change) throws(ChangeProblem) -> DeputyEffects {
        let physicians = list(["physicians"])
        let leaving = Set(physicians.compactMap(\.idText).filter(gone.contains))
        var effects = DeputyEffects()
        guard !leaving.isEmpty else { return effects }
        let staying = Set(physicians.compactMap(\.idText)).subtracting(leaving)
        if let published, published.deputies.contains(where: { leaving.contains($0.deputy.rawValue) }) {
            effects.concernsDeputies = true
        }
        var stranded: [String] = []
        for (index, patient) in list(Self.homePatients).enumerated() {
            let id = patient.idText ?? "?"
            let previous = patient[key: "previous"]?.text
            guard let attending = patient[key: "attending"]?.text, leaving.contains(attending) else {
                if let previous, leaving.contains(previous) {
                    effects.previousLeaving.append((index, id, previous))
                    effects.concernsDeputies = true
                }
                continue
            }
            effects.concernsDeputies = true
            // The first entry of the patient counts, as the evaluator counts it.
            let deputy = published?.deputies.first { $0.patient.rawValue == id }?.deputy.rawValue
            guard let successor = deputy, staying.contains(successor) else {
                let why: String
                if published == nil {
                    why = "no published plan to take a deputy from"
                } else if let deputy {
                    why = leaving.contains(deputy) ? "its deputy \(deputy) leaves too" : "its deputy \(deputy) is no longer in the instance"
                } else {
                    why = "no deputy in the published plan"
                }
                stranded.append("\(id) (attending \(attending); \(why))")
                continue
            }
            var block: String?
            if patient[key: "block"] == nil || patient[key: "block"]!.isNull,
               let clinic = physicians.first(where: { $0.idText == attending })?[key: "clinic"]?.text
            {
                block = list(["clinics"]).first { $0.idText == clinic }?[key: "block"]?.text
            }
            let clearsPrevious = previous.map { $0 == successor || leaving.contains($0) } ?? false
            effects.handovers.append(.init(index: index, patient: id, from: attending, to: successor, block: block,
                                           clearsPrevious: clearsPrevious))
        }
        guard stranded.isEmpty else {
            let one = stranded.count == 1
            throw ChangeProblem(
                path: change.path, position: change.position,
                message: "home-care patient\(one ? "" : "s") " + stranded.joined(separator: ", ")
                    + " would have no attending: a patient whose attending leaves goes to its deputy in the published plan, "
                    + "and \(one ? "this one has" : "these have") none who stays. Remove \(one ? "it" : "each") (removeHomePatient) "
                    + "and add \(one ? "it" : "each") again (addHomePatient) with a new attending, before this change")
        }
        return effects
    }

    /// Writes the handovers and cleared `previous` entries into the document; one line each.
    mutating func editHomePatients(_ effects: DeputyEffects, at position: SourcePosition) -> [String] {
        guard !effects.handovers.isEmpty || !effects.previousLeaving.isEmpty else { return [] }
        var lines: [(Int, String)] = []
        editList(Self.homePatients) { patients in
            for h in effects.handovers {
                patients[h.index].set("attending", .string(h.to, at: position))
                var line = "\(h.patient): attending \(h.from) leaves; \(h.to) (the deputy) becomes the attending"
                if let block = h.block {
                    patients[h.index].set("block", .string(block, at: position))
                    line += "; the patient stays in block \(block)"
                }
                if h.clearsPrevious {
                    line += "; no previous deputy any more (was \(patients[h.index][key: "previous"]?.text ?? "?"))"
                    patients[h.index].remove("previous")
                }
                lines.append((h.index, line))
            }
            for p in effects.previousLeaving {
                patients[p.index].remove("previous")
                lines.append((p.index, "\(p.patient): previous deputy \(p.previous) leaves; no continuity to keep"))
            }
        }
        return lines.sorted { $0.0 < $1.0 }.map(\.1)
    }

    // MARK: Deputies set by hand

    /// Checks every `setDeputy` in force against the changed instance: the physician must
    /// be eligible (SPEC section 4b), and no physician set by hand for more patients than
    /// their `maxDeputyPatients`. Problems point at the change's `deputy`.
    func checkDeputyPins(_ instance: Instance) -> IssueCollector {
        var issues = IssueCollector()
        var byDeputy: [MemberIndex: [(patient: String, pin: DeputyPin)]] = [:]
        let ordered = deputyPins.sorted { ($0.value.change.position.line, $0.value.change.position.column, $0.key)
            < ($1.value.change.position.line, $1.value.change.position.column, $1.key) }
        for (patient, pin) in ordered {
            let path = pin.change.path / "deputy"
            let position = pin.change.node[key: "deputy"]?.position
            guard let h = instance.homePatientIndex[HomePatientID(patient)], let q = instance.memberIndex[MemberID(pin.deputy)] else {
                issues.error(path, position, "\(pin.deputy) or home-care patient \(patient) is not in the instance after the changes")
                continue
            }
            let reasons = instance.deputyIneligibility(of: q, for: instance.homePatients[h])
            guard reasons.isEmpty else {
                issues.error(path, position, "\(pin.deputy) cannot be the deputy of home-care patient \(patient): "
                             + reasons.map { "\($0.description) (\($0.japanese))" }.joined(separator: "; "))
                continue
            }
            byDeputy[q, default: []].append((patient, pin))
        }
        for (q, pins) in byDeputy.sorted(by: { $0.key < $1.key }) {
            guard let cap = instance.members[q].maxDeputyPatients, pins.count > cap else { continue }
            let last = pins[pins.count - 1].pin
            issues.error(last.change.path / "deputy", last.change.node[key: "deputy"]?.position,
                         "\(instance.members[q].id) is set by hand as the deputy of \(pins.count) patients "
                             + "(\(pins.map(\.patient).joined(separator: ", "))); maxDeputyPatients is \(cap)")
        }
        return issues
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
