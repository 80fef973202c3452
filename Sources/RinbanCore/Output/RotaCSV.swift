/// The rota as a CSV file for Excel.
///
/// Two tables, up to three more for load sharing and beds and two for patient deputies, each after
/// one empty line:
/// 1. the rota: a header row, then one row per date of the period (every date, even one
///    with no slot): 日付 (`YYYY-MM-DD`), 曜日 (日…土), 区分 (平日/土曜/休日), 祝日・休日名
///    (元日, 振替休日, 指定休日 for an extra holiday; empty otherwise), then one column per
///    (duty, area, shift) with a slot in the period, headed by names ("副主治医当番 北部 夜間").
///    A cell holds the members' names joined with "・" and "（空き）" for open demand; it is
///    empty where the date has no such slot.
/// 2. per member, in instance order (physicians, then stations): name, pool, clinic (for a
///    station its block), block, share, duties, holiday duties, this plan's points, the
///    cumulative points with history, the fair target, the difference, and the same for
///    holiday duties (see ``MemberLoad``). Target cells are empty for a member with
///    share 0, who takes no part in fairness.
/// 3. only when the instance has stations and the plan places load-sharing items: per
///    station, in instance order: name, block, capacity, fixed load, load after the
///    placements (the evaluator's), utilisation before (fixed load / capacity) and after in
///    percent, items moved in and out. An item is moved when its `from` station differs from
///    the station the plan places it at; a new referral (no `from`) counts as moved in.
/// 4. only when the instance has hospitals and the plan designates patients or books respite
///    stays: per hospital (instance order) and need (acute, palliative) with beds pledged or
///    patients designated: designated patients, Σ risk, pledged beds and the margin
///    (pledged − Σ risk; negative is an expected shortfall).
/// 5. with table 4, when a hospital pledges respite beds: one row per such hospital with its
///    pledged respite beds, then one column per night of the period (headed by the date) with
///    the stays the plan books that night. Nights past the period's end are not shown.
/// 6. only when the instance has home-care patients (`deputies.patients`): one row per
///    patient, grouped by the clinic of the attending physician (clinics in instance order,
///    patients in instance order within a clinic): the clinic, the patient's id (patients
///    have no names in the format), the attending's id and name, the deputy's id, name and
///    clinic — or 「なし」 and the reason in the last column —, the number of period dates
///    on which both are whole-day unavailable and those dates (runs of consecutive dates as
///    `2027-01-04〜2027-01-06`, joined with "、"). The deputy is the one the evaluator counts:
///    an entry naming an ineligible physician shows as 「なし」 with what is wrong with it.
/// 7. with table 6: each physician of the deputy pool (instance order): patients n_q, the
///    fair share t_q = share / Σ share × patients and the difference (see ``DeputyLoadFigures``).
///
/// Format: UTF-8 with a byte-order mark (without it Excel reads the file as Shift_JIS and
/// garbles the Japanese), CRLF after every row including the last, fields quoted as
/// RFC 4180 says (only when they hold `,` `"` CR or LF; quotes doubled). Numbers have two
/// decimals and a "." point. A line break inside a name stays inside its (quoted) cell as a
/// lone LF, Excel's own in-cell break. A text cell starting with `=` `+` `-` `@` or a tab is
/// prefixed with `'` so Excel shows it as text instead of running it as a formula (names
/// come from hand-edited files).
public enum RotaCSV {
    /// The UTF-8 byte-order mark that starts the file.
    public static let byteOrderMark = "\u{FEFF}"

    /// The header of the rota table's fixed columns.
    public static let dateColumns = ["日付", "曜日", "区分", "祝日・休日名"]

    /// The header of the member table.
    public static let memberColumns = [
        "氏名", "区分", "所属", "ブロック", "分担割合", "当番回数", "うち休日", "今期点数", "累計点数（繰越込み）",
        "目標点数", "差（累計−目標）", "累計休日当番（繰越込み）", "休日目標", "休日差",
    ]

