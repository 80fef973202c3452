/// Japanese words and number formats shared by the CSV, calendar and HTML outputs, so a
/// clerk sees the same label for the same thing everywhere.
package enum RotaText {
    /// What an open slot shows.
    package static let open = "（空き）"
    /// Area label of a "network" duty's single area.
    package static let wholeNetwork = "全域"
    /// Name shown for an extra holiday of `calendar.extraHolidays` that is no national holiday.
    package static let extraHoliday = "指定休日"

    /// 日 月 火 水 木 金 土.
    package static func weekday(_ date: CivilDate) -> String {
        ["日", "月", "火", "水", "木", "金", "土"][date.weekday]
    }

    /// 平日, 土曜 or 休日.
    package static func dayType(_ type: DayType) -> String {
        switch type {
        case .weekday: return "平日"
        case .saturday: return "土曜"
        case .holiday: return "休日"
        }
    }

    /// The national holiday's name (元日, 振替休日, …), "指定休日" for an extra holiday of the
    /// instance, nil otherwise (a plain Sunday has no name).
    package static func holidayName(_ date: CivilDate, in instance: Instance) -> String? {
        if JapaneseHolidays.supportedYears.contains(date.year), let name = JapaneseHolidays.name(on: date) {
            return name
        }
        return instance.calendar.extraHolidays.contains(date) ? extraHoliday : nil
    }

    /// "副主治医当番 北部 夜間": names, falling back to ids for anything the instance lacks.
    package static func label(duty: DutyID, area: AreaID, shift: ShiftID, in instance: Instance) -> String {
        [dutyName(duty, in: instance), areaName(duty: duty, area: area, in: instance), shiftName(shift, in: instance)]
            .joined(separator: " ")
    }

    package static func dutyName(_ duty: DutyID, in instance: Instance) -> String {
        instance.dutyIndex[duty].map { instance.duties[$0].name } ?? duty.rawValue
    }

    package static func shiftName(_ shift: ShiftID, in instance: Instance) -> String {
        instance.shiftIndex[shift].map { instance.shifts[$0].name } ?? shift.rawValue
    }

    /// The block's name for a "block" duty, "全域" for a "network" duty, else the area's name or id.
    package static func areaName(duty: DutyID, area: AreaID, in instance: Instance) -> String {
        guard let d = instance.dutyIndex[duty], let found = instance.duties[d].areas.first(where: { $0.id == area }) else {
            return area.rawValue
        }
        if instance.duties[d].scope == .network { return wholeNetwork }
        return found.name ?? area.rawValue
    }

    /// A member's name, or its id when the instance has no such member.
    package static func name(of member: MemberID, in instance: Instance) -> String {
        instance.memberIndex[member].map { instance.members[$0].name } ?? member.rawValue
    }

    /// 医師 or 訪問看護ステーション.
    package static func pool(_ pool: Pool) -> String {
        pool == .physicians ? "医師" : "訪問看護ステーション"
    }

    /// A physician's clinic, a station's block name.
    package static func affiliation(of member: Member, in instance: Instance) -> String {
        if let clinic = member.clinic, let c = instance.clinicIndex[clinic] { return instance.clinics[c].name }
        return blockName(member.block, in: instance)
    }

    package static func blockName(_ block: BlockID, in instance: Instance) -> String {
        instance.blockIndex[block].map { instance.blocks[$0].name } ?? block.rawValue
    }

    /// "1月1日(金)".
    package static func monthDay(_ date: CivilDate) -> String {
        "\(date.month)月\(date.day)日(\(weekday(date)))"
    }

    /// `HH:MM` of a minute of the day.
    package static func clock(_ minuteOfDay: Int) -> String {
        TimeOfDay(minutes: minuteOfDay)?.description ?? "--:--"
    }

    /// `x` rounded to `places` decimals, always with that many ("7.33", "-0.50", "2.00").
    ///
    /// Written out by hand so the result never depends on a locale (no "7,33").
    package static func fixed(_ x: Double, places: Int = 2) -> String {
        guard x.isFinite else { return x.isNaN ? "NaN" : (x < 0 ? "-∞" : "∞") }
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = (abs(x) * scale).rounded()
        guard scaled < 1e15 else { return String(x) }
        let units = Int(scaled)
        let divisor = Int(scale)
        var text = String(units / divisor)
        if places > 0 {
            let fraction = String(units % divisor)
            text += "." + String(repeating: "0", count: places - fraction.count) + fraction
        }
        return x < 0 && units != 0 ? "-" + text : text
    }

    /// Like ``fixed(_:places:)`` with "+" in front of positive values ("+1.25", "0.00").
    package static func signed(_ x: Double, places: Int = 2) -> String {
        let text = fixed(x, places: places)
        return x > 0 && text.contains(where: { $0 != "0" && $0 != "." }) ? "+" + text : text
    }

    /// Shortest plain decimal for shares and points in running text ("1.5", "0.5", "3").
    package static func short(_ x: Double) -> String {
        var text = fixed(x, places: 4)
        guard text.contains(".") else { return text }
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
