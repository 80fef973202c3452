import Foundation
import Testing
@testable import RinbanCore

// MARK: - Reference fixture

/// The committed reference list, Fixtures/jp-holidays-1980-2030.csv, made once by
/// scripts/make-holiday-fixture.py from python-holidays (`holidays.Japan(language="ja")`).
/// Its first line is a `#` comment naming the library and version; the rest are `YYYY-MM-DD,name`.
private struct HolidayFixture {
    let source: String
    /// dayNumber → name, as the library spells it.
    let names: [Int: String]
    let firstYear = 1980
    let lastYear = 2030

    static func load() throws -> HolidayFixture {
        let url = try #require(
            Bundle.module.url(forResource: "jp-holidays-1980-2030", withExtension: "csv", subdirectory: "Fixtures"),
            "fixture Fixtures/jp-holidays-1980-2030.csv is missing from the test bundle"
        )
        let text = try String(contentsOf: url, encoding: .utf8)
        var source = ""
        var names: [Int: String] = [:]
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                if source.isEmpty { source = String(line) }
                continue
            }
            let fields = line.split(separator: ",", maxSplits: 1)
            let date = try #require(fields.count == 2 ? CivilDate(iso: String(fields[0])) : nil,
                                    "fixture line \(number + 1) is not `YYYY-MM-DD,name`: \(line)")
            #expect(names[date.dayNumber] == nil, "fixture lists \(date) twice")
            names[date.dayNumber] = String(fields[1])
        }
        return HolidayFixture(source: source, names: names)
    }
}

/// How the reference library's names map to rinban's. Only names that differ are listed;
/// every other name must be identical.
///
/// - The one-off ceremony days: the library uses short or descriptive forms, rinban the
///   subject of each act ("昭和天皇の大喪の礼", "皇太子徳仁親王の結婚の儀", "即位礼正殿の儀").
/// - "休日" (the Cabinet Office's word for both substitute days and days between two
///   holidays; python-holidays 0.109 does not use it, but a regenerated fixture from another
///   source might): accepted as either "振替休日" or "国民の休日", the dates still exact.
private enum ReferenceNames {
    static let toRinban: [String: String] = [
        "大喪の礼": "昭和天皇の大喪の礼",
        "結婚の儀": "皇太子徳仁親王の結婚の儀",
        "即位礼正殿の儀が行われる日": "即位礼正殿の儀",
    ]
    static let genericDayOff = "休日"

    static func matches(reference: String, rinban: String) -> Bool {
        if reference == genericDayOff {
            return rinban == JapaneseHolidays.substituteHolidayName || rinban == JapaneseHolidays.citizensHolidayName
        }
        return (toRinban[reference] ?? reference) == rinban
    }
}

// MARK: - Helpers

private func date(_ iso: String) -> CivilDate { CivilDate(iso: iso)! }

/// The days off that are not named holidays: they exist only because of the named ones.
private let derivedNames: Set<String> = [JapaneseHolidays.substituteHolidayName, JapaneseHolidays.citizensHolidayName]

private func isNamedHoliday(_ date: CivilDate) -> Bool {
    guard let name = JapaneseHolidays.name(on: date) else { return false }
    return !derivedNames.contains(name)
}

/// The sixteen named holidays every year from 2022 on has (no one-off days are scheduled).
private let regularNamesFrom2022: Set<String> = [
    "元日", "成人の日", "建国記念の日", "天皇誕生日", "春分の日", "昭和の日", "憲法記念日", "みどりの日",
    "こどもの日", "海の日", "山の日", "敬老の日", "秋分の日", "スポーツの日", "文化の日", "勤労感謝の日",
]

// MARK: - Against the reference, 1980–2030

@Suite("Japanese holidays against python-holidays, 1980–2030")
struct JapaneseHolidaysReferenceTests {
    @Test("fixture names its origin")
    func fixtureHasSource() throws {
        let fixture = try HolidayFixture.load()
        #expect(fixture.source.hasPrefix("# source: python-holidays "), "first line: \(fixture.source)")
        #expect(fixture.names.count > 800, "fixture has only \(fixture.names.count) holidays")
    }

