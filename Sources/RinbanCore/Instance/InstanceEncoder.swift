/// Writes a typed ``Instance`` back as a canonical `rinban/1` document (SPEC section 2).
///
/// The document decodes to an equal instance: `InstanceDecoder.decode(document(i))` gives
/// back `i`, field by field (``Instance/==``). Canonical means:
/// - keys in the order of SPEC section 2, at the top level and inside every entry;
/// - lists of entities in the instance's order; sets (skills, `requires`, `extraHolidays`,
///   a hospital's `group`, an absence's `shifts`) sorted;
/// - what equals the decoder's default is left out, so the file stays short: `share` 1 of
///   a physician and `share` = `nurses` of a station, empty lists, `allowNeighbors` true,
///   `load` 0, a zero `history`, `priority` 1, a home-care patient's `block` when it is the
///   attending's clinic's block, `rules` and `weights` equal to the defaults of SPEC
///   sections 2 and 5 (only the keys that differ are written), an item's `block` when it is
///   its `from` station's block, `saturdayIsHoliday` false;
/// - names are always written (they are what a person reads), even when they equal the id;
/// - a duty of scope `block` or `network` is written with its scope only: its areas are
///   derived from the blocks when the file is read;
/// - an absence of one day is written `{ "date": … }`, a longer one `{ "from": …, "to": … }`;
/// - a load-sharing item without a `from` station is written `"from": null` (a new referral);
/// - numbers as the shortest decimal that reads back as the same `Double`, whole numbers
///   without a fraction.
public enum InstanceEncoder {
    /// The instance as a document tree (positions are all line 1, column 1).
    public static func document(_ instance: Instance) -> DocumentNode {
        var top: [(String, DocumentNode)] = [("format", str(InstanceDecoder.format))]
        if let association = instance.association { top.append(("association", str(association))) }
        top.append(("period", obj([("start", date(instance.period.start)), ("end", date(instance.period.end))])))
        var calendar: [(String, DocumentNode)] = []
        if !instance.calendar.extraHolidays.isEmpty {
            calendar.append(("extraHolidays", list(instance.calendar.extraHolidays.sorted().map(date))))
        }
        if instance.calendar.saturdayIsHoliday { calendar.append(("saturdayIsHoliday", bool(true))) }
        if !calendar.isEmpty { top.append(("calendar", obj(calendar))) }
        top.append(("blocks", list(instance.blocks.map(block))))
        if !instance.clinics.isEmpty { top.append(("clinics", list(instance.clinics.map(clinic)))) }
        let physicians = instance.members.filter { $0.pool == .physicians }
        if !physicians.isEmpty { top.append(("physicians", list(physicians.map(physician)))) }
        if !instance.stations.isEmpty {
            top.append(("stations", list(instance.stations.map { station($0, member: stationMember($0, in: instance)) })))
        }
        if !instance.shifts.isEmpty { top.append(("shifts", list(instance.shifts.map(shift)))) }
        if !instance.duties.isEmpty { top.append(("duties", list(instance.duties.map(duty)))) }
        if let rules = rules(instance.rules) { top.append(("rules", rules)) }
        if !instance.pins.isEmpty { top.append(("pins", list(instance.pins.map(pin)))) }
        let weights = ObjectiveTerm.allCases.compactMap { term -> (String, DocumentNode)? in
            let value = instance.weights[term]
            return value == term.defaultWeight ? nil : (term.rawValue, num(value))
        }
        if !weights.isEmpty { top.append(("weights", obj(weights))) }
        if !instance.loadSharingItems.isEmpty {
            top.append(("loadSharing", obj([("items", list(instance.loadSharingItems.map { item($0, in: instance) }))])))
        }
        var beds: [(String, DocumentNode)] = []
        if !instance.hospitals.isEmpty { beds.append(("hospitals", list(instance.hospitals.map(hospital)))) }
        if !instance.patients.isEmpty { beds.append(("patients", list(instance.patients.map(patient)))) }
        if !instance.respiteRequests.isEmpty { beds.append(("respite", list(instance.respiteRequests.map(respite)))) }
        if !beds.isEmpty { top.append(("beds", obj(beds))) }
        if !instance.homePatients.isEmpty {
            top.append(("deputies", obj([("patients", list(instance.homePatients.map { homePatient($0, in: instance) }))])))
        }
        return obj(top)
    }

