/// The three forms of a ``PlanDiff``: text for the terminal, JSON for tools, and an HTML
/// page with the month's changed cells highlighted.
public enum PlanDiffReport {
    // MARK: Text

    /// The report as plain text (members by name and id, dates with weekday).
    public static func text(_ diff: PlanDiff) -> String {
        var lines: [String] = []
        func name(_ id: MemberID) -> String {
            let n = diff.members.first { $0.id == id }?.name ?? id.rawValue
            return n == id.rawValue ? n : "\(n) (\(id))"
        }
        if !diff.changes.isEmpty {
            lines.append("Changes applied (\(diff.changes.count)):")
            lines += diff.changes.map { "  " + $0 }
            lines.append("")
        }
        if diff.isEmpty {
            lines.append("No difference: the plans make the same assignments and decisions.")
        } else {
            lines.append("Assignments: \(diff.removed.count) removed, \(diff.added.count) added "
                         + "(\(diff.countBefore) before, \(diff.countAfter) after).")
        }
        if !diff.slots.isEmpty {
            lines.append("")
            lines.append("By date:")
            for slot in diff.slots {
                let from = slot.removed.map(name).joined(separator: ", ")
                let to = slot.added.map(name).joined(separator: ", ")
                let change = from.isEmpty ? "+ \(to)" : to.isEmpty ? "− \(from) (left open)" : "\(from) → \(to)"
                lines.append("  \(slot.date) (\(weekdayShort(slot.date)))  \(slot.duty)/\(slot.area) \(slot.shift): \(change)")
            }
            lines.append("")
            lines.append("By member:")
            for member in diff.members where !member.removed.isEmpty || !member.added.isEmpty {
                var parts: [String] = []
                if !member.removed.isEmpty { parts.append("gives up " + member.removed.map(slotText).joined(separator: ", ")) }
                if !member.added.isEmpty { parts.append("takes " + member.added.map(slotText).joined(separator: ", ")) }
                lines.append("  \(name(member.id)): " + parts.joined(separator: "; "))
            }
        }
        func movedLines<S, V>(_ title: String, _ moved: [PlanDiff.Moved<S, V>], _ value: (V) -> String) {
            guard !moved.isEmpty else { return }
            lines.append("")
            lines.append("\(title) (\(moved.count)):")
            for m in moved {
                lines.append("  \(m.subject): \(m.before.map(value) ?? "none") → \(m.after.map(value) ?? "none")")
            }
        }
        movedLines("Load-sharing placements moved", diff.placements) { $0.rawValue }
        movedLines("Backup-hospital designations moved", diff.designations) { $0.rawValue }
        movedLines("Respite bookings changed", diff.respite) { "\($0.hospital) from \($0.start)" }
        movedLines("Patient deputies changed", diff.deputies, name)

        lines.append("")
        lines.append("Objective (value before → after, weighted change):")
        for term in diff.terms where term.before != 0 || term.after != 0 {
            lines.append("  " + pad(term.term.rawValue, 16) + pad(number(term.before), 12, right: true) + " → "
                         + pad(number(term.after), 12, right: true) + "   " + signed(term.weightedChange))
        }
        lines.append("  " + pad("total", 16) + pad(number(diff.totalBefore), 12, right: true) + " → "
                     + pad(number(diff.totalAfter), 12, right: true) + "   " + signed(diff.totalAfter - diff.totalBefore))

        let changed = diff.members.filter(\.changed)
        if !changed.isEmpty {
            lines.append("")
            lines.append("Fairness of the members concerned (points / target, holidays / target):")
            for member in changed {
                lines.append("  \(name(member.id)): \(figures(member.before)) → \(figures(member.after))")
            }
        }
        if !diff.violationsAfter.isEmpty {
            lines.append("")
            lines.append("The new plan breaks \(diff.violationsAfter.count) hard rule(s):")
            lines += diff.violationsAfter.map { "  \($0)" }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func slotText(_ a: Assignment) -> String { "\(a.date) \(a.duty)/\(a.area) \(a.shift)" }

    static func figures(_ f: MemberFigures?) -> String {
        guard let f else { return "not in the instance" }
        guard let target = f.target, let holidayTarget = f.holidayTarget else { return "\(duties(f.assignments)) (takes no share)" }
        return "\(duties(f.assignments)), \(number(f.points)) / \(number(target)) points, \(f.holidays) / \(number(holidayTarget)) holidays"
    }

    static func duties(_ n: Int) -> String { n == 1 ? "1 duty" : "\(n) duties" }

    static func weekdayShort(_ date: CivilDate) -> String { ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][date.weekday] }

    static func number(_ value: Double) -> String {
        var text = String(format: "%.2f", value)
        if text.hasSuffix(".00") { text.removeLast(3) }
        return text
    }

    static func signed(_ value: Double) -> String {
        abs(value) < 1e-9 ? "0" : (value > 0 ? "+" : "−") + number(abs(value))
    }

    static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return right ? fill + text : text + fill
    }

