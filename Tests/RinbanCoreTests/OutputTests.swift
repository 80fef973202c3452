import Foundation
@testable import RinbanCore
import Testing

// MARK: - Fixture: tiny.json with a hand-made plan

/// tiny.json with p01 renamed "佐藤 <&> 一郎" (markup characters in a name).
private let tinyLoaded: LoadedInstance = {
    let text = try! String(contentsOfFile: tinyPath, encoding: .utf8)
    precondition(text.components(separatedBy: "佐藤 一郎").count == 2)
    switch decode(text.replacingOccurrences(of: "佐藤 一郎", with: "佐藤 <&> 一郎")) {
    case let .success(loaded): return loaded
    case let .failure(error): fatalError("tiny.json does not load: \(error)")
    }
}()

private func assignment(_ duty: String, _ area: String, _ date: String, _ shift: String, _ member: String) -> Assignment {
    Assignment(duty: DutyID(duty), area: AreaID(area), date: CivilDate(iso: date)!, shift: ShiftID(shift), member: MemberID(member))
}

/// A few duties over New Year; most slots are left open on purpose.
private let tinyPlan = Plan(
    period: tinyLoaded.instance.period,
    assignments: [
        assignment("substitute", "south", "2027-01-01", "night", "p07"),  // the pin
        assignment("substitute", "north", "2027-01-01", "night", "p01"),
        assignment("substitute", "west", "2027-01-01", "night", "p05"),
        assignment("substitute", "north", "2027-01-01", "day", "p03"),
        assignment("eol-nurse", "all", "2027-01-01", "night", "s02"),
        assignment("eol", "all", "2027-01-02", "night", "p04"),
        assignment("substitute", "north", "2027-01-04", "night", "p03"),
        assignment("substitute", "west", "2027-01-05", "night", "p06"),
    ],
    objective: PlanObjective(total: 1234.5, terms: [.uncovered: 1.0, .fairness: 23.45]),
    solver: SolverReport(engine: "glpk", status: "optimal", bound: 1234.5, gap: 0, seconds: 1.25))

/// 2026-12-20 09:30:15.5 UTC.
private let stamp = Date(timeIntervalSince1970: 1_797_759_015.5)

/// The lines of CRLF-terminated text (without the final empty piece).
private func crlfLines(_ text: String) -> [String] {
    var lines = text.components(separatedBy: "\r\n")
    #expect(lines.last == "", "the text must end with CRLF")
    lines.removeLast()
    return lines
}

private func temporaryDirectory() -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("rinban-output-\(UUID().uuidString)").path
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

// MARK: - CSV

@Suite("CSV for Excel")
struct RotaCSVTests {
    let csv = RotaCSV.make(loaded: tinyLoaded, plan: tinyPlan)

