import RinbanCore

/// The rota as an Excel workbook (.xlsx) for the office to print and mail.
///
/// The figures are those of the CSV and HTML outputs and of `rinban score`: the grid is
/// the same ``RotaCSV`` table 1 (one row per date, one column per duty, area and shift),
/// the loads and targets come from the evaluator, the station, hospital, respite and deputy
/// tables are the CSV's tables 3–7. Sheets, in order:
/// - 当番表: the heading; three header rows (duty, area, shift names; a duty's name spans its
///   columns); then one row per date of the period: the date (a real date shown `m/d (aaa)`),
///   the weekday, the day type and the holiday's name, then the members of each slot joined
///   with "、" and 「（空き）」 in red bold for demand left open. Sundays and holidays are
///   shaded red, Saturdays blue; a column with no slot on a date shows a grey "—".
/// - 公平性: per member (instance order): ID, then ``RotaCSV/memberColumns``, then the
///   history carried over; numbers are numbers (points `0.00`), with data bars on the
///   cumulative points and on the difference to the target.
/// - 未充足: every slot with open demand as the evaluator derives it, with the members it
///   has, the candidates left, and the planner's reason from the plan; 「なし」 when none.
/// - 訪問看護ステーション負担, 後方支援病院, レスパイト, 副主治医: only when the CSV shows those tables.
///
/// Every sheet starts with a heading of two rows (the association and what the sheet shows;
/// the period, with a short note), then its header; heading and header stay in view while
/// scrolling and are repeated on every printed page (A4 landscape, one page wide). Names and
/// reasons stay on one line: columns are as wide as their longest text (Japanese characters
/// count two), up to 34 (a station's name), 150 for reasons. Deterministic: the same
/// instance and plan give the same workbook. The plan is shown as it is, not checked.
public enum RotaWorkbook {
    /// The month grid.
    public static let rotaSheet = "当番表"
    /// Each member's load against the fair target.
    public static let fairnessSheet = "公平性"
    /// Slots with open demand.
    public static let uncoveredSheet = "未充足"
    /// Stations' load after the load-sharing placements (CSV table 3).
    public static let stationSheet = "訪問看護ステーション負担"
    /// Backup hospitals' beds against the designated patients' risk (CSV table 4).
    public static let hospitalSheet = "後方支援病院"
    /// Respite stays booked per night (CSV table 5).
    public static let respiteSheet = "レスパイト"
    /// Patient deputies and the deputy physicians' loads (CSV tables 6 and 7).
    public static let deputySheet = "副主治医"

    /// Header of the fairness sheet: the member's ID, the CSV's member columns, the history.
    public static let fairnessColumns = ["ID"] + RotaCSV.memberColumns + ["繰越点数", "繰越休日当番"]

    /// Header of the uncovered sheet.
    public static let uncoveredColumns = [
        "日付", "曜日", "区分", "当番", "地区", "勤務帯", "必要人数", "不足", "担当者", "候補者（不在を除く）", "不在の候補者", "理由（計画の説明）",
    ]

    /// What the uncovered sheet says when every slot is covered.
    public static let nothingOpen = "なし"

    /// The workbook. O(dates × columns + members + assignments), plus the evaluator's runs.
    public static func make(loaded: LoadedInstance, plan: Plan) -> Workbook {
        let network = NetworkTables(loaded: loaded, plan: plan)
        let deputies = DeputyTables(loaded: loaded, plan: plan)
        let grid = RotaGrid(loaded: loaded, plan: plan)
        var sheets = [
            rota(grid, loaded.instance),
            fairness(MemberLoads.compute(loaded, plan), loaded.instance),
            uncovered(loaded: loaded, plan: plan, grid: grid),
        ]
        if network.showsStations { sheets.append(stations(network, loaded.instance)) }
        if network.showsHospitals { sheets.append(hospitals(network, loaded.instance)) }
        if !network.respite.isEmpty { sheets.append(respite(network, loaded.instance)) }
        if deputies.isShown { sheets.append(deputySheet(deputies, loaded.instance)) }
        return Workbook(sheets: sheets)
    }

    /// Writes ``make(loaded:plan:)`` to `path` atomically (a reader sees the old file or the new one).
    /// - Throws: ``OutputError`` naming the path.
    public static func write(loaded: LoadedInstance, plan: Plan, to path: String) throws(OutputError) {
        try XLSXWriter.write(make(loaded: loaded, plan: plan), to: path)
    }

    // MARK: - 当番表

