/// A validated instance with the structures derived from it.
public struct LoadedInstance: Sendable {
    public let instance: Instance
    public let slots: SlotTable
    public let eligibility: EligibilityIndex
    /// Things that look unintended but do not make the instance unusable.
    public let warnings: [InputIssue]
}

/// Turns a document tree into a validated ``Instance`` (SPEC sections 1, 2, 4 and 7),
/// reporting every problem at once with its JSON path and position.
public enum InstanceDecoder {
    /// The format tag an instance must carry.
    public static let format = "rinban/1"

    /// Validates and builds the instance.
    /// - Throws: ``InputError`` listing every problem (errors, then warnings).
    public static func decode(_ root: DocumentNode, file: String? = nil) throws(InputError) -> LoadedInstance {
        var reader = Reader()
        let result = reader.decode(root)
        guard let loaded = result, !reader.issues.hasErrors else {
            throw InputError(file: file, issues: reader.issues.sorted)
        }
        return LoadedInstance(
            instance: loaded.instance, slots: loaded.slots, eligibility: loaded.eligibility,
            warnings: reader.issues.sorted)
    }

    /// Reads a JSON or YAML file and validates it.
    public static func load(contentsOf path: String) throws(InputError) -> LoadedInstance {
        let (node, _) = try DocumentReader.read(contentsOf: path)
        return try decode(node, file: path)
    }
}

private let topKeys = ["format", "association", "period", "calendar", "blocks", "clinics", "physicians", "stations",
                       "shifts", "duties", "rules", "pins", "weights", "loadSharing", "beds", "deputies"]
private let memberKeys = ["id", "name", "skills", "share", "maxDuties", "unavailable", "avoid", "history"]
private let ruleKeys = ["maxDutiesPerDate", "minDaysBetween", "spreadDays"]

/// One decoding pass. Ids of every collection are gathered first, so a reference is
/// checked against what the file declares even when the declaring entry has other errors
/// (no cascade of "unknown" messages from one typo).
private struct Reader {
    var issues = IssueCollector()

    var blockIDs: Set<BlockID> = []
    var clinicIDs: Set<ClinicID> = []
    var stationIDs: Set<MemberID> = []
    var memberIDs: Set<MemberID> = []
    var shiftIDs: Set<ShiftID> = []
    var period: Period?

    mutating func decode(_ root: DocumentNode) -> (instance: Instance, slots: SlotTable, eligibility: EligibilityIndex)? {
        guard let top = issues.object(root, .root, allowed: topKeys) else { return nil }
        if let node = issues.required(top, "format"), let text = issues.string(node, .root / "format"),
           text != InstanceDecoder.format
        {
            issues.error(.root / "format", node.position, "format is \"\(text)\"; this version of rinban reads \"\(InstanceDecoder.format)\"")
        }
        let association = issues.string(top, "association", required: false)
        period = decodePeriod(top)
        let calendar = decodeCalendar(top)

        let blockList = issues.list(top, "blocks", required: true) ?? []
        let clinicList = issues.list(top, "clinics") ?? []
        let physicianList = issues.list(top, "physicians") ?? []
        let stationList = issues.list(top, "stations") ?? []
        let shiftList = issues.list(top, "shifts") ?? []
        blockIDs = collectIDs(blockList, what: "block id")
        if case .array = top["blocks"]?.value, blockList.isEmpty {
            issues.error(.root / "blocks", top["blocks"]?.position, "at least one block is needed")
        }
        clinicIDs = collectIDs(clinicList, what: "clinic id")
        shiftIDs = collectIDs(shiftList, what: "shift id")
        // Member ids are unique across physicians and stations.
        var seenMembers: [String: DocumentPath] = [:]
        for (node, path) in physicianList + stationList {
            guard case let .object(members) = node.value, let idNode = members.first(where: { $0.key == "id" })?.node,
                  case let .string(id) = idNode.value, !id.isEmpty
            else { continue }
            issues.unique(id, path / "id", idNode.position, seen: &seenMembers, what: "member id")
        }
        stationIDs = Set(stationList.compactMap { Self.peekID($0.0) }.map { MemberID($0) })
        memberIDs = Set(seenMembers.keys.map { MemberID($0) })

        let blocks = blockList.compactMap { decodeBlock($0.0, $0.1) }
        let clinics = clinicList.compactMap { decodeClinic($0.0, $0.1) }
        let shifts = shiftList.compactMap { decodeShift($0.0, $0.1) }
        let physicians = physicianList.compactMap { decodePhysician($0.0, $0.1, clinics: clinics) }
        let stationPairs = stationList.compactMap { decodeStation($0.0, $0.1) }
        var seenDuties: [String: DocumentPath] = [:]
        let dutyList = issues.list(top, "duties") ?? []
        let duties = dutyList.compactMap { decodeDuty($0.0, $0.1, blocks: blocks, seen: &seenDuties) }
        let rules = decodeRules(top)
        let weights = decodeWeights(top)
        let pinList = issues.list(top, "pins") ?? []
        let pins = pinList.compactMap { decodePin($0.0, $0.1, duties: duties) }
        let items = decodeItems(top, stations: stationPairs.map(\.station))
        let (hospitals, patients, respite) = decodeBeds(top)
        let homePatients = decodeDeputies(top, physicians: physicians)

        guard !issues.hasErrors, let period else { return nil }
        let instance = Instance(
            association: association, period: period, calendar: calendar, blocks: blocks, clinics: clinics,
            members: physicians + stationPairs.map(\.member), stations: stationPairs.map(\.station), shifts: shifts,
            duties: duties, rules: rules, pins: pins, weights: weights, loadSharingItems: items.map(\.item),
            hospitals: hospitals, patients: patients.map(\.patient), respiteRequests: respite,
            homePatients: homePatients.map(\.patient))
        let slots = SlotTable(instance: instance)
        let eligibility = EligibilityIndex(instance: instance, slots: slots)

        checkPins(instance, slots, eligibility, pinList)
        checkItems(instance, items)
        checkPatients(instance, patients)
        checkRespite(instance, respite)
        checkHomePatients(instance, homePatients)
        return (instance, slots, eligibility)
    }