    @Test("UTF-8 with a byte-order mark, CRLF only")
    func encoding() {
        #expect(Array(csv.utf8.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let bytes = Array(csv.utf8)
        for (i, byte) in bytes.enumerated() {
            if byte == 0x0A { #expect(i > 0 && bytes[i - 1] == 0x0D) }
            if byte == 0x0D { #expect(i + 1 < bytes.count && bytes[i + 1] == 0x0A) }
        }
    }

    @Test("table 1: the header and one row per date, 14 dates")
    func rotaTable() throws {
        let lines = crlfLines(String(csv.dropFirst()))  // drop the BOM
        #expect(lines[0] == "日付,曜日,区分,祝日・休日名,"
            + "副主治医当番 北部 夜間,副主治医当番 北部 日中,副主治医当番 西部 夜間,副主治医当番 西部 日中,"
            + "副主治医当番 南部 夜間,副主治医当番 南部 日中,看取り当番医 全域 夜間,当番訪問看護 全域 夜間")
        let blank = try #require(lines.firstIndex(of: ""))
        let rows = Array(lines[1..<blank])
        #expect(rows.count == 14)
        #expect(rows.map { String($0.prefix(10)) } == tinyLoaded.instance.period.dates.map(\.iso))
        // By hand: New Year's Day is a holiday; 北部 has 佐藤 at night and 高橋 by day, the 西部 and
        // 南部 day slots are open; station 西 takes the station night.
        #expect(rows[0] == "2027-01-01,金,休日,元日,佐藤 <&> 一郎,高橋 健,伊藤 誠,（空き）,山本 大輔,（空き）,（空き）,訪問看護ステーション西")
        // The 2nd is an extra holiday of the instance; 田中 takes the end-of-life night.
        #expect(rows[1] == "2027-01-02,土,休日,指定休日,（空き）,（空き）,（空き）,（空き）,（空き）,（空き）,田中 美咲,（空き）")
        // A plain Tuesday: no day shift, no end-of-life duty, so those cells are empty.
        #expect(rows[4] == "2027-01-05,火,平日,,（空き）,,渡辺 直子,,（空き）,,,")
        #expect(rows[8].hasPrefix("2027-01-09,土,土曜,,"))
        #expect(rows[10].hasPrefix("2027-01-11,月,休日,成人の日,"))
    }

    @Test("table 2: one row per member with loads and targets computed by hand")
    func memberTable() throws {
        let lines = crlfLines(String(csv.dropFirst()))
        let blank = try #require(lines.firstIndex(of: ""))
        let table = Array(lines[(blank + 1)...])
        #expect(table[0] == RotaCSV.memberColumns.joined(separator: ","))
        #expect(table.count == 1 + 12)  // 9 physicians, 3 stations
        // Physicians with share > 0: Σ share 7.5, Σ history 14.5 points / 3 holidays.
        // Slots: 副主治医 3 areas × (5 holiday nights × 1.5 + 1 Saturday × 1.25 + 8 weekdays × 1
        //        + 5 holiday days × 1.5) = 72.75; 看取り 5 × 1.5 + 1.25 = 8.75. T = 96 / 7.5 = 12.8.
        // Holiday slots 3 × 10 + 5 = 35, + 3 history = 38; TH = 38 / 7.5 = 5.0667.
        // 田中: 14.5 + 1.5 (the extra holiday night) = 16.0; 3 + 1 holidays.
        #expect(table.contains("田中 美咲,医師,西浜診療所,西部,1,1,1,1.50,16.00,12.80,+3.20,4,5.07,-1.07"))
        // 鈴木 has half a share: half the target.
        #expect(table.contains("鈴木 花子,医師,北山内科,北部,0.5,0,0,0.00,0.00,6.40,-6.40,0,2.53,-2.53"))
        // Share 0 takes no part: no target.
        #expect(table.contains("中村 由美,医師,南台内科,南部,0,0,0,0.00,0.00,,,0,,"))
        // Stations (share = nurses, Σ 10.5): 6 nights (5 × 1.5 + 1.25) = 8.75; 西 has 5 / 10.5 of it.
        #expect(table.contains("訪問看護ステーション西,訪問看護ステーション,西部,西部,5,1,1,1.50,1.50,4.17,-2.67,1,2.38,-1.38"))
    }

    @Test("demand of two on weekday nights: names joined, open places counted, targets weighted by demand")
    func demandTwo() throws {
        let text = try String(contentsOfFile: tinyPath, encoding: .utf8)
        let night = "\"night\": { \"weekday\": 1, \"saturday\": 1, \"holiday\": 1 }"
        #expect(text.components(separatedBy: night).count == 2)
        guard case let .success(loaded) = decode(text.replacingOccurrences(of: night, with: night.replacingOccurrences(
            of: "\"weekday\": 1", with: "\"weekday\": 2")))
        else { Issue.record("the edited instance does not load"); return }
        var plan = tinyPlan
        plan.assignments.append(assignment("substitute", "north", "2027-01-04", "night", "p01"))
        let lines = crlfLines(String(RotaCSV.make(loaded: loaded, plan: plan).dropFirst()))
        #expect(lines[4] == "2027-01-04,月,平日,,佐藤 一郎・高橋 健,,（空き×2）,,（空き×2）,,,")
        #expect(lines[5] == "2027-01-05,火,平日,,（空き×2）,,渡辺 直子・（空き）,,（空き×2）,,,")
        // 8 weekday nights × 3 areas now weigh 2 points each: 96 + 24 = 120; T = 120 / 7.5 = 16.
        #expect(lines.contains("田中 美咲,医師,西浜診療所,西部,1,1,1,1.50,16.00,16.00,0.00,4,5.07,-1.07"))
    }

    @Test("RFC 4180 quoting and no formulas from names")
    func quoting() {
        #expect(RotaCSV.Field.text("a,b").encoded == "\"a,b\"")
        #expect(RotaCSV.Field.text("say \"hi\"").encoded == "\"say \"\"hi\"\"\"")
        #expect(RotaCSV.Field.text("two\nlines").encoded == "\"two\nlines\"")
        #expect(RotaCSV.Field.text("a\r\nb\rc").encoded == "\"a\nb\nc\"")
        #expect(RotaCSV.Field.text("=1+1").encoded == "'=1+1")
        #expect(RotaCSV.Field.text("@x,y").encoded == "\"'@x,y\"")
        #expect(RotaCSV.Field.number("-1.07").encoded == "-1.07")
        #expect(RotaCSV.Field.text("佐藤").encoded == "佐藤")
    }

    @Test("written atomically, the same bytes as made")
    func written() throws {
        let folder = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/rota.csv"
        try RotaCSV.write(loaded: tinyLoaded, plan: tinyPlan, to: path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(csv.utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["rota.csv"])
    }
}

// MARK: - iCalendar

/// An independent RFC 5545 reader, just strict enough to check the calendars (also used by
/// the deputy output tests).
struct ICalendarCheck {
    struct Property {
        var name: String
        var parameters: [String: String]
        var value: String
    }

    final class Component {
        let name: String
        var properties: [Property] = []
        var children: [Component] = []
        init(name: String) { self.name = name }

        func all(_ name: String) -> [Property] { properties.filter { $0.name == name } }
        func one(_ name: String) -> Property? { all(name).count == 1 ? all(name)[0] : nil }
    }

    var problems: [String] = []
    var physicalLines: [String] = []
    var root: Component?

    init(_ text: String) {
        let bytes = Array(text.utf8)
        // CRLF only, and the text ends with one.
        var lineBytes: [[UInt8]] = []
        var current: [UInt8] = []
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x0D {
                if i + 1 < bytes.count && bytes[i + 1] == 0x0A {
                    lineBytes.append(current)
                    current = []
                    i += 2
                    continue
                }
                problems.append("bare CR at byte \(i)")
            } else if bytes[i] == 0x0A {
                problems.append("bare LF at byte \(i)")
            }
            current.append(bytes[i])
            i += 1
        }
        if !current.isEmpty { problems.append("the last line has no CRLF") }
        // Each physical line at most 75 octets and valid UTF-8 on its own (no split characters).
        for (n, line) in lineBytes.enumerated() {
            if line.count > 75 { problems.append("line \(n + 1) has \(line.count) octets") }
            guard let text = String(validating: line, as: UTF8.self) else {
                problems.append("line \(n + 1) splits a UTF-8 character")
                continue
            }
            physicalLines.append(text)
        }
        // Unfold.
        var logical: [String] = []
        for line in physicalLines {
            if let first = line.unicodeScalars.first, first == " " || first == "\t" {
                guard !logical.isEmpty else { problems.append("continuation before any line"); continue }
                logical[logical.count - 1] += String(decoding: Array(line.utf8.dropFirst()), as: UTF8.self)
            } else {
                logical.append(line)
            }
        }
        // Parse and nest.
        var stack: [Component] = []
        for line in logical {
            guard let colon = line.firstIndex(of: ":") else { problems.append("no colon: \(line)"); continue }
            let head = line[..<colon].split(separator: ";", omittingEmptySubsequences: false).map(String.init)
            let name = head[0].uppercased()
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
                problems.append("bad property name: \(line)")
                continue
            }
            var parameters: [String: String] = [:]
            for parameter in head.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1).map(String.init)
                guard pair.count == 2 else { problems.append("bad parameter: \(line)"); continue }
                parameters[pair[0].uppercased()] = pair[1]
            }
            let value = String(line[line.index(after: colon)...])
            switch name {
            case "BEGIN":
                let component = Component(name: value)
                if let parent = stack.last { parent.children.append(component) } else if root == nil { root = component } else {
                    problems.append("a second top-level component")
                }
                stack.append(component)
            case "END":
                if stack.last?.name == value { stack.removeLast() } else { problems.append("END:\(value) does not close \(stack.last?.name ?? "nothing")") }
            default:
                if let component = stack.last {
                    component.properties.append(Property(name: name, parameters: parameters, value: value))
                } else {
                    problems.append("property outside any component: \(line)")
                }
            }
        }
        if !stack.isEmpty { problems.append("unclosed: \(stack.map(\.name))") }
        guard let root, root.name == "VCALENDAR" else { problems.append("no VCALENDAR"); return }
        checkCalendar(root)
    }

    private mutating func checkCalendar(_ calendar: Component) {
        if calendar.one("VERSION")?.value != "2.0" { problems.append("VERSION must be 2.0 once") }
        if calendar.one("PRODID") == nil { problems.append("PRODID missing") }
        let zones = Set(calendar.children.filter { $0.name == "VTIMEZONE" }.compactMap { $0.one("TZID")?.value })
        var uids = Set<String>()
        for zone in calendar.children where zone.name == "VTIMEZONE" {
            if zone.children.filter({ ["STANDARD", "DAYLIGHT"].contains($0.name) }).isEmpty {
                problems.append("VTIMEZONE without STANDARD or DAYLIGHT")
            }
            for rule in zone.children {
                for required in ["DTSTART", "TZOFFSETFROM", "TZOFFSETTO"] where rule.one(required) == nil {
                    problems.append("\(rule.name) lacks \(required)")
                }
            }
        }
        for event in calendar.children where event.name == "VEVENT" {
            for required in ["UID", "DTSTAMP", "DTSTART"] where event.one(required) == nil {
                problems.append("VEVENT without exactly one \(required)")
            }
            if let uid = event.one("UID")?.value, !uids.insert(uid).inserted { problems.append("UID repeated: \(uid)") }
            if let stamp = event.one("DTSTAMP")?.value, !Self.matches(stamp, utc: true) { problems.append("bad DTSTAMP \(stamp)") }
            guard let start = event.one("DTSTART"), let end = event.one("DTEND") else {
                problems.append("VEVENT without DTEND")
                continue
            }
            for time in [start, end] {
                guard let zone = time.parameters["TZID"] else { problems.append("\(time.name) without TZID"); continue }
                if !zones.contains(zone) { problems.append("\(time.name) names unknown zone \(zone)") }
                if !Self.matches(time.value, utc: false) { problems.append("bad \(time.name) \(time.value)") }
            }
            if start.parameters["TZID"] == end.parameters["TZID"], !(start.value < end.value) {
                problems.append("DTEND \(end.value) not after DTSTART \(start.value)")
            }
        }
    }

    /// `YYYYMMDDTHHMMSS`, with a trailing Z when `utc`.
    private static func matches(_ value: String, utc: Bool) -> Bool {
        let chars = Array(value)
        guard chars.count == (utc ? 16 : 15), chars[8] == "T", !utc || chars[15] == "Z" else { return false }
        return (Array(chars[0..<8]) + Array(chars[9..<15])).allSatisfy { $0.isASCII && $0.isNumber }
    }

    var events: [Component] { root?.children.filter { $0.name == "VEVENT" } ?? [] }
}

