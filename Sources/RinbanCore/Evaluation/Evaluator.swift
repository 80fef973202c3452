/// Checks a plan against an instance and recomputes its objective (SPEC sections 3–6).
///
/// This is the referee: it works from the instance and the plan's lists alone. It imports
/// neither the modelling layer nor any planner; what it shares with them is the instance
/// layer (the validated ``Instance``, ``SlotTable``, ``EligibilityIndex`` and the
/// ``HardRuleChecker`` that also checks pins), so a planner's bug cannot hide behind the
/// same bug here. Every term is computed here from SPEC section 5 directly. It never trusts
/// what the plan says about itself: `uncovered` is derived again, `objective` only compared.
///
/// How entries that break a rule are counted. An entry that breaks a rule on its own is
/// reported and then left out of every term, as if it were not in the plan:
/// - an assignment breaking H1 (unknown member, no such slot, ineligible member, the same
///   member twice in a slot, or beyond the slot's demand — the entries after the first
///   `demand` in plan order) covers nothing, earns no points and is not "contained" for
///   `stability`;
/// - a placement of an unknown item, at an unknown or disallowed station, or a second
///   placement of an item (the first allowed one counts) adds no load;
/// - a designation or respite booking breaking its rule counts nowhere (an unbooked
///   request is rejected, so it costs `respiteRejected`);
/// - a deputy entry naming an unknown patient or physician, an ineligible physician, or a
///   second deputy for a patient (the first eligible one counts) counts nowhere (a patient
///   left without a counted deputy is `undeputed`).
/// Faults between entries (H2–H5, a missing pin, a night over the respite beds, a
/// physician over `maxDeputyPatients`) are
/// reported but leave the terms alone: which entry to drop would be a guess.
/// So the terms are always those of the plan with its individually broken entries
/// deleted, and they stay meaningful for a plan that breaks rules.
public struct Evaluator: Sendable {
    /// The instance plans are checked against.
    public let loaded: LoadedInstance
    // Positions of the instance's entities by id, for resolving the plan's references.
    let itemIndex: [ItemID: Int]
    let hospitalIndex: [HospitalID: Int]
    let patientIndex: [PatientID: Int]
    let requestIndex: [RespiteID: Int]