    /// The header of the station table (table 3).
    public static let stationColumns = [
        "ステーション", "ブロック", "受入能力（訪問/週）", "固定負荷", "配置後負荷", "稼働率・配置前（%）", "稼働率・配置後（%）",
        "受入件数", "移出件数",
    ]

    /// The header of the hospital table (table 4).
    public static let hospitalColumns = ["病院", "ブロック", "病床区分", "登録患者数", "予想入院数（Σリスク）", "確保病床数", "余裕（病床−予想）"]

    /// The fixed header of the respite table (table 5); one column per date follows.
    public static let respiteColumns = ["病院", "レスパイト確保病床数"]

    /// The header of the deputies table (table 6).
    public static let deputyColumns = [
        "主治医の診療所", "患者ID", "主治医ID", "主治医", "副主治医ID", "副主治医", "副主治医の診療所", "両者不在の日数",
        "両者不在の日（主治医・副主治医とも終日不在）", "副主治医なしの理由",
    ]

    /// What the deputy cells of table 6 hold for a patient without a deputy.
    public static let noDeputy = "なし"

    /// The header of the deputy load table (table 7).
    public static let deputyLoadColumns = [
        "氏名", "ID", "所属", "ブロック", "分担割合", "受け持ち上限", "受け持ち患者数", "目標（公平な受け持ち数）", "差（患者数−目標）",
    ]

    /// The whole file as text, starting with the byte-order mark.
    ///
    /// The plan is shown as it is, not checked: run `rinban score` for that. Deterministic:
    /// the same instance and plan give the same text. O(dates × columns + assignments).
    public static func make(loaded: LoadedInstance, plan: Plan) -> String {
        let instance = loaded.instance
        var rows: [[Field]] = []

        let grid = RotaGrid(loaded: loaded, plan: plan)
        rows.append((dateColumns + grid.labels).map(Field.text))
        for (d, date) in grid.dates.enumerated() {
            var row: [Field] = [
                .number(date.iso), .text(RotaText.weekday(date)), .text(RotaText.dayType(instance.dayType(of: date))),
                .text(RotaText.holidayName(date, in: instance) ?? ""),
            ]
            row += grid.cells[d].map { .text($0?.text ?? "") }
            rows.append(row)
        }

        rows.append([])
        rows.append(memberColumns.map(Field.text))
        for load in MemberLoads.compute(loaded, plan) {
            let member = instance.members[load.member]
            rows.append([
                .text(member.name), .text(RotaText.pool(member.pool)), .text(RotaText.affiliation(of: member, in: instance)),
                .text(RotaText.blockName(member.block, in: instance)), .number(RotaText.short(member.share)),
                .number(String(load.duties)), .number(String(load.holidayDuties)), .number(RotaText.fixed(load.periodPoints)),
                .number(RotaText.fixed(load.points)), .number(load.target.map { RotaText.fixed($0) } ?? ""),
                .number(load.difference.map { RotaText.signed($0) } ?? ""), .number(String(load.holidays)),
                .number(load.holidayTarget.map { RotaText.fixed($0) } ?? ""),
                .number(load.holidayDifference.map { RotaText.signed($0) } ?? ""),
            ])
        }

        let network = NetworkTables(loaded: loaded, plan: plan)
        if network.showsStations {
            rows.append([])
            rows.append(stationColumns.map(Field.text))
            for row in network.stations {
                rows.append([
                    .text(row.station.name), .text(RotaText.blockName(row.station.block, in: instance)),
                    .number(RotaText.short(row.capacity)), .number(RotaText.short(row.fixedLoad)),
                    .number(RotaText.short(row.load)), .number(RotaText.fixed(100 * row.utilisationBefore, places: 1)),
                    .number(RotaText.fixed(100 * row.utilisationAfter, places: 1)), .number(String(row.movedIn)),
                    .number(String(row.movedOut)),
                ])
            }
        }
        if network.showsHospitals {
            rows.append([])
            rows.append(hospitalColumns.map(Field.text))
            for row in network.beds {
                rows.append([
                    .text(row.hospital.name), .text(RotaText.blockName(row.hospital.block, in: instance)),
                    .text(row.need.rawValue), .number(String(row.patients)), .number(RotaText.fixed(row.risk)),
                    .number(String(row.pledged)), .number(RotaText.signed(row.margin)),
                ])
            }
            if !network.respite.isEmpty {
                rows.append([])
                rows.append((respiteColumns + instance.period.dates.map(\.iso)).map(Field.text))
                for row in network.respite {
                    rows.append([.text(row.hospital.name), .number(String(row.pledged))] + row.booked.map { .number(String($0)) })
                }
            }
        }

        let deputies = DeputyTables(loaded: loaded, plan: plan)
        if deputies.isShown {
            rows.append([])
            rows.append(deputyColumns.map(Field.text))
            for group in deputies.groups {
                for row in group.patients {
                    let patient = row.patient
                    let deputy = row.deputy.map { instance.members[$0] }
                    rows.append([
                        .text(group.clinic?.name ?? ""), .text(patient.id.rawValue), .text(patient.attending.rawValue),
                        .text(RotaText.name(of: patient.attending, in: instance)), .text(deputy?.id.rawValue ?? ""),
                        .text(deputy?.name ?? noDeputy), .text(deputy.map { RotaText.affiliation(of: $0, in: instance) } ?? ""),
                        .number(deputy == nil ? "" : String(row.bothAway.count)), .text(dateRuns(row.bothAway)),
                        .text(row.missingReason ?? ""),
                    ])
                }
            }
            rows.append([])
            rows.append(deputyLoadColumns.map(Field.text))
            for load in deputies.loads {
                let member = instance.members[load.member]
                rows.append([
                    .text(member.name), .text(member.id.rawValue), .text(RotaText.affiliation(of: member, in: instance)),
                    .text(RotaText.blockName(member.block, in: instance)), .number(RotaText.short(member.share)),
                    .number(member.maxDeputyPatients.map(String.init) ?? ""), .number(String(load.patients)),
                    .number(RotaText.fixed(load.target)), .number(RotaText.signed(load.difference)),
                ])
            }
        }

        var text = byteOrderMark
        for row in rows {
            text += row.map(\.encoded).joined(separator: ",")
            text += "\r\n"
        }
        return text
    }