    // MARK: Period and calendar

    mutating func decodePeriod(_ top: DocumentObject) -> Period? {
        guard let node = issues.required(top, "period"),
              let object = issues.object(node, .root / "period", allowed: ["start", "end"])
        else { return nil }
        let start = issues.date(object, "start", required: true)
        let end = issues.date(object, "end", required: true)
        guard let start, let end else { return nil }
        var ok = true
        for (date, key) in [(start, "start"), (end, "end")] where !Period.supportedYears.contains(date.year) {
            issues.error(object.path / key, object[key]?.position,
                         "\(date) is outside 1980–2099, the years rinban's holiday calendar covers")
            ok = false
        }
        if end < start {
            issues.error(object.path / "end", object["end"]?.position, "the period ends (\(end)) before it starts (\(start))")
            return nil
        }
        let days = end.days(since: start) + 1
        if days > Period.maximumDays {
            issues.error(object.path / "end", object["end"]?.position,
                         "the period has \(days) days; the limit is \(Period.maximumDays)")
            ok = false
        }
        return ok ? Period(start: start, end: end) : nil
    }

    mutating func decodeCalendar(_ top: DocumentObject) -> CalendarSettings {
        guard let node = top["calendar"],
              let object = issues.object(node, .root / "calendar", allowed: ["extraHolidays", "saturdayIsHoliday"])
        else { return CalendarSettings() }
        var extra: Set<CivilDate> = []
        for (element, path) in issues.list(object, "extraHolidays") ?? [] {
            guard let date = issues.date(element, path) else { continue }
            if let period, !period.contains(date) {
                issues.warning(path, element.position, "\(date) is outside the period; it changes nothing")
            }
            extra.insert(date)
        }
        return CalendarSettings(extraHolidays: extra, saturdayIsHoliday: issues.bool(object, "saturdayIsHoliday", default: false))
    }

    // MARK: Blocks, clinics, shifts

    mutating func collectIDs<E>(_ list: [(DocumentNode, DocumentPath)], what: String) -> Set<Identifier<E>> {
        var seen: [String: DocumentPath] = [:]
        for (node, path) in list {
            guard case let .object(members) = node.value, let idNode = members.first(where: { $0.key == "id" })?.node,
                  case let .string(id) = idNode.value, !id.isEmpty
            else { continue }
            issues.unique(id, path / "id", idNode.position, seen: &seen, what: what)
        }
        return Set(seen.keys.map { Identifier<E>($0) })
    }

    static func peekID(_ node: DocumentNode) -> String? {
        guard case let .object(members) = node.value, let idNode = members.first(where: { $0.key == "id" })?.node,
              case let .string(id) = idNode.value, !id.isEmpty
        else { return nil }
        return id
    }

    mutating func decodeBlock(_ node: DocumentNode, _ path: DocumentPath) -> Block? {
        guard let object = issues.object(node, path, allowed: ["id", "name", "neighbors"]),
              let id = issues.identifier(object)
        else { return nil }
        var neighbors: [BlockID] = []
        for (element, elementPath) in issues.list(object, "neighbors") ?? [] {
            guard let other: BlockID = issues.reference(element, elementPath, kind: "block", in: blockIDs) else { continue }
            if other.rawValue == id {
                issues.error(elementPath, element.position, "a block is never its own neighbour")
            } else if neighbors.contains(other) {
                issues.warning(elementPath, element.position, "neighbour \"\(other)\" is listed twice")
            } else {
                neighbors.append(other)
            }
        }
        return Block(id: BlockID(id), name: issues.name(object, fallback: id), neighbors: neighbors)
    }

