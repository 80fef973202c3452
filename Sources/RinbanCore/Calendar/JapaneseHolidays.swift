/// One day off under Japan's national-holiday law: the date and its Japanese name.
public struct JapaneseHoliday: Hashable, Sendable {
    public let date: CivilDate
    /// The Japanese name, e.g. "元日", "春分の日", "振替休日", "国民の休日".
    public let name: String

    public init(date: CivilDate, name: String) {
        self.date = date
        self.name = name
    }
}

/// Japan's national holidays for 1980–2099, as the law defines them.
///
/// Sources of the rules: 国民の祝日に関する法律 (Act No. 178 of 1948) with its amendments,
/// the one-off acts for imperial ceremonies (1989, 1990, 1993, 2019) and the Tokyo 2020
/// special-measures acts that moved three holidays in 2020 and 2021.
///
/// Three kinds of day off come out of it:
/// - 国民の祝日, the named holidays (fixed dates, "Happy Monday" dates, the equinoxes, and the
///   one-off ceremony days, which their acts treat like named holidays);
/// - a substitute day off when a named holiday falls on a Sunday (Article 3(2));
/// - a day off squeezed between two named holidays (Article 3(3), since 1985-12-27).
///
/// Naming choice: the Cabinet Office's published list (syukujitsu.csv) calls both of the last
/// two kinds just "休日". A scheduler and its users need to tell them apart, so this file names
/// the substitute day "振替休日" and the squeezed day "国民の休日", the names in common use.
/// The one-off days carry the subject of their acts: "昭和天皇の大喪の礼", "即位礼正殿の儀",
/// "皇太子徳仁親王の結婚の儀", "天皇の即位の日".
///
/// Everything is computed once, on first use, into a table covering all 120 years, so
/// `name(on:)` is an array lookup.
public enum JapaneseHolidays {
    public static let supportedYears: ClosedRange<Int> = 1980...2099

    /// All holidays of `year` in date order.
    ///
    /// - Precondition: `supportedYears.contains(year)`.
    public static func holidays(in year: Int) -> [JapaneseHoliday] {
        precondition(supportedYears.contains(year), "Japanese holidays are known for \(supportedYears) only, not \(year)")
        return table.byYear[year - supportedYears.lowerBound]
    }

    /// The holiday's name on `date`, or nil if it is not a holiday.
    ///
    /// - Precondition: `supportedYears.contains(date.year)`; outside it the answer is unknown,
    ///   and a silent nil would pass for "working day".
    public static func name(on date: CivilDate) -> String? {
        let offset = date.dayNumber - table.firstDay
        precondition(offset >= 0 && offset < table.nameIndex.count,
                     "Japanese holidays are known for \(supportedYears) only, not \(date.iso)")
        let index = table.nameIndex[offset]
        return index == 0 ? nil : table.names[Int(index) - 1]
    }

    // MARK: - Names

    static let substituteHolidayName = "振替休日"
    static let citizensHolidayName = "国民の休日"

    // MARK: - Rules

    /// Day of March of the vernal equinox (春分日) in Japan, 1980–2099.
    ///
    /// The widely used approximation: floor(20.8431 + 0.242194 × (y − 1980) − floor((y − 1980) / 4)).
    /// Done in millionths of a day so no floating-point rounding can move a date.
    static func vernalEquinoxDay(year: Int) -> Int {
        equinoxDay(year: year, baseMicrodays: 20_843_100)
    }

    /// Day of September of the autumnal equinox (秋分日) in Japan, 1980–2099:
    /// floor(23.2488 + 0.242194 × (y − 1980) − floor((y − 1980) / 4)).
    static func autumnalEquinoxDay(year: Int) -> Int {
        equinoxDay(year: year, baseMicrodays: 23_248_800)
    }

    private static func equinoxDay(year: Int, baseMicrodays: Int) -> Int {
        precondition(supportedYears.contains(year), "the equinox approximation holds for \(supportedYears) only")
        let n = year - 1980  // never negative here, so `/` is floor division
        return (baseMicrodays + 242_194 * n) / 1_000_000 - n / 4
    }

