import Foundation
@testable import RinbanCore
import Testing

// MARK: - Fixture: tiny.json with home-care patients and their deputies

/// tiny.json with a `deputies` section and a few edits, each by replacing text that occurs once.
///
/// - p01 (北町, north) is away all of 2027-01-05 and for the night shift of 2027-01-06 only;
///   p02 (北山, north) is away all of 4–6 January already. So for h1 (attending p02) with
///   deputy p01 both are whole-day away on the 5th alone: the 6th is a shift-only absence.
/// - p03 takes no patients (maxDeputyPatients 0); p05 takes at most one.
/// - h4 requires "pediatric", a skill no physician has: nobody is eligible.
///
/// Eligible deputies, by SPEC 4b (another clinic, in the pool, the skills, the patient's block
/// or a neighbour; north–west and west–south are neighbours):
/// h1 (p02/c02, north): p01, p04, p05, p06. h2 (p07/c05, south, eol): p04, p06.
/// h3 (p04/c03, lives in the south): p05, p06, p07, p09. h4: none. h5 (p01/c01, north, eol): p04, p06.
func deputyInstanceText(extraEdits: [(String, String)] = []) -> String {
    var text = try! String(contentsOfFile: tinyPath, encoding: .utf8)
    let edits: [(String, String)] = [
        ("{ \"id\": \"p01\", \"name\": \"佐藤 一郎\", \"clinic\": \"c01\", \"skills\": [\"eol\"] },",
         "{ \"id\": \"p01\", \"name\": \"佐藤 一郎\", \"clinic\": \"c01\", \"skills\": [\"eol\"],\n"
            + "      \"unavailable\": [ { \"date\": \"2027-01-05\" }, { \"date\": \"2027-01-06\", \"shifts\": [\"night\"] } ] },"),
        ("\"maxDuties\": 3 },", "\"maxDuties\": 3, \"maxDeputyPatients\": 0 },"),
        ("{ \"id\": \"p05\", \"name\": \"伊藤 誠\", \"clinic\": \"c04\" },",
         "{ \"id\": \"p05\", \"name\": \"伊藤 誠\", \"clinic\": \"c04\", \"maxDeputyPatients\": 1 },"),
        ("  ]\n  }\n}", """
              ]
              },
              "deputies": { "patients": [
                { "id": "h1", "attending": "p02" },
                { "id": "h2", "attending": "p07", "requires": ["eol"], "previous": "p06" },
                { "id": "h3", "attending": "p04", "block": "south" },
                { "id": "h4", "attending": "p09", "requires": ["pediatric"] },
                { "id": "h5", "attending": "p01", "requires": ["eol"] }
              ] }
            }
            """),
    ] + extraEdits
    for (old, new) in edits {
        let parts = text.components(separatedBy: old)
        precondition(parts.count == 2, "\"\(old)\" must occur exactly once in tiny.json")
        text = parts.joined(separator: new)
    }
    return text
}

private func loadDeputies(extraEdits: [(String, String)] = []) -> LoadedInstance {
    switch decode(deputyInstanceText(extraEdits: extraEdits)) {
    case let .success(loaded): return loaded
    case let .failure(error): fatalError("the deputy instance does not load: \(error)")
    }
}

private let deputyLoaded = loadDeputies()

private func designation(_ patient: String, _ deputy: String) -> DeputyDesignation {
    DeputyDesignation(patient: HomePatientID(patient), deputy: MemberID(deputy))
}

/// Two rota assignments, every patient but h4 with an eligible deputy.
private let deputyPlan = Plan(
    period: deputyLoaded.instance.period,
    assignments: [
        Assignment(duty: "substitute", area: "south", date: CivilDate(iso: "2027-01-01")!, shift: "night", member: "p07"),
        Assignment(duty: "substitute", area: "north", date: CivilDate(iso: "2027-01-04")!, shift: "night", member: "p03"),
    ],
    deputies: [designation("h1", "p01"), designation("h2", "p06"), designation("h3", "p05"), designation("h5", "p04")],
    solver: SolverReport(engine: "glpk", status: "optimal", bound: 0, gap: 0, seconds: 0.5))