    mutating func decodeClinic(_ node: DocumentNode, _ path: DocumentPath) -> Clinic? {
        guard let object = issues.object(node, path, allowed: ["id", "name", "block"]),
              let id = issues.identifier(object),
              let block: BlockID = issues.reference(object, "block", kind: "block", in: blockIDs)
        else { return nil }
        return Clinic(id: ClinicID(id), name: issues.name(object, fallback: id), block: block)
    }

    mutating func decodeShift(_ node: DocumentNode, _ path: DocumentPath) -> Shift? {
        guard let object = issues.object(node, path, allowed: ["id", "name", "start", "end", "points"]) else { return nil }
        let id = issues.identifier(object)
        let start = issues.time(object, "start")
        let end = issues.time(object, "end")
        var points: [DayType: Double] = [:]
        if let pointsNode = object["points"],
           let pointsObject = issues.object(pointsNode, path / "points", allowed: DayType.allCases.map(\.rawValue))
        {
            for dayType in DayType.allCases {
                if let value = issues.number(pointsObject, dayType.rawValue, required: false, where: { $0 >= 0 }, "≥ 0") {
                    points[dayType] = value
                }
            }
        }
        guard let id, let start, let end else { return nil }
        return Shift(id: ShiftID(id), name: issues.name(object, fallback: id), start: start, end: end, points: points)
    }

    // MARK: Members

    mutating func decodeHistory(_ object: DocumentObject) -> History {
        guard let node = object["history"],
              let history = issues.object(node, object.path / "history", allowed: ["points", "holidays"])
        else { return History() }
        return History(
            points: issues.number(history, "points", required: false, where: { $0 >= 0 }, "≥ 0") ?? 0,
            holidays: issues.integer(history, "holidays", required: false, where: { $0 >= 0 }, "≥ 0") ?? 0)
    }

    mutating func decodeAbsences(_ object: DocumentObject, _ key: String) -> [Absence] {
        var result: [Absence] = []
        for (node, path) in issues.list(object, key) ?? [] {
            guard let absence = issues.object(node, path, allowed: ["from", "to", "date", "shifts"]) else { continue }
            var from: CivilDate?
            var to: CivilDate?
            if absence.has("date") {
                if absence.has("from") || absence.has("to") {
                    issues.error(path, node.position, "give either \"date\" or \"from\"/\"to\", not both")
                    continue
                }
                from = issues.date(absence, "date", required: true)
                to = from
            } else if absence.has("from") || absence.has("to") {
                from = issues.date(absence, "from", required: true)
                to = issues.date(absence, "to", required: true)
            } else {
                issues.error(path, node.position, "missing \"date\" or \"from\"/\"to\"")
                continue
            }
            var shifts: Set<ShiftID>?
            if let list = issues.list(absence, "shifts") {
                var set: Set<ShiftID> = []
                for (element, elementPath) in list {
                    if let shift: ShiftID = issues.reference(element, elementPath, kind: "shift", in: shiftIDs) {
                        set.insert(shift)
                    }
                }
                if list.isEmpty { issues.error(path / "shifts", absence["shifts"]?.position, "an empty list blocks nothing; leave \"shifts\" out to block whole days") }
                shifts = set
            }
            guard let from, let to else { continue }
            if to < from {
                issues.error(path / "to", absence["to"]?.position, "ends (\(to)) before it starts (\(from))")
                continue
            }
            result.append(Absence(from: from, to: to, shifts: shifts))
        }
        return result
    }

    mutating func decodeMemberCommon(_ object: DocumentObject, defaultShare: Double)
        -> (skills: Set<String>, share: Double, maxDuties: Int?, unavailable: [Absence], avoid: [Absence], history: History)
    {
        let skills = issues.stringSet(object, "skills")
        let share = issues.number(object, "share", required: false, where: { $0 >= 0 }, "≥ 0") ?? defaultShare
        let maxDuties = issues.integer(object, "maxDuties", required: false, where: { $0 >= 0 }, "a whole number ≥ 0")
        let unavailable = decodeAbsences(object, "unavailable")
        let avoid = decodeAbsences(object, "avoid")
        return (skills, share, maxDuties, unavailable, avoid, decodeHistory(object))
    }