    /// The named holidays (国民の祝日, plus the one-off days that count as such) of `year`,
    /// in no particular order.
    static func namedHolidays(in year: Int) -> [JapaneseHoliday] {
        var result: [JapaneseHoliday] = []
        func add(_ month: Int, _ day: Int, _ name: String) {
            result.append(JapaneseHoliday(date: CivilDate(year: year, month: month, day: day)!, name: name))
        }
        func addNthMonday(_ n: Int, _ month: Int, _ name: String) {
            result.append(JapaneseHoliday(date: CivilDate.nth(n, weekday: 1, month: month, year: year), name: name))
        }

        // January
        add(1, 1, "元日")
        if year < 2000 { add(1, 15, "成人の日") } else { addNthMonday(2, 1, "成人の日") }

        // February
        add(2, 11, "建国記念の日")
        if year >= 2020 { add(2, 23, "天皇誕生日") }  // the present Emperor, born 1960-02-23

        // March
        add(3, vernalEquinoxDay(year: year), "春分の日")

        // April 29: the Shōwa Emperor's birthday under three names
        if year <= 1988 {
            add(4, 29, "天皇誕生日")
        } else if year <= 2006 {
            add(4, 29, "みどりの日")
        } else {
            add(4, 29, "昭和の日")
        }

        // May
        add(5, 3, "憲法記念日")
        if year >= 2007 { add(5, 4, "みどりの日") }
        add(5, 5, "こどもの日")

        // July: 海の日 since 1996
        switch year {
        case ..<1996: break
        case 1996...2002: add(7, 20, "海の日")
        case 2020: add(7, 23, "海の日")  // Tokyo 2020 special measures
        case 2021: add(7, 22, "海の日")
        default: addNthMonday(3, 7, "海の日")
        }

        // August: 山の日 since 2016
        switch year {
        case ..<2016: break
        case 2020: add(8, 10, "山の日")
        case 2021: add(8, 8, "山の日")
        default: add(8, 11, "山の日")
        }

        // September
        if year < 2003 { add(9, 15, "敬老の日") } else { addNthMonday(3, 9, "敬老の日") }
        add(9, autumnalEquinoxDay(year: year), "秋分の日")

        // October: 体育の日, renamed スポーツの日 from 2020
        switch year {
        case ..<2000: add(10, 10, "体育の日")
        case 2000...2019: addNthMonday(2, 10, "体育の日")
        case 2020: add(7, 24, "スポーツの日")
        case 2021: add(7, 23, "スポーツの日")
        default: addNthMonday(2, 10, "スポーツの日")
        }

        // November
        add(11, 3, "文化の日")
        add(11, 23, "勤労感謝の日")

        // December: the Heisei Emperor's birthday, 1989–2018 (none in 2019: he abdicated on April 30)
        if (1989...2018).contains(year) { add(12, 23, "天皇誕生日") }

        // One-off days, each made a holiday by its own act
        switch year {
        case 1989: add(2, 24, "昭和天皇の大喪の礼")
        case 1990: add(11, 12, "即位礼正殿の儀")
        case 1993: add(6, 9, "皇太子徳仁親王の結婚の儀")
        case 2019:
            // The 2019 act makes both days count as 国民の祝日 for Article 3, which is what
            // turns 04-30 and 05-02 into 国民の休日.
            add(5, 1, "天皇の即位の日")
            add(10, 22, "即位礼正殿の儀")
        default: break
        }
        return result
    }

    /// All holidays of `year` in date order: the named ones, then the substitute days, then
    /// the days between two named holidays.
    static func computeHolidays(in year: Int) -> [JapaneseHoliday] {
        let named = namedHolidays(in: year)
        var nameByDay: [Int: String] = [:]
        for holiday in named {
            precondition(nameByDay[holiday.date.dayNumber] == nil, "two named holidays on \(holiday.date)")
            nameByDay[holiday.date.dayNumber] = holiday.name
        }
        let namedDays = Set(nameByDay.keys)

        // 振替休日 (Article 3(2)).
        // Until 2006: the day after a named holiday that falls on a Sunday, unless that day is
        // itself a named holiday (then there is no substitute at all).
        // From 2007: the first day after it that is not a named holiday.
        var substituteDays = Set<Int>()
        for holiday in named where holiday.date.weekday == 0 {
            var day = holiday.date.dayNumber + 1
            if year >= 2007 {
                while namedDays.contains(day) { day += 1 }
            } else if namedDays.contains(day) {
                continue
            }
            substituteDays.insert(day)
            nameByDay[day] = substituteHolidayName
        }

        // 国民の休日 (Article 3(3), in force since 1985-12-27, so from 1986 in practice).
        // A day whose previous and next days are both named holidays, and which is not one
        // itself. Until 2006 the article also excluded Sundays and substitute days; from 2007
        // it excludes only named holidays, but a day that is already a substitute day off
        // keeps that name (no such case arises in 1980–2099).
        if year >= 1986 {
            for holiday in named {
                let day = holiday.date.dayNumber + 1
                guard !namedDays.contains(day), namedDays.contains(day + 1), !substituteDays.contains(day) else { continue }
                if year < 2007 && CivilDate(dayNumber: day).weekday == 0 { continue }
                nameByDay[day] = citizensHolidayName
            }
        }

        return nameByDay
            .map { JapaneseHoliday(date: CivilDate(dayNumber: $0.key), name: $0.value) }
            .sorted { $0.date < $1.date }
    }

    // MARK: - Table

    private struct Table: Sendable {
        /// dayNumber of the first day of the first supported year.
        let firstDay: Int
        /// One entry per day of the supported years: 0 for no holiday, else 1 + index into `names`.
        let nameIndex: [UInt8]
        let names: [String]
        /// Holidays per year, index 0 = first supported year.
        let byYear: [[JapaneseHoliday]]

        static func build() -> Table {
            let first = CivilDate(year: JapaneseHolidays.supportedYears.lowerBound, month: 1, day: 1)!.dayNumber
            let end = CivilDate(year: JapaneseHolidays.supportedYears.upperBound + 1, month: 1, day: 1)!.dayNumber
            var nameIndex = [UInt8](repeating: 0, count: end - first)
            var names: [String] = []
            var indexOfName: [String: UInt8] = [:]
            var byYear: [[JapaneseHoliday]] = []
            byYear.reserveCapacity(JapaneseHolidays.supportedYears.count)
            for year in JapaneseHolidays.supportedYears {
                let holidays = JapaneseHolidays.computeHolidays(in: year)
                for holiday in holidays {
                    let index: UInt8
                    if let known = indexOfName[holiday.name] {
                        index = known
                    } else {
                        names.append(holiday.name)
                        index = UInt8(names.count)
                        indexOfName[holiday.name] = index
                    }
                    nameIndex[holiday.date.dayNumber - first] = index
                }
                byYear.append(holidays)
            }
            return Table(firstDay: first, nameIndex: nameIndex, names: names, byYear: byYear)
        }
    }

    /// Built once, on first use; Swift initialises a static `let` lazily and thread-safely.
    private static let table = Table.build()
}