    /// The instance as JSON text, ending with a newline: two spaces per level, and every
    /// object or list that fits on one line of about 100 characters written on one line
    /// (a block, a pin, an absence, a shift's points), so the file reads like a hand-written one.
    public static func jsonText(_ instance: Instance) -> String {
        var out = ""
        CompactJSON.write(document(instance), indent: 0, prefix: 0, into: &out)
        return out + "\n"
    }

    // MARK: Entries

    static func block(_ block: Block) -> DocumentNode {
        var fields: [(String, DocumentNode)] = [("id", str(block.id.rawValue)), ("name", str(block.name))]
        if !block.neighbors.isEmpty { fields.append(("neighbors", list(block.neighbors.map { str($0.rawValue) }))) }
        return obj(fields)
    }

    static func clinic(_ clinic: Clinic) -> DocumentNode {
        obj([("id", str(clinic.id.rawValue)), ("name", str(clinic.name)), ("block", str(clinic.block.rawValue))])
    }

    static func physician(_ member: Member) -> DocumentNode {
        var fields: [(String, DocumentNode)] = [("id", str(member.id.rawValue)), ("name", str(member.name))]
        if let clinic = member.clinic { fields.append(("clinic", str(clinic.rawValue))) }
        fields += memberCommon(member, defaultShare: 1)
        if let cap = member.maxDeputyPatients { fields.append(("maxDeputyPatients", num(Double(cap)))) }
        return obj(fields)
    }

    /// The pool member of a station (same id); a station without one gets the defaults.
    static func stationMember(_ station: Station, in instance: Instance) -> Member {
        if let m = instance.memberIndex[station.id], instance.members[m].pool == .stations { return instance.members[m] }
        return Member(id: station.id, name: station.name, pool: .stations, clinic: nil, block: station.block,
                      skills: station.skills, share: station.nurses, maxDuties: nil, unavailable: [], avoid: [],
                      history: History())
    }

    static func station(_ station: Station, member: Member) -> DocumentNode {
        var fields: [(String, DocumentNode)] = [
            ("id", str(station.id.rawValue)), ("name", str(station.name)), ("block", str(station.block.rawValue)),
            ("nurses", num(station.nurses)), ("capacity", num(station.capacity)),
        ]
        if station.load != 0 { fields.append(("load", num(station.load))) }
        var common = member
        common.skills = station.skills
        fields += memberCommon(common, defaultShare: station.nurses)
        return obj(fields)
    }

    /// skills, share, maxDuties, unavailable, avoid, history: what physicians and stations share.
    static func memberCommon(_ member: Member, defaultShare: Double) -> [(String, DocumentNode)] {
        var fields: [(String, DocumentNode)] = []
        if !member.skills.isEmpty { fields.append(("skills", strings(member.skills))) }
        if member.share != defaultShare { fields.append(("share", num(member.share))) }
        if let cap = member.maxDuties { fields.append(("maxDuties", num(Double(cap)))) }
        if !member.unavailable.isEmpty { fields.append(("unavailable", list(member.unavailable.map(absence)))) }
        if !member.avoid.isEmpty { fields.append(("avoid", list(member.avoid.map(absence)))) }
        if member.history != History() {
            fields.append(("history", obj([("points", num(member.history.points)),
                                           ("holidays", num(Double(member.history.holidays)))])))
        }
        return fields
    }

    static func absence(_ absence: Absence) -> DocumentNode {
        var fields: [(String, DocumentNode)] = absence.from == absence.to
            ? [("date", date(absence.from))]
            : [("from", date(absence.from)), ("to", date(absence.to))]
        if let shifts = absence.shifts { fields.append(("shifts", strings(Set(shifts.map(\.rawValue))))) }
        return obj(fields)
    }