    // MARK: JSON

    /// The report as one JSON object (`"format": "rinban-diff/1"`).
    public static func json(_ diff: PlanDiff) -> String {
        func q(_ s: String) -> String { jsonQuoted(s) }
        func n(_ v: Double) -> String { PlanWriter.number(v) }
        func assignment(_ a: Assignment) -> String {
            "{\"duty\": \(q(a.duty.rawValue)), \"area\": \(q(a.area.rawValue)), \"date\": \(q(a.date.description)), "
                + "\"shift\": \(q(a.shift.rawValue)), \"member\": \(q(a.member.rawValue))}"
        }
        func list(_ items: [String], indent: String = "    ") -> String {
            items.isEmpty ? "[]" : "[\n" + items.map { indent + $0 }.joined(separator: ",\n") + "\n" + indent.dropLast(2) + "]"
        }
        func optional(_ s: String?) -> String { s.map(q) ?? "null" }
        func figures(_ f: MemberFigures?) -> String {
            guard let f else { return "null" }
            return "{\"assignments\": \(f.assignments), \"points\": \(n(f.points)), \"target\": \(f.target.map(n) ?? "null"), "
                + "\"deviation\": \(f.deviation.map(n) ?? "null"), \"holidays\": \(f.holidays), "
                + "\"holidayTarget\": \(f.holidayTarget.map(n) ?? "null")}"
        }
        var fields: [String] = []
        fields.append("\"format\": \"rinban-diff/1\"")
        fields.append("\"identical\": \(diff.isEmpty)")
        fields.append("\"changes\": " + list(diff.changes.map(q), indent: "    "))
        fields.append("\"removed\": " + list(diff.removed.map(assignment)))
        fields.append("\"added\": " + list(diff.added.map(assignment)))
        fields.append("\"slots\": " + list(diff.slots.map { s in
            "{\"duty\": \(q(s.duty.rawValue)), \"area\": \(q(s.area.rawValue)), \"date\": \(q(s.date.description)), "
                + "\"shift\": \(q(s.shift.rawValue)), \"removed\": [\(s.removed.map { q($0.rawValue) }.joined(separator: ", "))], "
                + "\"added\": [\(s.added.map { q($0.rawValue) }.joined(separator: ", "))]}"
        }))
        fields.append("\"placements\": " + list(diff.placements.map {
            "{\"item\": \(q($0.subject.rawValue)), \"before\": \(optional($0.before?.rawValue)), \"after\": \(optional($0.after?.rawValue))}"
        }))
        fields.append("\"designations\": " + list(diff.designations.map {
            "{\"patient\": \(q($0.subject.rawValue)), \"before\": \(optional($0.before?.rawValue)), \"after\": \(optional($0.after?.rawValue))}"
        }))
        func booking(_ b: RespiteBooking?) -> String {
            b.map { "{\"hospital\": \(q($0.hospital.rawValue)), \"start\": \(q($0.start.description))}" } ?? "null"
        }
        fields.append("\"respite\": " + list(diff.respite.map {
            "{\"request\": \(q($0.subject.rawValue)), \"before\": \(booking($0.before)), \"after\": \(booking($0.after))}"
        }))
        fields.append("\"deputies\": " + list(diff.deputies.map {
            "{\"patient\": \(q($0.subject.rawValue)), \"before\": \(optional($0.before?.rawValue)), \"after\": \(optional($0.after?.rawValue))}"
        }))
        fields.append("\"objective\": {\n    \"before\": \(n(diff.totalBefore)),\n    \"after\": \(n(diff.totalAfter)),\n    \"terms\": "
                      + list(diff.terms.map {
                          "{\"term\": \(q($0.term.rawValue)), \"before\": \(n($0.before)), \"after\": \(n($0.after)), "
                              + "\"weightedChange\": \(n($0.weightedChange))}"
                      }, indent: "      ") + "\n  }")
        fields.append("\"members\": " + list(diff.members.filter(\.changed).map {
            "{\"member\": \(q($0.id.rawValue)), \"name\": \(q($0.name)), \"removed\": \($0.removed.count), \"added\": \($0.added.count), "
                + "\"before\": \(figures($0.before)), \"after\": \(figures($0.after))}"
        }))
        return "{\n" + fields.map { "  " + $0 }.joined(separator: ",\n") + "\n}\n"
    }