    @Test("every date 1980–2030 matches the fixture, no missing, no extra")
    func everyDateMatches() throws {
        let fixture = try HolidayFixture.load()
        let first = CivilDate(year: fixture.firstYear, month: 1, day: 1)!
        let end = CivilDate(year: fixture.lastYear + 1, month: 1, day: 1)!
        var mismatches: [String] = []
        var compared = 0
        var holidaysCompared = 0
        var day = first
        while day < end {
            let reference = fixture.names[day.dayNumber]
            let ours = JapaneseHolidays.name(on: day)
            switch (reference, ours) {
            case (nil, nil):
                break
            case let (reference?, ours?):
                holidaysCompared += 1
                if !ReferenceNames.matches(reference: reference, rinban: ours) {
                    mismatches.append("\(day): reference \(reference), rinban \(ours)")
                }
            case let (reference?, nil):
                mismatches.append("\(day): reference \(reference), rinban has no holiday")
            case let (nil, ours?):
                mismatches.append("\(day): rinban \(ours), reference has no holiday")
            }
            compared += 1
            day = day.adding(days: 1)
        }
        #expect(compared == 18_628)  // 51 years, 13 of them leap
        #expect(holidaysCompared == fixture.names.count)
        #expect(fixture.names.keys.allSatisfy { $0 >= first.dayNumber && $0 < end.dayNumber })
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches:\n\(mismatches.joined(separator: "\n"))")
    }

    @Test("holidays(in:) lists the fixture's holidays of each year, 1980–2030")
    func yearListsMatch() throws {
        let fixture = try HolidayFixture.load()
        for year in fixture.firstYear...fixture.lastYear {
            let ours = JapaneseHolidays.holidays(in: year).map(\.date.iso)
            let reference = fixture.names.keys.filter { CivilDate(dayNumber: $0).year == year }.sorted()
                .map { CivilDate(dayNumber: $0).iso }
            #expect(ours == reference, "year \(year)")
        }
    }
}

// MARK: - By rule, 2031–2099 (and the whole range where cheap)

@Suite("Japanese holidays by rule")
struct JapaneseHolidaysRuleTests {
    @Test("each year 2031–2099 has 16 named holidays, one each, plus a few days off", arguments: Array(2031...2099))
    func yearShape(year: Int) {
        let holidays = JapaneseHolidays.holidays(in: year)
        #expect((16...21).contains(holidays.count), "\(year) has \(holidays.count) holidays")
        let named = holidays.filter { !derivedNames.contains($0.name) }
        #expect(named.count == 16)
        #expect(Set(named.map(\.name)) == regularNamesFrom2022)
        #expect(Set(holidays.map(\.date)).count == holidays.count, "a date appears twice in \(year)")
        #expect(holidays.allSatisfy { $0.date.year == year })
        #expect(zip(holidays, holidays.dropFirst()).allSatisfy { $0.date < $1.date }, "\(year) is not in date order")
    }

    @Test("equinoxes 2031–2099: 春分の日 Mar 19–21, 秋分の日 Sep 21–24", arguments: Array(2031...2099))
    func equinoxes(year: Int) throws {
        let holidays = JapaneseHolidays.holidays(in: year)
        let vernal = try #require(holidays.first { $0.name == "春分の日" }).date
        let autumnal = try #require(holidays.first { $0.name == "秋分の日" }).date
        #expect(vernal.month == 3 && (19...21).contains(vernal.day), "\(vernal)")
        #expect(autumnal.month == 9 && (21...24).contains(autumnal.day), "\(autumnal)")
    }

    @Test("Happy Monday holidays 2031–2099 are Mondays in the right week", arguments: Array(2031...2099))
    func happyMondays(year: Int) throws {
        let holidays = JapaneseHolidays.holidays(in: year)
        // (name, month, n-th Monday)
        for (name, month, n) in [("成人の日", 1, 2), ("海の日", 7, 3), ("敬老の日", 9, 3), ("スポーツの日", 10, 2)] {
            let day = try #require(holidays.first { $0.name == name }, "\(name) missing in \(year)").date
            #expect(day.weekday == 1, "\(name) \(day) is not a Monday")
            #expect(day.month == month, "\(name) \(day) is in the wrong month")
            #expect((7 * (n - 1) + 1)...(7 * n) ~= day.day, "\(name) \(day) is not the Monday of week \(n)")
        }
    }

