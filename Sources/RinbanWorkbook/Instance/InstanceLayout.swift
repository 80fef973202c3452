import RinbanCore

// The office's workbook: which sheet holds which part of a `rinban/1` instance, and what
// each column means. The writer, the reader, the template and the instruction sheet are
// all made from these tables, so they cannot disagree.
//
// Every table sheet has the same frame:
//   row 1  the sheet's title and a one-line hint
//   row 2  Japanese headers (what a clerk reads)
//   row 3  the `rinban/1` field names (what the reader matches columns by)
//   row 4… one entity per row
// The reader finds columns by the names in row 3 (or, if that row was deleted, by the
// Japanese headers), so columns may be moved, and extra columns (a clerk's notes) are
// ignored.

/// How a cell of a column is read and written.
enum ColumnKind: Hashable, Sendable {
    /// An id: trimmed, full-width digits and letters made half-width, `101` from a number.
    case id
    /// Free text: trimmed only.
    case text
    case number
    case integer
    case date
    case time
    /// はい/いいえ (also TRUE/FALSE, 1/0, ○/×).
    case bool
    /// Comma-separated ids (、 and ， too).
    case idList
    /// Comma-separated dates.
    case dateList
    /// One of a few words; each may also be written in Japanese.
    case choice([Choice])
}

/// One allowed word of a `choice` column: what the file says and what a clerk may write.
struct Choice: Hashable, Sendable {
    var value: String
    var japanese: String
}

/// Where a drop-down takes its values from.
enum Reference: Hashable, Sendable {
    case blocks, clinics, physicians, stations, shifts, duties, hospitals
}

struct Column: Hashable, Sendable {
    /// The `rinban/1` field, dotted for nested objects: `history.points`.
    var key: String
    var japanese: String
    var kind: ColumnKind
    var required: Bool
    /// The collection whose ids this column names (a drop-down when it holds one id).
    var reference: Reference?
    /// What the column means, for the instruction sheet.
    var help: String
    /// The template's example value.
    var example: CellValue

    init(_ key: String, _ japanese: String, _ kind: ColumnKind, required: Bool = false, reference: Reference? = nil,
         help: String, example: CellValue = .empty)
    {
        self.key = key
        self.japanese = japanese
        self.kind = kind
        self.required = required
        self.reference = reference
        self.help = help
        self.example = example
    }
}

/// A sheet holding one row per entity.
struct TableLayout: Hashable, Sendable {
    var name: String
    /// Where its rows go in the instance (for the instruction sheet).
    var section: String
    var hint: String
    var columns: [Column]

    func column(_ key: String) -> Int? { columns.firstIndex { $0.key == key } }
}

/// Rows of the frame.
enum Frame {
    static let titleRow = 0
    static let headerRow = 1
    static let keyRow = 2
    static let firstDataRow = 3
    /// Drop-downs and ranges reach this far down.
    static let lastListRow = 4999
}

enum Layout {
    static let instructionSheet = "読み方"
    static let settingsSheet = "期間・設定"

    static let yes = Choice(value: "true", japanese: "はい")
    static let no = Choice(value: "false", japanese: "いいえ")
    static let pools = [Choice(value: "physicians", japanese: "医師"), Choice(value: "stations", japanese: "訪問看護")]
    static let scopes = [
        Choice(value: "block", japanese: "ブロックごと"), Choice(value: "network", japanese: "全域"),
        Choice(value: "areas", japanese: "地区ごと"),
    ]
    static let absenceKinds = [Choice(value: "unavailable", japanese: "不可"), Choice(value: "avoid", japanese: "避けたい")]
    static let needs = [Choice(value: "acute", japanese: "急性期"), Choice(value: "palliative", japanese: "緩和")]

    static let blocks = TableLayout(
        name: "ブロック", section: "blocks", hint: "1 行に 1 ブロック。隣接ブロックは片側に書けば両方向になります。",
        columns: [
            Column("id", "ID", .id, required: true, help: "ブロックの ID (英数字の短い名前)。他のシートからこの ID で指します。", example: .text("north")),
            Column("name", "名前", .text, required: true, help: "ブロックの名前。", example: .text("北部")),
            Column("neighbors", "隣接ブロック", .idList, reference: .blocks,
                   help: "隣のブロックの ID をコンマ区切りで。代診は同じか隣のブロックから優先して選ばれます。"),
        ])

