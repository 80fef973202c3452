import Foundation

/// Each member's duties as an iCalendar file (RFC 5545) to import into a phone's or a PC's
/// calendar.
///
/// One `VCALENDAR` per member with at least one assignment: `VERSION:2.0`, `PRODID`,
/// `CALSCALE:GREGORIAN`, `X-WR-CALNAME` (the name calendar apps show), a `VTIMEZONE` for
/// Asia/Tokyo (JST, +0900 all year: Japan has had no daylight saving since 1951), then one
/// `VEVENT` per assignment in time order with:
/// - `UID` built from the duty, area, start date, shift and member ids, so importing the
///   file of a revised plan updates the events that stayed and adds the new ones instead
///   of duplicating them; the member is part of it because each person's file is separate
///   (the office may import all of them into one calendar);
/// - `DTSTAMP` = the `stamp` passed in (UTC), so the same input gives byte-identical files;
/// - `DTSTART;TZID=Asia/Tokyo` / `DTEND;TZID=Asia/Tokyo`: the shift's occurrence, a night
///   ending the next morning, a 24-hour shift (start = end) ending at the same time the next day;
/// - `SUMMARY` "副主治医当番 北部 夜間" and a `DESCRIPTION` with times, day type and points.
///
/// Lines end with CRLF and are folded at 75 octets between characters (a multi-byte
/// UTF-8 character is never split); text values escape `\` `;` `,` and line breaks and
/// drop other control characters.
///
/// Assignments naming a member or shift the instance lacks are left out (the plan is not
/// checked here: `rinban score` reports them). Repeated assignments appear once.
public enum RotaICS {
    /// Domain part of every `UID` (".invalid" is reserved: it can never be someone else's).
    public static let uidDomain = "rinban.invalid"
    /// The `PRODID` of every file.
    public static let productID = "-//rinban//rinban rota//JA"
    /// The `TZID` of every local time.
    public static let timeZoneID = "Asia/Tokyo"

    /// One member's calendar file.
    public struct MemberCalendar: Hashable, Sendable {
        /// The member whose duties it holds.
        public var member: MemberID
        /// The file name: the member id made safe for every file system, plus ".ics".
        public var fileName: String
        /// The file's content (UTF-8, CRLF line ends).
        public var text: String
    }

    /// The calendars of every member with assignments, in member order.
    ///
    /// - Parameter stamp: the creation time written as every event's `DTSTAMP` (pass the
    ///   clock's value; tests pass a fixed one). Only whole seconds are used.
    public static func make(loaded: LoadedInstance, plan: Plan, stamp: Date) -> [MemberCalendar] {
        let instance = loaded.instance
        var byMember = [[Assignment]](repeating: [], count: instance.members.count)
        for a in OutputAssignments.distinct(plan) {
            guard let m = instance.memberIndex[a.member], instance.shiftIndex[a.shift] != nil else { continue }
            byMember[m].append(a)
        }
        var usedNames = Set<String>()
        var calendars: [MemberCalendar] = []
        for (m, assignments) in byMember.enumerated() where !assignments.isEmpty {
            let id = instance.members[m].id
            let fileName = uniqueFileName(for: id, avoiding: &usedNames)
            calendars.append(MemberCalendar(
                member: id, fileName: fileName,
                text: calendar(member: m, assignments: assignments, instance: instance, stamp: stamp)))
        }
        return calendars
    }