    /// Rows above the first date: title, period, then the duty, area and shift headers.
    static let rotaHeaderRows = 5

    private static func rota(_ grid: RotaGrid, _ instance: Instance) -> Sheet {
        let fixed = RotaCSV.dateColumns.count
        let duties = grid.cells.joined().reduce(0) { $0 + ($1?.names.count ?? 0) }
        let open = grid.cells.joined().reduce(0) { $0 + ($1?.missing ?? 0) }
        var sheet = Sheet(name: rotaSheet, frozenRows: rotaHeaderRows, frozenColumns: fixed)
        sheet.rows = heading("当番表", instance, note: "当番 \(duties)件・" + (open == 0 ? "空きなし" : "空き \(open)件"))

        // Three header rows: the date columns' names span them; then duty, area and shift.
        let top = sheet.rows.count
        var headers = [[Cell]](repeating: [], count: 3)
        for (c, name) in RotaCSV.dateColumns.enumerated() {
            headers[0].append(.text(name, Style.header))
            headers[1].append(Cell(.empty, style: Style.header))
            headers[2].append(Cell(.empty, style: Style.header))
            sheet.merges.append(CellRange(column: c, rows: top...(top + 2)))
        }
        for column in grid.columns {
            headers[0].append(.text(RotaText.dutyName(column.duty, in: instance), Style.header))
            headers[1].append(.text(RotaText.areaName(duty: column.duty, area: column.area, in: instance), Style.header))
            headers[2].append(.text(RotaText.shiftName(column.shift, in: instance), Style.header))
        }
        sheet.rows += headers
        // A duty's name spans its columns, an area's name the area's shifts.
        sheet.merges += runs(of: grid.columns.map(\.duty)).map {
            CellRange(CellRef(row: top, column: fixed + $0.lowerBound), CellRef(row: top, column: fixed + $0.upperBound))
        }
        sheet.merges += runs(of: grid.columns.map { [$0.duty.rawValue, $0.area.rawValue] }).map {
            CellRange(CellRef(row: top + 1, column: fixed + $0.lowerBound), CellRef(row: top + 1, column: fixed + $0.upperBound))
        }

        var holidayNameWidth = width(of: RotaCSV.dateColumns[3])
        var columnWidths = grid.columns.map { column in
            max(width(of: RotaText.areaName(duty: column.duty, area: column.area, in: instance)),
                width(of: RotaText.shiftName(column.shift, in: instance)))
        }
        for (d, date) in grid.dates.enumerated() {
            let dayType = instance.dayType(of: date)
            var style = Style.body
            style.fill = dayType == .holiday ? .holidayFill : dayType == .saturday ? .saturdayFill : nil
            var dayStyle = style
            dayStyle.horizontal = .center
            if dayType == .holiday { dayStyle.fontColor = .red }
            var dateStyle = dayStyle
            dateStyle.format = .shortDateWithWeekday
            dateStyle.horizontal = .left
            let holidayName = RotaText.holidayName(date, in: instance)
            holidayNameWidth = max(holidayNameWidth, width(of: holidayName ?? ""))
            var row: [Cell] = [
                Cell(.date(date), style: dateStyle), .text(RotaText.weekday(date), dayStyle),
                .text(RotaText.dayType(dayType), dayStyle), Cell(holidayName.map(CellValue.text) ?? .empty, style: dayStyle),
            ]
            for (c, cell) in grid.cells[d].enumerated() {
                guard let cell else {
                    row.append(.text("—", Style.noSlot))
                    continue
                }
                let text = cell.text(separator: "、")
                columnWidths[c] = max(columnWidths[c], width(of: text))
                var slotStyle = style
                if cell.missing > 0 {
                    slotStyle.bold = true
                    slotStyle.fontColor = .red
                }
                row.append(.text(text, slotStyle))
            }
            sheet.rows.append(row)
        }

        sheet.columnWidths = [0: 11, 1: 5, 2: 6, 3: clampedWidth(holidayNameWidth, minimum: 6)]
        // Names stay on one line (a station's name often has 16 characters): a printed rota
        // with names cut or run over the next row is worse than a slightly smaller print.
        for (c, w) in columnWidths.enumerated() {
            sheet.columnWidths[fixed + c] = clampedWidth(w, minimum: 8, maximum: maximumTableWidth)
        }
        finish(&sheet, columns: fixed + grid.columns.count, headerRows: rotaHeaderRows)
        return sheet
    }

