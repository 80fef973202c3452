/// The rota as a printable web page in Japanese: open it in a browser and print (A4 landscape).
///
/// One calendar grid per month of the period (weeks as rows, 日 to 土 as columns), each
/// starting on a new page; a long month continues on the next page, whole weeks at a time,
/// with the weekday header repeated. Sundays and holidays are shaded red with the holiday's
/// name, Saturdays blue. Each day lists its slots grouped by duty ("副主治医当番", then
/// "北部 夜間 佐藤 一郎" lines); open demand reads "（空き）" on a yellow background with a red
/// frame, so it stands out printed in black and white too. Dates of the month outside the
/// period are greyed, and weeks wholly outside it are left out. After the months: each
/// member's load against the fair target (see ``MemberLoad``); the station and hospital
/// tables when the plan places items or designates beds (see ``RotaCSV`` tables 3–5); when
/// the instance has home-care patients, the deputies (副主治医): one small table per clinic of
/// the attending physicians (患者ID, 主治医, 副主治医, 両者不在の日; a patient without a
/// deputy reads 「なし」 with the reason across the last two columns, highlighted like open
/// demand; three tables side by side, starting on a new page so the office can hand it out
/// on its own) and each deputy physician's patients against the fair share (see ``RotaCSV``
/// tables 6–7); and, when the plan carries them, the solver's summary and the objective's terms.
///
/// Self-contained: UTF-8, inline CSS, no scripts, fonts or images to fetch. Every piece of
/// text from the instance or the plan is HTML-escaped. Deterministic: the same instance
/// and plan give the same bytes (no clock is read).
public enum RotaHTML {
    /// The page as text.
    ///
    /// The plan is shown as it is, not checked: run `rinban score` for that.
    /// O(days of the months × columns + members + assignments).
    public static func make(loaded: LoadedInstance, plan: Plan) -> String {
        let instance = loaded.instance
        let grid = RotaGrid(loaded: loaded, plan: plan)
        let period = instance.period
        let title = (instance.association.map { $0 + " " } ?? "") + "当番表"
        let range = "\(longDate(period.start)) 〜 \(longDate(period.end))"
        let open = grid.cells.joined().reduce(0) { $0 + ($1?.missing ?? 0) }
        let deputies = DeputyTables(loaded: loaded, plan: plan)
        var deputyNote = ""
        if deputies.isShown {
            deputyNote = deputies.undeputed == 0
                ? "・副主治医は全員指定"
                : "・<strong class=\"open-count\">副主治医なし \(deputies.undeputed)名</strong>"
        }

        var html = """
            <!DOCTYPE html>
            <html lang="ja">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title)) \(escape(range))</title>
            <style>
            \(style)
            </style>
            </head>
            <body>
            <header>
            <h1>\(escape(title))</h1>
            <p class="summary">期間 \(escape(range))（\(period.count)日間）・当番 \(OutputAssignments.distinct(plan).count)件・\
            \(open == 0 ? "空きなし" : "<strong class=\"open-count\">空き \(open)件</strong>")\(deputyNote)</p>
            </header>

            """
        for (year, month) in months(of: period) {
            html += monthSection(year: year, month: month, grid: grid, instance: instance)
        }
        html += loadSection(MemberLoads.compute(loaded, plan), instance: instance)
        html += networkSection(NetworkTables(loaded: loaded, plan: plan), instance: instance)
        html += deputySection(deputies, instance: instance)
        html += solverSection(plan, instance: instance)
        html += "</body>\n</html>\n"
        return html
    }

    /// The station, hospital and respite tables and the deputies alone, as a page of their
    /// own with the same style (the server's month page shows it under its calendar).
    package static func tablesPage(loaded: LoadedInstance, plan: Plan) -> String {
        let instance = loaded.instance
        let body = networkSection(NetworkTables(loaded: loaded, plan: plan), instance: instance)
            + deputySection(DeputyTables(loaded: loaded, plan: plan), instance: instance)
        return """
            <!DOCTYPE html>
            <html lang="ja">
            <head>
            <meta charset="utf-8">
            <title>ステーション・病院・副主治医</title>
            <style>
            \(style)
            </style>
            </head>
            <body>
            \(body.isEmpty ? "<p>この月にはステーション・病院・副主治医の表がありません。</p>" : body)
            </body>
            </html>

            """
    }