    @Test("every Sunday named holiday is followed by 振替休日 on the next non-holiday day, and only then", arguments: Array(2031...2099))
    func substituteHolidays(year: Int) {
        let holidays = JapaneseHolidays.holidays(in: year)
        for holiday in holidays where !derivedNames.contains(holiday.name) && holiday.date.weekday == 0 {
            var day = holiday.date.adding(days: 1)
            while isNamedHoliday(day) { day = day.adding(days: 1) }
            #expect(JapaneseHolidays.name(on: day) == "振替休日", "\(holiday.name) on Sunday \(holiday.date): \(day) is not 振替休日")
        }
        for holiday in holidays where holiday.name == "振替休日" {
            // Walk back over named holidays: the run must start from one that fell on a Sunday.
            var day = holiday.date.adding(days: -1)
            var foundSunday = false
            while isNamedHoliday(day) {
                if day.weekday == 0 { foundSunday = true }
                day = day.adding(days: -1)
            }
            #expect(foundSunday, "振替休日 \(holiday.date) follows no Sunday holiday")
        }
    }

    @Test("国民の休日 2031–2099 lies between two named holidays, and every such gap is one", arguments: Array(2031...2099))
    func citizensHolidays(year: Int) {
        for holiday in JapaneseHolidays.holidays(in: year) where holiday.name == "国民の休日" {
            #expect(isNamedHoliday(holiday.date.adding(days: -1)) && isNamedHoliday(holiday.date.adding(days: 1)),
                    "国民の休日 \(holiday.date) is not between two named holidays")
        }
        var day = CivilDate(year: year, month: 1, day: 2)!
        let last = CivilDate(year: year, month: 12, day: 30)!
        while day <= last {
            if JapaneseHolidays.name(on: day) == nil {
                #expect(!(isNamedHoliday(day.adding(days: -1)) && isNamedHoliday(day.adding(days: 1))),
                        "\(day) lies between two named holidays but is no holiday")
            }
            day = day.adding(days: 1)
        }
    }

    @Test("name(on:) and holidays(in:) agree on every day 1980–2099")
    func lookupAgreesWithLists() {
        var fromLists: [Int: String] = [:]
        for year in JapaneseHolidays.supportedYears {
            for holiday in JapaneseHolidays.holidays(in: year) { fromLists[holiday.date.dayNumber] = holiday.name }
        }
        var day = CivilDate(year: 1980, month: 1, day: 1)!
        let end = CivilDate(year: 2100, month: 1, day: 1)!
        var disagreements = 0
        while day < end {
            if JapaneseHolidays.name(on: day) != fromLists[day.dayNumber] { disagreements += 1 }
            day = day.adding(days: 1)
        }
        #expect(disagreements == 0)
    }

    @Test("the equinox approximation's known values")
    func equinoxFormula() {
        // Dates the National Astronomical Observatory of Japan announced, and far-off ones
        // where the day moves: 2092 is the first Mar 19, 2012 the first Sep 22 of the period.
        #expect(JapaneseHolidays.vernalEquinoxDay(year: 1980) == 20)
        #expect(JapaneseHolidays.vernalEquinoxDay(year: 1989) == 21)
        #expect(JapaneseHolidays.vernalEquinoxDay(year: 2023) == 21)
        #expect(JapaneseHolidays.vernalEquinoxDay(year: 2024) == 20)
        #expect(JapaneseHolidays.vernalEquinoxDay(year: 2092) == 19)
        #expect(JapaneseHolidays.vernalEquinoxDay(year: 2099) == 20)
        #expect(JapaneseHolidays.autumnalEquinoxDay(year: 1980) == 23)
        #expect(JapaneseHolidays.autumnalEquinoxDay(year: 2011) == 23)
        #expect(JapaneseHolidays.autumnalEquinoxDay(year: 2012) == 22)
        #expect(JapaneseHolidays.autumnalEquinoxDay(year: 2025) == 23)
        #expect(JapaneseHolidays.autumnalEquinoxDay(year: 2099) == 23)
    }

    @Test("the lookup is safe to call from many tasks at once")
    func concurrentLookups() async {
        let counts = await withTaskGroup(of: Int.self) { group in
            for year in stride(from: 1980, through: 2099, by: 7) {
                group.addTask {
                    var day = CivilDate(year: year, month: 1, day: 1)!
                    var count = 0
                    while day.year == year {
                        if JapaneseHolidays.name(on: day) != nil { count += 1 }
                        day = day.adding(days: 1)
                    }
                    return count == JapaneseHolidays.holidays(in: year).count ? 0 : 1
                }
            }
            return await group.reduce(0, +)
        }
        #expect(counts == 0)
    }
}

// MARK: - Hand-checked dates

