import Foundation

/// How ``NextMonth`` makes the next instance.
public struct NextMonthOptions: Sendable {
    /// The new period; nil: the calendar month after the one containing the served period's end.
    public var period: Period?
    /// The month (1–12) a fiscal year starts in (April in Japan): when the new period opens
    /// a fiscal year the served period was not in, histories start again from zero.
    public var fiscalYearStartMonth: Int = 4

    public init(period: Period? = nil, fiscalYearStartMonth: Int = 4) {
        self.period = period
        self.fiscalYearStartMonth = fiscalYearStartMonth
    }
}

/// What ``NextMonth`` carried into the new instance and what it dropped.
public struct NextMonthSummary: Sendable {
    /// The served period and the new one.
    public var previousPeriod: Period
    public var period: Period
    /// The first day of the new period's fiscal year.
    public var fiscalYearStart: CivilDate
    /// True when the served period started before ``fiscalYearStart``: histories restart
    /// from zero (plus any duties served from that day on).
    public var fiscalYearStarted: Bool
    /// Members (physicians and stations) whose history grew, and by how much in total.
    public var membersCredited: Int
    public var pointsAdded: Double
    public var holidaysAdded: Int
    /// `calendar.extraHolidays` inside the new period (kept) and outside it (dropped).
    public var extraHolidaysKept: Int
    public var extraHolidaysDropped: Int
    /// `unavailable` and `avoid` entries kept whole, kept but clipped to the new period, dropped.
    public var absencesKept: Int
    public var absencesClipped: Int
    public var absencesDropped: Int
    public var pinsKept: Int
    public var pinsDropped: Int
    /// Respite requests dropped (all of them: they are for one month).
    public var respiteDropped: Int
    /// Accepted stays of the served plan that run into the new period (their beds are taken
    /// there, which the new instance cannot say).
    public var staysRunningOn: [RespiteBooking]
    /// Home-care patients whose `previous` is now their deputy in the served plan, and those
    /// left without one (`previous` removed).
    public var previousSet: Int
    public var previousCleared: Int
    /// Kept unchanged: load-sharing items, hospitals, registered patients.
    public var itemsKept: Int
    public var hospitalsKept: Int
    public var patientsKept: Int
    /// The summary for the terminal, in Japanese, one short line each.
    public var lines: [String]
}