    mutating func decodePhysician(_ node: DocumentNode, _ path: DocumentPath, clinics: [Clinic]) -> Member? {
        guard let object = issues.object(node, path, allowed: memberKeys + ["clinic", "maxDeputyPatients"]) else { return nil }
        let id = issues.identifier(object)
        let clinic: ClinicID? = issues.reference(object, "clinic", kind: "clinic", in: clinicIDs)
        let common = decodeMemberCommon(object, defaultShare: 1)
        let maxDeputyPatients = issues.integer(object, "maxDeputyPatients", required: false, where: { $0 >= 0 },
                                               "a whole number ≥ 0")
        guard let id, let clinic, let block = clinics.first(where: { $0.id == clinic })?.block else { return nil }
        return Member(id: MemberID(id), name: issues.name(object, fallback: id), pool: .physicians, clinic: clinic,
                      block: block, skills: common.skills, share: common.share, maxDuties: common.maxDuties,
                      unavailable: common.unavailable, avoid: common.avoid, history: common.history,
                      maxDeputyPatients: maxDeputyPatients)
    }

    mutating func decodeStation(_ node: DocumentNode, _ path: DocumentPath) -> (member: Member, station: Station)? {
        guard let object = issues.object(
            node, path, allowed: memberKeys + ["block", "nurses", "capacity", "load", "maxDeputyPatients"])
        else { return nil }
        if object.has("maxDeputyPatients") {
            issues.error(path / "maxDeputyPatients", object["maxDeputyPatients"]?.position,
                         "only physicians can be deputies of home-care patients: a station takes no maxDeputyPatients")
        }
        let id = issues.identifier(object)
        let block: BlockID? = issues.reference(object, "block", kind: "block", in: blockIDs)
        let nurses = issues.number(object, "nurses", required: true, where: { $0 > 0 }, "> 0")
        let capacity = issues.number(object, "capacity", required: true, where: { $0 > 0 }, "> 0 visits per week")
        let load = issues.number(object, "load", required: false, where: { $0 >= 0 }, "≥ 0") ?? 0
        let common = decodeMemberCommon(object, defaultShare: nurses ?? 1)
        guard let id, let block, let nurses, let capacity else { return nil }
        let name = issues.name(object, fallback: id)
        let member = Member(id: MemberID(id), name: name, pool: .stations, clinic: nil, block: block,
                            skills: common.skills, share: common.share, maxDuties: common.maxDuties,
                            unavailable: common.unavailable, avoid: common.avoid, history: common.history)
        let station = Station(id: MemberID(id), name: name, block: block, nurses: nurses, capacity: capacity,
                              load: load, skills: common.skills)
        return (member, station)
    }

    // MARK: Duties

    mutating func decodeDuty(_ node: DocumentNode, _ path: DocumentPath, blocks: [Block], seen: inout [String: DocumentPath]) -> Duty? {
        guard let object = issues.object(
            node, path, allowed: ["id", "name", "pool", "scope", "areas", "requires", "allowNeighbors", "demand"])
        else { return nil }
        let id = issues.identifier(object)
        if let id, let idNode = object["id"] { issues.unique(id, path / "id", idNode.position, seen: &seen, what: "duty id") }
        var pool: Pool?
        if let text = issues.string(object, "pool", required: true) {
            pool = Pool(rawValue: text)
            if pool == nil { issues.error(path / "pool", object["pool"]?.position, "pool is \"\(text)\"; expected \"physicians\" or \"stations\"") }
        }
        var scope: DutyScope?
        if let text = issues.string(object, "scope", required: true) {
            scope = DutyScope(rawValue: text)
            if scope == nil { issues.error(path / "scope", object["scope"]?.position, "scope is \"\(text)\"; expected \"block\", \"network\" or \"areas\"") }
        }
        var areas: [Area] = []
        switch scope {
        case .block?:
            areas = blocks.map { Area(id: AreaID($0.id.rawValue), name: $0.name, blocks: [$0.id]) }
        case .network?:
            areas = [Area(id: "all", name: "全域", blocks: blocks.map(\.id))]
        case .areas?, nil:
            break
        }
        if let areasNode = object["areas"] {
            if scope != .areas && scope != nil {
                issues.error(path / "areas", areasNode.position, "\"areas\" is only allowed with scope \"areas\"")
            } else if scope == .areas {
                areas = decodeAreas(object)
            }
        } else if scope == .areas {
            issues.error(path / "areas", object.position, "scope \"areas\" needs a list of \"areas\"")
        }
        let requires = issues.stringSet(object, "requires")
        let allowNeighbors = issues.bool(object, "allowNeighbors", default: true)
        var demand: [ShiftDemand] = []
        if let demandNode = issues.required(object, "demand"),
           case let .object(entries) = demandNode.value
        {
            for entry in entries {
                let entryPath = path / "demand" / entry.key
                guard shiftIDs.contains(ShiftID(entry.key)) else {
                    issues.error(entryPath, entry.keyPosition, "unknown shift \"\(entry.key)\"")
                    continue
                }
                guard let counts = issues.object(entry.node, entryPath, allowed: DayType.allCases.map(\.rawValue)) else { continue }
                var table: [DayType: Int] = [:]
                for dayType in DayType.allCases {
                    if let count = issues.integer(counts, dayType.rawValue, required: false, where: { $0 >= 0 }, "a whole number ≥ 0") {
                        table[dayType] = count
                    }
                }
                demand.append(ShiftDemand(shift: ShiftID(entry.key), counts: table))
            }
            if entries.isEmpty { issues.warning(path / "demand", demandNode.position, "no demand: the duty has no slots") }
        } else if let demandNode = object["demand"] {
            issues.error(path / "demand", demandNode.position, "expected an object, found \(demandNode.kindDescription)")
        }
        guard let id, let pool, let scope else { return nil }
        return Duty(id: DutyID(id), name: issues.name(object, fallback: id), pool: pool, scope: scope, areas: areas,
                    requires: requires, allowNeighbors: allowNeighbors, demand: demand)
    }