    /// Writes ``make(loaded:plan:)`` to `path` atomically.
    /// - Throws: ``OutputError`` naming the path.
    public static func write(loaded: LoadedInstance, plan: Plan, to path: String) throws(OutputError) {
        try AtomicFile.write(make(loaded: loaded, plan: plan), to: path)
    }

    // MARK: - Months

    /// (year, month) of every month the period touches, in order.
    private static func months(of period: Period) -> [(Int, Int)] {
        var result: [(Int, Int)] = []
        var (y, m) = (period.start.year, period.start.month)
        while (y, m) <= (period.end.year, period.end.month) {
            result.append((y, m))
            (y, m) = m == 12 ? (y + 1, 1) : (y, m + 1)
        }
        return result
    }

    private static func monthSection(year: Int, month: Int, grid: RotaGrid, instance: Instance) -> String {
        let first = CivilDate(year: year, month: month, day: 1)!
        let days = CivilDate.daysIn(month: month, year: year)
        let weeks = (first.weekday + days + 6) / 7
        var html = "<section class=\"month\">\n<h2>\(year)年\(month)月</h2>\n<table class=\"calendar\">\n<thead><tr>"
        for (w, name) in ["日", "月", "火", "水", "木", "金", "土"].enumerated() {
            html += "<th\(w == 0 ? " class=\"sun\"" : w == 6 ? " class=\"sat\"" : "")>\(name)</th>"
        }
        html += "</tr></thead>\n<tbody>\n"
        for week in 0..<weeks {
            // Day numbers of the month in this row (out-of-month positions give < 1 or > days).
            let numbers = (0..<7).map { week * 7 + $0 - first.weekday + 1 }
            let dates = numbers.filter { (1...days).contains($0) }.map { first.adding(days: $0 - 1) }
            // A week wholly outside the period is left out: it would only cost paper.
            guard dates.contains(where: grid.period.contains) else { continue }
            html += "<tr>"
            for day in numbers {
                html += (1...days).contains(day)
                    ? dayCell(first.adding(days: day - 1), grid: grid, instance: instance)
                    : "<td class=\"blank\"></td>"
            }
            html += "</tr>\n"
        }
        html += "</tbody>\n</table>\n</section>\n\n"
        return html
    }

    private static func dayCell(_ date: CivilDate, grid: RotaGrid, instance: Instance) -> String {
        let period = instance.period
        var classes = ["day"]
        switch instance.dayType(of: date) {
        case .holiday: classes.append("holiday")
        case .saturday: classes.append("saturday")
        case .weekday: break
        }
        if !period.contains(date) { classes.append("outside") }
        var html = "<td class=\"\(classes.joined(separator: " "))\"><div class=\"date\"><span class=\"num\">\(date.day)</span>"
        if let name = RotaText.holidayName(date, in: instance) {
            html += "<span class=\"hname\">\(escape(name))</span>"
        }
        html += "</div>"
        guard period.contains(date) else { return html + "</td>" }
        // Entries grouped by duty (columns are sorted by duty first): the duty's name once,
        // then "area shift → names" lines, so most entries fit on one line when printed.
        let row = grid.cells[period.offset(of: date)]
        var currentDuty: DutyID?
        for (c, column) in grid.columns.enumerated() {
            guard let cell = row[c] else { continue }
            if column.duty != currentDuty {
                if currentDuty != nil { html += "</ul>" }
                html += "<div class=\"duty\">\(escape(RotaText.dutyName(column.duty, in: instance)))</div><ul>"
                currentDuty = column.duty
            }
            let place = RotaText.areaName(duty: column.duty, area: column.area, in: instance) + " "
                + RotaText.shiftName(column.shift, in: instance)
            html += "<li\(cell.missing > 0 ? " class=\"open\"" : "")><span class=\"what\">\(escape(place))</span>"
            html += " <span class=\"who\">\(escape(cell.text))</span></li>"
        }
        if currentDuty != nil { html += "</ul>" }
        return html + "</td>"
    }

    // MARK: - Loads

    private static func loadSection(_ loads: [MemberLoad], instance: Instance) -> String {
        var html = """
            <section class="loads">
            <h2>当番の負担と公平な目標</h2>
            <table class="loads">
            <thead><tr><th>氏名</th><th>区分</th><th>所属</th><th>分担割合</th><th>当番回数</th><th>うち休日</th>\
            <th>今期点数</th><th>累計点数</th><th>目標点数</th><th>差</th><th>累計休日当番</th><th>休日目標</th>\
            <th>休日差</th></tr></thead>
            <tbody>

            """
        for load in loads {
            let member = instance.members[load.member]
            html += "<tr><td>\(escape(member.name))</td><td>\(escape(RotaText.pool(member.pool)))</td>"
            html += "<td>\(escape(RotaText.affiliation(of: member, in: instance)))</td>"
            html += number(RotaText.short(member.share)) + number(String(load.duties)) + number(String(load.holidayDuties))
            html += number(RotaText.fixed(load.periodPoints)) + number(RotaText.fixed(load.points))
            html += number(load.target.map { RotaText.fixed($0) })
            html += number(load.difference.map { RotaText.signed($0) }, flag: load.difference.map(deviationClass))
            html += number(String(load.holidays)) + number(load.holidayTarget.map { RotaText.fixed($0) })
            html += number(load.holidayDifference.map { RotaText.signed($0) }, flag: load.holidayDifference.map(deviationClass))
            html += "</tr>\n"
        }
        html += """
            </tbody>
            </table>
            <p class="note">累計＝今年度これまでの実績（繰越）＋この当番表。目標＝同じ区分の当番の総点数（繰越を含む）を\
            分担割合で按分した値。差がプラスなら目標より多く、マイナスなら少なく担当しています。\
            分担割合 0 の方は当番を担当しないため目標はありません（—）。点数は勤務帯と曜日区分ごとの重み。</p>
            </section>


            """
        return html
    }

    /// "over" / "under" when a member is a whole point (or holiday) or more off target.
    private static func deviationClass(_ difference: Double) -> String? {
        difference >= 1 ? "over" : difference <= -1 ? "under" : nil
    }

    private static func number(_ text: String?, flag: String?? = nil) -> String {
        let extra = (flag ?? nil).map { " " + $0 } ?? ""
        return "<td class=\"n\(extra)\">\(escape(text ?? "—"))</td>"
    }

    // MARK: - Stations and hospitals

    /// The station table, the hospital table and the respite nights (see ``RotaCSV`` tables
    /// 3–5 for when each appears and what it holds).
    private static func networkSection(_ network: NetworkTables, instance: Instance) -> String {
        var html = ""
        if network.showsStations {
            html += """
                <section class="stations">
                <h2>訪問看護ステーションの負荷</h2>
                <table class="loads">
                <thead><tr><th>ステーション</th><th>ブロック</th><th>受入能力（訪問/週）</th><th>固定負荷</th>\
                <th>配置後負荷</th><th>稼働率（配置前）</th><th>稼働率（配置後）</th><th>受入</th><th>移出</th></tr></thead>
                <tbody>

                """
            for row in network.stations {
                html += "<tr><td>\(escape(row.station.name))</td><td>\(escape(RotaText.blockName(row.station.block, in: instance)))</td>"
                html += number(RotaText.short(row.capacity)) + number(RotaText.short(row.fixedLoad)) + number(RotaText.short(row.load))
                html += number(NetworkTables.percent(row.utilisationBefore))
                html += number(NetworkTables.percent(row.utilisationAfter), flag: row.utilisationAfter > 1 ? "over" : nil)
                html += number(String(row.movedIn)) + number(String(row.movedOut)) + "</tr>\n"
            }
            html += """
                </tbody>
                </table>
                <p class="note">負荷は週あたりの訪問回数。配置後負荷＝固定負荷＋この計画で配置された利用者の訪問回数。\
                受入＝他のステーションから移る利用者と新規紹介の数、移出＝他のステーションへ移る利用者の数。</p>
                </section>


                """
        }
        guard network.showsHospitals else { return html }
        html += """
            <section class="hospitals">
            <h2>後方支援病院の病床</h2>
            <table class="loads">
            <thead><tr><th>病院</th><th>ブロック</th><th>病床区分</th><th>登録患者数</th><th>予想入院数</th>\
            <th>確保病床数</th><th>余裕</th></tr></thead>
            <tbody>

            """
        for row in network.beds {
            html += "<tr><td>\(escape(row.hospital.name))</td><td>\(escape(RotaText.blockName(row.hospital.block, in: instance)))</td>"
            html += "<td>\(escape(NetworkTables.needLabel(row.need)))</td>" + number(String(row.patients))
            html += number(RotaText.fixed(row.risk)) + number(String(row.pledged))
            html += number(RotaText.signed(row.margin), flag: row.margin < 0 ? "over" : nil) + "</tr>\n"
        }
        html += "</tbody>\n</table>\n"
        if !network.respite.isEmpty {
            html += "<table class=\"loads respite\">\n<thead><tr><th>レスパイト入院</th><th>確保</th>"
            for date in instance.period.dates { html += "<th>\(date.month)/\(date.day)</th>" }
            html += "</tr></thead>\n<tbody>\n"
            for row in network.respite {
                html += "<tr><td>\(escape(row.hospital.name))</td>" + number(String(row.pledged))
                for count in row.booked {
                    html += number(String(count), flag: count > row.pledged ? "over" : nil)
                }
                html += "</tr>\n"
            }
            html += "</tbody>\n</table>\n"
        }
        html += """
            <p class="note">予想入院数＝この病院を指定した登録患者のリスク（期間中の予想入院回数）の合計。\
            余裕＝確保病床数−予想入院数（マイナスは不足の見込み）。レスパイト入院の表は各夜の受入件数。</p>
            </section>


            """
        return html
    }

    // MARK: - Deputies

    /// Per clinic of the attending physicians a table of its patients; then the deputy pool's
    /// loads against the fair share (``RotaCSV`` tables 6–7 hold the same figures).
    private static func deputySection(_ deputies: DeputyTables, instance: Instance) -> String {
        guard deputies.isShown else { return "" }
        let patients = deputies.patients.count
        var html = """
            <section class="deputies">
            <h2>副主治医（主治医・副主治医制）</h2>
            <p class="summary">在宅患者 \(patients)名・副主治医あり \(patients - deputies.undeputed)名・\
            \(deputies.undeputed == 0 ? "副主治医なし 0名" : "<strong class=\"open-count\">副主治医なし \(deputies.undeputed)名</strong>")・\
            主治医と副主治医がともに終日不在の日がある患者 \(deputies.withGaps)名</p>
            <div class="clinics">

            """
        for group in deputies.groups {
            html += "<div class=\"clinic\">\n<h3>"
            if let clinic = group.clinic {
                html += "\(escape(clinic.name))<span class=\"block\">\(escape(RotaText.blockName(clinic.block, in: instance)))</span>"
            } else {
                html += "診療所不明"
            }
            html += "</h3>\n<table class=\"loads deputies\">\n"
            html += "<thead><tr><th>患者ID</th><th>主治医</th><th>副主治医</th><th>両者不在の日</th></tr></thead>\n<tbody>\n"
            for row in group.patients {
                html += "<tr><td>\(escape(row.patient.id.rawValue))</td>"
                html += "<td>\(escape(RotaText.name(of: row.patient.attending, in: instance)))</td>"
                if let q = row.deputy {
                    let deputy = instance.members[q]
                    html += "<td>\(escape(deputy.name))<span class=\"sub\">\(escape(RotaText.affiliation(of: deputy, in: instance)))</span></td>"
                    html += row.bothAway.isEmpty ? "<td></td>" : "<td class=\"gap\">\(escape(dateRuns(row.bothAway)))</td>"
                } else {
                    // The reason takes the dates' column too: there are no dates without a deputy.
                    html += "<td class=\"none\" colspan=\"2\">\(escape(RotaCSV.noDeputy))"
                    html += "<span class=\"sub\">\(escape(row.missingReason ?? ""))</span></td>"
                }
                html += "</tr>\n"
            }
            html += "</tbody>\n</table>\n</div>\n"
        }
        html += """
            </div>
            <h3>副主治医の受け持ち数と公平な目標</h3>
            <table class="loads">
            <thead><tr><th>氏名</th><th>所属</th><th>分担割合</th><th>上限</th><th>受け持ち患者数</th><th>目標</th>\
            <th>差</th></tr></thead>
            <tbody>

            """
        for load in deputies.loads {
            let member = instance.members[load.member]
            html += "<tr><td>\(escape(member.name))</td><td>\(escape(RotaText.affiliation(of: member, in: instance)))</td>"
            html += number(RotaText.short(member.share)) + number(member.maxDeputyPatients.map(String.init))
            html += number(String(load.patients)) + number(RotaText.fixed(load.target))
            html += number(RotaText.signed(load.difference), flag: deviationClass(load.difference)) + "</tr>\n"
        }
        html += """
            </tbody>
            </table>
            <p class="note">両者不在の日＝主治医と副主治医がともに終日（勤務帯の指定なしで）不在と届けている日。\
            この日は別の医師による対応を手配してください。目標＝在宅患者の数を、副主治医を受け持つ医師の分担割合で按分した値\
            （分担割合 0 または受け持ち上限 0 の医師は含みません）。上限の「—」は上限なし。</p>
            </section>


            """
        return html
    }

    /// "1月4日(月)〜1月6日(水)、1月9日(土)": runs of consecutive dates.
    package static func dateRuns(_ dates: [CivilDate]) -> String {
        DeputyTables.runs(dates).map {
            $0.first == $0.last ? RotaText.monthDay($0.first) : RotaText.monthDay($0.first) + "〜" + RotaText.monthDay($0.last)
        }.joined(separator: "、")
    }

    // MARK: - Solver

    private static func solverSection(_ plan: Plan, instance: Instance) -> String {
        guard plan.solver != nil || plan.objective != nil else { return "" }
        var html = "<section class=\"solver\">\n<h2>計算の概要</h2>\n<table class=\"facts\">\n"
        if let solver = plan.solver {
            html += fact("計算方法", engineLabel(solver.engine))
            html += fact("終了理由", statusLabel(solver.status))
        }
        if let objective = plan.objective { html += fact("目的関数値（小さいほど良い）", RotaText.short(objective.total)) }
        if let solver = plan.solver {
            html += fact("下界（目的関数値はこれより小さくならない）", solver.bound.map { RotaText.short($0) } ?? "なし")
            html += fact("ギャップ", solver.gap.map { RotaText.fixed($0 * 100) + "%" } ?? "なし")
            html += fact("計算時間", RotaText.fixed(solver.seconds, places: 1) + " 秒")
        }
        html += "</table>\n"
        if let objective = plan.objective, !objective.terms.isEmpty {
            html += "<table class=\"terms\">\n<thead><tr><th>項目</th><th>値</th><th>重み</th><th>寄与</th></tr></thead>\n<tbody>\n"
            for term in objective.terms.keys.sorted() {
                let value = objective.terms[term]!
                let weight = instance.weights[term]
                html += "<tr><td>\(escape(termLabel(term)))（\(escape(term.rawValue))）</td>"
                html += number(RotaText.short(value)) + number(RotaText.short(weight)) + number(RotaText.short(weight * value))
                html += "</tr>\n"
            }
            html += "</tbody>\n</table>\n"
        }
        return html + "</section>\n"
    }

    private static func fact(_ name: String, _ value: String) -> String {
        "<tr><th>\(escape(name))</th><td>\(escape(value))</td></tr>\n"
    }

    private static func engineLabel(_ engine: String) -> String {
        switch engine {
        case "glpk": return "整数計画法（GLPK）"
        case "greedy": return "貪欲法（簡易計算）"
        case "lns": return "大近傍探索（LNS）"
        default: return engine
        }
    }

    private static func statusLabel(_ status: String) -> String {
        switch status {
        case "optimal": return "最適解（最適であることを証明済み）"
        case "gapLimit": return "指定した許容ギャップ内の解"
        case "timeLimit": return "時間制限で打ち切り（より良い解がある可能性あり）"
        case "heuristic": return "発見的解法による解（最適性は未確認）"
        default: return status
        }
    }

    package static func termLabel(_ term: ObjectiveTerm) -> String {
        switch term {
        case .uncovered: return "空き枠"
        case .fairness: return "点数の公平性"
        case .maxDeviation: return "最大の偏り"
        case .holidayFairness: return "休日当番の公平性"
        case .neighbor: return "近隣ブロックからの応援"
        case .avoid: return "避けたい日の当番"
        case .spread: return "当番の間隔の詰まり"
        case .stability: return "前回の当番表からの変更"
        case .loadMax: return "ステーションの最大負荷率"
        case .overflow: return "ステーションの能力超過"
        case .transfer: return "利用者の移管"
        case .remoteStation: return "他ブロックのステーション"
        case .bedOverload: return "病床の不足"
        case .outsideGroup: return "連携グループ外の病院"
        case .bedDistance: return "病院までの距離"
        case .respiteRejected: return "レスパイト入院の不受理"
        case .respiteDelay: return "レスパイト入院の開始の遅れ"
        case .undeputed: return "副主治医のいない患者"
        case .deputyDistance: return "副主治医までの距離"
        case .deputyFairness: return "副主治医の受け持ちの公平性"
        case .deputyChange: return "前期の副主治医からの変更"
        case .deputyGap: return "主治医と副主治医が同時に不在の日"
        }
    }

    // MARK: - Text

    /// "2027年1月1日(金)".
    package static func longDate(_ date: CivilDate) -> String {
        "\(date.year)年\(RotaText.monthDay(date))"
    }

    /// Escapes `& < > " '` for text and attribute values (also the server's pages).
    package static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static let style = """
        @page { size: A4 landscape; margin: 8mm; }
        * { box-sizing: border-box; }
        html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        body { font-family: "Hiragino Kaku Gothic ProN", "Hiragino Sans", "Yu Gothic", YuGothic, Meiryo,
               "Noto Sans CJK JP", "Noto Sans JP", sans-serif; font-size: 10pt; color: #111;
               margin: 0 auto; max-width: 281mm; }
        @media screen { body { padding: 6mm; } }
        h1 { font-size: 14pt; margin: 0 0 1mm; }
        h2 { font-size: 12pt; margin: 2mm 0 1.5mm; }
        p.summary { margin: 0 0 2mm; }
        .open-count { color: #b00000; }
        .month { break-after: page; page-break-after: always; }
        table { border-collapse: collapse; }
        table.calendar { width: 100%; table-layout: fixed; }
        table.calendar th, table.calendar td { border: 1px solid #777; vertical-align: top; padding: 0.8mm 1mm; }
        table.calendar th { background: #e8e8e8; font-size: 9pt; }
        table.calendar th.sun { color: #b00000; }
        table.calendar th.sat { color: #0b3d91; }
        td.day { height: 24mm; font-size: 7pt; overflow-wrap: anywhere; }
        td.blank { background: #fafafa; }
        td.holiday { background: #fde3e3; }
        td.saturday { background: #e4edf9; }
        td.outside { background: #f2f2f2; color: #999; }
        td.outside .hname { color: #c99; }
        .date { margin-bottom: 0.5mm; }
        .num { font-weight: bold; font-size: 10pt; }
        td.holiday .num, .hname { color: #b00000; }
        .hname { margin-left: 1.5mm; font-weight: bold; }
        .duty { font-weight: bold; color: #333; border-bottom: 1px solid #bbb; margin-top: 0.5mm; }
        td.day ul { list-style: none; margin: 0; padding: 0; }
        td.day li { margin: 0.2mm 0 0; line-height: 1.2; }
        .what { color: #555; }
        .who { font-weight: bold; }
        li.open { background: #ffe066; outline: 1px solid #b00000; color: #8a0000; }
        li.open .what { color: #8a0000; }
        table.loads, table.facts, table.terms { font-size: 9pt; margin-bottom: 2mm; }
        table.loads th, table.loads td, table.facts th, table.facts td, table.terms th, table.terms td {
            border: 1px solid #777; padding: 0.6mm 1.5mm; }
        table.loads thead th, table.terms thead th, table.facts th { background: #e8e8e8; text-align: left; }
        td.n { text-align: right; font-variant-numeric: tabular-nums; }
        td.over, td.gap { color: #b00000; font-weight: bold; }
        td.under { color: #0b3d91; font-weight: bold; }
        tr { break-inside: avoid; page-break-inside: avoid; }
        p.note { font-size: 8pt; color: #444; max-width: 250mm; }
        h3 { font-size: 10pt; margin: 1.5mm 0 1mm; }
        h3 .block { font-weight: normal; color: #555; margin-left: 2mm; font-size: 9pt; }
        section.deputies { break-before: page; page-break-before: always; }
        .clinics { display: flex; flex-wrap: wrap; gap: 0 4mm; align-items: flex-start; }
        .clinic { break-inside: avoid; page-break-inside: avoid; }
        table.deputies { table-layout: fixed; width: 87mm; }
        table.deputies th:nth-child(1) { width: 14mm; }
        table.deputies th:nth-child(2) { width: 20mm; }
        table.deputies th:nth-child(3) { width: 28mm; }
        table.deputies td { vertical-align: top; overflow-wrap: anywhere; }
        table.deputies .sub { display: block; font-size: 7.5pt; color: #555; font-weight: normal; }
        table.deputies td.none { background: #ffe066; outline: 1px solid #b00000; color: #8a0000; font-weight: bold; }
        table.deputies td.none .sub { color: #8a0000; }
        """
}