/// Makes next month's instance from this month's and the plan that was served
/// (`rinban next-month`, docs/next-month.md): the same network, rules and demand in the new
/// period, histories grown by what each member served, absences and pins of the new period
/// kept, respite requests dropped, each home-care patient's `previous` deputy set from the plan.
public enum NextMonth {
    /// - Returns: the new instance, decoded again from its canonical document (so it is known
    ///   to be valid, and its warnings are at hand), and what was carried and dropped.
    /// - Throws: ``InputError`` when the plan is not for this instance's period, breaks a hard
    ///   rule, or the options are out of range (paths of plan problems are paths in the plan).
    public static func make(
        from loaded: LoadedInstance, served plan: Plan, options: NextMonthOptions = NextMonthOptions()
    ) throws(InputError) -> (loaded: LoadedInstance, summary: NextMonthSummary) {
        let old = loaded.instance
        guard (1...12).contains(options.fiscalYearStartMonth) else {
            throw InputError(at: .root, "the fiscal year's first month is \(options.fiscalYearStartMonth); give 1–12")
        }
        let evaluation = try checkServed(plan, for: loaded)
        let period = try newPeriod(after: old.period, options.period)
        let fiscalYearStart = fiscalYearStart(of: period.start, month: options.fiscalYearStartMonth)

        var next = old
        next.period = period
        var summary = NextMonthSummary(
            previousPeriod: old.period, period: period, fiscalYearStart: fiscalYearStart,
            fiscalYearStarted: old.period.start < fiscalYearStart, membersCredited: 0, pointsAdded: 0, holidaysAdded: 0,
            extraHolidaysKept: 0, extraHolidaysDropped: 0, absencesKept: 0, absencesClipped: 0, absencesDropped: 0,
            pinsKept: 0, pinsDropped: 0, respiteDropped: old.respiteRequests.count, staysRunningOn: [],
            previousSet: 0, previousCleared: 0, itemsKept: old.loadSharingItems.count, hospitalsKept: old.hospitals.count,
            patientsKept: old.patients.count, lines: [])

        // Histories: P_m and H_m exactly as the evaluator counts them, or from zero in a new fiscal year.
        let histories = servedHistories(loaded, plan, evaluation, fiscalYearStart: fiscalYearStart)
        for m in next.members.indices {
            let before = summary.fiscalYearStarted ? History() : old.members[m].history
            let after = histories[m]
            if after != before { summary.membersCredited += 1 }
            summary.pointsAdded += after.points - before.points
            summary.holidaysAdded += after.holidays - before.holidays
            next.members[m].history = after
        }

        // Calendar: the extra holidays of the new period.
        next.calendar.extraHolidays = old.calendar.extraHolidays.filter { period.contains($0) }
        summary.extraHolidaysKept = next.calendar.extraHolidays.count
        summary.extraHolidaysDropped = old.calendar.extraHolidays.count - summary.extraHolidaysKept

        // Absences: what still blocks an occurrence of the new period, clipped to it.
        let overnight = old.shifts.contains { $0.start.minutes + $0.duration > Occurrence.minutesPerDay }
        for m in next.members.indices {
            next.members[m].unavailable = clip(old.members[m].unavailable, to: period, overnight: overnight, &summary)
            next.members[m].avoid = clip(old.members[m].avoid, to: period, overnight: overnight, &summary)
        }

        // Pins of the new period (a pin must lie inside its instance's period).
        next.pins = old.pins.filter { period.contains($0.date) }
        summary.pinsKept = next.pins.count
        summary.pinsDropped = old.pins.count - next.pins.count

        // Respite requests are for one month; stays still running are reported.
        next.respiteRequests = []
        let nights = Dictionary(old.respiteRequests.map { ($0.id, $0.nights) }, uniquingKeysWith: { a, _ in a })
        summary.staysRunningOn = plan.respite.filter { booking in
            guard let n = nights[booking.request] else { return false }
            return booking.start.adding(days: n - 1) >= period.start
        }

        // Deputies: the served deputy becomes the previous one.
        for figures in evaluation.patientDeputies {
            let deputy = figures.deputy.map { old.members[$0].id }
            next.homePatients[figures.patient].previous = deputy
            if deputy == nil { summary.previousCleared += 1 } else { summary.previousSet += 1 }
        }

        // Through the canonical document and the decoder: the result is a valid instance.
        let rebuilt: LoadedInstance
        do {
            rebuilt = try InstanceDecoder.decode(InstanceEncoder.document(next))
        } catch var error {
            error.file = "the next period's instance (\(period.start) – \(period.end))"
            throw error
        }
        summary.lines = lines(summary, old: old, next: rebuilt.instance, options: options)
        return (rebuilt, summary)
    }

    /// Checks that `plan` can be the served plan of `loaded`: for its period, breaking no
    /// hard rule. Returns the plan's evaluation.
    /// - Throws: ``InputError`` with one issue per problem, at paths in the plan.
    public static func checkServed(_ plan: Plan, for loaded: LoadedInstance) throws(InputError) -> Evaluation {
        let instance = loaded.instance
        guard plan.period == instance.period else {
            throw InputError(at: .root / "period",
                             "the plan covers \(plan.period.start) – \(plan.period.end), the instance \(instance.period.start) – \(instance.period.end): give the plan served in the instance's period")
        }
        let evaluation = Evaluator(loaded).evaluate(plan)
        guard evaluation.isFeasible else {
            throw InputError(issues: evaluation.violations.map { violation in
                let places = violation.entries.dropFirst().map(\.description)
                    + violation.instanceEntries.map { "instance \($0)" }
                return InputIssue(
                    at: violation.entries.first ?? .root,
                    "the served plan breaks \(violation.rule.rawValue) (\(violation.rule.summary)): \(violation.message)"
                        + (places.isEmpty ? "" : " (with \(places.joined(separator: ", ")))"))
            })
        }
        return evaluation
    }