@Suite("iCalendar per member")
struct RotaICSTests {
    let calendars = RotaICS.make(loaded: tinyLoaded, plan: tinyPlan, stamp: stamp)

    @Test("one calendar per member with assignments, in member order")
    func members() {
        #expect(calendars.map(\.member.rawValue) == ["p01", "p03", "p04", "p05", "p06", "p07", "s02"])
        #expect(calendars.map(\.fileName) == ["p01.ics", "p03.ics", "p04.ics", "p05.ics", "p06.ics", "p07.ics", "s02.ics"])
    }

    @Test("every calendar passes the independent RFC 5545 check")
    func wellFormed() {
        for calendar in calendars {
            let check = ICalendarCheck(calendar.text)
            #expect(check.problems == [], "\(calendar.fileName)")
            #expect(check.root?.one("CALSCALE")?.value == "GREGORIAN")
            #expect(check.root?.children.first?.name == "VTIMEZONE")
        }
        // The check must have had long lines to fold: names and descriptions in Japanese.
        let folded = calendars.flatMap { ICalendarCheck($0.text).physicalLines }.filter { $0.hasPrefix(" ") }
        #expect(!folded.isEmpty)
        #expect(calendars.reduce(0) { $0 + ICalendarCheck($1.text).events.count } == tinyPlan.assignments.count)
    }