    /// An evaluator for plans of `loaded`; reusable for any number of plans.
    public init(_ loaded: LoadedInstance) {
        self.loaded = loaded
        let instance = loaded.instance
        func index<ID: Hashable>(_ ids: [ID]) -> [ID: Int] {
            Dictionary(ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        }
        itemIndex = index(instance.loadSharingItems.map(\.id))
        hospitalIndex = index(instance.hospitals.map(\.id))
        patientIndex = index(instance.patients.map(\.id))
        requestIndex = index(instance.respiteRequests.map(\.id))
    }

    /// Checks `plan` and recomputes every term; `baseline` (an earlier plan) enables `stability`.
    ///
    /// O(assignments × log assignments + slots + members × period + respite nights).
    public func evaluate(_ plan: Plan, baseline: Plan? = nil) -> Evaluation {
        let instance = loaded.instance
        var violations: [PlanViolation] = []
        if plan.period != instance.period {
            violations.append(PlanViolation(
                rule: .period, entries: [.root / "period"],
                message: "the plan covers \(plan.period.start) to \(plan.period.end), the instance \(instance.period.start) to \(instance.period.end)"))
        }
        let rota = checkRota(plan, &violations)
        let placed = checkPlacements(plan, &violations)
        let designated = checkDesignations(plan, &violations)
        let booked = checkRespite(plan, &violations)
        let deputies = checkDeputies(plan, &violations)

        var terms: [ObjectiveTerm: Double] = [:]
        let members = memberFigures(rota.counted)
        rotaTerms(plan, rota, members, baseline, into: &terms)
        let stations = stationFigures(placed)
        loadTerms(placed, stations, into: &terms)
        bedTerms(designated, booked, into: &terms)
        let deputyFigures = deputyTerms(deputies, into: &terms)

        let total = ObjectiveTerm.allCases.reduce(0) { $0 + instance.weights[$1] * (terms[$1] ?? 0) }
        return Evaluation(
            violations: violations.enumerated().sorted { a, b in
                a.element.rule != b.element.rule ? a.element.rule < b.element.rule : a.offset < b.offset
            }.map(\.element),
            terms: terms, weights: instance.weights, total: total, uncovered: rota.uncovered, members: members,
            stations: stations, ignoredAssignments: rota.ignored,
            comparison: plan.objective.map { ObjectiveComparison(claimed: $0, recomputed: terms, total: total) },
            hasBaseline: baseline != nil, patientDeputies: deputyFigures.patients, deputyLoads: deputyFigures.loads)
    }

    // MARK: Terms

    /// uncovered, fairness, maxDeviation, holidayFairness, neighbor, avoid, spread, stability.
    func rotaTerms(
        _ plan: Plan, _ rota: RotaCheck, _ members: [MemberFigures],
        _ baseline: Plan?, into terms: inout [ObjectiveTerm: Double]
    ) {
        let instance = loaded.instance
        let fairness = fairnessTerms(members)
        terms[.uncovered] = Double(rota.uncovered.reduce(0) { $0 + $1.missing })
        terms[.fairness] = fairness.fairness
        terms[.maxDeviation] = fairness.maxDeviation
        terms[.holidayFairness] = fairness.holidayFairness
        terms[.neighbor] = Double(rota.counted.filter { !isHome($0.member, $0.slot) }.count)
        terms[.avoid] = Double(rota.counted.filter { c in
            instance.members[c.member].avoid.contains { $0.blocks(c.slot.occurrence) }
        }.count)
        terms[.spread] = Double(spread(rota.counted))
        terms[.stability] = Double(stability(plan, rota.counted, baseline))
    }

    /// loadMax, overflow, transfer, remoteStation.
    func loadTerms(_ placed: [Int?], _ stations: [StationFigures], into terms: inout [ObjectiveTerm: Double]) {
        let instance = loaded.instance
        terms[.loadMax] = stations.isEmpty ? 0 : 100 * stations.map(\.utilisation).max()!
        terms[.overflow] = stations.reduce(0) { $0 + max(0, $1.load - $1.capacity) }
        var transfer = 0
        var remote = 0
        for (i, item) in instance.loadSharingItems.enumerated() {
            guard let s = placed[i] else { continue }
            if let from = item.from, instance.stations[s].id != from { transfer += 1 }
            if instance.stations[s].block != item.block { remote += 1 }
        }
        terms[.transfer] = Double(transfer)
        terms[.remoteStation] = Double(remote)
    }

    /// bedOverload, outsideGroup, bedDistance, respiteRejected, respiteDelay.
    func bedTerms(_ designated: [Int?], _ stays: [Stay?], into terms: inout [ObjectiveTerm: Double]) {
        let instance = loaded.instance
        terms[.bedOverload] = bedOverload(designated)
        var outside = 0
        var distance = 0
        /// A patient or an accepted request of `clinic` placed at hospital `h`.
        func place(_ clinic: ClinicID, at h: Int) {
            let hospital = instance.hospitals[h]
            if !hospital.group.contains(clinic) { outside += 1 }
            distance += instance.distance(instance.block(ofClinic: clinic), hospital.block)
        }
        for (p, h) in designated.enumerated() {
            if let h { place(instance.patients[p].clinic, at: h) }
        }
        var rejected = 0
        var delay = 0
        for (r, stay) in stays.enumerated() {
            let request = instance.respiteRequests[r]
            if let stay {
                place(request.clinic, at: stay.hospital)
                delay += stay.start.days(since: request.earliest)
            } else {
                rejected += request.priority
            }
        }
        terms[.outsideGroup] = Double(outside)
        terms[.bedDistance] = Double(distance)
        terms[.respiteRejected] = Double(rejected)
        terms[.respiteDelay] = Double(delay)
    }

    // MARK: The rota (H1–H6)

    /// An assignment that passes H1: its position in the plan, its slot and its member.
    struct Counted {
        var position: Int
        var slot: Slot
        var member: MemberIndex
    }

    /// What the rota check yields besides violations.
    struct RotaCheck {
        /// Assignments that pass H1, in plan order.
        var counted: [Counted]
        /// Positions of the assignments that do not.
        var ignored: [Int]
        /// Demand the counted assignments leave open, in slot order.
        var uncovered: [UncoveredSlot]
    }

    /// H1–H5 through ``HardRuleChecker``, H6 here; the assignments that count and the
    /// demand they leave open.
    func checkRota(_ plan: Plan, _ violations: inout [PlanViolation]) -> RotaCheck {
        let instance = loaded.instance, slots = loaded.slots
        let checker = HardRuleChecker(instance: instance, slots: slots, eligibility: loaded.eligibility)
        for violation in checker.violations(of: plan.assignments) {
            violations.append(PlanViolation(
                rule: violation.rule, entries: violation.assignments.sorted().map { .root / "assignments" / $0 },
                message: violation.message))
        }

        // What counts: the H1 test again, entry by entry, keeping the first `demand`
        // eligible members of each slot in plan order.
        var counted: [Counted] = []
        var ignored: [Int] = []
        var filled = [Int](repeating: 0, count: slots.slots.count)
        var seen: Set<[Int]> = []
        for (k, a) in plan.assignments.enumerated() {
            guard let member = instance.memberIndex[a.member],
                  let slot = slots.slot(duty: a.duty, area: a.area, date: a.date, shift: a.shift),
                  loaded.eligibility.candidate(member, for: slot.index) != nil,
                  seen.insert([slot.index, member]).inserted,
                  filled[slot.index] < slot.demand
            else {
                ignored.append(k)
                continue
            }
            filled[slot.index] += 1
            counted.append(Counted(position: k, slot: slot, member: member))
        }
        let uncovered = slots.slots.filter { filled[$0.index] < $0.demand }.map { slot in
            let duty = instance.duties[slot.duty]
            return UncoveredSlot(duty: duty.id, area: duty.areas[slot.area].id, date: slot.date,
                                 shift: instance.shifts[slot.shift].id, missing: slot.demand - filled[slot.index])
        }

        // H6: every pin is one of the plan's assignments.
        let stated = Set(plan.assignments)
        for (i, pin) in instance.pins.enumerated() {
            let assignment = Assignment(duty: pin.duty, area: pin.area, date: pin.date, shift: pin.shift, member: pin.member)
            if !stated.contains(assignment) {
                violations.append(PlanViolation(
                    rule: .h6, instanceEntries: [.root / "pins" / i],
                    message: "pinned \(checker.describe(assignment)) \(pin.member) is not in the plan"))
            }
        }
        return RotaCheck(counted: counted, ignored: ignored, uncovered: uncovered)
    }

    /// Whether the member's block is one of the slot's area's blocks (else it serves as a neighbour).
    func isHome(_ member: MemberIndex, _ slot: Slot) -> Bool {
        let area = loaded.instance.duties[slot.duty].areas[slot.area]
        return area.blocks.contains(loaded.instance.members[member].block)
    }

    // MARK: Load sharing (L1)

    /// The station index each item counts as placed at (nil when it is not validly placed).
    func checkPlacements(_ plan: Plan, _ violations: inout [PlanViolation]) -> [Int?] {
        let instance = loaded.instance
        let items = instance.loadSharingItems
        var placed = [Int?](repeating: nil, count: items.count)
        var entries = [[Int]](repeating: [], count: items.count)
        for (k, placement) in plan.placements.enumerated() {
            let path = DocumentPath.root / "placements" / k
            guard let i = itemIndex[placement.item] else {
                violations.append(PlanViolation(rule: .placement, entries: [path], message: "unknown item \"\(placement.item)\""))
                continue
            }
            entries[i].append(k)
            guard let s = instance.stationIndex[placement.station] else {
                let what = instance.memberIndex[placement.station] != nil ? "\(placement.station) is a physician, not a station"
                                                                           : "unknown station \"\(placement.station)\""
                violations.append(PlanViolation(rule: .placement, entries: [path], message: "item \(placement.item): \(what)"))
                continue
            }
            let item = items[i], station = instance.stations[s]
            guard instance.allowedStations(for: item).contains(s) else {
                let missing = item.requires.subtracting(station.skills).sorted()
                let why = missing.isEmpty
                    ? "its block \(station.block) is neither the item's block \(item.block) nor next to it"
                    : "it lacks skill \(missing.map { "\"\($0)\"" }.joined(separator: ", "))"
                violations.append(PlanViolation(
                    rule: .placement, entries: [path],
                    message: "item \(item.id) may not go to station \(station.id): \(why)"))
                continue
            }
            if placed[i] == nil { placed[i] = s }
        }
        for (i, item) in items.enumerated() {
            if entries[i].isEmpty {
                violations.append(PlanViolation(
                    rule: .placement, instanceEntries: [.root / "loadSharing" / "items" / i],
                    message: "item \(item.id) is not placed at any station"))
            } else if entries[i].count > 1 {
                violations.append(PlanViolation(
                    rule: .placement, entries: entries[i].map { .root / "placements" / $0 },
                    message: "item \(item.id) is placed \(entries[i].count) times; it goes to exactly one station"))
            }
        }
        return placed
    }

    func stationFigures(_ placed: [Int?]) -> [StationFigures] {
        let instance = loaded.instance
        var load = instance.stations.map(\.load)
        for (i, s) in placed.enumerated() {
            if let s { load[s] += instance.loadSharingItems[i].visits }
        }
        return instance.stations.enumerated().map { s, station in
            StationFigures(station: s, id: station.id, load: load[s], capacity: station.capacity)
        }
    }

    // MARK: Beds (B1–B3)

    /// The hospital index each patient counts as designated to (nil when not validly designated).
    func checkDesignations(_ plan: Plan, _ violations: inout [PlanViolation]) -> [Int?] {
        let instance = loaded.instance
        var designated = [Int?](repeating: nil, count: instance.patients.count)
        var entries = [[Int]](repeating: [], count: instance.patients.count)
        for (k, designation) in plan.designations.enumerated() {
            let path = DocumentPath.root / "designations" / k
            guard let p = patientIndex[designation.patient] else {
                violations.append(PlanViolation(rule: .designation, entries: [path], message: "unknown patient \"\(designation.patient)\""))
                continue
            }
            entries[p].append(k)
            let patient = instance.patients[p]
            guard let h = hospitalIndex[designation.hospital] else {
                violations.append(PlanViolation(
                    rule: .designation, entries: [path],
                    message: "patient \(patient.id): unknown hospital \"\(designation.hospital)\""))
                continue
            }
            guard instance.hospitals[h].beds(patient.needs.bedKind) > 0 else {
                violations.append(PlanViolation(
                    rule: .designation, entries: [path],
                    message: "patient \(patient.id) needs \(patient.needs.rawValue) beds; hospital \(designation.hospital) pledges none"))
                continue
            }
            if designated[p] == nil { designated[p] = h }
        }
        for (p, patient) in instance.patients.enumerated() {
            if entries[p].isEmpty {
                violations.append(PlanViolation(
                    rule: .designation, instanceEntries: [.root / "beds" / "patients" / p],
                    message: "patient \(patient.id) is designated no hospital"))
            } else if entries[p].count > 1 {
                violations.append(PlanViolation(
                    rule: .designation, entries: entries[p].map { .root / "designations" / $0 },
                    message: "patient \(patient.id) is designated \(entries[p].count) times; exactly one hospital is needed"))
            }
        }
        return designated
    }

    /// Σ over hospitals and needs of the expected admissions above the pledged beds.
    func bedOverload(_ designated: [Int?]) -> Double {
        let instance = loaded.instance
        var risk: [Need: [Double]] = [:]
        for need in Need.allCases { risk[need] = [Double](repeating: 0, count: instance.hospitals.count) }
        for (p, h) in designated.enumerated() {
            if let h { risk[instance.patients[p].needs]![h] += instance.patients[p].risk }
        }
        var overload = 0.0
        for need in Need.allCases {
            for (h, hospital) in instance.hospitals.enumerated() {
                overload += max(0, risk[need]![h] - Double(hospital.beds(need.bedKind)))
            }
        }
        return overload
    }

    /// An accepted stay as counted: the hospital index and the first night.
    struct Stay {
        var position: Int
        var hospital: Int
        var start: CivilDate
    }

    /// B2 for each booking, B3 for the nights; the stay each request counts with (nil: rejected).
    func checkRespite(_ plan: Plan, _ violations: inout [PlanViolation]) -> [Stay?] {
        let instance = loaded.instance
        let requests = instance.respiteRequests
        var stays = [Stay?](repeating: nil, count: requests.count)
        var entries = [[Int]](repeating: [], count: requests.count)
        for (k, booking) in plan.respite.enumerated() {
            let path = DocumentPath.root / "respite" / k
            guard let r = requestIndex[booking.request] else {
                violations.append(PlanViolation(rule: .respiteBooking, entries: [path], message: "unknown respite request \"\(booking.request)\""))
                continue
            }
            entries[r].append(k)
            let request = requests[r]
            guard let h = hospitalIndex[booking.hospital] else {
                violations.append(PlanViolation(
                    rule: .respiteBooking, entries: [path],
                    message: "request \(request.id): unknown hospital \"\(booking.hospital)\""))
                continue
            }
            guard instance.hospitals[h].beds(.respite) > 0 else {
                violations.append(PlanViolation(
                    rule: .respiteBooking, entries: [path],
                    message: "request \(request.id): hospital \(booking.hospital) pledges no respite beds"))
                continue
            }
            guard booking.start >= request.earliest, booking.start <= request.latest else {
                violations.append(PlanViolation(
                    rule: .respiteBooking, entries: [path],
                    message: "request \(request.id) starts on \(booking.start), outside its window \(request.earliest) to \(request.latest)"))
                continue
            }
            if stays[r] == nil { stays[r] = Stay(position: k, hospital: h, start: booking.start) }
        }
        for (r, request) in requests.enumerated() where entries[r].count > 1 {
            violations.append(PlanViolation(
                rule: .respiteBooking, entries: entries[r].map { .root / "respite" / $0 },
                message: "request \(request.id) is booked \(entries[r].count) times; a request is accepted at most once"))
        }

        // B3: occupancy night by night; each run of consecutive over-full nights is one fault.
        for (h, hospital) in instance.hospitals.enumerated() {
            var nights: [Int: [Int]] = [:]  // day number → positions of the stays that night
            for (r, stay) in stays.enumerated() {
                guard let stay, stay.hospital == h else { continue }
                for n in 0..<requests[r].nights { nights[stay.start.dayNumber + n, default: []].append(stay.position) }
            }
            let beds = hospital.beds(.respite)
            let full = nights.keys.filter { nights[$0]!.count > beds }.sorted()
            var runs: [[Int]] = []
            for night in full {
                if let last = runs.last?.last, last == night - 1 { runs[runs.count - 1].append(night) } else { runs.append([night]) }
            }
            for run in runs {
                let positions = Set(run.flatMap { nights[$0]! }).sorted()
                let most = run.map { nights[$0]!.count }.max()!
                let first = CivilDate(dayNumber: run.first!), last = CivilDate(dayNumber: run.last!)
                let when = run.count == 1 ? "the night of \(first)" : "the nights of \(first) to \(last)"
                violations.append(PlanViolation(
                    rule: .respiteCapacity, entries: positions.map { .root / "respite" / $0 },
                    message: "hospital \(hospital.id) holds \(most) respite stays on \(when) but pledges \(beds) respite bed\(beds == 1 ? "" : "s")"))
            }
        }
        return stays
    }

    // MARK: Fairness, spread, stability

    /// P_m, T_m, H_m and TH_m of every member (SPEC section 5).
    func memberFigures(_ counted: [Counted]) -> [MemberFigures] {
        let instance = loaded.instance
        var figures = instance.members.enumerated().map { m, member in
            MemberFigures(member: m, id: member.id, pool: member.pool, assignments: 0, holidayAssignments: 0,
                          points: member.history.points, target: nil, holidays: member.history.holidays, holidayTarget: nil)
        }
        for c in counted {
            figures[c.member].assignments += 1
            figures[c.member].points += pointsOf(c.slot)
            if c.slot.dayType == .holiday {
                figures[c.member].holidayAssignments += 1
                figures[c.member].holidays += 1
            }
        }
        for pool in Pool.allCases {
            let taking = instance.members.indices.filter { instance.members[$0].pool == pool && instance.members[$0].share > 0 }
            guard !taking.isEmpty else { continue }
            let shares = taking.reduce(0.0) { $0 + instance.members[$1].share }
            var points = taking.reduce(0.0) { $0 + instance.members[$1].history.points }
            var holidays = Double(taking.reduce(0) { $0 + instance.members[$1].history.holidays })
            for slot in loaded.slots.slots where instance.duties[slot.duty].pool == pool {
                points += Double(slot.demand) * pointsOf(slot)
                if slot.dayType == .holiday { holidays += Double(slot.demand) }
            }
            for m in taking {
                let fraction = instance.members[m].share / shares
                figures[m].target = fraction * points
                figures[m].holidayTarget = fraction * holidays
            }
        }
        return figures
    }

    /// The shift's points for the slot's day type, read from the instance.
    func pointsOf(_ slot: Slot) -> Double {
        loaded.instance.shifts[slot.shift].points(on: loaded.instance.dayType(of: slot.date))
    }

    func fairnessTerms(_ members: [MemberFigures]) -> (fairness: Double, maxDeviation: Double, holidayFairness: Double) {
        var fairness = 0.0, maxDeviation = 0.0, holidayFairness = 0.0
        for pool in Pool.allCases {
            let deviations = members.filter { $0.pool == pool }.compactMap(\.deviation)
            fairness += deviations.reduce(0, +)
            maxDeviation += deviations.max() ?? 0
            holidayFairness += members.filter { $0.pool == pool }.compactMap(\.holidayDeviation).reduce(0, +)
        }
        return (fairness, maxDeviation, holidayFairness)
    }

    /// Σ over members and over windows of their pool's `spreadDays` consecutive dates lying
    /// wholly inside the period of max(0, assignments starting in the window − 1).
    func spread(_ counted: [Counted]) -> Int {
        let instance = loaded.instance
        let days = instance.period.count
        var perMember: [MemberIndex: [Int]] = [:]  // day offsets of the counted assignments
        for c in counted { perMember[c.member, default: []].append(instance.period.offset(of: c.slot.date)) }
        var total = 0
        for (m, offsets) in perMember {
            let width = instance.rules[instance.members[m].pool].spreadDays
            guard width > 1, width <= days else { continue }
            var starts = [Int](repeating: 0, count: days)
            for offset in offsets { starts[offset] += 1 }
            var inWindow = starts[0..<width].reduce(0, +)
            for first in 0...(days - width) {
                if first > 0 { inWindow += starts[first + width - 1] - starts[first - 1] }
                total += max(0, inWindow - 1)
            }
        }
        return total
    }

    /// Baseline assignments dated inside the period that the plan does not hold among its
    /// counted assignments. Each entry of the baseline's list counts, as SPEC words it (a
    /// baseline listing one assignment twice, itself broken, counts it twice).
    func stability(_ plan: Plan, _ counted: [Counted], _ baseline: Plan?) -> Int {
        guard let baseline else { return 0 }
        let held = Set(counted.map { plan.assignments[$0.position] })
        return baseline.assignments.filter { loaded.instance.period.contains($0.date) && !held.contains($0) }.count
    }
}
