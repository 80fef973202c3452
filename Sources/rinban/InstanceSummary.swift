import RinbanCore

/// The text `rinban validate` prints for a valid instance.
struct InstanceSummary {
    let loaded: LoadedInstance
    let tightest: Int
    let file: String
    /// How many home-care patients with the fewest eligible deputies to list.
    var fewestDeputies = 10

    var text: String {
        let instance = loaded.instance
        let slots = loaded.slots.slots
        let eligibility = loaded.eligibility
        var lines: [String] = []
        let dates = instance.period.dates
        let dayTypes = dates.map { instance.dayType(of: $0) }
        func count(_ t: DayType) -> Int { dayTypes.filter { $0 == t }.count }
        lines.append("\(file): valid rinban/1 instance\(instance.association.map { " — \($0)" } ?? "")")
        lines.append("period    \(instance.period.start) – \(instance.period.end): \(dates.count) days "
                     + "(\(count(.weekday)) weekday, \(count(.saturday)) saturday, \(count(.holiday)) holiday)")
        let holidays = dates.compactMap { date -> String? in
            guard let name = JapaneseHolidays.name(on: date)
                ?? (instance.calendar.extraHolidays.contains(date) ? "extra holiday" : nil)
                ?? (instance.dayType(of: date) == .holiday && date.weekday == 6 ? "Saturday" : nil)
            else { return nil }
            return "\(date.month)/\(date.day) \(name)"
        }
        if !holidays.isEmpty { lines.append("holidays  \(holidays.joined(separator: ", ")) (and Sundays)") }
        let physicians = instance.members(of: .physicians)
        let noShare = physicians.filter { $0.share == 0 }.count
        lines.append("network   \(instance.blocks.count) blocks, \(instance.clinics.count) clinics, "
                     + "\(physicians.count) physicians\(noShare > 0 ? " (\(noShare) with share 0)" : ""), "
                     + "\(instance.stations.count) stations, \(instance.shifts.count) shifts, "
                     + "\(instance.duties.count) duties, \(instance.pins.count) pins")
        if !instance.loadSharingItems.isEmpty || !instance.hospitals.isEmpty {
            lines.append("sharing   \(instance.loadSharingItems.count) load-sharing items; \(instance.hospitals.count) hospitals, "
                         + "\(instance.patients.count) registered patients, \(instance.respiteRequests.count) respite requests")
        }
        lines += deputyPoolLines()

        lines.append("")
        lines.append("slots per duty and day type (slots / total demand)")
        let header = pad("duty", 22) + DayType.allCases.map { lpad($0.rawValue, 12) }.joined() + lpad("all", 12)
        lines.append("  " + header)
        for (d, duty) in instance.duties.enumerated() {
            let own = slots.filter { $0.duty == d }
            func cell(_ chosen: [Slot]) -> String { "\(chosen.count) / \(chosen.reduce(0) { $0 + $1.demand })" }
            let cells = DayType.allCases.map { t in lpad(cell(own.filter { $0.dayType == t }), 12) }.joined()
            lines.append("  " + pad("\(duty.id) (\(duty.pool.rawValue))", 22) + cells + lpad(cell(own), 12))
        }

        if !slots.isEmpty && tightest > 0 {
            lines.append("")
            lines.append("tightest slots (eligible members / demand)")
            let ranked = slots.sorted {
                let a = Double(eligibility.eligible[$0.index].count) / Double($0.demand)
                let b = Double(eligibility.eligible[$1.index].count) / Double($1.demand)
                return a != b ? a < b : $0.index < $1.index
            }
            for slot in ranked.prefix(tightest) {
                let eligible = eligibility.eligible[slot.index].count
                let away = eligibility.unavailable[slot.index].count
                lines.append("  " + pad(describe(slot), 42) + "\(eligible) / \(slot.demand)"
                             + (away > 0 ? "   (\(away) unavailable)" : ""))
            }
        }

        lines += deputyEligibilityLines()

        let precheck = FeasibilityPrecheck(loaded: loaded)
        var warnings = loaded.warnings.map(\.description)
        for short in precheck.shortSlots {
            let slot = slots[short.slot]
            let pool = instance.duties[slot.duty].pool == .physicians ? "physician" : "station"
            let who = short.eligible == 0 ? "no eligible \(pool)" : "only \(short.eligible) eligible \(pool)\(short.eligible == 1 ? "" : "s")"
            warnings.append("\(who) for \(describe(slot)) (demand \(short.demand))"
                            + (short.unavailable > 0 ? ": \(short.unavailable) unavailable" : ""))
        }
        warnings += precheck.memberFindings.map(\.message)
        warnings += precheck.poolFindings
        lines.append("")
        if warnings.isEmpty {
            lines.append("no warnings")
        } else {
            lines.append("\(warnings.count) warning\(warnings.count == 1 ? "" : "s")")
            lines += warnings.map { "  " + $0 }
        }
        return lines.joined(separator: "\n")
    }