@Suite("Japanese holidays, hand-checked dates")
struct JapaneseHolidaysSpotTests {
    @Test("named dates", arguments: [
        ("1980-01-15", "成人の日"),
        ("1984-04-30", "振替休日"),        // 天皇誕生日 on Sunday
        ("1987-05-04", "振替休日"),        // 憲法記念日 on Sunday: the substitute wins over the squeeze
        ("1988-05-04", "国民の休日"),      // first May 4 squeezed between two holidays on a weekday
        ("1989-02-24", "昭和天皇の大喪の礼"),
        ("1989-04-29", "みどりの日"),
        ("1989-12-23", "天皇誕生日"),
        ("1990-11-12", "即位礼正殿の儀"),
        ("1993-06-09", "皇太子徳仁親王の結婚の儀"),
        ("1996-07-20", "海の日"),
        ("1999-10-10", "体育の日"),
        ("1999-10-11", "振替休日"),
        ("2000-01-10", "成人の日"),        // first Happy Monday: 2nd Monday of January
        ("2003-07-21", "海の日"),
        ("2003-09-15", "敬老の日"),
        ("2006-05-04", "国民の休日"),
        ("2007-04-29", "昭和の日"),
        ("2007-05-04", "みどりの日"),
        ("2008-05-06", "振替休日"),        // みどりの日 on Sunday: from 2007 the substitute skips May 5
        ("2009-05-06", "振替休日"),        // 憲法記念日 on Sunday: two days on
        ("2009-09-22", "国民の休日"),
        ("2016-08-11", "山の日"),
        ("2018-12-24", "振替休日"),
        ("2019-04-30", "国民の休日"),
        ("2019-05-01", "天皇の即位の日"),
        ("2019-05-02", "国民の休日"),
        ("2019-05-06", "振替休日"),
        ("2019-10-14", "体育の日"),
        ("2019-10-22", "即位礼正殿の儀"),
        ("2020-02-23", "天皇誕生日"),
        ("2020-02-24", "振替休日"),
        ("2020-07-23", "海の日"),
        ("2020-07-24", "スポーツの日"),
        ("2020-08-10", "山の日"),
        ("2021-07-22", "海の日"),
        ("2021-07-23", "スポーツの日"),
        ("2021-08-08", "山の日"),
        ("2021-08-09", "振替休日"),
        ("2026-09-21", "敬老の日"),
        ("2026-09-22", "国民の休日"),
        ("2026-09-23", "秋分の日"),
        ("2032-03-20", "春分の日"),
        ("2032-09-20", "敬老の日"),
        ("2032-09-21", "国民の休日"),
        ("2032-09-22", "秋分の日"),
        ("2092-03-19", "春分の日"),
        ("2099-12-23", nil),
    ] as [(String, String?)])
    func namedDate(iso: String, expected: String?) {
        #expect(JapaneseHolidays.name(on: date(iso)) == expected, "\(iso)")
    }

    @Test("days that are not holidays", arguments: [
        "1985-05-04",  // Saturday, before the 国民の休日 article (1985-12-27)
        "1986-05-04",  // Sunday: before 2007 a Sunday is never a 国民の休日
        "1996-07-21",
        "2000-01-15",  // 成人の日 moved to the 2nd Monday
        "2000-10-10",
        "2019-12-23",  // no 天皇誕生日 in 2019
        "2020-10-12",  // スポーツの日 moved to July 24
        "2020-08-11",
        "2021-08-11",
        "2031-12-23",
    ])
    func notHoliday(iso: String) {
        #expect(JapaneseHolidays.name(on: date(iso)) == nil, "\(iso)")
    }

    @Test("five-day silver weeks in September", arguments: [2026, 2032])
    func silverWeek(year: Int) {
        // Saturday before 敬老の日 through 秋分の日 on Wednesday.
        let monday = CivilDate.nth(3, weekday: 1, month: 9, year: year)
        let saturday = monday.adding(days: -2)
        for offset in 0..<5 {
            let day = saturday.adding(days: offset)
            #expect(day.weekday == 6 || day.weekday == 0 || JapaneseHolidays.name(on: day) != nil, "\(day)")
        }
        #expect(JapaneseHolidays.name(on: saturday.adding(days: 4)) == "秋分の日")
        #expect(JapaneseHolidays.name(on: saturday.adding(days: -1)) == nil)  // Friday before
        #expect(JapaneseHolidays.name(on: saturday.adding(days: 5)) == nil)  // Thursday after
    }
}

// MARK: - CivilDate basics