    /// Ranges of equal consecutive values: [a, a, b] gives [0...1, 2...2]; single columns are left out.
    private static func runs<T: Equatable>(of values: [T]) -> [ClosedRange<Int>] {
        var result: [ClosedRange<Int>] = []
        var start = 0
        for i in values.indices where i == values.count - 1 || values[i + 1] != values[i] {
            if i > start { result.append(start...i) }
            start = i + 1
        }
        return result
    }

    // MARK: - 公平性

    private static func fairness(_ loads: [MemberLoad], _ instance: Instance) -> Sheet {
        var rows: [[Cell]] = []
        for load in loads {
            let member = instance.members[load.member]
            rows.append([
                .text(member.id.rawValue, Style.body), .text(member.name, Style.body),
                .text(RotaText.pool(member.pool), Style.body), .text(RotaText.affiliation(of: member, in: instance), Style.body),
                .text(RotaText.blockName(member.block, in: instance), Style.body), number(member.share, .general),
                number(Double(load.duties), .integer), number(Double(load.holidayDuties), .integer),
                number(load.periodPoints, .decimal2), number(load.points, .decimal2), number(load.target, .decimal2),
                number(load.difference, .decimal2), number(Double(load.holidays), .integer),
                number(load.holidayTarget, .decimal2), number(load.holidayDifference, .decimal2),
                number(member.history.points, .decimal2), number(Double(member.history.holidays), .integer),
            ])
        }
        let points = fairnessColumns.firstIndex(of: RotaCSV.memberColumns[8])!
        let difference = fairnessColumns.firstIndex(of: RotaCSV.memberColumns[10])!
        return table(
            name: fairnessSheet, heading: heading("当番の負担と公平な目標", instance, note: fairnessNote),
            headers: fairnessColumns, rows: rows, frozenColumns: 2, dataBars: [points, difference])
    }

    /// What the fairness figures mean, under the title (as the HTML page says it).
    static let fairnessNote = "累計＝繰越＋この当番表、目標＝総点数を分担割合で按分、差＝累計−目標（プラスは多め、分担割合 0 は目標なし）"

    // MARK: - 未充足

    private static func uncovered(loaded: LoadedInstance, plan: Plan, grid: RotaGrid) -> Sheet {
        let instance = loaded.instance
        var rows: [[Cell]] = []
        var dateStyle = Style.body
        dateStyle.format = .shortDateWithWeekday
        dateStyle.horizontal = .left
        var missingStyle = Style.body
        missingStyle.bold = true
        missingStyle.fontColor = .red
        missingStyle.format = .integer
        for open in Evaluator(loaded).evaluate(plan).uncovered {
            guard let slot = loaded.slots.slot(duty: open.duty, area: open.area, date: open.date, shift: open.shift) else {
                continue
            }
            let column = grid.columns.firstIndex { $0.duty == open.duty && $0.area == open.area && $0.shift == open.shift }
            let members = column.flatMap { grid.cells[grid.period.offset(of: open.date)][$0]?.names } ?? []
            let stated = plan.uncovered.first {
                $0.duty == open.duty && $0.area == open.area && $0.date == open.date && $0.shift == open.shift
            }
            rows.append([
                Cell(.date(open.date), style: dateStyle), .text(RotaText.weekday(open.date), Style.body),
                .text(RotaText.dayType(slot.dayType), Style.body), .text(RotaText.dutyName(open.duty, in: instance), Style.body),
                .text(RotaText.areaName(duty: open.duty, area: open.area, in: instance), Style.body),
                .text(RotaText.shiftName(open.shift, in: instance), Style.body), number(Double(slot.demand), .integer),
                Cell(.number(Double(open.missing)), style: missingStyle), .text(members.joined(separator: "、"), Style.body),
                number(Double(loaded.eligibility.eligible[slot.index].count), .integer),
                number(Double(loaded.eligibility.unavailable[slot.index].count), .integer),
                .text(stated?.reason ?? "", Style.body),
            ])
        }
        let note = rows.isEmpty
            ? "すべての枠が埋まっています。"
            : "空き \(rows.count)枠。候補者＝この枠を担当できる会員（不在の届けがある会員を除く）。理由は計画を作ったときの説明。"
        if rows.isEmpty { rows.append([.text(nothingOpen, Style.body)]) }
        var sheet = table(
            name: uncoveredSheet, heading: heading("空き（未充足の枠）", instance, note: note), headers: uncoveredColumns,
            rows: rows, frozenColumns: 1, dataBars: [])
        sheet.columnWidths[0] = 11
        // The planner's reasons are one sentence each: one line, as long as it takes.
        let reasons = rows.map { $0.count == uncoveredColumns.count ? width(of: $0[uncoveredColumns.count - 1]) : 0 }
        sheet.columnWidths[uncoveredColumns.count - 1] = clampedWidth(reasons.max() ?? 0, minimum: 20, maximum: 150)
        return sheet
    }