    /// Writes ``make(loaded:plan:stamp:)`` into `directory` (created with its parents if
    /// missing), each file atomically. Files of members without assignments are not
    /// touched, so a file left from an earlier plan stays.
    /// - Returns: the paths written, in member order.
    /// - Throws: ``OutputError`` naming the folder or file that could not be written.
    @discardableResult
    public static func write(loaded: LoadedInstance, plan: Plan, stamp: Date, toDirectory directory: String)
        throws(OutputError) -> [String]
    {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw OutputError(path: directory, reason: "cannot create the folder (\(error.localizedDescription))")
        }
        var paths: [String] = []
        for calendar in make(loaded: loaded, plan: plan, stamp: stamp) {
            let path = URL(fileURLWithPath: directory).appendingPathComponent(calendar.fileName).path
            try AtomicFile.write(calendar.text, to: path)
            paths.append(path)
        }
        return paths
    }

    // MARK: - Content

    /// One member's subscription feed: their duties in every given month (the latest
    /// published plan of each), in one calendar. Months where the member has no duty add
    /// nothing; UIDs are those of ``make(loaded:plan:stamp:)``, so a phone that imported a
    /// month's file and then subscribes sees the same events.
    public static func feed(member: MemberID, months: [(loaded: LoadedInstance, plan: Plan)], stamp: Date) -> String {
        var name = member.rawValue
        var association: String?
        var eventLines: [String] = []
        for (loaded, plan) in months {
            let instance = loaded.instance
            guard let m = instance.memberIndex[member] else { continue }
            name = instance.members[m].name
            association = association ?? instance.association
            let assignments = OutputAssignments.distinct(plan).filter { $0.member == member && instance.shiftIndex[$0.shift] != nil }
            eventLines += events(assignments, instance: instance, stamp: stamp)
        }
        return wrap(eventLines, calendarName: ["輪番", name, association].compactMap { $0 }.joined(separator: " "))
    }

    private static func calendar(member m: MemberIndex, assignments: [Assignment], instance: Instance, stamp: Date)
        -> String
    {
        let member = instance.members[m]
        let calendarName = ["輪番", member.name, instance.association].compactMap { $0 }.joined(separator: " ")
        return wrap(events(assignments, instance: instance, stamp: stamp), calendarName: calendarName)
    }

    /// The VEVENT lines of one member's assignments in one instance, in time order.
    private static func events(_ assignments: [Assignment], instance: Instance, stamp: Date) -> [String] {
        let events = assignments.map { a -> (Occurrence, Assignment) in
            (Occurrence(shift: instance.shifts[instance.shiftIndex[a.shift]!], date: a.date), a)
        }.sorted { l, r in
            if l.0.start != r.0.start { return l.0.start < r.0.start }
            if l.0.end != r.0.end { return l.0.end < r.0.end }
            return (l.1.duty.rawValue, l.1.area.rawValue, l.1.shift.rawValue)
                < (r.1.duty.rawValue, r.1.area.rawValue, r.1.shift.rawValue)
        }
        let dtstamp = utcStamp(stamp)
        var lines: [String] = []
        for (occurrence, a) in events {
            let label = RotaText.label(duty: a.duty, area: a.area, shift: a.shift, in: instance)
            lines += [
                "BEGIN:VEVENT",
                "UID:" + uid(a),
                "DTSTAMP:" + dtstamp,
                "DTSTART;TZID=\(timeZoneID):" + localTime(occurrence.start),
                "DTEND;TZID=\(timeZoneID):" + localTime(occurrence.end),
                "SUMMARY:" + text(label),
                "DESCRIPTION:" + text(description(a, occurrence: occurrence, label: label, instance: instance)),
                "TRANSP:OPAQUE",
                "END:VEVENT",
            ]
        }
        return lines
    }

    /// The calendar around the events: header, the Asia/Tokyo time zone, folded lines.
    private static func wrap(_ eventLines: [String], calendarName: String) -> String {
        var lines: [String] = [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:" + text(productID),
            "CALSCALE:GREGORIAN",
            "X-WR-CALNAME:" + text(calendarName),
            "X-WR-TIMEZONE:" + timeZoneID,
            "BEGIN:VTIMEZONE",
            "TZID:" + timeZoneID,
            "BEGIN:STANDARD",
            "DTSTART:19700101T000000",
            "TZOFFSETFROM:+0900",
            "TZOFFSETTO:+0900",
            "TZNAME:JST",
            "END:STANDARD",
            "END:VTIMEZONE",
        ]
        lines += eventLines
        lines.append("END:VCALENDAR")
        return lines.map(folded).joined()
    }

    /// Label, times, day type and points, and the association, one per line.
    private static func description(_ a: Assignment, occurrence: Occurrence, label: String, instance: Instance) -> String {
        let startDate = CivilDate(dayNumber: floorDiv(occurrence.start, Occurrence.minutesPerDay))
        let endDate = CivilDate(dayNumber: floorDiv(occurrence.end, Occurrence.minutesPerDay))
        let startClock = RotaText.clock(occurrence.start - startDate.dayNumber * Occurrence.minutesPerDay)
        let endClock = RotaText.clock(occurrence.end - endDate.dayNumber * Occurrence.minutesPerDay)
        let dayType = instance.dayType(of: a.date)
        var kind = RotaText.dayType(dayType)
        if let holiday = RotaText.holidayName(a.date, in: instance) { kind += "（\(holiday)）" }
        let points = instance.shifts[instance.shiftIndex[a.shift]!].points(on: dayType)
        var lines = [
            label,
            "\(RotaText.monthDay(startDate)) \(startClock) 〜 \(RotaText.monthDay(endDate)) \(endClock)",
            "\(kind)・点数 \(RotaText.short(points))",
        ]
        if let association = instance.association { lines.append(association) }
        return lines.joined(separator: "\n")
    }

    /// "substitute/north/2027-01-01/night/p01@rinban.invalid", each id percent-encoded so
    /// that no id can run into the next.
    static func uid(_ a: Assignment) -> String {
        [a.duty.rawValue, a.area.rawValue, a.date.iso, a.shift.rawValue, a.member.rawValue]
            .map { percentEncoded($0) }.joined(separator: "/") + "@" + uidDomain
    }

    // MARK: - Format

    /// `YYYYMMDDTHHMMSS` of a local time in minutes since 1970-01-01 00:00.
    private static func localTime(_ minutes: Int) -> String {
        let day = floorDiv(minutes, Occurrence.minutesPerDay)
        return compact(CivilDate(dayNumber: day), seconds: (minutes - day * Occurrence.minutesPerDay) * 60)
    }

    /// `YYYYMMDDTHHMMSSZ` of an instant, in UTC.
    static func utcStamp(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let day = floorDiv(seconds, 86_400)
        return compact(CivilDate(dayNumber: day), seconds: seconds - day * 86_400) + "Z"
    }

    private static func compact(_ date: CivilDate, seconds: Int) -> String {
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let ymd = date.iso.replacingOccurrences(of: "-", with: "")
        return "\(ymd)T\(two(seconds / 3600))\(two(seconds / 60 % 60))\(two(seconds % 60))"
    }

    private static func floorDiv(_ a: Int, _ b: Int) -> Int {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }

    /// A TEXT value (RFC 5545 section 3.3.11): `\` `;` `,` escaped, a line break as `\n`
    /// (CRLF and lone CR count as one), other control characters dropped (TEXT forbids them).
    static func text(_ value: String) -> String {
        var out = ""
        var previousWasCR = false
        for scalar in value.unicodeScalars {
            defer { previousWasCR = scalar == "\r" }
            switch scalar {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\r": out += "\\n"
            case "\n": if !previousWasCR { out += "\\n" }
            case "\t": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// The content line with CRLF, folded so no physical line exceeds 75 octets: a break
    /// goes before the character that would cross the limit, and the continuation starts
    /// with one space (which counts toward its 75).
    static func folded(_ line: String) -> String {
        var out = ""
        var octets = 0
        for scalar in line.unicodeScalars {
            let size = UTF8.width(scalar)
            if octets + size > 75 {
                out += "\r\n "
                octets = 1
            }
            out.unicodeScalars.append(scalar)
            octets += size
        }
        return out + "\r\n"
    }

    /// Every byte outside `A–Z a–z 0–9 - _` as `%HH` (so also `.` `/` `%` `@`).
    static func percentEncoded(_ value: String) -> String {
        var out = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += hexEscape(byte)
            }
        }
        return out
    }

    /// `%HH` with upper-case hex digits.
    private static func hexEscape(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "%" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0F)])
    }

    /// Windows' reserved device names, which stay reserved with any extension.
    private static let reservedNames: Set<String> = {
        var names: Set<String> = ["con", "prn", "aux", "nul"]
        for n in 1...9 { names.insert("com\(n)"); names.insert("lpt\(n)") }
        return names
    }()

    /// "p01.ics": the id percent-encoded (no separators, dots or characters Windows
    /// forbids; a reserved device name gets its first letter encoded), made unique among
    /// the names given so far ignoring case, for case-insensitive file systems.
    static func uniqueFileName(for id: MemberID, avoiding used: inout Set<String>) -> String {
        var base = percentEncoded(id.rawValue)
        if reservedNames.contains(base.lowercased()), let first = base.utf8.first {
            base = hexEscape(first) + base.dropFirst()
        }
        var candidate = base
        var n = 2
        while used.contains(candidate.lowercased()) {
            candidate = "\(base)~\(n)"
            n += 1
        }
        used.insert(candidate.lowercased())
        return candidate + ".ics"
    }
}