/// The CSV's tables, split at the empty lines.
private func csvTables(_ loaded: LoadedInstance, _ plan: Plan) -> [[String]] {
    var lines = RotaCSV.make(loaded: loaded, plan: plan).dropFirst().components(separatedBy: "\r\n")
    #expect(lines.removeLast() == "")
    return lines.split(separator: "", omittingEmptySubsequences: false).map(Array.init)
}

/// Text between `start` and the next `end` after it.
private func slice(_ text: String, from start: String, to end: String) -> String? {
    guard let a = text.range(of: start), let b = text.range(of: end, range: a.upperBound..<text.endIndex) else { return nil }
    return String(text[a.lowerBound..<b.upperBound])
}

private let h4Reason = "副主治医になれる医師がいない：他院の医師 7名、うち受け持ち可能（割合・上限が 0 でない）6名、"
    + "うち技能「pediatric」あり 0名"

// MARK: - Tests

@Suite("Deputy tables in the outputs")
struct DeputyOutputTests {
    @Test("the hand-made plan breaks neither D1 nor D2, and the evaluator counts what the tables show")
    func evaluatorFigures() {
        let evaluation = Evaluator(deputyLoaded).evaluate(deputyPlan)
        #expect(evaluation.violations.filter { $0.rule == .deputy || $0.rule == .deputyCap }.isEmpty)
        #expect(evaluation.patientDeputies.map(\.bothAway) == [[CivilDate(iso: "2027-01-05")!], [], [], [], []])
        #expect(evaluation.value(.undeputed) == 1)
        #expect(evaluation.value(.deputyGap) == 1)
        // Pool Σ share 6.5, N = 5: t = 10/13 for share 1, 5/13 for p02. Four physicians with one
        // patient (3/13 each), p02 with none (5/13), p07 and p09 with none (10/13 each): 37/13.
        #expect(abs(evaluation.value(.deputyFairness) - 37.0 / 13.0) < 1e-9)
    }