    // MARK: - Stations, hospitals, respite

    private static func stations(_ network: NetworkTables, _ instance: Instance) -> Sheet {
        let rows: [[Cell]] = network.stations.map { row in
            [
                .text(row.station.name, Style.body), .text(RotaText.blockName(row.station.block, in: instance), Style.body),
                number(row.capacity, .general), number(row.fixedLoad, .general), number(row.load, .general),
                number(100 * row.utilisationBefore, .decimal2),
                number(100 * row.utilisationAfter, .decimal2, alarm: row.utilisationAfter > 1),
                number(Double(row.movedIn), .integer), number(Double(row.movedOut), .integer),
            ]
        }
        return table(
            name: stationSheet, heading: heading("訪問看護ステーションの負荷", instance, note: "負荷は週あたりの訪問回数。"),
            headers: RotaCSV.stationColumns, rows: rows, frozenColumns: 1, dataBars: [6])
    }

    private static func hospitals(_ network: NetworkTables, _ instance: Instance) -> Sheet {
        let rows: [[Cell]] = network.beds.map { row in
            [
                .text(row.hospital.name, Style.body), .text(RotaText.blockName(row.hospital.block, in: instance), Style.body),
                .text(NetworkTables.needLabel(row.need), Style.body), number(Double(row.patients), .integer),
                number(row.risk, .decimal2), number(Double(row.pledged), .integer),
                number(row.margin, .decimal2, alarm: row.margin < 0),
            ]
        }
        return table(
            name: hospitalSheet, heading: heading("後方支援病院の病床", instance, note: "余裕がマイナスは不足の見込み。"),
            headers: RotaCSV.hospitalColumns, rows: rows, frozenColumns: 1, dataBars: [])
    }

    /// One column per night: the date's `m/d` over its weekday, holidays shaded like the rota.
    private static func respite(_ network: NetworkTables, _ instance: Instance) -> Sheet {
        let dates = instance.period.dates
        let fixed = RotaCSV.respiteColumns.count
        var sheet = Sheet(name: respiteSheet, frozenRows: 4, frozenColumns: fixed)
        sheet.rows = heading("レスパイト入院（各夜の受入件数）", instance)
        let top = sheet.rows.count
        var dayRow = RotaCSV.respiteColumns.map { Cell.text($0, Style.header) }
        var weekdayRow = RotaCSV.respiteColumns.map { _ in Cell(.empty, style: Style.header) }
        for (c, date) in dates.enumerated() {
            var style = Style.header
            switch instance.dayType(of: date) {
            case .holiday: style.fill = .holidayFill
            case .saturday: style.fill = .saturdayFill
            case .weekday: break
            }
            dayRow.append(.text("\(date.month)/\(date.day)", style))
            weekdayRow.append(.text(RotaText.weekday(date), style))
            sheet.columnWidths[fixed + c] = 5.5
        }
        sheet.rows += [dayRow, weekdayRow]
        sheet.merges += (0..<fixed).map { CellRange(column: $0, rows: top...(top + 1)) }
        for row in network.respite {
            var cells: [Cell] = [.text(row.hospital.name, Style.body), number(Double(row.pledged), .integer)]
            cells += row.booked.map { number(Double($0), .integer, alarm: $0 > row.pledged) }
            sheet.rows.append(cells)
        }
        sheet.columnWidths[0] = clampedWidth(network.respite.map { width(of: $0.hospital.name) }.max() ?? 8, minimum: 8)
        sheet.columnWidths[1] = 12
        finish(&sheet, columns: fixed + dates.count, headerRows: top + 2)
        return sheet
    }

    // MARK: - 副主治医

