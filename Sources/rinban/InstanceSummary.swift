import RinbanCore

/// The text `rinban validate` prints for a valid instance.
struct InstanceSummary {
    let loaded: LoadedInstance
    let tightest: Int
    let file: String

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