    mutating func decodeAreas(_ duty: DocumentObject) -> [Area] {
        var result: [Area] = []
        var seen: [String: DocumentPath] = [:]
        let list = issues.list(duty, "areas") ?? []
        if list.isEmpty { issues.error(duty.path / "areas", duty["areas"]?.position, "scope \"areas\" needs at least one area") }
        for (node, path) in list {
            guard let object = issues.object(node, path, allowed: ["id", "name", "blocks"]),
                  let id = issues.identifier(object)
            else { continue }
            if let idNode = object["id"] { issues.unique(id, path / "id", idNode.position, seen: &seen, what: "area id") }
            var blocks: [BlockID] = []
            for (element, elementPath) in issues.list(object, "blocks", required: true) ?? [] {
                if let block: BlockID = issues.reference(element, elementPath, kind: "block", in: blockIDs), !blocks.contains(block) {
                    blocks.append(block)
                }
            }
            if blocks.isEmpty && object.has("blocks") { issues.error(path / "blocks", object["blocks"]?.position, "an area needs at least one block") }
            result.append(Area(id: AreaID(id), name: issues.string(object, "name", required: false), blocks: blocks))
        }
        return result
    }

    // MARK: Rules and weights

    mutating func decodePoolRules(_ object: DocumentObject, defaults: PoolRules) -> PoolRules {
        PoolRules(
            maxDutiesPerDate: issues.integer(object, "maxDutiesPerDate", required: false, where: { $0 >= 1 }, "a whole number ≥ 1") ?? defaults.maxDutiesPerDate,
            minDaysBetween: issues.integer(object, "minDaysBetween", required: false, where: { $0 >= 1 }, "a whole number ≥ 1") ?? defaults.minDaysBetween,
            spreadDays: issues.integer(object, "spreadDays", required: false, where: { $0 >= 0 }, "a whole number ≥ 0") ?? defaults.spreadDays)
    }

    mutating func decodeRules(_ top: DocumentObject) -> Rules {
        guard let node = top["rules"], let object = issues.object(node, .root / "rules", allowed: ruleKeys + ["stations"]) else {
            return Rules()
        }
        var stations = PoolRules.stationDefaults
        if let stationNode = object["stations"],
           let stationObject = issues.object(stationNode, .root / "rules" / "stations", allowed: ruleKeys)
        {
            stations = decodePoolRules(stationObject, defaults: .stationDefaults)
        }
        return Rules(physicians: decodePoolRules(object, defaults: .physicianDefaults), stations: stations)
    }

    mutating func decodeWeights(_ top: DocumentObject) -> Weights {
        guard let node = top["weights"],
              let object = issues.object(node, .root / "weights", allowed: ObjectiveTerm.allCases.map(\.rawValue))
        else { return Weights() }
        var overrides: [ObjectiveTerm: Double] = [:]
        for term in ObjectiveTerm.allCases {
            if let value = issues.number(object, term.rawValue, required: false, where: { $0 >= 0 }, "≥ 0") {
                overrides[term] = value
            }
        }
        return Weights(overrides: overrides)
    }

    // MARK: Pins