    @Test("a night ends the next morning; a day shift the same day; times in Asia/Tokyo")
    func times() throws {
        let p03 = try #require(calendars.first { $0.member == "p03" })
        let events = ICalendarCheck(p03.text).events
        #expect(events.count == 2)
        let day = events[0], night = events[1]  // in time order: Jan 1 day, Jan 4 night
        #expect(day.one("DTSTART")?.value == "20270101T080000")
        #expect(day.one("DTEND")?.value == "20270101T180000")
        #expect(night.one("DTSTART")?.value == "20270104T180000")
        #expect(night.one("DTEND")?.value == "20270105T080000")
        #expect(night.one("DTSTART")?.parameters["TZID"] == "Asia/Tokyo")
        #expect(night.one("SUMMARY")?.value == "副主治医当番 北部 夜間")
        #expect(night.one("UID")?.value == "substitute/north/2027-01-04/night/p03@rinban.invalid")
        #expect(night.one("DTSTAMP")?.value == "20261220T093015Z")
        let description = try #require(night.one("DESCRIPTION")?.value)
        #expect(description.hasPrefix("副主治医当番 北部 夜間\\n1月4日(月) 18:00 〜 1月5日(火) 08:00\\n平日・点数 1\\n"))
    }

    @Test("a 24-hour shift ends at the same time the next day")
    func fullDay() throws {
        var instance = tinyLoaded.instance
        instance.shifts[1].start = TimeOfDay(minutes: 9 * 60)!
        instance.shifts[1].end = TimeOfDay(minutes: 9 * 60)!
        let loaded = LoadedInstance(
            instance: instance, slots: SlotTable(instance: instance),
            eligibility: EligibilityIndex(instance: instance, slots: SlotTable(instance: instance)), warnings: [])
        let calendar = try #require(RotaICS.make(loaded: loaded, plan: tinyPlan, stamp: stamp).first { $0.member == "p03" })
        let check = ICalendarCheck(calendar.text)
        #expect(check.problems == [])
        #expect(check.events.first?.one("DTEND")?.value == "20270102T090000")
    }