    /// Table 6 (one row per patient, clinic by clinic), an empty row, then table 7's header and rows.
    private static func deputySheet(_ deputies: DeputyTables, _ instance: Instance) -> Sheet {
        let rows = deputies.groups.flatMap { group in
            group.patients.map { patientRow($0, clinic: group.clinic, instance) }
        }
        let note = "副主治医なし \(deputies.undeputed)名・両者不在の日＝主治医と副主治医がともに終日不在と届けている日（別の医師の手配が必要）。"
        var sheet = table(
            name: deputySheet, heading: heading("副主治医（主治医・副主治医制）", instance, note: note),
            headers: RotaCSV.deputyColumns, rows: rows, frozenColumns: 2, dataBars: [])
        // Dates and reasons: one line each, as long as they take.
        for c in [8, 9] {
            let content = rows.map { width(of: $0[c]) }.max() ?? 0
            sheet.columnWidths[c] = clampedWidth(max(content, width(of: RotaCSV.deputyColumns[c])), minimum: 12, maximum: 150)
        }

        // Table 7 below, with its own header; its columns are wide enough for both tables.
        sheet.rows.append([])
        sheet.rows.append(RotaCSV.deputyLoadColumns.map { Cell.text($0, Style.header) })
        let first = sheet.rows.count
        for load in deputies.loads {
            let member = instance.members[load.member]
            sheet.rows.append([
                .text(member.name, Style.body), .text(member.id.rawValue, Style.body),
                .text(RotaText.affiliation(of: member, in: instance), Style.body),
                .text(RotaText.blockName(member.block, in: instance), Style.body), number(member.share, .general),
                number(member.maxDeputyPatients.map(Double.init), .integer), number(Double(load.patients), .integer),
                number(load.target, .decimal2), number(load.difference, .decimal2),
            ])
        }
        if sheet.rows.count > first {
            sheet.dataBars.append(DataBar(range: CellRange(column: 8, rows: first...(sheet.rows.count - 1))))
        }
        for (c, w) in fittedWidths(sheet.rows[(first - 1)...], maximum: maximumTableWidth) {
            sheet.columnWidths[c] = max(sheet.columnWidths[c] ?? 0, w)
        }
        return sheet
    }

    /// One row of table 6: a patient, the attending and the deputy (「なし」 in red and the reason when none).
    private static func patientRow(_ row: DeputyTables.PatientRow, clinic: Clinic?, _ instance: Instance) -> [Cell] {
        let attending = row.patient.attending
        guard let q = row.deputy else {
            var alarm = Style.body
            alarm.bold = true
            alarm.fontColor = .red
            return [
                .text(clinic?.name ?? "", Style.body), .text(row.patient.id.rawValue, Style.body), .text(attending.rawValue, Style.body),
                .text(RotaText.name(of: attending, in: instance), Style.body), Cell(.empty, style: Style.body),
                .text(RotaCSV.noDeputy, alarm), Cell(.empty, style: Style.body), Cell(.empty, style: Style.body),
                Cell(.empty, style: Style.body), .text(row.missingReason ?? "", Style.body),
            ]
        }
        let deputy = instance.members[q]
        return [
            .text(clinic?.name ?? "", Style.body), .text(row.patient.id.rawValue, Style.body), .text(attending.rawValue, Style.body),
            .text(RotaText.name(of: attending, in: instance), Style.body), .text(deputy.id.rawValue, Style.body),
            .text(deputy.name, Style.body), .text(RotaText.affiliation(of: deputy, in: instance), Style.body),
            number(Double(row.bothAway.count), .integer, alarm: !row.bothAway.isEmpty),
            .text(RotaHTML.dateRuns(row.bothAway), Style.body), Cell(.empty, style: Style.body),
        ]
    }

    // MARK: - Tables

    /// A sheet with the heading, one header row and `rows`: frozen header and first
    /// `frozenColumns`, widths from the contents, data bars over the given columns' rows.
    private static func table(
        name: String, heading: [[Cell]], headers: [String], rows: [[Cell]], frozenColumns: Int, dataBars: [Int]
    ) -> Sheet {
        let top = heading.count
        var sheet = Sheet(name: name, frozenRows: top + 1, frozenColumns: frozenColumns)
        sheet.rows = heading + [headers.map { Cell.text($0, Style.header) }] + rows
        sheet.columnWidths = fittedWidths(sheet.rows[top...], maximum: maximumTableWidth)
        if !rows.isEmpty {
            for c in dataBars {
                sheet.dataBars.append(DataBar(range: CellRange(column: c, rows: (top + 1)...(top + rows.count))))
            }
        }
        finish(&sheet, columns: headers.count, headerRows: top + 1)
        return sheet
    }

    /// Column widths that show every cell of `rows` on one line, up to `maximum`: row heights
    /// are not part of the file, and a spreadsheet that does not grow a row for wrapped text
    /// prints it cut.
    private static func fittedWidths(_ rows: ArraySlice<[Cell]>, maximum: Double) -> [Int: Double] {
        var widths: [Int: Double] = [:]
        for row in rows {
            for (c, cell) in row.enumerated() { widths[c] = max(widths[c] ?? 0, width(of: cell)) }
        }
        return widths.mapValues { clampedWidth($0, minimum: 6, maximum: maximum) }
    }