    /// The home-care patients and the deputy pool (SPEC section 4b), under the network line:
    ///
    ///     deputies  5 home-care patients: 2 require "eol", 1 requires "pediatric"; 1 with a previous deputy
    ///               7 physicians in the deputy pool (Σ share 6.5: 0.77 patients per unit of share); caps: p05 1
    ///               not in the pool: p03 (maxDeputyPatients 0), p08 (share 0)
    ///
    /// Nothing without home-care patients.
    func deputyPoolLines() -> [String] {
        let instance = loaded.instance
        let patients = instance.homePatients
        guard !patients.isEmpty else { return [] }
        var skills: [String: Int] = [:]
        for patient in patients {
            for skill in patient.requires { skills[skill, default: 0] += 1 }
        }
        var first = "deputies  \(patients.count) home-care patient\(patients.count == 1 ? "" : "s")"
        if !skills.isEmpty {
            first += ": " + skills.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                .map { "\($0.value) require\($0.value == 1 ? "s" : "") \"\($0.key)\"" }.joined(separator: ", ")
        }
        let previous = patients.filter { $0.previous != nil }.count
        if previous > 0 { first += "; \(previous) with a previous deputy" }
        var lines = [first]

        let pool = instance.deputyPool
        let shares = pool.reduce(0) { $0 + instance.members[$1].share }
        var second = "          \(pool.count) physician\(pool.count == 1 ? "" : "s") in the deputy pool"
        if shares > 0 {
            second += " (Σ share \(formatNumber(shares)): \(String(format: "%.2f", Double(patients.count) / shares)) "
                + "patients per unit of share)"
        }
        let capped = pool.filter { instance.members[$0].maxDeputyPatients != nil }
        if !capped.isEmpty {
            second += "; capped: " + capped.map { "\(instance.members[$0].id) at \(instance.members[$0].maxDeputyPatients!)" }
                .joined(separator: ", ")
            if capped.count == pool.count {
                let room = capped.reduce(0) { $0 + instance.members[$1].maxDeputyPatients! }
                if room < patients.count {
                    second += " (every physician capped: at most \(room) of the \(patients.count) patients can have a deputy)"
                }
            }
        }
        lines.append(second)
        let outside = instance.members.indices.filter { instance.members[$0].pool == .physicians && !instance.takesDeputies($0) }
        if !outside.isEmpty {
            lines.append("          not in the pool: " + outside.map { q in
                let m = instance.members[q]
                return "\(m.id) (\(m.share > 0 ? "maxDeputyPatients 0" : "share 0"))"
            }.joined(separator: ", "))
        }
        return lines
    }

    /// How many physicians are eligible as deputy of each home-care patient: min, median, max,
    /// a histogram, the patients with none, and the patients with the fewest, fewest first.
    func deputyEligibilityLines() -> [String] {
        let instance = loaded.instance
        let patients = instance.homePatients
        guard !patients.isEmpty else { return [] }
        let eligible = patients.map { instance.eligibleDeputies(for: $0) }
        let counts = eligible.map(\.count).sorted()
        let middle = counts.count / 2
        let median = counts.count % 2 == 1 ? Double(counts[middle]) : Double(counts[middle - 1] + counts[middle]) / 2
        var lines = ["", "eligible deputies per home-care patient: min \(counts.first!), median \(formatNumber(median)), "
                     + "max \(counts.last!)"]
        let buckets: [(String, ClosedRange<Int>)] = [
            ("0", 0...0), ("1", 1...1), ("2", 2...2), ("3–4", 3...4), ("5–9", 5...9), ("10+", 10...Int.max),
        ]
        lines.append("  " + pad("eligible", 10) + buckets.map { lpad($0.0, 6) }.joined())
        lines.append("  " + pad("patients", 10) + buckets.map { bucket in
            lpad(String(counts.filter { bucket.1.contains($0) }.count), 6)
        }.joined())
        let none = patients.indices.filter { eligible[$0].isEmpty }
        if !none.isEmpty {
            lines.append("  \(none.count) patient\(none.count == 1 ? "" : "s") with no eligible deputy (stay\(none.count == 1 ? "s" : "") "
                         + "without one): " + none.map { patients[$0].id.rawValue }.joined(separator: ", "))
        }
        guard fewestDeputies > 0 else { return lines }
        let ranked = patients.indices.sorted { eligible[$0].count != eligible[$1].count ? eligible[$0].count < eligible[$1].count : $0 < $1 }
        lines.append("")
        lines.append("fewest eligible deputies (patient: eligible physicians)")
        for h in ranked.prefix(fewestDeputies) {
            let patient = patients[h]
            var what = "\(patient.id) (attending \(patient.attending), \(blockName(patient.block))"
            if !patient.requires.isEmpty { what += ", requires \(patient.requires.sorted().joined(separator: ", "))" }
            what += ")"
            let who = eligible[h].isEmpty ? "none"
                : eligible[h].count <= 5 ? eligible[h].map { instance.members[$0].id.rawValue }.joined(separator: ", ") : ""
            lines.append("  " + pad(what, 44) + lpad(String(eligible[h].count), 3) + (who.isEmpty ? "" : "   " + who))
        }
        return lines
    }

    private func blockName(_ block: BlockID) -> String {
        let instance = loaded.instance
        return instance.blockIndex[block].map { instance.blocks[$0].name } ?? block.rawValue
    }

    /// `substitute/西部 2027-01-02 (土) night`.
    func describe(_ slot: Slot) -> String {
        let instance = loaded.instance
        let duty = instance.duties[slot.duty]
        let area = duty.areas[slot.area]
        return "\(duty.id)/\(area.name ?? area.id.rawValue) \(slot.date) (\(japaneseWeekdays[slot.date.weekday])) \(instance.shifts[slot.shift].id)"
    }
}

/// Pads on the right to a display width (East Asian characters count two columns).
func pad(_ text: String, _ width: Int) -> String {
    let w = displayWidth(text)
    return w >= width ? text + " " : text + String(repeating: " ", count: width - w)
}

/// Pads on the left to a display width.
func lpad(_ text: String, _ width: Int) -> String {
    let w = displayWidth(text)
    return w >= width ? " " + text : String(repeating: " ", count: width - w) + text
}

func displayWidth(_ text: String) -> Int {
    text.unicodeScalars.reduce(0) { width, scalar in
        let v = scalar.value
        let wide = (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
            || (0xFFE0...0xFFE6).contains(v)
        return width + (wide ? 2 : 1)
    }
}