    mutating func decodePin(_ node: DocumentNode, _ path: DocumentPath, duties: [Duty]) -> Pin? {
        guard let object = issues.object(node, path, allowed: ["duty", "area", "date", "shift", "member"]) else { return nil }
        let dutyIDs = Set(duties.map(\.id))
        let duty: DutyID? = issues.reference(object, "duty", kind: "duty", in: dutyIDs)
        var area: AreaID?
        if let areaNode = issues.required(object, "area"), let text = issues.identifier(areaNode, path / "area"),
           let duty, let d = duties.first(where: { $0.id == duty })
        {
            if d.areas.contains(where: { $0.id.rawValue == text }) {
                area = AreaID(text)
            } else {
                issues.error(path / "area", areaNode.position, "duty \(duty) has no area \"\(text)\"")
            }
        }
        let date = issues.date(object, "date", required: true)
        if let date, let period, !period.contains(date) {
            issues.error(path / "date", object["date"]?.position, "\(date) is outside the period \(period.start)–\(period.end)")
        }
        let shift: ShiftID? = issues.reference(object, "shift", kind: "shift", in: shiftIDs)
        let member: MemberID? = issues.reference(object, "member", kind: "member", in: memberIDs)
        guard let duty, let area, let date, let shift, let member else { return nil }
        return Pin(duty: duty, area: area, date: date, shift: shift, member: member)
    }

    /// Pins must respect H1–H5 among themselves and must not repeat each other.
    mutating func checkPins(_ instance: Instance, _ slots: SlotTable, _ eligibility: EligibilityIndex,
                            _ list: [(DocumentNode, DocumentPath)])
    {
        let assignments = instance.pins.map {
            Assignment(duty: $0.duty, area: $0.area, date: $0.date, shift: $0.shift, member: $0.member)
        }
        let checker = HardRuleChecker(instance: instance, slots: slots, eligibility: eligibility)
        for violation in checker.violations(of: assignments) {
            let k = violation.assignments.last!
            var message = "pin breaks \(violation.rule.rawValue): \(violation.message)"
            let others = violation.assignments.dropLast().map { "pins[\($0)]" }
            if !others.isEmpty { message += " (with \(others.joined(separator: ", ")))" }
            issues.error(list[k].1, list[k].0.position, message)
        }
    }

    // MARK: Load sharing

    mutating func decodeItems(_ top: DocumentObject, stations: [Station]) -> [(item: LoadSharingItem, path: DocumentPath, position: SourcePosition)] {
        guard let node = top["loadSharing"],
              let object = issues.object(node, .root / "loadSharing", allowed: ["items"])
        else { return [] }
        var result: [(LoadSharingItem, DocumentPath, SourcePosition)] = []
        var seen: [String: DocumentPath] = [:]
        for (itemNode, path) in issues.list(object, "items") ?? [] {
            guard let item = issues.object(itemNode, path, allowed: ["id", "from", "block", "visits", "requires"]) else { continue }
            let id = issues.identifier(item)
            if let id, let idNode = item["id"] { issues.unique(id, path / "id", idNode.position, seen: &seen, what: "item id") }
            var from: MemberID?
            var fromKnown = true
            if let fromNode = item["from"], !isNull(fromNode) {
                from = issues.reference(fromNode, path / "from", kind: "station", in: stationIDs)
                fromKnown = from != nil
            }
            var block: BlockID? = issues.reference(item, "block", kind: "block", in: blockIDs, optional: true)
            if block == nil && !item.has("block") {
                if from == nil && fromKnown {
                    issues.error(path / "block", item.position, "missing \"block\" (needed when \"from\" is null)")
                }
            }
            let visits = issues.number(item, "visits", required: true, where: { $0 > 0 }, "> 0 visits per week")
            let requires = issues.stringSet(item, "requires")
            if block == nil, let from { block = stations.first { $0.id == from }?.block }
            guard let id, let block, let visits, fromKnown else { continue }
            result.append((LoadSharingItem(id: ItemID(id), from: from, block: block, visits: visits, requires: requires),
                           path, itemNode.position))
        }
        return result
    }

    func isNull(_ node: DocumentNode) -> Bool {
        if case .null = node.value { return true }
        return false
    }

    mutating func checkItems(_ instance: Instance, _ items: [(item: LoadSharingItem, path: DocumentPath, position: SourcePosition)]) {
        for (item, path, position) in items where instance.allowedStations(for: item).isEmpty {
            let skills = item.requires.isEmpty ? "" : " with skills \(item.requires.sorted().joined(separator: ", "))"
            issues.error(path, position, "no station\(skills) in block \(item.block) or a neighbouring block can take item \(item.id)")
        }
    }

    // MARK: Beds

