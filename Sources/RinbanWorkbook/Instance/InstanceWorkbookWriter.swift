import RinbanCore

/// Writes an instance as the office's workbook (docs/workbook.md), or the empty template.
public enum InstanceWorkbook {
    /// The workbook of `instance`: the instruction sheet, the settings sheet and one sheet
    /// per collection, every value in its own cell.
    public static func make(_ instance: Instance) -> Workbook {
        build(settings: settingValues(instance), rows: tableRows(instance))
    }

    /// The template: every sheet with one example row (together they form a small valid
    /// instance, so a clerk can import it unchanged and see a plan).
    public static func template() -> Workbook {
        var rows: [String: [[String: CellValue]]] = [:]
        for table in Layout.tables {
            var row: [String: CellValue] = [:]
            for column in table.columns where column.example != .empty { row[column.key] = column.example }
            rows[table.name] = [row]
        }
        // A second duty shows the "areas" scope the 当番の地区 sheet belongs to.
        rows[Layout.duties.name]!.append([
            "id": .text("eol"), "name": .text("看取り当番"), "pool": .text("医師"), "scope": .text("地区ごと"),
            "requires": .text("eol"), "demand.shift": .text("night"), "demand.holiday": .number(1),
        ])
        var settings: [String: CellValue] = [:]
        for setting in Layout.settings where setting.example != .empty { settings[setting.key] = setting.example }
        return build(settings: settings, rows: rows)
    }

    public static func write(_ instance: Instance, to path: String) throws(OutputError) {
        try XLSXWriter.write(make(instance), to: path)
    }

    // MARK: - Values

    static func settingValues(_ instance: Instance) -> [String: CellValue] {
        var values: [String: CellValue] = [
            "period.start": .date(instance.period.start),
            "period.end": .date(instance.period.end),
        ]
        if let association = instance.association { values["association"] = .text(association) }
        if instance.calendar.saturdayIsHoliday { values["calendar.saturdayIsHoliday"] = .text(Layout.yes.japanese) }
        if !instance.calendar.extraHolidays.isEmpty {
            values["calendar.extraHolidays"] = .text(instance.calendar.extraHolidays.sorted().map(\.iso).joined(separator: ", "))
        }
        for (prefix, rules, defaults) in [("rules.", instance.rules.physicians, PoolRules.physicianDefaults),
                                          ("rules.stations.", instance.rules.stations, PoolRules.stationDefaults)]
        {
            for key in ["maxDutiesPerDate", "minDaysBetween", "spreadDays"] where rules[key] != defaults[key] {
                values[prefix + key] = .number(Double(rules[key]))
            }
        }
        for (term, weight) in instance.weights.overrides { values["weights.\(term.rawValue)"] = .number(weight) }
        return values
    }