    static let clinics = TableLayout(
        name: "診療所", section: "clinics", hint: "1 行に 1 診療所。",
        columns: [
            Column("id", "ID", .id, required: true, help: "診療所の ID。数字だけでもかまいません (101 など)。", example: .text("c01")),
            Column("name", "名前", .text, required: true, help: "診療所の名前。", example: .text("北野内科クリニック")),
            Column("block", "ブロック", .id, required: true, reference: .blocks, help: "所属するブロックの ID (ブロックのシートから選びます)。", example: .text("north")),
        ])

    static let physicians = TableLayout(
        name: "医師", section: "physicians", hint: "1 行に 1 人。当番を受ける医師と副主治医になれる医師。",
        columns: [
            Column("id", "ID", .id, required: true, help: "医師の ID。訪問看護ステーションの ID とも重ならないこと。", example: .text("p01")),
            Column("name", "氏名", .text, required: true, help: "氏名。", example: .text("北野 一郎")),
            Column("clinic", "診療所", .id, required: true, reference: .clinics, help: "勤務する診療所の ID。医師のブロックは診療所のブロックです。", example: .text("c01")),
            Column("skills", "技能", .idList, help: "技能をコンマ区切りで (例: eol = 看取り)。当番や患者が求める技能と照らし合わせます。", example: .text("eol")),
            Column("share", "負担割合", .number, help: "手上げの割合 (空欄 = 1.0、0 = 当番を受けない)。", example: .number(1)),
            Column("maxDuties", "当番上限", .integer, help: "この期間の当番回数の上限 (空欄 = 上限なし)。"),
            Column("maxDeputyPatients", "副主治医上限", .integer, help: "副主治医として受け持つ患者数の上限 (空欄 = 上限なし、0 = 受けない)。"),
            Column("history.points", "年度累計点数", .number, help: "今年度すでに務めた当番の点数 (公平性の引き継ぎ)。空欄 = 0。", example: .number(0)),
            Column("history.holidays", "年度累計休日回数", .integer, help: "今年度すでに務めた休日の当番回数。空欄 = 0。", example: .number(0)),
        ])

    static let stations = TableLayout(
        name: "訪問看護ステーション", section: "stations", hint: "1 行に 1 ステーション。当番と負担分散の両方に使います。",
        columns: [
            Column("id", "ID", .id, required: true, help: "ステーションの ID。医師の ID とも重ならないこと。", example: .text("s01")),
            Column("name", "名前", .text, required: true, help: "ステーションの名前。", example: .text("北部訪問看護ステーション")),
            Column("block", "ブロック", .id, required: true, reference: .blocks, help: "所在するブロックの ID。", example: .text("north")),
            Column("nurses", "看護師数(常勤換算)", .number, required: true, help: "常勤換算の看護師数 (0 より大きい数)。", example: .number(3)),
            Column("capacity", "訪問可能数(週)", .number, required: true, help: "1 週間に訪問できる件数 (0 より大きい数)。", example: .number(60)),
            Column("load", "現在の訪問数(週)", .number, help: "すでに受け持っていて動かせない週の訪問件数。空欄 = 0。", example: .number(40)),
            Column("skills", "技能", .idList, help: "技能をコンマ区切りで。", example: .text("eol")),
            Column("share", "負担割合", .number, help: "当番の割合 (空欄 = 看護師数)。"),
            Column("maxDuties", "当番上限", .integer, help: "この期間の当番回数の上限 (空欄 = 上限なし)。"),
            Column("history.points", "年度累計点数", .number, help: "今年度すでに務めた当番の点数。空欄 = 0。"),
            Column("history.holidays", "年度累計休日回数", .integer, help: "今年度すでに務めた休日の当番回数。空欄 = 0。"),
        ])

    static let shifts = TableLayout(
        name: "勤務帯", section: "shifts", hint: "1 行に 1 勤務帯。終了が開始より前なら翌日に終わります (開始 = 終了は 24 時間)。",
        columns: [
            Column("id", "ID", .id, required: true, help: "勤務帯の ID。", example: .text("night")),
            Column("name", "名前", .text, required: true, help: "勤務帯の名前。", example: .text("夜間")),
            Column("start", "開始", .time, required: true, help: "開始時刻 (18:00 など)。", example: .time(minutes: 18 * 60)),
            Column("end", "終了", .time, required: true, help: "終了時刻。開始より前なら翌日。", example: .time(minutes: 8 * 60)),
            Column("points.weekday", "点数(平日)", .number, help: "平日 1 回の負担点数 (空欄 = 1.0)。", example: .number(1)),
            Column("points.saturday", "点数(土曜)", .number, help: "土曜 1 回の負担点数 (空欄 = 1.0)。", example: .number(1.25)),
            Column("points.holiday", "点数(休日)", .number, help: "日曜・祝日・追加の休日 1 回の負担点数 (空欄 = 1.0)。", example: .number(1.5)),
        ])