    mutating func decodeBeds(_ top: DocumentObject)
        -> ([Hospital], [(patient: Patient, path: DocumentPath, position: SourcePosition)], [RespiteRequest])
    {
        guard let node = top["beds"],
              let object = issues.object(node, .root / "beds", allowed: ["hospitals", "patients", "respite"])
        else { return ([], [], []) }
        var hospitals: [Hospital] = []
        var seen: [String: DocumentPath] = [:]
        for (hospitalNode, path) in issues.list(object, "hospitals") ?? [] {
            guard let h = issues.object(hospitalNode, path, allowed: ["id", "name", "block", "group", "beds"]) else { continue }
            let id = issues.identifier(h)
            if let id, let idNode = h["id"] { issues.unique(id, path / "id", idNode.position, seen: &seen, what: "hospital id") }
            let block: BlockID? = issues.reference(h, "block", kind: "block", in: blockIDs)
            var group: Set<ClinicID> = []
            for (element, elementPath) in issues.list(h, "group") ?? [] {
                if let clinic: ClinicID = issues.reference(element, elementPath, kind: "clinic", in: clinicIDs) { group.insert(clinic) }
            }
            var beds: [BedKind: Int] = [:]
            if let bedsNode = h["beds"], let bedsObject = issues.object(bedsNode, path / "beds", allowed: BedKind.allCases.map(\.rawValue)) {
                for kind in BedKind.allCases {
                    if let n = issues.integer(bedsObject, kind.rawValue, required: false, where: { $0 >= 0 }, "a whole number ≥ 0") {
                        beds[kind] = n
                    }
                }
            }
            guard let id, let block else { continue }
            hospitals.append(Hospital(id: HospitalID(id), name: issues.name(h, fallback: id), block: block, group: group, beds: beds))
        }
        var patients: [(Patient, DocumentPath, SourcePosition)] = []
        seen = [:]
        for (patientNode, path) in issues.list(object, "patients") ?? [] {
            guard let p = issues.object(patientNode, path, allowed: ["id", "clinic", "needs", "risk"]) else { continue }
            let id = issues.identifier(p)
            if let id, let idNode = p["id"] { issues.unique(id, path / "id", idNode.position, seen: &seen, what: "patient id") }
            let clinic: ClinicID? = issues.reference(p, "clinic", kind: "clinic", in: clinicIDs)
            var needs: Need?
            if let text = issues.string(p, "needs", required: true) {
                needs = Need(rawValue: text)
                if needs == nil { issues.error(path / "needs", p["needs"]?.position, "needs is \"\(text)\"; expected \"acute\" or \"palliative\"") }
            }
            let risk = issues.number(p, "risk", required: true, where: { $0 >= 0 }, "≥ 0 expected admissions")
            guard let id, let clinic, let needs, let risk else { continue }
            patients.append((Patient(id: PatientID(id), clinic: clinic, needs: needs, risk: risk), path, patientNode.position))
        }
        var requests: [RespiteRequest] = []
        seen = [:]
        for (requestNode, path) in issues.list(object, "respite") ?? [] {
            guard let r = issues.object(requestNode, path, allowed: ["id", "clinic", "nights", "earliest", "latest", "priority"]) else { continue }
            let id = issues.identifier(r)
            if let id, let idNode = r["id"] { issues.unique(id, path / "id", idNode.position, seen: &seen, what: "respite request id") }
            let clinic: ClinicID? = issues.reference(r, "clinic", kind: "clinic", in: clinicIDs)
            let nights = issues.integer(r, "nights", required: true, where: { (1...60).contains($0) }, "1–60")
            let earliest = issues.date(r, "earliest", required: true)
            let latest = issues.date(r, "latest", required: true)
            let priority = issues.integer(r, "priority", required: false, where: { (1...3).contains($0) }, "1, 2 or 3") ?? 1
            var datesOK = earliest != nil && latest != nil
            for (date, key) in [(earliest, "earliest"), (latest, "latest")] {
                if let date, let period, !period.contains(date) {
                    issues.error(path / key, r[key]?.position, "\(date) is outside the period \(period.start)–\(period.end)")
                    datesOK = false
                }
            }
            if let earliest, let latest, latest < earliest {
                issues.error(path / "latest", r["latest"]?.position, "latest (\(latest)) is before earliest (\(earliest))")
                datesOK = false
            }
            guard let id, let clinic, let nights, let earliest, let latest, datesOK else { continue }
            requests.append(RespiteRequest(id: RespiteID(id), clinic: clinic, nights: nights, earliest: earliest,
                                           latest: latest, priority: priority))
        }
        return (hospitals, patients, requests)
    }

    mutating func checkPatients(_ instance: Instance, _ patients: [(patient: Patient, path: DocumentPath, position: SourcePosition)]) {
        for (patient, path, position) in patients
        where !instance.hospitals.contains(where: { $0.beds(patient.needs.bedKind) > 0 }) {
            issues.error(path / "needs", position, "no hospital offers \(patient.needs.rawValue) beds for patient \(patient.id)")
        }
    }