    @Test("text escaping, folding between characters, safe file names")
    func format() {
        #expect(RotaICS.text("a,b;c\\d\ne\r\nf\u{7}") == "a\\,b\\;c\\\\d\\ne\\nf")
        let long = "SUMMARY:" + String(repeating: "あ", count: 40) + "x" + String(repeating: "い", count: 30)
        let folded = RotaICS.folded(long)
        let lines = crlfLines(folded)
        #expect(lines.count == 3)
        #expect(lines.allSatisfy { $0.utf8.count <= 75 })
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix(" ") })
        #expect(lines[0] + lines.dropFirst().map { String($0.dropFirst()) }.joined() == long)
        #expect(RotaICS.folded(String(repeating: "a", count: 75)) == String(repeating: "a", count: 75) + "\r\n")

        var used = Set<String>()
        #expect(RotaICS.uniqueFileName(for: "p01", avoiding: &used) == "p01.ics")
        #expect(RotaICS.uniqueFileName(for: "P01", avoiding: &used) == "P01~2.ics")
        #expect(RotaICS.uniqueFileName(for: "../a/b", avoiding: &used) == "%2E%2E%2Fa%2Fb.ics")
        #expect(RotaICS.uniqueFileName(for: "con", avoiding: &used) == "%63on.ics")
        #expect(RotaICS.uniqueFileName(for: "佐藤", avoiding: &used) == "%E4%BD%90%E8%97%A4.ics")
        #expect(RotaICS.uid(assignment("a/b", "x@y", "2027-01-01", "n.1", "m%")) == "a%2Fb/x%40y/2027-01-01/n%2E1/m%25@rinban.invalid")
    }

    @Test("written into a new folder, one file per member, the same bytes as made")
    func written() throws {
        let folder = temporaryDirectory() + "/calendars/2027-01"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let paths = try RotaICS.write(loaded: tinyLoaded, plan: tinyPlan, stamp: stamp, toDirectory: folder)
        #expect(paths.count == calendars.count)
        for (path, calendar) in zip(paths, calendars) {
            #expect(path.hasSuffix("/" + calendar.fileName))
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(calendar.text.utf8))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == calendars.map(\.fileName))
    }
}

// MARK: - HTML

@Suite("printable HTML calendar")
struct RotaHTMLTests {
    let html = RotaHTML.make(loaded: tinyLoaded, plan: tinyPlan)