    // MARK: Period

    /// The period after `old`: `requested`, or the calendar month after the one holding old's end.
    static func newPeriod(after old: Period, _ requested: Period?) throws(InputError) -> Period {
        let period: Period
        if let requested {
            guard requested.start <= requested.end else {
                throw InputError(at: .root / "period", "the new period ends (\(requested.end)) before it starts (\(requested.start))")
            }
            guard requested.count <= Period.maximumDays else {
                throw InputError(at: .root / "period", "the new period has \(requested.count) days; the limit is \(Period.maximumDays)")
            }
            period = requested
        } else {
            let (year, month, _) = old.end.components
            let (y, m) = month == 12 ? (year + 1, 1) : (year, month + 1)
            period = Period(start: CivilDate(year: y, month: m, day: 1)!,
                            end: CivilDate(year: y, month: m, day: CivilDate.daysIn(month: m, year: y))!)
        }
        guard Period.supportedYears.contains(period.start.year), Period.supportedYears.contains(period.end.year) else {
            throw InputError(at: .root / "period",
                             "the new period \(period.start) – \(period.end) is outside 1980–2099, the years rinban's holiday calendar covers")
        }
        guard period.start > old.end else {
            throw InputError(at: .root / "period",
                             "the new period \(period.start) – \(period.end) must start after the served period ends (\(old.end)): its duties are already in the histories")
        }
        return period
    }

    /// The first day of the fiscal year (starting in `month`) that holds `date`.
    static func fiscalYearStart(of date: CivilDate, month: Int) -> CivilDate {
        let (y, m, _) = date.components
        return CivilDate(year: m >= month ? y : y - 1, month: month, day: 1)!
    }

    // MARK: Histories

    /// Each member's history for the new period. In the same fiscal year: P_m and H_m of the
    /// evaluation (history plus what the plan gives the member). In a new fiscal year: only
    /// the plan's assignments dated from the fiscal year's first day on (usually none), counted
    /// by the same evaluator on the instance with every history at zero.
    static func servedHistories(_ loaded: LoadedInstance, _ plan: Plan, _ evaluation: Evaluation,
                                fiscalYearStart: CivilDate) -> [History] {
        let instance = loaded.instance
        guard instance.period.start < fiscalYearStart else {
            return evaluation.members.map { History(points: $0.points, holidays: $0.holidays) }
        }
        var part = plan
        part.assignments = plan.assignments.filter { $0.date >= fiscalYearStart }
        guard !part.assignments.isEmpty else { return instance.members.map { _ in History() } }
        var zeroed = instance
        for m in zeroed.members.indices { zeroed.members[m].history = History() }
        let fresh = LoadedInstance(instance: zeroed, slots: loaded.slots, eligibility: loaded.eligibility, warnings: [])
        return Evaluator(fresh).evaluate(part).members.map { History(points: $0.points, holidays: $0.holidays) }
    }

    // MARK: Absences

    /// The absences that still block an occurrence starting in `period`, clipped to it. A
    /// whole-day absence also keeps the day after the period when a shift runs past midnight
    /// (it blocks the last night); an absence for listed shifts only keeps dates of the period.
    static func clip(_ absences: [Absence], to period: Period, overnight: Bool, _ summary: inout NextMonthSummary) -> [Absence] {
        var kept: [Absence] = []
        for absence in absences {
            let last = absence.shifts == nil && overnight ? period.end.adding(days: 1) : period.end
            var clipped = absence
            clipped.from = max(absence.from, period.start)
            clipped.to = min(absence.to, last)
            guard clipped.from <= clipped.to else {
                summary.absencesDropped += 1
                continue
            }
            if clipped == absence { summary.absencesKept += 1 } else { summary.absencesClipped += 1 }
            kept.append(clipped)
        }
        return kept
    }