    mutating func checkRespite(_ instance: Instance, _ requests: [RespiteRequest]) {
        if !requests.isEmpty && !instance.hospitals.contains(where: { $0.beds(.respite) > 0 }) {
            issues.warning(.root / "beds" / "respite", nil, "no hospital pledges respite beds: every request will be rejected")
        }
    }
}

// MARK: Patient deputies

extension Reader {
    /// `deputies.patients` (SPEC section 4b). `attending` and `previous` must name
    /// physicians; `block` defaults to the attending's clinic's block.
    mutating func decodeDeputies(_ top: DocumentObject, physicians: [Member])
        -> [(patient: HomePatient, path: DocumentPath, position: SourcePosition)]
    {
        guard let node = top["deputies"],
              let object = issues.object(node, .root / "deputies", allowed: ["patients"])
        else { return [] }
        let physicianIDs = Set(physicians.map(\.id))
        let blockOf = Dictionary(physicians.map { ($0.id, $0.block) }, uniquingKeysWith: { a, _ in a })
        var result: [(HomePatient, DocumentPath, SourcePosition)] = []
        var seen: [String: DocumentPath] = [:]
        for (patientNode, path) in issues.list(object, "patients") ?? [] {
            guard let h = issues.object(patientNode, path, allowed: ["id", "attending", "block", "requires", "previous"]) else {
                continue
            }
            let id = issues.identifier(h)
            if let id, let idNode = h["id"] { issues.unique(id, path / "id", idNode.position, seen: &seen, what: "home-care patient id") }
            let attending = physicianReference(h, "attending", physicianIDs)
            var block: BlockID?
            var blockOK = true
            if let blockNode = h["block"], !isNull(blockNode) {
                block = issues.reference(blockNode, path / "block", kind: "block", in: blockIDs)
                blockOK = block != nil
            }
            var previous: MemberID?
            var previousOK = true
            if let previousNode = h["previous"], !isNull(previousNode) {
                previous = physicianReference(h, "previous", physicianIDs)
                previousOK = previous != nil
            }
            let requires = issues.stringSet(h, "requires")
            // An attending whose own entry is invalid has no block; that entry's error says why.
            guard let id, let attending, blockOK, previousOK, let home = block ?? blockOf[attending] else { continue }
            result.append((HomePatient(id: HomePatientID(id), attending: attending, block: home, requires: requires,
                                       previous: previous), path, patientNode.position))
        }
        return result
    }

    /// A reference to a physician, with a hint when it names a station or is a near miss.
    mutating func physicianReference(_ object: DocumentObject, _ key: String, _ physicians: Set<MemberID>) -> MemberID? {
        guard let node = issues.required(object, key), let text = issues.identifier(node, object.path / key) else { return nil }
        let id = MemberID(text)
        if physicians.contains(id) { return id }
        var message = "unknown physician \"\(text)\""
        if stationIDs.contains(id) {
            message = "\"\(text)\" is a visiting-nurse station; a home-care patient's \(key) is a physician"
        } else if let near = nearestID(text, in: physicians.map(\.rawValue)) {
            message += " (did you mean \"\(near)\"?)"
        }
        issues.error(object.path / key, node.position, message)
        return nil
    }

    /// The id within edit distance 2 of `text`, if exactly one is closest.
    func nearestID(_ text: String, in ids: [String]) -> String? {
        let scored = ids.map { ($0, editDistance(text, $0)) }.filter { $0.1 <= 2 }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        return scored.filter { $0.1 == best.1 }.count == 1 ? best.0 : nil
    }

    /// A patient nobody can deputise for is valid (SPEC 4b) but draws a warning saying why.
    mutating func checkHomePatients(_ instance: Instance,
                                    _ patients: [(patient: HomePatient, path: DocumentPath, position: SourcePosition)])
    {
        for (patient, path, position) in patients where !instance.hasEligibleDeputy(for: patient) {
            issues.warning(path, position, "patient \(patient.id) has no eligible deputy and stays without one: "
                           + instance.whyNoDeputy(for: patient))
        }
    }
}

extension IssueCollector {
    /// A reference that may be absent.
    mutating func reference<E>(
        _ object: DocumentObject, _ key: String, kind: String, in known: Set<Identifier<E>>, optional: Bool
    ) -> Identifier<E>? {
        guard let node = object[key] else { return nil }
        return reference(node, object.path / key, kind: kind, in: known)
    }
}

extension Instance {
    /// Stations allowed for an item (SPEC section 4): its own station, or any station with
    /// the required skills in the item's block or a neighbouring one.
    public func allowedStations(for item: LoadSharingItem) -> [Int] {
        stations.indices.filter { s in
            let station = stations[s]
            if station.id == item.from { return true }
            return item.requires.isSubset(of: station.skills) && distance(station.block, item.block) <= 1
        }
    }
}