    @Test("a Japanese, self-contained, printable page")
    func page() {
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">"))
        #expect(html.contains("@page { size: A4 landscape"))
        #expect(html.contains("<h2>2027年1月</h2>"))
        #expect(!html.contains("<script"))
        #expect(html.hasSuffix("</html>\n"))
    }

    @Test("holidays shaded and named; open slots marked")
    func calendar() {
        #expect(html.contains("<td class=\"day holiday\"><div class=\"date\"><span class=\"num\">1</span><span class=\"hname\">元日</span></div>"))
        #expect(html.contains("<span class=\"hname\">成人の日</span>"))
        #expect(html.contains("<span class=\"hname\">指定休日</span>"))
        #expect(html.contains("<td class=\"day saturday\"><div class=\"date\"><span class=\"num\">9</span></div>"))
        #expect(html.contains("<td class=\"day outside\"><div class=\"date\"><span class=\"num\">15</span></div></td>"))
        // The 1st: 副主治医当番 with six lines (two open), then the two network duties.
        let firstDay: [String] = [
            "<div class=\"duty\">副主治医当番</div><ul>",
            "<li><span class=\"what\">北部 夜間</span> <span class=\"who\">佐藤 &lt;&amp;&gt; 一郎</span></li>",
            "<li><span class=\"what\">北部 日中</span> <span class=\"who\">高橋 健</span></li>",
            "<li><span class=\"what\">西部 夜間</span> <span class=\"who\">伊藤 誠</span></li>",
            "<li class=\"open\"><span class=\"what\">西部 日中</span> <span class=\"who\">（空き）</span></li>",
            "<li><span class=\"what\">南部 夜間</span> <span class=\"who\">山本 大輔</span></li>",
            "<li class=\"open\"><span class=\"what\">南部 日中</span> <span class=\"who\">（空き）</span></li></ul>",
            "<div class=\"duty\">看取り当番医</div><ul><li class=\"open\"><span class=\"what\">全域 夜間</span> <span class=\"who\">（空き）</span></li></ul>",
            "<div class=\"duty\">当番訪問看護</div><ul><li><span class=\"what\">全域 夜間</span> <span class=\"who\">訪問看護ステーション西</span></li></ul></td>",
        ]
        #expect(html.contains(firstDay.joined()))
        // January 2027 needs six weeks; the period (1st–14th) touches three of them.
        #expect(html.components(separatedBy: "<tr><td class=\"").count - 1 == 3)
        #expect(!html.contains("<span class=\"num\">17</span>"))
    }

    @Test("names are escaped")
    func escaping() {
        #expect(html.contains("佐藤 &lt;&amp;&gt; 一郎"))
        #expect(!html.contains("<&>"))
        #expect(RotaHTML.escape("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
    }

    @Test("the load table lists each member once; the solver summary is shown")
    func loads() throws {
        let start = try #require(html.range(of: "<section class=\"loads\">"))
        let end = try #require(html.range(of: "</section>", range: start.upperBound..<html.endIndex))
        let table = String(html[start.upperBound..<end.lowerBound])
        for member in tinyLoaded.instance.members {
            #expect(table.components(separatedBy: "<tr><td>\(RotaHTML.escape(member.name))</td>").count - 1 == 1, "\(member.name)")
        }
        #expect(table.contains("<tr><td>田中 美咲</td><td>医師</td><td>西浜診療所</td><td class=\"n\">1</td>"))
        #expect(table.contains("<td class=\"n over\">+3.20</td>"))
        #expect(html.contains("最適解"))
        #expect(html.contains("<td>空き枠（uncovered）</td>"))
    }

    @Test("without solver or objective there is no summary")
    func noSummary() {
        let bare = RotaHTML.make(loaded: tinyLoaded, plan: Plan(period: tinyPlan.period, assignments: tinyPlan.assignments))
        #expect(!bare.contains("class=\"solver\""))
        #expect(bare.contains("class=\"loads\""))
    }
}

// MARK: - All outputs