    // MARK: Summary

    static func lines(_ s: NextMonthSummary, old: Instance, next: Instance, options: NextMonthOptions) -> [String] {
        func day(_ date: CivilDate) -> String { date.iso }
        var lines = ["期間: \(day(s.period.start))〜\(day(s.period.end)) (前の期間: \(day(s.previousPeriod.start))〜\(day(s.previousPeriod.end)))"]
        let served = "\(s.membersCredited) 人の history に加算 (点数計 \(number(s.pointsAdded))、休日 \(s.holidaysAdded) 回)"
        if s.fiscalYearStarted {
            var line = "年度始め (\(options.fiscalYearStartMonth) 月): history を 0 から"
            if s.membersCredited > 0 { line += "、\(day(s.fiscalYearStart)) 以降の当番を " + served }
            lines.append(line)
        } else {
            lines.append("当番の実績を " + served)
        }
        if s.extraHolidaysKept + s.extraHolidaysDropped > 0 {
            lines.append("追加の休日 (extraHolidays): \(s.extraHolidaysKept) 日を引き継ぎ、\(s.extraHolidaysDropped) 日を削除")
        }
        var absences = "不在・避けたい日: \(s.absencesKept + s.absencesClipped) 件を引き継ぎ"
        if s.absencesClipped > 0 { absences += " (うち \(s.absencesClipped) 件は新しい期間に合わせて短縮)" }
        lines.append(absences + "、\(s.absencesDropped) 件を削除")
        if s.pinsKept + s.pinsDropped > 0 {
            lines.append("固定 (pins): \(s.pinsKept) 件を引き継ぎ、\(s.pinsDropped) 件を削除")
        }
        if s.respiteDropped > 0 {
            var line = "レスパイト: \(s.respiteDropped) 件を削除"
            if !s.staysRunningOn.isEmpty {
                let nights = Dictionary(old.respiteRequests.map { ($0.id, $0.nights) }, uniquingKeysWith: { a, _ in a })
                let stays = s.staysRunningOn.map { booking in
                    "\(booking.request) \(booking.hospital) 〜\(day(booking.start.adding(days: (nights[booking.request] ?? 1) - 1)))"
                }
                line += "。新しい期間にかかる入院 \(stays.count) 件 (\(stays.joined(separator: ", "))) の病床は含まれていません"
            }
            lines.append(line)
        }
        if !next.homePatients.isEmpty {
            var line = "副主治医: \(s.previousSet) 人の previous を更新"
            if s.previousCleared > 0 { line += "、\(s.previousCleared) 人は副主治医なし (previous なし)" }
            lines.append(line)
        }
        if s.itemsKept + s.hospitalsKept + s.patientsKept > 0 {
            lines.append("そのまま引き継ぎ: 負担分担 \(s.itemsKept) 件、後方支援病院 \(s.hospitalsKept)、登録患者 \(s.patientsKept) 人")
        }
        // 年末年始: December's extra holidays do not reach into January by themselves.
        let newYearDays = [2, 3].compactMap { CivilDate(year: s.period.start.year, month: 1, day: $0) }
            .filter { s.period.contains($0) && next.calendar.dayType(of: $0) != .holiday }
        if !newYearDays.isEmpty,
           old.calendar.extraHolidays.contains(where: { $0.month == 12 && $0.day >= 29 })
        {
            lines.append("注意: 前の期間は年末 (12/29〜) を休日扱い。\(newYearDays.map(day).joined(separator: "・")) も休日なら calendar.extraHolidays に追加してください")
        }
        return lines
    }

    /// Up to 6 decimals, without trailing zeros.
    static func number(_ value: Double) -> String {
        var text = String(format: "%.6f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }
}