    /// Two rows: "徳島市医師会 当番表" in large bold, then the period and `note`.
    private static func heading(_ subject: String, _ instance: Instance, note: String? = nil) -> [[Cell]] {
        let period = instance.period
        let title = (instance.association.map { $0 + " " } ?? "") + subject
        let dates = "期間 " + RotaHTML.longDate(period.start) + "〜" + RotaHTML.longDate(period.end) + "（\(period.count)日間）"
        return [[.text(title, Style.title)], [.text(dates + (note.map { "　" + $0 } ?? ""), Style.subtitle)]]
    }

    /// The heading's rows span the table (widened if the heading is wider than the table, so
    /// nothing is cut off when printed); A4 landscape, one page wide, header rows on every page.
    private static func finish(_ sheet: inout Sheet, columns: Int, headerRows: Int) {
        let last = max(columns - 1, 0)
        for row in 0..<min(2, sheet.rows.count) {
            sheet.merges.append(CellRange(CellRef(row: row, column: 0), CellRef(row: row, column: last)))
        }
        // The title is 14 point bold (about 1.4 times as wide as body text), the period line 11 point.
        let needed = max(width(of: sheet.rows.first?.first ?? .empty) * 1.4, width(of: sheet.rows.dropFirst().first?.first ?? .empty)) + 2
        let widths = (0..<columns).map { sheet.columnWidths[$0] ?? defaultWidth }
        let total = widths.reduce(0, +)
        if total > 0 && total < needed {
            let scale = needed / total
            for (c, w) in widths.enumerated() { sheet.columnWidths[c] = (w * scale * 2).rounded(.up) / 2 }
        }
        sheet.page = PageSetup(landscape: true, fitToWidth: 1, repeatRows: 0...(headerRows - 1))
    }

    /// A number cell, or "—" for a missing value (a member with share 0 has no target).
    private static func number(_ value: Double?, _ format: NumberFormat, alarm: Bool = false) -> Cell {
        guard let value else { return .text("—", Style.centered) }
        var style = Style.body
        style.format = format
        if alarm {
            style.bold = true
            style.fontColor = .red
        }
        return Cell(.number(value), style: style)
    }

    // MARK: - Widths

    /// Columns of names and labels grow to at most this many characters.
    static let maximumWidth = 24.0
    /// Columns of the tables (a station's name often has 16 characters, 32 units).
    static let maximumTableWidth = 34.0
    /// Excel's width of a column with none given.
    static let defaultWidth = 8.43

    /// `width` plus a margin, between `minimum` and `maximum`.
    private static func clampedWidth(_ width: Double, minimum: Double, maximum: Double = maximumWidth) -> Double {
        min(max(width + 2, minimum), maximum)
    }

    /// What a cell's value needs, in Excel's width unit (a digit).
    private static func width(of cell: Cell) -> Double {
        switch cell.value {
        case .empty: return 0
        case let .text(text): return width(of: text)
        case let .number(x): return Double(RotaText.fixed(x).count)
        case .bool: return 5
        case .date: return 9
        case .time: return 5
        }
    }

    /// Display width of the longest line: a Japanese (East Asian wide) character counts 2.
    static func width(of text: String) -> Double {
        var widest = 0.0, line = 0.0
        for scalar in text.unicodeScalars {
            if scalar == "\n" {
                line = 0
                continue
            }
            line += isWide(scalar) ? 2 : 1
            widest = max(widest, line)
        }
        return widest
    }

    /// Whether a character takes two columns: CJK, kana, Hangul, full-width forms.
    private static func isWide(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
             0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x20000...0x3FFFD:
            return true
        default:
            return false
        }
    }

    // MARK: - Styles

    private enum Style {
        static let title = CellStyle(bold: true, fontSize: 14, vertical: .center)
        static let subtitle = CellStyle(vertical: .center)
        static let header = CellStyle(bold: true, fill: .headerFill, wrap: true, horizontal: .center, border: true)
        static let body = CellStyle(border: true)
        static let centered = CellStyle(horizontal: .center, border: true)
        /// A date and column without a slot.
        static let noSlot = CellStyle(fontColor: .gray, fill: Color("EDEDED"), horizontal: .center, border: true)
    }
}