@Suite("outputs are deterministic and robust")
struct OutputDeterminismTests {
    @Test("two runs write byte-identical files")
    func identical() throws {
        var contents: [[String: Data]] = []
        for _ in 0..<2 {
            let folder = temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            try RotaCSV.write(loaded: tinyLoaded, plan: tinyPlan, to: folder + "/rota.csv")
            try RotaHTML.write(loaded: tinyLoaded, plan: tinyPlan, to: folder + "/rota.html")
            try RotaICS.write(loaded: tinyLoaded, plan: tinyPlan, stamp: stamp, toDirectory: folder + "/ics")
            var files: [String: Data] = [:]
            let enumerator = FileManager.default.enumerator(atPath: folder)!
            while let name = enumerator.nextObject() as? String {
                var isFolder: ObjCBool = false
                _ = FileManager.default.fileExists(atPath: folder + "/" + name, isDirectory: &isFolder)
                if !isFolder.boolValue { files[name] = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name)) }
            }
            contents.append(files)
        }
        #expect(contents[0].count == 9)
        #expect(contents[0] == contents[1])
    }

    @Test("plan order does not matter; repeats and unknown ids are shown, not dropped or fatal")
    func robust() {
        var shuffled = tinyPlan
        shuffled.assignments.reverse()
        #expect(RotaCSV.make(loaded: tinyLoaded, plan: shuffled) == RotaCSV.make(loaded: tinyLoaded, plan: tinyPlan))
        #expect(RotaHTML.make(loaded: tinyLoaded, plan: shuffled) == RotaHTML.make(loaded: tinyLoaded, plan: tinyPlan))
        #expect(RotaICS.make(loaded: tinyLoaded, plan: shuffled, stamp: stamp)
            == RotaICS.make(loaded: tinyLoaded, plan: tinyPlan, stamp: stamp))

        var odd = tinyPlan
        odd.assignments.append(tinyPlan.assignments[1])
        odd.assignments.append(assignment("ghost", "nowhere", "2027-01-03", "night", "p99"))
        let csv = RotaCSV.make(loaded: tinyLoaded, plan: odd)
        let lines = crlfLines(String(csv.dropFirst()))
        #expect(lines[0].hasSuffix(",当番訪問看護 全域 夜間,ghost nowhere 夜間"))
        #expect(lines[1].hasSuffix(",訪問看護ステーション西,") && lines[1].contains(",佐藤 <&> 一郎,"))
        #expect(lines[3].hasSuffix(",p99"))
        #expect(RotaICS.make(loaded: tinyLoaded, plan: odd, stamp: stamp) == RotaICS.make(loaded: tinyLoaded, plan: tinyPlan, stamp: stamp))
    }
}

// MARK: - Station and hospital tables

/// tiny.json with every item placed, every patient designated and every respite request booked.
///
/// Placements: t1 (from s01, 6 visits) → s02, t2 (from s01, 4) stays at s01, t3 (new, 8) → s03,
/// t4 (new, 3) → s02. Designations: r1 (acute 0.6), r3 (palliative 0.5), r4 (acute 0.7) → h1,
/// r2 (acute 0.8) → h2. Stays: q1 (5 nights) at h1 from 01-04, q2 (4) at h2 from 01-05,
/// q3 (7) at h1 from 01-08.
private let networkPlan = Plan(
    period: tinyLoaded.instance.period,
    assignments: tinyPlan.assignments,
    placements: [
        Placement(item: "t1", station: "s02"), Placement(item: "t2", station: "s01"),
        Placement(item: "t3", station: "s03"), Placement(item: "t4", station: "s02"),
    ],
    designations: [
        Designation(patient: "r1", hospital: "h1"), Designation(patient: "r2", hospital: "h2"),
        Designation(patient: "r3", hospital: "h1"), Designation(patient: "r4", hospital: "h1"),
    ],
    respite: [
        RespiteBooking(request: "q1", hospital: "h1", start: CivilDate(iso: "2027-01-04")!),
        RespiteBooking(request: "q2", hospital: "h2", start: CivilDate(iso: "2027-01-05")!),
        RespiteBooking(request: "q3", hospital: "h1", start: CivilDate(iso: "2027-01-08")!),
    ],
    solver: tinyPlan.solver)

@Suite("Station and hospital tables")
struct NetworkTablesTests {
    /// The CSV's tables, split at the empty lines.
    func tables(_ plan: Plan) -> [[String]] {
        let lines = crlfLines(String(RotaCSV.make(loaded: tinyLoaded, plan: plan).dropFirst()))
        return lines.split(separator: "", omittingEmptySubsequences: false).map(Array.init)
    }