    static let duties = TableLayout(
        name: "当番", section: "duties",
        hint: "1 行に 当番 × 勤務帯 を 1 つ。同じ当番の 2 行目からは当番の列を空けてかまいません。",
        columns: [
            Column("id", "当番 ID", .id, required: true, help: "当番の ID。勤務帯ごとに行を分け、同じ ID を続けて書きます。", example: .text("substitute")),
            Column("name", "当番名", .text, help: "当番の名前 (当番の最初の行に)。", example: .text("副主治医当番")),
            Column("pool", "対象", .choice(pools), help: "医師 (physicians) か 訪問看護 (stations) か (当番の最初の行に)。", example: .text("physicians")),
            Column("scope", "単位", .choice(scopes),
                   help: "ブロックごと (block) / 全域 (network) / 地区ごと (areas)。地区ごとのときは「当番の地区」シートに地区を書きます。", example: .text("block")),
            Column("allowNeighbors", "隣接ブロック可", .bool, help: "隣のブロックのメンバーも入れるか (空欄 = はい)。", example: .text("はい")),
            Column("requires", "必要な技能", .idList, help: "この当番に必要な技能をコンマ区切りで。"),
            Column("demand.shift", "勤務帯", .id, reference: .shifts, help: "この行の必要人数が対象とする勤務帯の ID。", example: .text("night")),
            Column("demand.weekday", "必要人数(平日)", .integer, help: "平日に必要な人数 (空欄 = 0)。", example: .number(1)),
            Column("demand.saturday", "必要人数(土曜)", .integer, help: "土曜に必要な人数 (空欄 = 0)。", example: .number(1)),
            Column("demand.holiday", "必要人数(休日)", .integer, help: "日曜・祝日に必要な人数 (空欄 = 0)。", example: .number(1)),
        ])

    static let dutyAreas = TableLayout(
        name: "当番の地区", section: "duties[].areas", hint: "単位が「地区ごと」の当番の地区。1 行に 1 地区。",
        columns: [
            Column("duty", "当番 ID", .id, required: true, reference: .duties, help: "地区を持つ当番の ID (単位が areas の当番)。", example: .text("eol")),
            Column("id", "地区 ID", .id, required: true, help: "地区の ID。", example: .text("east")),
            Column("name", "地区名", .text, help: "地区の名前。", example: .text("東地区")),
            Column("blocks", "ブロック", .idList, required: true, reference: .blocks, help: "地区に含まれるブロックの ID をコンマ区切りで。", example: .text("north")),
        ])

    static let absences = TableLayout(
        name: "不在・避けたい日", section: "physicians[].unavailable / avoid",
        hint: "1 行に 1 件。不可 = その日は当番に入れない、避けたい = できれば避ける。",
        columns: [
            Column("member", "医師・ステーション ID", .id, required: true, help: "医師または訪問看護ステーションの ID。", example: .text("p01")),
            Column("kind", "種類", .choice(absenceKinds), required: true, help: "不可 (unavailable) か 避けたい (avoid) か。", example: .text("不可")),
            Column("from", "開始日", .date, required: true, help: "最初の日。", example: .text("2027-01-05")),
            Column("to", "終了日", .date, help: "最後の日 (空欄 = 開始日と同じ 1 日だけ)。", example: .text("2027-01-06")),
            Column("shifts", "勤務帯", .idList, reference: .shifts,
                   help: "特定の勤務帯だけのとき、その ID をコンマ区切りで (空欄 = 終日。前日の夜間も含む)。"),
        ])

    static let pins = TableLayout(
        name: "固定", section: "pins", hint: "あらかじめ決まっている当番。1 行に 1 件。",
        columns: [
            Column("duty", "当番 ID", .id, required: true, reference: .duties, help: "当番の ID。", example: .text("substitute")),
            Column("area", "地区・ブロック", .id, required: true, help: "ブロックごとの当番はブロック ID、全域は all、地区ごとは地区 ID。", example: .text("north")),
            Column("date", "日付", .date, required: true, help: "日付。", example: .text("2027-01-01")),
            Column("shift", "勤務帯", .id, required: true, reference: .shifts, help: "勤務帯の ID。", example: .text("night")),
            Column("member", "担当", .id, required: true, help: "担当する医師またはステーションの ID。", example: .text("p01")),
        ])