    @Test("CSV table 6: one row per patient, grouped by the attending's clinic; table 7: the pool's loads")
    func csv() throws {
        let tables = csvTables(deputyLoaded, deputyPlan)
        #expect(tables.count == 4)  // rota, members, deputies, deputy loads (no placements or beds)
        #expect(tables[2] == [
            RotaCSV.deputyColumns.joined(separator: ","),
            "北町クリニック,h5,p01,佐藤 一郎,p04,田中 美咲,西浜診療所,0,,",
            // The 5th: both away all day. The 6th does not count: p01's absence there is the night shift only.
            "北山内科,h1,p02,鈴木 花子,p01,佐藤 一郎,北町クリニック,1,2027-01-05,",
            "西浜診療所,h3,p04,田中 美咲,p05,伊藤 誠,西原医院,0,,",
            "南風在宅クリニック,h2,p07,山本 大輔,p06,渡辺 直子,西原医院,0,,",
            "南台内科,h4,p09,小林 隆,,なし,,,," + h4Reason,
        ])
        // t = 1 / 6.5 × 5 = 0.769 (share 1), 0.385 (鈴木, share 0.5); 高橋 (cap 0) and 中村 (share 0) are not in the pool.
        #expect(tables[3] == [
            RotaCSV.deputyLoadColumns.joined(separator: ","),
            "佐藤 一郎,p01,北町クリニック,北部,1,,1,0.77,+0.23",
            "鈴木 花子,p02,北山内科,北部,0.5,,0,0.38,-0.38",
            "田中 美咲,p04,西浜診療所,西部,1,,1,0.77,+0.23",
            "伊藤 誠,p05,西原医院,西部,1,1,1,0.77,+0.23",
            "渡辺 直子,p06,西原医院,西部,1,,1,0.77,+0.23",
            "山本 大輔,p07,南風在宅クリニック,南部,1,,0,0.77,-0.77",
            "小林 隆,p09,南台内科,南部,1,,0,0.77,-0.77",
        ])
    }

    @Test("why a patient has no deputy: an entry that does not count, every candidate at the cap, none chosen")
    func reasons() {
        // h3's entry names 高橋 (cap 0, and the north is not next to the south): it counts nowhere.
        var plan = deputyPlan
        plan.deputies[2] = designation("h3", "p03")
        #expect(csvTables(deputyLoaded, plan)[2][3] == "西浜診療所,h3,p04,田中 美咲,,なし,,,,"
            + "計画の指定 高橋 健（p03）は対象外：副主治医の上限が 0、所属の北部ブロックは患者の住む南部ブロックでも隣接ブロックでもない")
        plan.deputies[2] = designation("h3", "p99")
        #expect(csvTables(deputyLoaded, plan)[2][3] == "西浜診療所,h3,p04,田中 美咲,,なし,,,,計画の指定（p99）は名簿にない")

        // h5 can have p04 or p06 only; with both capped at one patient and taken, h5 is left out.
        let capped = loadDeputies(extraEdits: [
            ("\"avoid\": [ { \"date\": \"2027-01-01\" } ],", "\"avoid\": [ { \"date\": \"2027-01-01\" } ], \"maxDeputyPatients\": 1,"),
            ("\"unavailable\": [ { \"date\": \"2027-01-09\", \"shifts\": [\"night\"] } ] },",
             "\"unavailable\": [ { \"date\": \"2027-01-09\", \"shifts\": [\"night\"] } ], \"maxDeputyPatients\": 1 },"),
        ])
        var full = deputyPlan
        full.deputies = [designation("h1", "p04"), designation("h2", "p06"), designation("h3", "p05")]
        #expect(csvTables(capped, full)[2][1] == "北町クリニック,h5,p01,佐藤 一郎,,なし,,,,候補2名はいずれも受け持ち上限に達している")

        // A plan without deputies: h1 has four candidates nobody chose.
        var none = deputyPlan
        none.deputies = []
        #expect(csvTables(deputyLoaded, none)[2][2] == "北山内科,h1,p02,鈴木 花子,,なし,,,,計画で未指定（候補4名）")
    }

    @Test("runs of consecutive dates in the CSV and in the HTML")
    func dateRuns() {
        let dates = ["2027-01-04", "2027-01-05", "2027-01-06", "2027-01-09"].map { CivilDate(iso: $0)! }
        #expect(RotaCSV.dateRuns(dates) == "2027-01-04〜2027-01-06、2027-01-09")
        #expect(RotaHTML.dateRuns(dates) == "1月4日(月)〜1月6日(水)、1月9日(土)")
        #expect(RotaCSV.dateRuns([]) == "")
    }

    @Test("HTML: a table per clinic, 「なし」 with its reason, the dates both are away, loads against t_q")
    func html() throws {
        let page = RotaHTML.make(loaded: deputyLoaded, plan: deputyPlan)
        // The header: 69 slots of demand 1 (57 + 6 + 6) and two assignments leave 67 open.
        #expect(page.contains("<strong class=\"open-count\">空き 67件</strong>・<strong class=\"open-count\">副主治医なし 1名</strong></p>"))
        let section = try #require(slice(page, from: "<section class=\"deputies\">", to: "</section>"))
        #expect(section.contains("<h2>副主治医（主治医・副主治医制）</h2>"))
        #expect(section.contains("<p class=\"summary\">在宅患者 5名・副主治医あり 4名・<strong class=\"open-count\">副主治医なし 1名</strong>・"
            + "主治医と副主治医がともに終日不在の日がある患者 1名</p>"))
        // Five clinics have patients (c04 has none), in instance order.
        let headings = section.components(separatedBy: "<h3>").dropFirst().map { String($0.prefix { $0 != "<" }) }
        #expect(headings == ["北町クリニック", "北山内科", "西浜診療所", "南風在宅クリニック", "南台内科", "副主治医の受け持ち数と公平な目標"])
        #expect(section.components(separatedBy: "<table class=\"loads deputies\">").count - 1 == 5)
        #expect(section.contains("<h3>北山内科<span class=\"block\">北部</span></h3>"))
        #expect(section.contains("<thead><tr><th>患者ID</th><th>主治医</th><th>副主治医</th><th>両者不在の日</th></tr></thead>"))
        #expect(section.contains("<tr><td>h1</td><td>鈴木 花子</td><td>佐藤 一郎<span class=\"sub\">北町クリニック</span></td>"
            + "<td class=\"gap\">1月5日(火)</td></tr>"))
        #expect(section.contains("<tr><td>h5</td><td>佐藤 一郎</td><td>田中 美咲<span class=\"sub\">西浜診療所</span></td><td></td></tr>"))
        #expect(section.contains("<tr><td>h4</td><td>小林 隆</td><td class=\"none\" colspan=\"2\">なし<span class=\"sub\">\(h4Reason)</span></td></tr>"))
        #expect(section.contains("<tr><td>伊藤 誠</td><td>西原医院</td><td class=\"n\">1</td><td class=\"n\">1</td><td class=\"n\">1</td>"
            + "<td class=\"n\">0.77</td><td class=\"n\">+0.23</td></tr>"))
        #expect(section.contains("<tr><td>鈴木 花子</td><td>北山内科</td><td class=\"n\">0.5</td><td class=\"n\">—</td>"
            + "<td class=\"n\">0</td><td class=\"n\">0.38</td><td class=\"n\">-0.38</td></tr>"))
        #expect(!section.contains("高橋 健</td>") && !section.contains("中村 由美"))
        // The solver's summary still comes last.
        let deputies = try #require(page.range(of: "<section class=\"deputies\">"))
        let solver = try #require(page.range(of: "計算の概要"))
        #expect(deputies.lowerBound < solver.lowerBound)
    }

    @Test("HTML: every patient with a deputy, and the header says so")
    func htmlAllDeputed() {
        let everyone = loadDeputies(extraEdits: [
            ("    { \"id\": \"h4\", \"attending\": \"p09\", \"requires\": [\"pediatric\"] },\n", ""),
        ])
        var plan = deputyPlan
        plan.deputies = [designation("h1", "p04"), designation("h2", "p06"), designation("h3", "p05"), designation("h5", "p04")]
        let page = RotaHTML.make(loaded: everyone, plan: plan)
        #expect(page.contains("・副主治医は全員指定</p>"))
        #expect(page.contains("<p class=\"summary\">在宅患者 4名・副主治医あり 4名・副主治医なし 0名・主治医と副主治医がともに終日不在の日がある患者 0名</p>"))
        #expect(!page.contains("class=\"none\""))
    }

    @Test("no deputy tables without home-care patients")
    func absent() {
        let text = try! String(contentsOfFile: tinyPath, encoding: .utf8)
        guard case let .success(tiny) = decode(text) else { Issue.record("tiny.json does not load"); return }
        let plan = Plan(period: tiny.instance.period, assignments: deputyPlan.assignments)
        #expect(csvTables(tiny, plan).count == 2)
        let page = RotaHTML.make(loaded: tiny, plan: plan)
        #expect(!page.contains("副主治医（主治医・副主治医制）") && !page.contains("副主治医なし") && !page.contains("全員指定"))
    }

    @Test("calendars: deputies add nothing and break nothing")
    func calendars() {
        let stamp = Date(timeIntervalSince1970: 1_797_759_015)
        let calendars = RotaICS.make(loaded: deputyLoaded, plan: deputyPlan, stamp: stamp)
        var without = deputyPlan
        without.deputies = []
        #expect(calendars == RotaICS.make(loaded: deputyLoaded, plan: without, stamp: stamp))
        #expect(calendars.map(\.member) == ["p03", "p07"])
        for calendar in calendars {
            let check = ICalendarCheck(calendar.text)
            #expect(check.problems == [], "\(calendar.member)")
            #expect(check.events.count == 1)
        }
    }

    @Test("CSV and HTML are the same whatever the order of the plan's deputies")
    func order() {
        var shuffled = deputyPlan
        shuffled.deputies.reverse()
        #expect(RotaCSV.make(loaded: deputyLoaded, plan: shuffled) == RotaCSV.make(loaded: deputyLoaded, plan: deputyPlan))
        #expect(RotaHTML.make(loaded: deputyLoaded, plan: shuffled) == RotaHTML.make(loaded: deputyLoaded, plan: deputyPlan))
    }
}