    /// Writes ``make(loaded:plan:)`` to `path` atomically (a reader sees the old file or the new one).
    /// - Throws: ``OutputError`` naming the path.
    public static func write(loaded: LoadedInstance, plan: Plan, to path: String) throws(OutputError) {
        try AtomicFile.write(make(loaded: loaded, plan: plan), to: path)
    }

    /// `2027-01-04〜2027-01-06、2027-01-09`: runs of consecutive dates, empty for none.
    static func dateRuns(_ dates: [CivilDate]) -> String {
        DeputyTables.runs(dates).map { $0.first == $0.last ? $0.first.iso : "\($0.first.iso)〜\($0.last.iso)" }
            .joined(separator: "、")
    }

    /// A cell: text (guarded against formulas) or a number written by this file.
    enum Field {
        case text(String)
        case number(String)

        /// The field as it appears in the file.
        var encoded: String {
            switch self {
            case let .number(value):
                return RotaCSV.quoted(value)
            case let .text(value):
                if let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) {
                    return RotaCSV.quoted("'" + value)
                }
                return RotaCSV.quoted(value)
            }
        }
    }

    /// RFC 4180: quote a field holding a comma, a quote, CR or LF, doubling its quotes. A
    /// line break inside a field becomes a lone LF, as Excel writes an in-cell break.
    static func quoted(_ value: String) -> String {
        let needsQuotes = value.unicodeScalars.contains { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }
        guard needsQuotes else { return value }
        var out = "\""
        var previousWasCR = false
        for scalar in value.unicodeScalars {
            defer { previousWasCR = scalar == "\r" }
            switch scalar {
            case "\"": out += "\"\""
            case "\r": out += "\n"
            case "\n": if !previousWasCR { out += "\n" }
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