    static func shift(_ shift: Shift) -> DocumentNode {
        var fields: [(String, DocumentNode)] = [
            ("id", str(shift.id.rawValue)), ("name", str(shift.name)),
            ("start", str(shift.start.description)), ("end", str(shift.end.description)),
        ]
        let points = DayType.allCases.compactMap { type in shift.points[type].map { (type.rawValue, num($0)) } }
        if !points.isEmpty { fields.append(("points", obj(points))) }
        return obj(fields)
    }

    static func duty(_ duty: Duty) -> DocumentNode {
        var fields: [(String, DocumentNode)] = [
            ("id", str(duty.id.rawValue)), ("name", str(duty.name)), ("pool", str(duty.pool.rawValue)),
            ("scope", str(duty.scope.rawValue)),
        ]
        if duty.scope == .areas {
            fields.append(("areas", list(duty.areas.map { area in
                var entry: [(String, DocumentNode)] = [("id", str(area.id.rawValue))]
                if let name = area.name { entry.append(("name", str(name))) }
                entry.append(("blocks", list(area.blocks.map { str($0.rawValue) })))
                return obj(entry)
            })))
        }
        if !duty.requires.isEmpty { fields.append(("requires", strings(duty.requires))) }
        if !duty.allowNeighbors { fields.append(("allowNeighbors", bool(false))) }
        // Every day type the instance gives is written, 0 included: the table reads back equal.
        fields.append(("demand", obj(duty.demand.map { demand in
            (demand.shift.rawValue, obj(DayType.allCases.compactMap { type in
                demand.counts[type].map { (type.rawValue, num(Double($0))) }
            }))
        })))
        return obj(fields)
    }

    /// Only the keys that differ from the defaults; nil when nothing differs.
    static func rules(_ rules: Rules) -> DocumentNode? {
        func differing(_ rules: PoolRules, _ defaults: PoolRules) -> [(String, DocumentNode)] {
            var fields: [(String, DocumentNode)] = []
            if rules.maxDutiesPerDate != defaults.maxDutiesPerDate {
                fields.append(("maxDutiesPerDate", num(Double(rules.maxDutiesPerDate))))
            }
            if rules.minDaysBetween != defaults.minDaysBetween {
                fields.append(("minDaysBetween", num(Double(rules.minDaysBetween))))
            }
            if rules.spreadDays != defaults.spreadDays { fields.append(("spreadDays", num(Double(rules.spreadDays)))) }
            return fields
        }
        var fields = differing(rules.physicians, .physicianDefaults)
        let stations = differing(rules.stations, .stationDefaults)
        if !stations.isEmpty { fields.append(("stations", obj(stations))) }
        return fields.isEmpty ? nil : obj(fields)
    }

    static func pin(_ pin: Pin) -> DocumentNode {
        obj([("duty", str(pin.duty.rawValue)), ("area", str(pin.area.rawValue)), ("date", date(pin.date)),
             ("shift", str(pin.shift.rawValue)), ("member", str(pin.member.rawValue))])
    }

    static func item(_ item: LoadSharingItem, in instance: Instance) -> DocumentNode {
        var fields: [(String, DocumentNode)] = [("id", str(item.id.rawValue))]
        fields.append(("from", item.from.map { str($0.rawValue) } ?? DocumentNode(.null, at: position)))
        let fromBlock = item.from.flatMap { instance.stationIndex[$0] }.map { instance.stations[$0].block }
        if fromBlock != item.block { fields.append(("block", str(item.block.rawValue))) }
        fields.append(("visits", num(item.visits)))
        if !item.requires.isEmpty { fields.append(("requires", strings(item.requires))) }
        return obj(fields)
    }