    // MARK: HTML

    /// "副主治医当番<br>北部・夜間": the duty's name, the area's (or its block's) name, the shift's.
    static func columnLabel(_ duty: DutyID, _ area: AreaID, _ shift: ShiftID, _ instance: Instance) -> String {
        let dutyName = instance.dutyIndex[duty].map { instance.duties[$0].name } ?? duty.rawValue
        var areaName = area.rawValue
        if let d = instance.dutyIndex[duty], let a = instance.duties[d].areas.first(where: { $0.id == area }) {
            areaName = a.name ?? (a.blocks.count == 1 ? instance.blocks.first { $0.id == a.blocks[0] }?.name ?? area.rawValue
                                                      : area.rawValue == "all" ? "全域" : area.rawValue)
        }
        let shiftName = instance.shiftIndex[shift].map { instance.shifts[$0].name } ?? shift.rawValue
        return "\(dutyName) \(areaName)・\(shiftName)"
    }

    /// A printable page: the changes applied, then per month a table of dates × slots with
    /// every changed cell highlighted (removed members struck through, added ones marked),
    /// then the objective and the fairness of the members concerned.
    public static func html(_ diff: PlanDiff, after plan: Plan, on loaded: LoadedInstance) -> String {
        let instance = loaded.instance
        let e = RotaHTML.escape
        func name(_ id: MemberID) -> String { diff.members.first { $0.id == id }?.name ?? id.rawValue }
        // Columns: every (duty, area, shift) with a slot in the period, in slot-table order.
        struct Column: Hashable { var duty: DutyID; var area: AreaID; var shift: ShiftID }
        var columns: [Column] = []
        var seen: Set<Column> = []
        for slot in loaded.slots.slots {
            let duty = instance.duties[slot.duty]
            let column = Column(duty: duty.id, area: duty.areas[slot.area].id, shift: instance.shifts[slot.shift].id)
            if seen.insert(column).inserted { columns.append(column) }
        }
        for change in diff.slots {
            let column = Column(duty: change.duty, area: change.area, shift: change.shift)
            if seen.insert(column).inserted { columns.append(column) }
        }
        struct Cell: Hashable { var column: Column; var date: CivilDate }
        var members: [Cell: [MemberID]] = [:]
        for a in plan.assignments {
            members[Cell(column: Column(duty: a.duty, area: a.area, shift: a.shift), date: a.date), default: []].append(a.member)
        }
        var changes: [Cell: PlanDiff.SlotChange] = [:]
        for change in diff.slots { changes[Cell(column: Column(duty: change.duty, area: change.area, shift: change.shift), date: change.date)] = change }

        var html = """
            <!DOCTYPE html>
            <html lang="ja">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>当番表の変更点</title>
            <style>
            body { font-family: "IPAGothic", "Noto Sans CJK JP", sans-serif; margin: 1.5em; color: #222; }
            table { border-collapse: collapse; margin: 0.6em 0 1.4em; font-size: 0.82em; }
            th, td { border: 1px solid #bbb; padding: 0.2em 0.4em; vertical-align: top; }
            th { background: #f0f0f0; }
            td.changed { background: #fff3b0; outline: 2px solid #d08b00; }
            del { color: #a00; }
            ins { color: #060; font-weight: bold; text-decoration: none; }
            td.holiday, th.holiday { color: #b00; }
            .num { text-align: right; }
            @media print { body { margin: 0; } td.changed { -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
            </style>
            </head>
            <body>
            <h1>\(e((instance.association.map { $0 + " " } ?? "") + "当番表の変更点"))</h1>
            <p>割り当ての削除 \(diff.removed.count)件・追加 \(diff.added.count)件（変更前 \(diff.countBefore)件、変更後 \(diff.countAfter)件）。\
            黄色の欄が変わった当番です（<del>取り消し</del> → <ins>新しい担当</ins>）。</p>

            """
        if !diff.changes.isEmpty {
            html += "<h2>適用した変更</h2>\n<ul>\n" + diff.changes.map { "<li>\(e($0))</li>\n" }.joined() + "</ul>\n"
        }
        var months: [(Int, Int)] = []
        for date in instance.period.dates where months.last.map({ $0 != (date.year, date.month) }) ?? true {
            months.append((date.year, date.month))
        }
        for (year, month) in months {
            html += "<h2>\(year)年\(month)月</h2>\n<table>\n<tr><th>日付</th>"
            for column in columns { html += "<th>\(e(columnLabel(column.duty, column.area, column.shift, instance)))</th>" }
            html += "</tr>\n"
            for date in instance.period.dates where date.year == year && date.month == month {
                let holiday = instance.dayType(of: date) == .holiday
                html += "<tr><th\(holiday ? " class=\"holiday\"" : "")>\(e(RotaText.monthDay(date)))</th>"
                for column in columns {
                    let cell = Cell(column: column, date: date)
                    if let change = changes[cell] {
                        let kept = (members[cell] ?? []).filter { !change.added.contains($0) }
                        let parts = kept.map { e(name($0)) } + change.removed.map { "<del>\(e(name($0)))</del>" }
                            + change.added.map { "<ins>\(e(name($0)))</ins>" }
                        html += "<td class=\"changed\">\(parts.joined(separator: "<br>"))</td>"
                    } else {
                        html += "<td>\((members[cell] ?? []).map { e(name($0)) }.joined(separator: "<br>"))</td>"
                    }
                }
                html += "</tr>\n"
            }
            html += "</table>\n"
        }
        html += "<h2>目的関数の各項目</h2>\n<table>\n<tr><th>項目</th><th>変更前</th><th>変更後</th><th>重み付きの差</th></tr>\n"
        for term in diff.terms where term.before != 0 || term.after != 0 {
            html += "<tr><td>\(e(RotaHTML.termLabel(term.term))) (\(term.term.rawValue))</td><td class=\"num\">\(number(term.before))</td>"
                + "<td class=\"num\">\(number(term.after))</td><td class=\"num\">\(signed(term.weightedChange))</td></tr>\n"
        }
        html += "<tr><th>合計</th><th class=\"num\">\(number(diff.totalBefore))</th><th class=\"num\">\(number(diff.totalAfter))</th>"
            + "<th class=\"num\">\(signed(diff.totalAfter - diff.totalBefore))</th></tr>\n</table>\n"
        let concerned = diff.members.filter(\.changed)
        if !concerned.isEmpty {
            html += "<h2>関係する会員の負担</h2>\n<table>\n<tr><th>会員</th><th>変更前</th><th>変更後</th></tr>\n"
            for member in concerned {
                html += "<tr><td>\(e(member.name)) (\(e(member.id.rawValue)))</td><td>\(e(figures(member.before)))</td>"
                    + "<td>\(e(figures(member.after)))</td></tr>\n"
            }
            html += "</table>\n"
        }
        let decisions = diff.placements.map { "訪問看護の振り分け \($0.subject): \($0.before?.rawValue ?? "なし") → \($0.after?.rawValue ?? "なし")" }
            + diff.designations.map { "後方支援病院 \($0.subject): \($0.before?.rawValue ?? "なし") → \($0.after?.rawValue ?? "なし")" }
            + diff.respite.map { m in
                "レスパイト入院 \(m.subject): \(m.before.map { "\($0.hospital) \($0.start)" } ?? "なし") → \(m.after.map { "\($0.hospital) \($0.start)" } ?? "なし")"
            }
        if !decisions.isEmpty {
            html += "<h2>ステーション・病床の変更</h2>\n<ul>\n" + decisions.map { "<li>\(e($0))</li>\n" }.joined() + "</ul>\n"
        }
        if !diff.deputies.isEmpty {
            func deputy(_ id: MemberID?) -> String {
                guard let id else { return "なし" }
                return name(id) == id.rawValue ? id.rawValue : "\(name(id)) (\(id))"
            }
            html += "<h2>副主治医の変更</h2>\n<table>\n<tr><th>患者</th><th>変更前</th><th>変更後</th></tr>\n"
            for m in diff.deputies {
                html += "<tr><td>\(e(m.subject.rawValue))</td><td>\(e(deputy(m.before)))</td><td class=\"changed\">\(e(deputy(m.after)))</td></tr>\n"
            }
            html += "</table>\n"
        }
        html += "</body>\n</html>\n"
        return html
    }
}