    static let loadSharing = TableLayout(
        name: "負担分散", section: "loadSharing.items", hint: "他のステーションに回す訪問・新しい依頼。1 行に 1 件。",
        columns: [
            Column("id", "ID", .id, required: true, help: "この件の ID。", example: .text("i01")),
            Column("from", "元のステーション", .id, reference: .stations, help: "今受け持っているステーションの ID (空欄 = 新しい依頼)。", example: .text("s01")),
            Column("block", "ブロック", .id, reference: .blocks, help: "患者のいるブロック (空欄 = 元のステーションのブロック)。", example: .text("north")),
            Column("visits", "訪問数(週)", .number, required: true, help: "1 週間の訪問件数。", example: .number(3)),
            Column("requires", "必要な技能", .idList, help: "受けるステーションに必要な技能をコンマ区切りで。"),
        ])

    static let hospitals = TableLayout(
        name: "病院", section: "beds.hospitals", hint: "後方支援病院。1 行に 1 病院。",
        columns: [
            Column("id", "ID", .id, required: true, help: "病院の ID。", example: .text("h01")),
            Column("name", "名前", .text, required: true, help: "病院の名前。", example: .text("市民病院")),
            Column("block", "ブロック", .id, required: true, reference: .blocks, help: "所在するブロックの ID。", example: .text("north")),
            Column("group", "連携グループの診療所", .idList, reference: .clinics, help: "在宅医療連携グループの診療所 ID をコンマ区切りで。", example: .text("c01")),
            Column("beds.acute", "急性期病床", .integer, help: "急性期の確保病床数 (空欄 = 0)。", example: .number(2)),
            Column("beds.palliative", "緩和病床", .integer, help: "緩和ケアの確保病床数 (空欄 = 0)。", example: .number(1)),
            Column("beds.respite", "レスパイト病床", .integer, help: "レスパイト入院の確保病床数 (空欄 = 0)。", example: .number(1)),
        ])

    static let bedPatients = TableLayout(
        name: "登録患者", section: "beds.patients", hint: "事前登録患者 (バックベッド)。1 行に 1 人。氏名は書きません。",
        columns: [
            Column("id", "ID", .id, required: true, help: "患者の ID (氏名は書かない)。", example: .text("r01")),
            Column("clinic", "診療所", .id, required: true, reference: .clinics, help: "主治医の診療所の ID。", example: .text("c01")),
            Column("needs", "想定", .choice(needs), required: true, help: "急性期 (acute) か 緩和 (palliative) か。", example: .text("緩和")),
            Column("risk", "入院見込み", .number, required: true, help: "この期間に見込まれる入院回数 (0.2 など)。", example: .number(0.2)),
        ])

    static let respite = TableLayout(
        name: "レスパイト", section: "beds.respite", hint: "レスパイト入院の申し込み。1 行に 1 件。",
        columns: [
            Column("id", "ID", .id, required: true, help: "申し込みの ID。", example: .text("rs01")),
            Column("clinic", "診療所", .id, required: true, reference: .clinics, help: "申し込んだ診療所の ID。", example: .text("c01")),
            Column("nights", "泊数", .integer, required: true, help: "泊数 (1〜60)。", example: .number(3)),
            Column("earliest", "最早入院日", .date, required: true, help: "入院できる最初の日。", example: .text("2027-01-10")),
            Column("latest", "最遅入院日", .date, required: true, help: "入院できる最後の日。", example: .text("2027-01-20")),
            Column("priority", "優先度", .integer, help: "1〜3 (3 が最も急ぐ。空欄 = 1)。", example: .number(2)),
        ])

    static let deputies = TableLayout(
        name: "副主治医", section: "deputies.patients",
        hint: "副主治医が必要な在宅患者。1 行に 1 人。氏名は書かず ID だけ。",
        columns: [
            Column("id", "患者 ID", .id, required: true, help: "患者の ID (氏名は書かない)。", example: .text("h01")),
            Column("attending", "主治医", .id, required: true, reference: .physicians, help: "主治医の医師 ID。副主治医は別の診療所から選ばれます。", example: .text("p01")),
            Column("block", "ブロック", .id, reference: .blocks, help: "患者の住むブロック (空欄 = 主治医の診療所のブロック)。"),
            Column("requires", "必要な技能", .idList, help: "副主治医に必要な技能 (例: eol)。"),
            Column("previous", "前期の副主治医", .id, reference: .physicians, help: "前の期間の副主治医の ID (継続の優先に使います)。"),
        ])

    /// Every table sheet, in workbook order (after the instruction and settings sheets).
    static let tables: [TableLayout] = [
        blocks, clinics, physicians, stations, shifts, duties, dutyAreas, absences, pins, loadSharing, hospitals,
        bedPatients, respite, deputies,
    ]