    static func hospital(_ hospital: Hospital) -> DocumentNode {
        var fields: [(String, DocumentNode)] = [
            ("id", str(hospital.id.rawValue)), ("name", str(hospital.name)), ("block", str(hospital.block.rawValue)),
        ]
        if !hospital.group.isEmpty { fields.append(("group", strings(Set(hospital.group.map(\.rawValue))))) }
        let beds = BedKind.allCases.compactMap { kind in hospital.beds[kind].map { (kind.rawValue, num(Double($0))) } }
        if !beds.isEmpty { fields.append(("beds", obj(beds))) }
        return obj(fields)
    }

    static func patient(_ patient: Patient) -> DocumentNode {
        obj([("id", str(patient.id.rawValue)), ("clinic", str(patient.clinic.rawValue)),
             ("needs", str(patient.needs.rawValue)), ("risk", num(patient.risk))])
    }

    static func respite(_ request: RespiteRequest) -> DocumentNode {
        var fields: [(String, DocumentNode)] = [
            ("id", str(request.id.rawValue)), ("clinic", str(request.clinic.rawValue)),
            ("nights", num(Double(request.nights))), ("earliest", date(request.earliest)), ("latest", date(request.latest)),
        ]
        if request.priority != 1 { fields.append(("priority", num(Double(request.priority)))) }
        return obj(fields)
    }

    static func homePatient(_ patient: HomePatient, in instance: Instance) -> DocumentNode {
        var fields: [(String, DocumentNode)] = [("id", str(patient.id.rawValue)), ("attending", str(patient.attending.rawValue))]
        let attendingBlock = instance.memberIndex[patient.attending].map { instance.members[$0].block }
        if attendingBlock != patient.block { fields.append(("block", str(patient.block.rawValue))) }
        if !patient.requires.isEmpty { fields.append(("requires", strings(patient.requires))) }
        if let previous = patient.previous { fields.append(("previous", str(previous.rawValue))) }
        return obj(fields)
    }

    // MARK: Nodes

    static let position = SourcePosition(line: 1, column: 1)
    static func str(_ text: String) -> DocumentNode { .string(text, at: position) }
    static func num(_ value: Double) -> DocumentNode { .number(value, at: position) }
    static func bool(_ flag: Bool) -> DocumentNode { DocumentNode(.bool(flag), at: position) }
    static func date(_ date: CivilDate) -> DocumentNode { .string(date.iso, at: position) }
    static func list(_ elements: [DocumentNode]) -> DocumentNode { .list(elements, at: position) }
    static func obj(_ pairs: [(String, DocumentNode)]) -> DocumentNode { .object(pairs, at: position) }
    /// A set of strings, sorted.
    static func strings(_ set: Set<String>) -> DocumentNode { list(set.sorted().map(str)) }
}

/// JSON text that puts every object or list fitting in ``width`` characters on one line, and
/// packs the members of a longer object of such values (or the elements of a longer list of
/// scalars) onto as few lines as fit; anything else one member or element per line.
private enum CompactJSON {
    static let width = 100

    static func write(_ node: DocumentNode, indent: Int, prefix: Int, into out: inout String) {
        if let line = oneLine(node), indent + prefix + line.count <= width {
            out += line
            return
        }
        let pad = String(repeating: " ", count: indent + 2)
        switch node.value {
        case let .array(elements) where elements.allSatisfy({ scalar($0) != nil }):
            pack(elements.map { scalar($0)! }, open: "[", close: "]", indent: indent, prefix: prefix, into: &out)
        case let .object(members) where members.allSatisfy({ oneLine($0.node) != nil }):
            pack(members.map { jsonQuoted($0.key) + ": " + oneLine($0.node)! }, open: "{ ", close: " }",
                 indent: indent, prefix: prefix, into: &out)
        case let .array(elements):
            out += "[\n"
            for (index, element) in elements.enumerated() {
                out += pad
                write(element, indent: indent + 2, prefix: 1, into: &out)
                out += index + 1 < elements.count ? ",\n" : "\n"
            }
            out += String(repeating: " ", count: indent) + "]"
        case let .object(members):
            out += "{\n"
            for (index, member) in members.enumerated() {
                let key = jsonQuoted(member.key) + ": "
                out += pad + key
                write(member.node, indent: indent + 2, prefix: key.count + 1, into: &out)
                out += index + 1 < members.count ? ",\n" : "\n"
            }
            out += String(repeating: " ", count: indent) + "}"
        default:
            out += scalar(node) ?? ""
        }
    }