    @Test("the hand-made plan keeps every rule placements, beds and respite are checked by")
    func planIsValid() {
        let evaluation = Evaluator(tinyLoaded).evaluate(networkPlan)
        let rules: Set<PlanRule> = [.placement, .designation, .respiteBooking, .respiteCapacity]
        #expect(evaluation.violations.filter { rules.contains($0.rule) }.isEmpty)
    }

    @Test("CSV: no extra tables for a plan without placements, designations or stays")
    func rotaOnly() {
        #expect(tables(tinyPlan).count == 2)
    }

    @Test("CSV table 3: stations, loads and moves computed by hand")
    func stationTable() {
        let all = tables(networkPlan)
        #expect(all.count == 5)
        let stations = all[2]
        #expect(stations[0] == RotaCSV.stationColumns.joined(separator: ","))
        // 北: 58 + t2 4 = 62 of 60; 58/60 = 96.7%, 62/60 = 103.3%; t1 moved out.
        // 西: 61 + t1 6 + t4 3 = 70 of 100; t1 and t4 (a new referral) moved in.
        // 南: 30 + t3 8 = 38 of 45; 30/45 = 66.7%, 38/45 = 84.4%; t3 moved in.
        #expect(Array(stations.dropFirst()) == [
            "訪問看護ステーション北,北部,60,58,62,96.7,103.3,0,1",
            "訪問看護ステーション西,西部,100,61,70,61.0,70.0,2,0",
            "訪問看護ステーション南,南部,45,30,38,66.7,84.4,1,0",
        ])
        // The loads are the evaluator's.
        #expect(Evaluator(tinyLoaded).evaluate(networkPlan).stations.map(\.load) == [62, 70, 38])
    }

    @Test("CSV tables 4 and 5: beds per hospital and need, respite night by night")
    func hospitalTables() {
        let all = tables(networkPlan)
        #expect(all[3] == [
            RotaCSV.hospitalColumns.joined(separator: ","),
            "北部中央病院,北部,acute,2,1.30,2,+0.70",      // r1 0.6 + r4 0.7
            "北部中央病院,北部,palliative,1,0.50,1,+0.50",  // r3
            "南部記念病院,南部,acute,1,0.80,1,+0.20",       // r2; no palliative beds, no row
        ])
        let dates = tinyLoaded.instance.period.dates.map(\.iso).joined(separator: ",")
        // h1: q1 on 4–8, q3 on 8–14 (two on the 8th); h2: q2 on 5–8.
        #expect(all[4] == [
            "病院,レスパイト確保病床数," + dates,
            "北部中央病院,2,0,0,0,1,1,1,1,2,1,1,1,1,1,1",
            "南部記念病院,1,0,0,0,0,1,1,1,1,0,0,0,0,0,0",
        ])
    }

    @Test("HTML: the same figures, overloads flagged")
    func html() {
        let page = RotaHTML.make(loaded: tinyLoaded, plan: networkPlan)
        #expect(page.contains("<h2>訪問看護ステーションの負荷</h2>"))
        #expect(page.contains("<tr><td>訪問看護ステーション北</td><td>北部</td><td class=\"n\">60</td><td class=\"n\">58</td>"
            + "<td class=\"n\">62</td><td class=\"n\">96.7%</td><td class=\"n over\">103.3%</td><td class=\"n\">0</td>"
            + "<td class=\"n\">1</td></tr>"))
        #expect(page.contains("<h2>後方支援病院の病床</h2>"))
        #expect(page.contains("<tr><td>南部記念病院</td><td>南部</td><td>急変時（acute）</td><td class=\"n\">1</td>"
            + "<td class=\"n\">0.80</td><td class=\"n\">1</td><td class=\"n\">+0.20</td></tr>"))
        let h2Nights = [0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0].map { "<td class=\"n\">\($0)</td>" }.joined()
        #expect(page.contains("<tr><td>南部記念病院</td><td class=\"n\">1</td>" + h2Nights + "</tr>"))
        #expect(page.contains("<th>1/1</th>") && page.contains("<th>1/14</th>"))
        // The solver's summary still comes last.
        let beds = page.range(of: "後方支援病院の病床")!, solver = page.range(of: "計算の概要")!
        #expect(beds.lowerBound < solver.lowerBound)
        #expect(!RotaHTML.make(loaded: tinyLoaded, plan: tinyPlan).contains("訪問看護ステーションの負荷"))
    }
}