    // MARK: The settings sheet: one value per row, found by the key in column B.

    struct Setting: Hashable, Sendable {
        var key: String
        var japanese: String
        var kind: ColumnKind
        var required: Bool
        var help: String
        var example: CellValue
    }

    static let settingKeyColumn = 1
    static let settingValueColumn = 2

    static let settings: [Setting] = {
        var list: [Setting] = [
            Setting(key: "association", japanese: "医師会名", kind: .text, required: false, help: "医師会の名前。", example: .text("○○市医師会")),
            Setting(key: "period.start", japanese: "期間の開始日", kind: .date, required: true, help: "計画する期間の最初の日。", example: .text("2027-01-01")),
            Setting(key: "period.end", japanese: "期間の終了日", kind: .date, required: true, help: "計画する期間の最後の日 (92 日まで)。", example: .text("2027-01-31")),
            Setting(key: "calendar.saturdayIsHoliday", japanese: "土曜を休日扱い", kind: .bool, required: false, help: "はい なら土曜を休日として数えます (空欄 = いいえ)。", example: .text("いいえ")),
            Setting(key: "calendar.extraHolidays", japanese: "追加の休日", kind: .dateList, required: false, help: "祝日以外に休日とする日 (年末年始など) をコンマ区切りで。", example: .text("2027-01-02, 2027-01-03")),
        ]
        let ruleHelp: [(String, String, String)] = [
            ("maxDutiesPerDate", "1 日の当番上限", "同じ日に始まる当番の上限 (1 以上)"),
            ("minDaysBetween", "当番の間隔(日)", "当番と当番の間を何日空けるか (1 = 連日も可)"),
            ("spreadDays", "分散の目安(日)", "この日数より近い当番を減らすよう努めます (0 = 考えない)"),
        ]
        for (key, japanese, help) in ruleHelp {
            list.append(Setting(key: "rules.\(key)", japanese: "医師: \(japanese)", kind: .integer, required: false,
                                help: "医師の\(help)。空欄 = 既定値 \(PoolRules.physicianDefaults[key])。", example: .empty))
        }
        for (key, japanese, help) in ruleHelp {
            list.append(Setting(key: "rules.stations.\(key)", japanese: "ステーション: \(japanese)", kind: .integer, required: false,
                                help: "ステーションの\(help)。空欄 = 既定値 \(PoolRules.stationDefaults[key])。", example: .empty))
        }
        for term in ObjectiveTerm.allCases {
            list.append(Setting(key: "weights.\(term.rawValue)", japanese: "重み: \(term.japaneseName)", kind: .number, required: false,
                                help: "目的の重み (空欄 = 既定値 \(formatNumber(term.defaultWeight)))。", example: .empty))
        }
        return list
    }()
}

extension PoolRules {
    subscript(key: String) -> Int {
        switch key {
        case "maxDutiesPerDate": return maxDutiesPerDate
        case "minDaysBetween": return minDaysBetween
        default: return spreadDays
        }
    }
}

extension ObjectiveTerm {
    /// The term in a clerk's words, for the settings sheet.
    var japaneseName: String {
        switch self {
        case .uncovered: return "空き (未充足)"
        case .fairness: return "公平性 (点数の偏り)"
        case .maxDeviation: return "最大の偏り"
        case .holidayFairness: return "休日の公平性"
        case .neighbor: return "隣接ブロックからの代診"
        case .avoid: return "避けたい日への割り当て"
        case .spread: return "当番の詰まり"
        case .stability: return "公開版からの変更"
        case .loadMax: return "ステーションの最大負荷"
        case .overflow: return "ステーションの超過"
        case .transfer: return "訪問の移動"
        case .remoteStation: return "離れたステーション"
        case .bedOverload: return "病床の超過"
        case .outsideGroup: return "連携グループ外の病院"
        case .bedDistance: return "病院までの距離"
        case .respiteRejected: return "レスパイトの見送り"
        case .respiteDelay: return "レスパイトの待ち日数"
        case .undeputed: return "副主治医なし"
        case .deputyDistance: return "副主治医の距離"
        case .deputyFairness: return "副主治医の公平性"
        case .deputyChange: return "副主治医の交代"
        case .deputyGap: return "主治医と副主治医の同時不在"
        }
    }
}

/// `1`, `1.25`: numbers as a clerk writes them (and as plan files do).
func formatNumber(_ value: Double) -> String { value.isFinite ? PlanWriter.number(value) : value.description }