    /// Parts separated by ", ", as many on a line as fit, further lines indented one level:
    /// a physician with a few short keys takes two lines rather than one per key.
    static func pack(_ parts: [String], open: String, close: String, indent: Int, prefix: Int, into out: inout String) {
        let pad = String(repeating: " ", count: indent + 2)
        out += open
        var column = indent + prefix + open.count
        for (index, part) in parts.enumerated() {
            let text = part + (index + 1 < parts.count ? "," : close)
            if index > 0 {
                if column + 1 + text.count > width {
                    out += "\n" + pad
                    column = pad.count
                } else {
                    out += " "
                    column += 1
                }
            }
            out += text
            column += text.count
        }
    }

    /// The node on one line, or nil when it holds a list of more than three objects or lists
    /// or is longer than the width anyway.
    static func oneLine(_ node: DocumentNode) -> String? {
        if let text = scalar(node) { return text }
        switch node.value {
        case let .array(elements):
            if elements.isEmpty { return "[]" }
            // A few short entries (an absence or two, one pin) may share a line; a longer
            // table of entries reads better one entry per line.
            if elements.count > 3 && elements.contains(where: { scalar($0) == nil }) { return nil }
            var parts: [String] = []
            for element in elements {
                guard let text = oneLine(element) else { return nil }
                parts.append(text)
            }
            let text = "[" + parts.joined(separator: ", ") + "]"
            return text.count <= width ? text : nil
        case let .object(members):
            if members.isEmpty { return "{}" }
            var parts: [String] = []
            for member in members {
                guard let value = oneLine(member.node) else { return nil }
                parts.append(jsonQuoted(member.key) + ": " + value)
                if parts.reduce(0, { $0 + $1.count }) > width { return nil }
            }
            return "{ " + parts.joined(separator: ", ") + " }"
        default:
            return nil
        }
    }

    static func scalar(_ node: DocumentNode) -> String? {
        switch node.value {
        case .null: return "null"
        case let .bool(flag): return flag ? "true" : "false"
        case let .number(number, _):
            return number == number.rounded() && Swift.abs(number) < 1e15 ? String(Int(number)) : String(number)
        case let .string(text): return jsonQuoted(text)
        case .array, .object: return nil
        }
    }
}

extension Instance: Equatable {
    /// Two instances are equal when every data field is: association, period, calendar,
    /// blocks, clinics, members, stations, shifts, duties, rules, pins, weights, load-sharing
    /// items, hospitals, patients, respite requests and home-care patients (the lookup tables
    /// are derived from these and not compared). Weights compare by the weight of every term,
    /// so an override equal to its default equals no override.
    public static func == (lhs: Instance, rhs: Instance) -> Bool {
        lhs.association == rhs.association && lhs.period == rhs.period && lhs.calendar == rhs.calendar
            && lhs.blocks == rhs.blocks && lhs.clinics == rhs.clinics && lhs.members == rhs.members
            && lhs.stations == rhs.stations && lhs.shifts == rhs.shifts && lhs.duties == rhs.duties
            && lhs.rules == rhs.rules && lhs.pins == rhs.pins
            && ObjectiveTerm.allCases.allSatisfy { lhs.weights[$0] == rhs.weights[$0] }
            && lhs.loadSharingItems == rhs.loadSharingItems && lhs.hospitals == rhs.hospitals
            && lhs.patients == rhs.patients && lhs.respiteRequests == rhs.respiteRequests
            && lhs.homePatients == rhs.homePatients
    }
}