    static func tableRows(_ instance: Instance) -> [String: [[String: CellValue]]] {
        var rows: [String: [[String: CellValue]]] = [:]
        rows[Layout.blocks.name] = instance.blocks.map {
            ["id": .text($0.id.rawValue), "name": .text($0.name), "neighbors": list($0.neighbors.map(\.rawValue))]
        }
        rows[Layout.clinics.name] = instance.clinics.map {
            ["id": .text($0.id.rawValue), "name": .text($0.name), "block": .text($0.block.rawValue)]
        }
        let stationByID = Dictionary(instance.stations.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var physicians: [[String: CellValue]] = [], stations: [[String: CellValue]] = [], absences: [[String: CellValue]] = []
        for member in instance.members {
            var row: [String: CellValue] = [
                "id": .text(member.id.rawValue), "name": .text(member.name), "skills": list(member.skills.sorted()),
                "share": .number(member.share),
                "history.points": .number(member.history.points), "history.holidays": .number(Double(member.history.holidays)),
            ]
            if let maxDuties = member.maxDuties { row["maxDuties"] = .number(Double(maxDuties)) }
            if member.pool == .physicians {
                row["clinic"] = .text(member.clinic!.rawValue)
                if let cap = member.maxDeputyPatients { row["maxDeputyPatients"] = .number(Double(cap)) }
                physicians.append(row)
            } else if let station = stationByID[member.id] {
                row["block"] = .text(station.block.rawValue)
                row["nurses"] = .number(station.nurses)
                row["capacity"] = .number(station.capacity)
                row["load"] = .number(station.load)
                row["skills"] = list(station.skills.sorted())
                stations.append(row)
            }
            for (kind, entries) in [(Layout.absenceKinds[0], member.unavailable), (Layout.absenceKinds[1], member.avoid)] {
                for absence in entries {
                    var entry: [String: CellValue] = [
                        "member": .text(member.id.rawValue), "kind": .text(kind.japanese),
                        "from": .date(absence.from), "to": .date(absence.to),
                    ]
                    if let shifts = absence.shifts { entry["shifts"] = list(shifts.map(\.rawValue).sorted()) }
                    absences.append(entry)
                }
            }
        }
        rows[Layout.physicians.name] = physicians
        rows[Layout.stations.name] = stations
        rows[Layout.absences.name] = absences
        rows[Layout.shifts.name] = instance.shifts.map { shift in
            var row: [String: CellValue] = [
                "id": .text(shift.id.rawValue), "name": .text(shift.name),
                "start": .time(minutes: shift.start.minutes), "end": .time(minutes: shift.end.minutes),
            ]
            for (dayType, points) in shift.points { row["points.\(dayType.rawValue)"] = .number(points) }
            return row
        }
        var duties: [[String: CellValue]] = [], areas: [[String: CellValue]] = []
        for duty in instance.duties {
            var head: [String: CellValue] = [
                "id": .text(duty.id.rawValue), "name": .text(duty.name),
                "pool": .text(Layout.pools.first { $0.value == duty.pool.rawValue }!.japanese),
                "scope": .text(Layout.scopes.first { $0.value == duty.scope.rawValue }!.japanese),
                "allowNeighbors": .text(duty.allowNeighbors ? Layout.yes.japanese : Layout.no.japanese),
                "requires": list(duty.requires.sorted()),
            ]
            if duty.demand.isEmpty { duties.append(head) }
            for demand in duty.demand {
                var row = head
                row["demand.shift"] = .text(demand.shift.rawValue)
                for (dayType, count) in demand.counts { row["demand.\(dayType.rawValue)"] = .number(Double(count)) }
                duties.append(row)
                head = ["id": .text(duty.id.rawValue)]
            }
            if duty.scope == .areas {
                for area in duty.areas {
                    var row: [String: CellValue] = [
                        "duty": .text(duty.id.rawValue), "id": .text(area.id.rawValue), "blocks": list(area.blocks.map(\.rawValue)),
                    ]
                    if let name = area.name { row["name"] = .text(name) }
                    areas.append(row)
                }
            }
        }
        rows[Layout.duties.name] = duties
        rows[Layout.dutyAreas.name] = areas
        rows[Layout.pins.name] = instance.pins.map {
            ["duty": .text($0.duty.rawValue), "area": .text($0.area.rawValue), "date": .date($0.date),
             "shift": .text($0.shift.rawValue), "member": .text($0.member.rawValue)]
        }
        rows[Layout.loadSharing.name] = instance.loadSharingItems.map { item in
            var row: [String: CellValue] = [
                "id": .text(item.id.rawValue), "block": .text(item.block.rawValue), "visits": .number(item.visits),
                "requires": list(item.requires.sorted()),
            ]
            if let from = item.from { row["from"] = .text(from.rawValue) }
            return row
        }
        rows[Layout.hospitals.name] = instance.hospitals.map { hospital in
            var row: [String: CellValue] = [
                "id": .text(hospital.id.rawValue), "name": .text(hospital.name), "block": .text(hospital.block.rawValue),
                "group": list(hospital.group.map(\.rawValue).sorted()),
            ]
            for (kind, count) in hospital.beds { row["beds.\(kind.rawValue)"] = .number(Double(count)) }
            return row
        }
        rows[Layout.bedPatients.name] = instance.patients.map { patient in
            ["id": .text(patient.id.rawValue), "clinic": .text(patient.clinic.rawValue),
             "needs": .text(Layout.needs.first { $0.value == patient.needs.rawValue }!.japanese), "risk": .number(patient.risk)]
        }
        rows[Layout.respite.name] = instance.respiteRequests.map {
            ["id": .text($0.id.rawValue), "clinic": .text($0.clinic.rawValue), "nights": .number(Double($0.nights)),
             "earliest": .date($0.earliest), "latest": .date($0.latest), "priority": .number(Double($0.priority))]
        }
        rows[Layout.deputies.name] = instance.homePatients.map { patient in
            var row: [String: CellValue] = [
                "id": .text(patient.id.rawValue), "attending": .text(patient.attending.rawValue),
                "block": .text(patient.block.rawValue), "requires": list(patient.requires.sorted()),
            ]
            if let previous = patient.previous { row["previous"] = .text(previous.rawValue) }
            return row
        }
        return rows
    }

    private static func list(_ items: [String]) -> CellValue { items.isEmpty ? .empty : .text(items.joined(separator: ", ")) }

    // MARK: - Sheets

    static let titleStyle = CellStyle(bold: true, fontSize: 14)
    static let hintStyle = CellStyle(fontColor: .gray)
    static let headerStyle = CellStyle(bold: true, fill: .headerFill, horizontal: .center, border: true)
    static let requiredHeaderStyle = CellStyle(bold: true, fontColor: .red, fill: .headerFill, horizontal: .center, border: true)
    static let keyStyle = CellStyle(italic: true, fontSize: 9, fontColor: .gray, horizontal: .center)
    static let idStyle = CellStyle(format: .text)
    static let dateStyle = CellStyle(format: .date, horizontal: .left)
    static let timeStyle = CellStyle(format: .time, horizontal: .left)

    private static func build(settings: [String: CellValue], rows: [String: [[String: CellValue]]]) -> Workbook {
        var sheets = [instructionSheet(), settingsSheet(settings)]
        var names: [DefinedName] = []
        for table in Layout.tables {
            sheets.append(tableSheet(table, rows: rows[table.name] ?? []))
            if let reference = Layout.referenceTable(table) {
                let range = CellRange(column: 0, rows: Frame.firstDataRow...Frame.lastListRow)
                names.append(DefinedName(name: reference.definedName, formula: "'\(table.name)'!\(range.absolute)"))
            }
        }
        return Workbook(sheets: sheets, definedNames: names, activeSheet: 0)
    }

    private static func tableSheet(_ table: TableLayout, rows: [[String: CellValue]]) -> Sheet {
        var grid: [[Cell]] = [
            // One cell, so the text runs on over the empty cells to its right.
            [.text("\(table.name) (\(table.section))   \(table.hint)", titleStyle)],
            table.columns.map { .text($0.japanese + ($0.required ? " *" : ""), $0.required ? requiredHeaderStyle : headerStyle) },
            table.columns.map { .text($0.key, keyStyle) },
        ]
        for row in rows {
            grid.append(table.columns.map { column in cell(row[column.key] ?? .empty, kind: column.kind) })
        }
        var validations: [ListValidation] = []
        for (index, column) in table.columns.enumerated() {
            let range = CellRange(column: index, rows: Frame.firstDataRow...Frame.lastListRow)
            switch column.kind {
            case .id:
                if let reference = column.reference {
                    validations.append(ListValidation(
                        range: range, source: reference.definedName,
                        errorMessage: "\(reference.sheetName)シートにある ID を選んでください。"))
                }
            case let .choice(choices):
                validations.append(ListValidation(
                    range: range, source: "\"" + choices.map(\.japanese).joined(separator: ",") + "\"",
                    errorMessage: choices.map { "\($0.japanese) (\($0.value))" }.joined(separator: "、") + " のどれかを選んでください。"))
            case .bool:
                validations.append(ListValidation(
                    range: range, source: "\"\(Layout.yes.japanese),\(Layout.no.japanese)\"", errorMessage: "はい か いいえ を選んでください。"))
            default:
                break
            }
        }
        var widths: [Int: Double] = [:]
        for (index, column) in table.columns.enumerated() {
            var width = max(displayWidth(column.japanese) + 3, displayWidth(column.key) * 0.9)
            for row in rows.prefix(500) {
                if case let .text(text)? = row[column.key] { width = max(width, displayWidth(text) + 1) }
            }
            if column.kind == .date { width = max(width, 12) }
            widths[index] = min(max(width, 7), 40)
        }
        // Wide enough for the hint in the title row to read well.
        return Sheet(name: table.name, rows: grid, columnWidths: widths, frozenRows: Frame.firstDataRow,
                     frozenColumns: 1, validations: validations, page: PageSetup(repeatRows: Frame.headerRow...Frame.keyRow))
    }

    private static func cell(_ value: CellValue, kind: ColumnKind) -> Cell {
        switch (kind, value) {
        case (.date, let .text(text)):
            if let date = CivilDate(iso: text) { return Cell(.date(date), style: dateStyle) }
            return Cell(value)
        case (.date, _): return Cell(value, style: dateStyle)
        case (.time, _): return Cell(value, style: timeStyle)
        case (.id, _), (.idList, _): return Cell(value, style: idStyle)
        default: return Cell(value)
        }
    }

    private static func settingsSheet(_ values: [String: CellValue]) -> Sheet {
        var grid: [[Cell]] = [
            [.text("\(Layout.settingsSheet)   値 (C 列) だけを書き換えてください。空欄は既定値です。", titleStyle)],
            ["項目", "rinban/1", "値", "説明"].map { .text($0, headerStyle) },
            ["label", "key", "value", "help"].map { .text($0, keyStyle) },
        ]
        for setting in Layout.settings {
            let label = setting.japanese + (setting.required ? " *" : "")
            grid.append([
                .text(label, setting.required ? CellStyle(bold: true, fontColor: .red) : .plain), .text(setting.key, keyStyle),
                cell(values[setting.key] ?? .empty, kind: setting.kind), .text(setting.help, hintStyle),
            ])
        }
        let boolRows = Layout.settings.indices.filter { Layout.settings[$0].kind == .bool }.map { $0 + Frame.firstDataRow }
        let validations = boolRows.map {
            ListValidation(range: CellRange(column: Layout.settingValueColumn, rows: $0...$0),
                           source: "\"\(Layout.yes.japanese),\(Layout.no.japanese)\"", errorMessage: "はい か いいえ を選んでください。")
        }
        return Sheet(name: Layout.settingsSheet, rows: grid, columnWidths: [0: 34, 1: 26, 2: 30, 3: 60], frozenRows: Frame.firstDataRow,
                     validations: validations, page: PageSetup(repeatRows: Frame.headerRow...Frame.keyRow))
    }

    private static func instructionSheet() -> Sheet {
        let section = CellStyle(bold: true, fontSize: 12, fill: .headerFill)
        var grid: [[Cell]] = [
            [.text("rinban 入力ブックの読み方", titleStyle)],
            [.text("このブックは医師会の在宅医療ネットワーク 1 か月分 (rinban/1 形式) です。シートごとに 1 行 1 件で書きます。")],
            [.text("各シートの 2 行目が見出し、3 行目が rinban の項目名です。3 行目は消さないでください (列の順番は入れ替えてもかまいません)。")],
            [.text("見出しが赤く * の付いた列は必須です。空欄は既定値になります。行を追加するときは表の下に続けて書きます。")],
            [.text("rinban import このブック.xlsx -o instance.json で読み込み、間違いはシート名とセル (例: 医師!C12) で示されます。")],
            [],
            [.text("セルの書き方", section)],
        ]
        for rule in cellRules { grid.append([.text(rule.0, CellStyle(bold: true)), .text(rule.1, .plain)]) }
        grid.append([])
        grid.append([.text("シート", headerStyle), .text("列 (見出し)", headerStyle), .text("rinban/1", headerStyle),
                     .text("必須", headerStyle), .text("説明", headerStyle)])
        grid.append([.text(Layout.settingsSheet, section), .text("(1 行に 1 項目。C 列に値)", section), .text("", section),
                     .text("", section), .text("", section)])
        for setting in Layout.settings {
            grid.append([.empty, .text(setting.japanese), .text(setting.key, keyStyle), .text(setting.required ? "必須" : ""),
                         .text(setting.help, .plain)])
        }
        for table in Layout.tables {
            grid.append([.text(table.name, section), .text(table.hint, section), .text(table.section, section),
                         .text("", section), .text("", section)])
            for column in table.columns {
                grid.append([.empty, .text(column.japanese), .text(column.key, keyStyle), .text(column.required ? "必須" : ""),
                             .text(column.help + kindNote(column.kind), .plain)])
            }
        }
        return Sheet(name: Layout.instructionSheet, rows: grid, columnWidths: [0: 22, 1: 30, 2: 22, 3: 6, 4: 80],
                     page: PageSetup(landscape: false))
    }

    /// The cell rules of docs/workbook.md, in a clerk's words.
    static let cellRules: [(String, String)] = [
        ("日付", "日付のセル、または 2027-01-05、2027/1/5、2027年1月5日、令和9年1月5日 のような文字。"),
        ("時刻", "時刻のセル、または 18:00、8:30、18時 のような文字。"),
        ("ID", "英数字。数字だけの ID (101) は数値のセルでもかまいません。全角の数字・英字は半角として読みます。前後の空白は無視します。"),
        ("数", "半角・全角どちらの数字でも。小数は 1.25 のように。"),
        ("はい・いいえ", "はい/いいえ のほか TRUE/FALSE、1/0、○/× も使えます。"),
        ("一覧", "技能や隣接ブロックなど複数のときはコンマ (, 、 ，) で区切ります。"),
        ("式", "値を書く欄に式 (=...) は使えません。値を貼り付けてください。"),
    ]

    private static func kindNote(_ kind: ColumnKind) -> String {
        switch kind {
        case .date: return " (日付)"
        case .time: return " (時刻)"
        case .integer: return " (整数)"
        case .number: return " (数)"
        case .bool: return " (はい/いいえ)"
        case .idList, .dateList: return " (コンマ区切り)"
        case let .choice(choices): return " (" + choices.map { "\($0.japanese) = \($0.value)" }.joined(separator: "、") + ")"
        case .id, .text: return ""
        }
    }
}

extension Reference {
    var sheetName: String {
        switch self {
        case .blocks: return Layout.blocks.name
        case .clinics: return Layout.clinics.name
        case .physicians: return Layout.physicians.name
        case .stations: return Layout.stations.name
        case .shifts: return Layout.shifts.name
        case .duties: return Layout.duties.name
        case .hospitals: return Layout.hospitals.name
        }
    }

    /// The workbook-level name of the id column a drop-down takes its values from.
    var definedName: String { "rinban_\(self)" }
}

extension Layout {
    /// The reference whose ids the table's first column declares, if any.
    static func referenceTable(_ table: TableLayout) -> Reference? {
        [Reference.blocks, .clinics, .physicians, .stations, .shifts, .duties, .hospitals].first { $0.sheetName == table.name }
    }
}

/// Width in Excel's character units: a Japanese character counts twice.
func displayWidth(_ text: String) -> Double {
    var width = 0.0
    for scalar in text.unicodeScalars { width += scalar.value < 0x2E80 ? 1 : 2 }
    return width
}