@Suite("CivilDate basics")
struct CivilDateBasicsTests {
    @Test("weekday of known dates")
    func weekdays() {
        #expect(date("1970-01-01").weekday == 4)  // Thursday
        #expect(date("1969-12-31").weekday == 3)  // Wednesday, before the epoch
        #expect(date("1900-01-01").weekday == 1)  // Monday
        #expect(date("2000-01-01").weekday == 6)  // Saturday
        #expect(date("1989-01-07").weekday == 6)  // Saturday, last day of Shōwa
        #expect(date("2019-05-01").weekday == 3)  // Wednesday
        #expect(date("2026-11-22").weekday == 0)  // Sunday
        #expect(date("2099-12-31").weekday == 4)  // Thursday
    }

    @Test("leap years and month lengths")
    func leapYears() {
        #expect(CivilDate.isLeap(2000))
        #expect(!CivilDate.isLeap(1900))
        #expect(!CivilDate.isLeap(2100))
        #expect(CivilDate.isLeap(2024))
        #expect(!CivilDate.isLeap(2023))
        #expect(CivilDate(year: 2024, month: 2, day: 29) != nil)
        #expect(CivilDate(year: 2023, month: 2, day: 29) == nil)
        #expect(CivilDate(year: 2100, month: 2, day: 29) == nil)
        #expect(CivilDate(year: 2000, month: 2, day: 29) != nil)
        #expect(CivilDate(year: 2025, month: 4, day: 31) == nil)
        #expect(CivilDate(year: 2025, month: 13, day: 1) == nil)
        #expect(CivilDate(year: 2025, month: 1, day: 0) == nil)
        #expect(date("2001-01-01").days(since: date("2000-01-01")) == 366)
        #expect(date("2101-01-01").days(since: date("2100-01-01")) == 365)
    }

    @Test("day numbers, components and ISO text round-trip, 1900–2100, against a day-by-day count")
    func roundTrip() {
        // Count days forward from 1900-01-01 with month lengths only, independently of the
        // closed-form conversion.
        var (y, m, d) = (1900, 1, 1)
        var dayNumber = date("1900-01-01").dayNumber
        #expect(dayNumber == -25_567)
        #expect(date("1970-01-01").dayNumber == 0)
        var failures = 0
        while y <= 2100 {
            let value = CivilDate(dayNumber: dayNumber)
            let c = value.components
            let text = value.iso
            if c.year != y || c.month != m || c.day != d { failures += 1 }
            if CivilDate(iso: text) != value || CivilDate(year: y, month: m, day: d) != value { failures += 1 }
            dayNumber += 1
            d += 1
            if d > CivilDate.daysIn(month: m, year: y) { d = 1; m += 1 }
            if m > 12 { m = 1; y += 1 }
        }
        #expect(failures == 0)
        #expect(date("2026-03-05").iso == "2026-03-05")
        #expect(date("2026-03-05").description == "2026-03-05")
    }

    @Test("ISO parsing rejects malformed text", arguments: [
        "2026-3-05", "2026/03/05", "20260305", "2026-03-5 ", "2026-02-30", "2026-00-10", "abcd-ef-gh", "",
    ])
    func rejectsMalformed(text: String) {
        #expect(CivilDate(iso: text) == nil)
    }

    @Test("adding days and ordering")
    func arithmetic() {
        #expect(date("2024-02-28").adding(days: 1) == date("2024-02-29"))
        #expect(date("2024-03-01").adding(days: -1) == date("2024-02-29"))
        #expect(date("2025-12-31").adding(days: 1) == date("2026-01-01"))
        #expect(date("2025-12-31") < date("2026-01-01"))
        #expect(date("1970-01-01").adding(days: -1) == date("1969-12-31"))
    }

    @Test("n-th weekday of a month")
    func nthWeekday() {
        #expect(CivilDate.nth(2, weekday: 1, month: 1, year: 2000) == date("2000-01-10"))
        #expect(CivilDate.nth(3, weekday: 1, month: 7, year: 2003) == date("2003-07-21"))
        #expect(CivilDate.nth(3, weekday: 1, month: 9, year: 2003) == date("2003-09-15"))
        #expect(CivilDate.nth(2, weekday: 1, month: 10, year: 2026) == date("2026-10-12"))
        #expect(CivilDate.nth(1, weekday: 0, month: 11, year: 2026) == date("2026-11-01"))  // month starts on it
        #expect(CivilDate.nth(1, weekday: 6, month: 11, year: 2026) == date("2026-11-07"))
        #expect(CivilDate.nth(5, weekday: 1, month: 3, year: 2026) == date("2026-03-30"))
    }
}
