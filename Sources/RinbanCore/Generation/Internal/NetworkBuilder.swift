/// Builds one generated instance: the network first (blocks, clinics, physicians,
/// stations, hospitals), then its month (absences, history, pins, requests), then the
/// patient deputies where the profile has them, then the JSON text. Each concern draws
/// from its own SplitMix64 stream.
struct NetworkBuilder {
    let generator: InstanceGenerator
    let spec: InstanceGenerator.ProfileSpec

    // The network, in output order.
    private var blocks: [BlockDraft] = []
    private var eolAreas: [AreaDraft] = []
    private var clinics: [ClinicDraft] = []
    private var physicians: [PhysicianDraft] = []
    private var stations: [StationDraft] = []
    private var items: [ItemDraft] = []
    private var hospitals: [HospitalDraft] = []
    private var patients: [PatientDraft] = []
    private var respite: [RespiteDraft] = []
    private var homePatients: [DeputyBuilder.Patient] = []
    private var pin: PinDraft?
    private var extraHolidays: [CivilDate] = []
    private var calendar = CalendarSettings()

    /// Skill of the physicians of the 24-hour mutual deputy rota, required by the
    /// substitute duty when not every clinic takes part (Tokushima).
    static let deputySkill = "24h"
    static let eolSkill = "eol"

    init(generator: InstanceGenerator) {
        self.generator = generator
        self.spec = generator.profile.spec
    }

    private var period: Period { generator.period }
    private var dates: [CivilDate] { period.dates }
    private var deputySubset: Bool { spec.deputyNetworkShare < 1 }

    /// The stream for one concern; the profile is part of its name, so two profiles with
    /// the same seed do not draw the same numbers.
    private func rng(_ stream: String) -> SplitMix64 {
        SplitMix64(seed: generator.seed, stream: "\(generator.profile.rawValue)/\(stream)")
    }

    mutating func build() -> JSONText {
        makeCalendar()
        makeLayout()
        makeClinics()
        makePhysicians()
        makeStations()
        makeAbsences()
        makeHistory()
        makePin()
        makeLoadSharing()
        makeHospitals()
        makeRequests()
        balanceBeds()
        makeDeputies()
        return document()
    }

    // MARK: Calendar

    /// 年末年始 (12/29–1/3) as extra holidays, where the period has them and the law does not
    /// already make them holidays (元日 is one).
    private mutating func makeCalendar() {
        extraHolidays = dates.filter { date in
            let newYear = (date.month == 12 && date.day >= 29) || (date.month == 1 && date.day <= 3)
            return newYear && JapaneseHolidays.name(on: date) == nil
        }
        calendar = CalendarSettings(extraHolidays: Set(extraHolidays), saturdayIsHoliday: false)
    }

    // MARK: Blocks

    private mutating func makeLayout() {
        let count = generator.blocks
        if !spec.blocks.isEmpty && count <= spec.blocks.count {
            let chosen = Array(spec.blocks.prefix(count))
            let index = Dictionary(uniqueKeysWithValues: chosen.enumerated().map { ($1.id, $0) })
            blocks = chosen.map { BlockDraft(id: $0.id, name: $0.name, weight: $0.weight, places: $0.places) }
            for (a, b) in spec.edges {
                if let i = index[a], let j = index[b] { connect(i, j) }
            }
            eolAreas = spec.eolAreas.compactMap { area in
                let members = area.blocks.compactMap { index[$0] }.sorted()
                return members.isEmpty ? nil : AreaDraft(id: area.id, name: area.name, blocks: members)
            }
            if eolAreas.count < 2 { eolAreas = [] }
        } else {
            makeGridLayout(count)
        }
    }

    /// Blocks of the generic city: a chain up to three, then a grid (row-major, each block
    /// joined to its right and lower neighbour), named after common town names. With six or
    /// more blocks, each grid row is one region of the end-of-life duty.
    private mutating func makeGridLayout(_ count: Int) {
        var random = rng("layout")
        func weight() -> Double { random.uniform(0.7, 1.3) }
        switch count {
        case 1...3:
            let named: [[(String, String)]] = [
                [("central", "中央")],
                [("north", "北部"), ("south", "南部")],
                [("north", "北部"), ("central", "中央"), ("south", "南部")],
            ]
            let towns = random.shuffled(JapaneseNames.towns)
            blocks = named[count - 1].enumerated().map { i, entry in
                BlockDraft(id: entry.0, name: entry.1, weight: weight(), places: Self.places(of: towns[i]) + Self.places(of: towns[i + 3]))
            }
            for i in 1..<max(1, count) { connect(i - 1, i) }
        case 4:
            let named = [("northwest", "北西部"), ("northeast", "北東部"), ("southwest", "南西部"), ("southeast", "南東部")]
            let towns = random.shuffled(JapaneseNames.towns)
            blocks = named.enumerated().map { i, entry in
                BlockDraft(id: entry.0, name: entry.1, weight: weight(), places: Self.places(of: towns[i]) + Self.places(of: towns[i + 4]))
            }
            connect(0, 1); connect(0, 2); connect(1, 3); connect(2, 3)
        default:
            let towns = random.shuffled(JapaneseNames.towns)
            let digits = max(2, String(count).count)
            blocks = (0..<count).map { i in
                let town = towns[i % towns.count]
                let round = i / towns.count
                let name = round == 0 ? "\(town)地区" : "\(town)第\(round + 1)地区"
                return BlockDraft(id: Self.id("b", i + 1, digits: digits), name: name, weight: weight(), places: Self.places(of: town))
            }
            let width = Self.gridWidth(count)
            for i in 0..<count {
                if (i + 1) % width != 0 && i + 1 < count { connect(i, i + 1) }
                if i + width < count { connect(i, i + width) }
            }
            let rows = (count + width - 1) / width
            if count >= 6 && rows >= 2 {
                let names = rows == 2 ? ["北圏域", "南圏域"] : rows == 3 ? ["北圏域", "中圏域", "南圏域"] : nil
                eolAreas = (0..<rows).map { r in
                    AreaDraft(id: "area\(r + 1)", name: names?[r] ?? "第\(r + 1)圏域",
                              blocks: Array((r * width)..<min(count, (r + 1) * width)))
                }
            }
        }
    }

    private static func places(of town: String) -> [String] { [town, "\(town)駅前", "\(town)中央"] }

    /// The smallest width whose square holds `count` blocks.
    private static func gridWidth(_ count: Int) -> Int {
        var width = 1
        while width * width < count { width += 1 }
        return width
    }

    private mutating func connect(_ a: Int, _ b: Int) {
        guard a != b else { return }
        if !blocks[a].neighbors.contains(b) { blocks[a].neighbors.append(b) }
        if !blocks[b].neighbors.contains(a) { blocks[b].neighbors.append(a) }
        blocks[a].neighbors.sort()
        blocks[b].neighbors.sort()
    }

    // MARK: Clinics and physicians

    private mutating func makeClinics() {
        var random = rng("clinics")
        let counts = apportion(generator.clinics, weights: blocks.map(\.weight),
                               minimum: InstanceGenerator.minimumClinicsPerBlock)
        let digits = max(2, String(generator.clinics).count)
        var used: Set<String> = []
        for (b, count) in counts.enumerated() {
            for _ in 0..<count {
                var name = ""
                var head = ""
                for _ in 0..<30 {
                    // A clinic named after a person is named after its director.
                    let surname = random.pick(JapaneseNames.surnames)
                    let place = random.pick(blocks[b].places)
                    let pattern = random.pick(JapaneseNames.clinicPatterns)
                    head = pattern.contains("S") ? surname : random.pick(JapaneseNames.surnames)
                    name = String(pattern.flatMap { $0 == "S" ? Array(surname) : $0 == "P" ? Array(place) : [$0] })
                    if !used.contains(name) { break }
                }
                var suffix = 2
                let base = name
                while used.contains(name) {
                    name = "\(base)第\(suffix)"
                    suffix += 1
                }
                used.insert(name)
                clinics.append(ClinicDraft(id: Self.id("c", clinics.count + 1, digits: digits), name: name, block: b,
                                           headSurname: head))
            }
        }
        guard deputySubset else {
            for c in clinics.indices { clinics[c].inDeputyNetwork = true }
            return
        }
        // The 24-hour rota (Tokushima: 33 of 44 clinics), spread over the blocks in proportion.
        let perBlock = blocks.indices.map { b in clinics.filter { $0.block == b }.count }
        let total = Int((Double(generator.clinics) * spec.deputyNetworkShare).rounded())
        let quota = apportion(total, weights: perBlock.map(Double.init), minimum: 1)
        for b in blocks.indices {
            let members = random.shuffled(clinics.indices.filter { clinics[$0].block == b })
            for c in members.prefix(min(quota[b], members.count)) { clinics[c].inDeputyNetwork = true }
        }
    }

    /// Survey (seed 004, 職員数, n = 106): per clinic 1.62 physicians, 1.33 doing home care,
    /// 0.34 home-care physicians aged 65 or over (at most one per clinic). The distributions
    /// below have these means; counts are dealt by quota.
    private mutating func makePhysicians() {
        var random = rng("physicians")
        let n = clinics.count
        let homeCare = quotaSequence(n, probabilities: [0.76, 0.17, 0.05, 0.015, 0.005], rng: &random).map { $0 + 1 }
        let others = quotaSequence(n, probabilities: [0.77, 0.18, 0.04, 0.01], rng: &random)
        let senior = quotaSequence(n, probabilities: [0.66, 0.34], rng: &random)
        var names: Set<String> = []
        func personName(surname: String) -> String {
            var name = ""
            for attempt in 0..<30 {
                let family = attempt == 0 ? surname : random.pick(JapaneseNames.surnames)
                let given = random.chance(0.22) ? random.pick(JapaneseNames.femaleGivenNames) : random.pick(JapaneseNames.maleGivenNames)
                name = "\(family) \(given)"
                if !names.contains(name) { break }
            }
            names.insert(name)
            return name
        }
        for (c, clinic) in clinics.enumerated() {
            for j in 0..<(homeCare[c] + others[c]) {
                let surname = j == 0 || random.chance(0.3) ? clinic.headSurname : random.pick(JapaneseNames.surnames)
                let isHomeCare = j < homeCare[c]
                physicians.append(PhysicianDraft(
                    name: personName(surname: surname), clinic: c, block: clinic.block,
                    homeCare: isHomeCare, senior: isHomeCare && j == 0 && senior[c] == 1))
            }
        }
        // About two thirds of home-care physicians certify deaths at home and take 看取り当番.
        let homeIndices = physicians.indices.filter { physicians[$0].homeCare }
        let eol = quotaSequence(homeIndices.count, probabilities: [0.35, 0.65], rng: &random)
        for (k, p) in homeIndices.enumerated() where eol[k] == 1 { physicians[p].skills.append(Self.eolSkill) }
        for b in blocks.indices {
            let local = homeIndices.filter { physicians[$0].block == b }
            if let first = local.first, !local.contains(where: { physicians[$0].skills.contains(Self.eolSkill) }) {
                physicians[first].skills.append(Self.eolSkill)
            }
        }
        let volunteered = quotaSequence(homeIndices.count, probabilities: [0.15, 0.65, 0.20], rng: &random)
        for (k, p) in homeIndices.enumerated() {
            if deputySubset && clinics[physicians[p].clinic].inDeputyNetwork { physicians[p].skills.append(Self.deputySkill) }
            physicians[p].skills.sort()
            let takesDuty = !deputySubset || !physicians[p].skills.isEmpty
            if !takesDuty {
                physicians[p].share = 0
            } else if physicians[p].senior {
                physicians[p].share = 0.5
                physicians[p].maxDuties = random.int(in: 3...4)
            } else if spec.volunteeredShares {
                physicians[p].share = [0.75, 1.0, 1.5][volunteered[k]]
            } else {
                physicians[p].share = 1
            }
        }
        let digits = max(3, String(physicians.count).count)
        for p in physicians.indices { physicians[p].id = Self.id("p", p + 1, digits: digits) }
    }

    // MARK: Stations

    /// Small stations (2.5–5 FTE; Tokushima: 小規模事業所が多いため、忙しさにムラ) with about 20
    /// visits per FTE a week, busy to very different degrees.
    private mutating func makeStations() {
        var random = rng("stations")
        let count = max(blocks.count, 2, Int((Double(generator.clinics) * spec.stationsPerClinic).rounded()))
        let perBlock = blocks.indices.map { b in Double(clinics.filter { $0.block == b }.count) }
        let allocation = apportion(count, weights: perBlock, minimum: 1)
        let fte = quotaSequence(count, probabilities: [0.25, 0.25, 0.15, 0.15, 0.10, 0.10], rng: &random)
        let eol = quotaSequence(count, probabilities: [0.4, 0.6], rng: &random)
        let pediatric = quotaSequence(count, probabilities: [0.8, 0.2], rng: &random)
        let psychiatric = quotaSequence(count, probabilities: [0.85, 0.15], rng: &random)
        let busyness = quotaSequence(count, probabilities: [0.25, 0.5, 0.25], rng: &random)
        let digits = max(2, String(count).count)
        var used: Set<String> = []
        var k = 0
        for (b, n) in allocation.enumerated() {
            for _ in 0..<n {
                var name = ""
                if k == 0, let own = spec.associationStation {
                    name = own
                } else {
                    for _ in 0..<30 {
                        let place = random.pick(blocks[b].places)
                        switch random.below(3) {
                        case 0: name = "\(place)訪問看護ステーション"
                        case 1: name = "訪問看護ステーション\(place)"
                        default: name = "訪問看護ステーション\(random.pick(JapaneseNames.stationWords))"
                        }
                        if !used.contains(name) { break }
                    }
                    let base = name
                    var suffix = 2
                    while used.contains(name) {
                        name = "\(base)\(suffix)"
                        suffix += 1
                    }
                }
                used.insert(name)
                var nurses = [2.5, 3.0, 3.5, 4.0, 4.5, 5.0][fte[k]]
                var skills: [String] = []
                if eol[k] == 1 { skills.append(Self.eolSkill) }
                if pediatric[k] == 1 { skills.append("pediatric") }
                if psychiatric[k] == 1 { skills.append("psychiatric") }
                if k == 0 && spec.associationStation != nil {
                    nurses = 5
                    if !skills.contains(Self.eolSkill) { skills.append(Self.eolSkill) }
                }
                let capacity = (20 * nurses * random.uniform(0.9, 1.1)).rounded()
                let busy: Double
                switch busyness[k] {
                case 0: busy = random.uniform(0.45, 0.70)
                case 1: busy = random.uniform(0.70, 0.95)
                default: busy = random.uniform(1.00, 1.30)
                }
                stations.append(StationDraft(id: Self.id("s", k + 1, digits: digits), name: name, block: b, nurses: nurses,
                                             capacity: capacity, busyness: busy, skills: skills.sorted()))
                k += 1
            }
        }
        // Every region of the end-of-life duty needs a station with `eol` at home or next door.
        for region in eolRegions() {
            let reach = Set(region.flatMap { [$0] + blocks[$0].neighbors })
            if !stations.contains(where: { reach.contains($0.block) && $0.skills.contains(Self.eolSkill) }),
               let s = stations.firstIndex(where: { region.contains($0.block) })
            {
                stations[s].skills = (stations[s].skills + [Self.eolSkill]).sorted()
            }
        }
    }

    /// The block lists of the end-of-life duty's areas (one list for a network-wide duty).
    private func eolRegions() -> [[Int]] {
        eolAreas.isEmpty ? [Array(blocks.indices)] : eolAreas.map(\.blocks)
    }

    // MARK: Absences, history, pins

    /// 学会 (Thursday or Friday to Sunday), 休暇 (several days, often over 年末年始), a night
    /// taken elsewhere (当直), and dates a physician would rather not serve (avoid).
    private mutating func makeAbsences() {
        var random = rng("absences")
        let fridays = dates.filter { $0.weekday == 5 }
        let newYear = dates.filter { ($0.month == 12 && $0.day >= 27) || ($0.month == 1 && $0.day <= 2) }
        let leaveRate = newYear.isEmpty ? 0.05 : 0.12
        func clamp(_ date: CivilDate) -> CivilDate { min(max(date, period.start), period.end) }
        for p in physicians.indices where physicians[p].share > 0 {
            var unavailable: [AbsenceDraft] = []
            if random.chance(0.12) {
                let friday = fridays.isEmpty ? random.pick(dates) : random.pick(fridays)
                let from = clamp(random.chance(0.3) ? friday.adding(days: -1) : friday)
                unavailable.append(AbsenceDraft(from: from, to: clamp(friday.adding(days: 2)), nightOnly: false))
            }
            if random.chance(leaveRate) {
                let start = !newYear.isEmpty && random.chance(0.7) ? random.pick(newYear) : random.pick(dates)
                unavailable.append(AbsenceDraft(from: start, to: clamp(start.adding(days: random.int(in: 2...5))), nightOnly: false))
            }
            if random.chance(0.08) {
                let date = random.pick(dates)
                unavailable.append(AbsenceDraft(from: date, to: date, nightOnly: true))
            }
            var avoid: [AbsenceDraft] = []
            if random.chance(0.15) {
                for _ in 0..<random.int(in: 1...2) {
                    let date = random.pick(dates)
                    if !avoid.contains(where: { $0.from == date }) {
                        avoid.append(AbsenceDraft(from: date, to: date, nightOnly: random.chance(0.3)))
                    }
                }
            }
            physicians[p].unavailable = unavailable.sorted { $0.from < $1.from }
            physicians[p].avoid = avoid.sorted { $0.from < $1.from }
        }
    }

    /// Points and holiday duties served since April (the fiscal year): what a member of the
    /// pool with this share would have served at this month's rate, ±15 %; a few members
    /// joined this year and start from zero.
    private mutating func makeHistory() {
        let months = (period.start.month + 12 - 4) % 12
        guard months > 0 else { return }
        var random = rng("history")
        let perMonth = 365.25 / 12 / Double(period.count)
        let physicianDemand = poolDemand(.physicians)
        let stationDemand = poolDemand(.stations)
        let physicianShares = physicians.reduce(0) { $0 + $1.share }
        let stationShares = stations.reduce(0) { $0 + $1.nurses }
        for p in physicians.indices where physicians[p].share > 0 && !random.chance(0.06) {
            let expected = physicians[p].share / physicianShares * Double(months) * perMonth
            physicians[p].history = HistoryDraft(
                points: (expected * physicianDemand.points * random.uniform(0.85, 1.15) * 4).rounded() / 4,
                holidays: Int((expected * Double(physicianDemand.holidays) * random.uniform(0.8, 1.2)).rounded()))
        }
        for s in stations.indices where !random.chance(0.06) {
            let expected = stations[s].nurses / stationShares * Double(months) * perMonth
            stations[s].history = HistoryDraft(
                points: (expected * stationDemand.points * random.uniform(0.85, 1.15) * 4).rounded() / 4,
                holidays: Int((expected * Double(stationDemand.holidays) * random.uniform(0.8, 1.2)).rounded()))
        }
    }

    /// Weighted points and holiday-dated demand of a pool over the period.
    private func poolDemand(_ pool: Pool) -> (points: Double, holidays: Int) {
        var points = 0.0
        var holidays = 0
        for date in dates {
            let type = calendar.dayType(of: date)
            for duty in duties() where duty.pool == pool {
                let count = duty.areaCount * duty.demand.reduce(0) { $0 + $1.counts(type) }
                points += Double(count) * Self.shiftPoints(type)
                if type == .holiday { holidays += count }
            }
        }
        return (points, holidays)
    }

    /// The association's chair (or whoever volunteers) takes the first holiday night of the
    /// month in the first block: one pin, on a physician with no absences and no cap.
    private mutating func makePin() {
        guard let date = dates.first(where: { calendar.dayType(of: $0) == .holiday }) else { return }
        var random = rng("pins")
        let candidates = physicians.indices.filter { p in
            let m = physicians[p]
            return m.block == 0 && m.share >= 1 && m.maxDuties == nil && m.unavailable.isEmpty && m.avoid.isEmpty
                && (!deputySubset || m.skills.contains(Self.deputySkill))
        }
        guard !candidates.isEmpty else { return }
        pin = PinDraft(area: blocks[0].id, date: date, member: physicians[random.pick(candidates)].id)
    }

    // MARK: Load sharing

    /// Work the busy stations could hand over (movable visits above ~85 % of capacity), and
    /// a few new referrals needing a skill some station in reach has.
    private mutating func makeLoadSharing() {
        var random = rng("loadSharing")
        for s in stations.indices {
            let demand = stations[s].capacity * stations[s].busyness
            var movable = 0
            if stations[s].busyness >= 1 {
                movable = max(2, Int(((stations[s].busyness - 0.85) * stations[s].capacity * random.uniform(0.5, 1.0)).rounded()))
                var remaining = movable
                while remaining > 0 {
                    var visits = min(remaining, random.int(in: 2...8))
                    if remaining - visits == 1 { visits += 1 }
                    remaining -= visits
                    var requires: [String] = []
                    if stations[s].skills.contains(Self.eolSkill) && random.chance(0.3) {
                        requires = [Self.eolSkill]
                    } else if stations[s].skills.contains("pediatric") && random.chance(0.2) {
                        requires = ["pediatric"]
                    }
                    items.append(ItemDraft(from: s, block: stations[s].block, visits: visits, requires: requires))
                }
            }
            stations[s].load = max(0, demand.rounded() - Double(movable))
        }
        let referrals = max(2, Int((Double(generator.clinics) * 0.05).rounded()))
        let kinds: [[String]] = [[], ["pediatric"], [Self.eolSkill], ["psychiatric"]]
        for _ in 0..<referrals {
            var requires = kinds[random.weighted([0.4, 0.2, 0.3, 0.1])]
            var able = stations.indices.filter { s in requires.allSatisfy { stations[s].skills.contains($0) } }
            if able.isEmpty {
                requires = []
                able = Array(stations.indices)
            }
            let station = stations[random.pick(able)]
            let near = blocks[station.block].neighbors
            let block = near.isEmpty || random.chance(0.7) ? station.block : random.pick(near)
            items.append(ItemDraft(from: nil, block: block, visits: random.int(in: 2...6), requires: requires))
        }
    }

    // MARK: Beds

    private mutating func makeHospitals() {
        var random = rng("hospitals")
        let perBlock = blocks.indices.map { b in Double(clinics.filter { $0.block == b }.count) }
        var located: [Int] = []
        switch spec.hospitalStyle {
        case .blockSupport:
            located = Array(blocks.indices) + [0]
        case .network, .publicHospitals:
            let count = max(1, Int((Double(generator.clinics) * spec.hospitalsPerClinic).rounded()))
            let allocation = apportion(count, weights: perBlock, minimum: count >= blocks.count ? 1 : 0)
            for (b, n) in allocation.enumerated() { located += Array(repeating: b, count: n) }
        }
        var used: Set<String> = []
        let digits = max(2, String(located.count).count)
        for (k, b) in located.enumerated() {
            let palliativeCentre = spec.hospitalStyle == .blockSupport && k == located.count - 1
            var name = ""
            for _ in 0..<30 {
                let place = random.pick(blocks[b].places)
                switch spec.hospitalStyle {
                case .publicHospitals:
                    name = ["市立\(place)病院", "県立\(place)総合病院", "\(place)厚生病院", "公立\(place)病院", "\(place)市民病院"][random.below(5)]
                case .blockSupport where palliativeCentre:
                    name = "\(place)緩和ケア病院"
                case .network, .blockSupport:
                    name = "\(place)\(random.pick(JapaneseNames.hospitalSuffixes))"
                }
                if !used.contains(name) { break }
            }
            let base = name
            var suffix = 2
            while used.contains(name) {
                name = "\(base)第\(suffix)"
                suffix += 1
            }
            used.insert(name)
            var beds: (acute: Int, palliative: Int, respite: Int)
            switch spec.hospitalStyle {
            case .network:
                beds = (random.int(in: 1...3), random.chance(0.4) ? random.int(in: 1...2) : 0, random.chance(0.5) ? random.int(in: 1...2) : 0)
            case .publicHospitals:
                beds = (random.int(in: 3...6), random.int(in: 1...3), random.int(in: 0...2))
            case .blockSupport:
                beds = palliativeCentre ? (0, random.int(in: 3...5), 0) : (random.int(in: 2...3), 1, random.int(in: 1...2))
            }
            hospitals.append(HospitalDraft(id: Self.id("h", k + 1, digits: digits), name: name, block: b,
                                           acute: beds.acute, palliative: beds.palliative, respite: beds.respite))
        }
        if !hospitals.contains(where: { $0.acute > 0 }) { hospitals[0].acute = 1 }
        if !hospitals.contains(where: { $0.palliative > 0 }) { hospitals[0].palliative = 1 }
        if !hospitals.contains(where: { $0.respite > 0 }) { hospitals[0].respite = 1 }

        // 在宅医療連携グループ: each clinic registers with one or two hospitals nearby.
        switch spec.hospitalStyle {
        case .blockSupport:
            for h in hospitals.indices {
                let everyone = h == hospitals.count - 1
                hospitals[h].group = clinics.indices.filter { everyone || clinics[$0].block == hospitals[h].block }
            }
        case .network, .publicHospitals:
            for c in clinics.indices {
                let block = clinics[c].block
                let own = hospitals.indices.filter { hospitals[$0].block == block }
                let near = hospitals.indices.filter { blocks[block].neighbors.contains(hospitals[$0].block) }
                let first = !own.isEmpty ? random.pick(own) : !near.isEmpty ? random.pick(near) : random.pick(Array(hospitals.indices))
                hospitals[first].group.append(c)
                let second = (own + near).filter { $0 != first }
                if !second.isEmpty && random.chance(0.4) { hospitals[random.pick(second)].group.append(c) }
            }
            for h in hospitals.indices where hospitals[h].group.isEmpty {
                let local = clinics.indices.filter { clinics[$0].block == hospitals[h].block }
                hospitals[h].group = [random.pick(local.isEmpty ? Array(clinics.indices) : local)]
            }
            for h in hospitals.indices { hospitals[h].group.sort() }
        }
    }

    /// 事前患者登録 and レスパイト入院. About 31 % of registered patients need palliative beds
    /// (deaths from 悪性新生物 4.1 of 13.2 a year per physician in the survey); patients
    /// belong to clinics in proportion to their home-care physicians.
    private mutating func makeRequests() {
        var random = rng("requests")
        let homeCare = physicians.filter(\.homeCare).map(\.clinic)
        let patientCount = max(1, Int((Double(generator.clinics) * spec.patientsPerClinic).rounded()))
        let needs = quotaSequence(patientCount, probabilities: [0.69, 0.31], rng: &random)
        let patientDigits = max(3, String(patientCount).count)
        for k in 0..<patientCount {
            let palliative = needs[k] == 1
            let risk = Double(palliative ? random.int(in: 3...14) : random.int(in: 1...10)) / 20
            patients.append(PatientDraft(id: Self.id("r", k + 1, digits: patientDigits), clinic: random.pick(homeCare),
                                         palliative: palliative, risk: risk))
        }
        let respiteCount = max(1, Int((Double(generator.clinics) * spec.respitePerClinic).rounded()))
        let priorities = quotaSequence(respiteCount, probabilities: [0.6, 0.3, 0.1], rng: &random)
        let respiteDigits = max(2, String(respiteCount).count)
        for k in 0..<respiteCount {
            let earliest = random.pick(dates)
            let latest = min(period.end, earliest.adding(days: random.int(in: 0...7)))
            respite.append(RespiteDraft(id: Self.id("q", k + 1, digits: respiteDigits), clinic: random.pick(homeCare),
                                        nights: random.pick([3, 4, 5, 5, 6, 7, 7, 7, 10, 14]),
                                        earliest: earliest, latest: latest, priority: priorities[k] + 1))
        }
    }

    /// Pledges in proportion to the registered risk: where the hospitals' beds of a kind
    /// fall below 80 % of the expected admissions needing them, every pledge of that kind is
    /// raised so that beds cover 85–105 % of them. Respite beds are added one at a time, at
    /// random hospitals, until they could hold 60–90 % of the requested nights: respite is
    /// short (the survey's third most named problem, レスパイトケアの整備) but not hopeless.
    /// Large generated networks thus keep the small networks' tension between beds and
    /// demand instead of drowning in overload.
    private mutating func balanceBeds() {
        var random = rng("beds")
        for palliative in [false, true] {
            let risk = patients.filter { $0.palliative == palliative }.reduce(0) { $0 + $1.risk }
            let beds = hospitals.reduce(0) { $0 + (palliative ? $1.palliative : $1.acute) }
            guard beds > 0, Double(beds) < 0.8 * risk else { continue }
            let factor = risk * random.uniform(0.85, 1.05) / Double(beds)
            for h in hospitals.indices {
                if palliative {
                    hospitals[h].palliative = Int((Double(hospitals[h].palliative) * factor).rounded(.up))
                } else {
                    hospitals[h].acute = Int((Double(hospitals[h].acute) * factor).rounded(.up))
                }
            }
        }
        let nights = respite.reduce(0) { $0 + $1.nights }
        let wanted = Int((Double(nights) / Double(period.count) * random.uniform(0.6, 0.9)).rounded(.up))
        var pledged = hospitals.reduce(0) { $0 + $1.respite }
        let open = hospitals.indices.filter { !(spec.hospitalStyle == .blockSupport && hospitals[$0].acute == 0) }
        while pledged < wanted {
            hospitals[random.pick(open)].respite += 1
            pledged += 1
        }
    }

    // MARK: Patient deputies

    /// `deputies.patients` and `maxDeputyPatients` (SPEC section 4b) for a network that
    /// names a deputy per patient; see ``DeputyBuilder``. Drawn last, from a stream of its
    /// own, so that every other section is what it was before deputies existed.
    private mutating func makeDeputies() {
        guard let deputies = spec.deputies else { return }
        var random = rng("deputies")
        let builder = DeputyBuilder(
            spec: deputies, neighbors: blocks.map(\.neighbors), clinicBlocks: clinics.map(\.block),
            physicians: physicians.map {
                DeputyBuilder.Physician(clinic: $0.clinic, block: $0.block, eol: $0.skills.contains(Self.eolSkill),
                                        share: $0.share, senior: $0.senior)
            })
        let result = builder.build(&random)
        for p in physicians.indices { physicians[p].maxDeputyPatients = result.caps[p] }
        homePatients = result.patients
    }

    // MARK: Duties

    /// Points of both shifts: weekday 1.0, Saturday 1.25, holiday 1.5.
    private static func shiftPoints(_ type: DayType) -> Double {
        switch type {
        case .weekday: return 1.0
        case .saturday: return 1.25
        case .holiday: return 1.5
        }
    }

    private func duties() -> [DutyDraft] {
        let everyNight = DemandDraft(shift: "night", weekday: 1, saturday: 1, holiday: 1)
        let holidayDay = DemandDraft(shift: "day", weekday: 0, saturday: 0, holiday: 1)
        let weekendNight = DemandDraft(shift: "night", weekday: 0, saturday: 1, holiday: 1)
        let eolDemand = spec.eolEveryNight ? [everyNight, holidayDay] : [weekendNight]
        let eolAreaCount = max(1, eolAreas.count)
        return [
            DutyDraft(id: "substitute", name: "副主治医当番", pool: .physicians, areaCount: blocks.count,
                      requires: deputySubset ? [Self.deputySkill] : [], demand: [everyNight, holidayDay]),
            DutyDraft(id: "eol", name: "看取り当番", pool: .physicians, areaCount: eolAreaCount,
                      requires: [Self.eolSkill], demand: eolDemand),
            DutyDraft(id: "eol-nurse", name: "当番訪問看護", pool: .stations, areaCount: eolAreaCount,
                      requires: [Self.eolSkill], demand: eolDemand),
        ]
    }

    // MARK: JSON

    private func document() -> JSONText {
        var top: [(String, JSONText)] = [
            ("format", .string(InstanceDecoder.format)),
            ("association", .string(spec.association)),
            ("period", .object([("start", .string(period.start.iso)), ("end", .string(period.end.iso))])),
            ("calendar", .object([("extraHolidays", .array(extraHolidays.map { .string($0.iso) })),
                                  ("saturdayIsHoliday", .bool(false))])),
        ]
        top.append(("blocks", .array(blocks.map { block in
            var entries: [(String, JSONText)] = [("id", .string(block.id)), ("name", .string(block.name))]
            if !block.neighbors.isEmpty { entries.append(("neighbors", .array(block.neighbors.map { .string(blocks[$0].id) }))) }
            return .object(entries)
        })))
        top.append(("clinics", .array(clinics.map {
            .object([("id", .string($0.id)), ("name", .string($0.name)), ("block", .string(blocks[$0.block].id))])
        })))
        top.append(("physicians", .array(physicians.map { p in
            var entries: [(String, JSONText)] = [
                ("id", .string(p.id)), ("name", .string(p.name)), ("clinic", .string(clinics[p.clinic].id)),
                ("skills", .array(p.skills.map { .string($0) })), ("share", .number(p.share)),
            ]
            if let cap = p.maxDuties { entries.append(("maxDuties", .integer(cap))) }
            if let cap = p.maxDeputyPatients { entries.append(("maxDeputyPatients", .integer(cap))) }
            if !p.unavailable.isEmpty { entries.append(("unavailable", .array(p.unavailable.map(\.json)))) }
            if !p.avoid.isEmpty { entries.append(("avoid", .array(p.avoid.map(\.json)))) }
            if let history = p.history { entries.append(("history", history.json)) }
            return .object(entries)
        })))
        top.append(("stations", .array(stations.map { s in
            var entries: [(String, JSONText)] = [
                ("id", .string(s.id)), ("name", .string(s.name)), ("block", .string(blocks[s.block].id)),
                ("nurses", .number(s.nurses)), ("capacity", .number(s.capacity)), ("load", .number(s.load)),
                ("skills", .array(s.skills.map { .string($0) })),
            ]
            if let history = s.history { entries.append(("history", history.json)) }
            return .object(entries)
        })))
        let points: JSONText = .object([("weekday", .number(1.0)), ("saturday", .number(1.25)), ("holiday", .number(1.5))])
        top.append(("shifts", .array([
            .object([("id", .string("night")), ("name", .string("夜間")), ("start", .string("18:00")),
                     ("end", .string("08:00")), ("points", points)]),
            .object([("id", .string("day")), ("name", .string("日中（休日）")), ("start", .string("08:00")),
                     ("end", .string("18:00")), ("points", points)]),
        ])))
        top.append(("duties", .array(duties().map { duty in
            var entries: [(String, JSONText)] = [
                ("id", .string(duty.id)), ("name", .string(duty.name)), ("pool", .string(duty.pool.rawValue)),
            ]
            if duty.id == "substitute" {
                entries.append(("scope", .string("block")))
            } else if eolAreas.isEmpty {
                entries.append(("scope", .string("network")))
            } else {
                entries.append(("scope", .string("areas")))
                entries.append(("areas", .array(eolAreas.map { area in
                    .object([("id", .string(area.id)), ("name", .string(area.name)),
                             ("blocks", .array(area.blocks.map { .string(blocks[$0].id) }))])
                })))
            }
            if !duty.requires.isEmpty { entries.append(("requires", .array(duty.requires.map { .string($0) }))) }
            entries.append(("allowNeighbors", .bool(true)))
            entries.append(("demand", .object(duty.demand.map { d in
                var counts: [(String, JSONText)] = []
                if d.weekday > 0 { counts.append(("weekday", .integer(d.weekday))) }
                if d.saturday > 0 { counts.append(("saturday", .integer(d.saturday))) }
                if d.holiday > 0 { counts.append(("holiday", .integer(d.holiday))) }
                return (d.shift, .object(counts))
            })))
            return .object(entries)
        })))
        top.append(("rules", .object([
            ("maxDutiesPerDate", .integer(1)), ("minDaysBetween", .integer(2)), ("spreadDays", .integer(7)),
            ("stations", .object([("maxDutiesPerDate", .integer(1)), ("minDaysBetween", .integer(1)), ("spreadDays", .integer(0))])),
        ])))
        top.append(("pins", .array(pin.map { pin in
            [.object([("duty", .string("substitute")), ("area", .string(pin.area)), ("date", .string(pin.date.iso)),
                      ("shift", .string("night")), ("member", .string(pin.member))])]
        } ?? [])))
        let itemDigits = max(2, String(items.count).count)
        top.append(("loadSharing", .object([("items", .array(items.enumerated().map { k, item in
            var entries: [(String, JSONText)] = [("id", .string(Self.id("t", k + 1, digits: itemDigits)))]
            if let from = item.from {
                entries.append(("from", .string(stations[from].id)))
            } else {
                entries.append(("from", .null))
                entries.append(("block", .string(blocks[item.block].id)))
            }
            entries.append(("visits", .integer(item.visits)))
            entries.append(("requires", .array(item.requires.map { .string($0) })))
            return .object(entries)
        }))])))
        top.append(("beds", .object([
            ("hospitals", .array(hospitals.map { h in
                .object([("id", .string(h.id)), ("name", .string(h.name)), ("block", .string(blocks[h.block].id)),
                         ("group", .array(h.group.map { .string(clinics[$0].id) })),
                         ("beds", .object([("acute", .integer(h.acute)), ("palliative", .integer(h.palliative)),
                                           ("respite", .integer(h.respite))]))])
            })),
            ("patients", .array(patients.map { p in
                .object([("id", .string(p.id)), ("clinic", .string(clinics[p.clinic].id)),
                         ("needs", .string(p.palliative ? "palliative" : "acute")), ("risk", .number(p.risk))])
            })),
            ("respite", .array(respite.map { r in
                .object([("id", .string(r.id)), ("clinic", .string(clinics[r.clinic].id)), ("nights", .integer(r.nights)),
                         ("earliest", .string(r.earliest.iso)), ("latest", .string(r.latest.iso)),
                         ("priority", .integer(r.priority))])
            })),
        ])))
        if spec.deputies != nil {
            let digits = max(3, String(homePatients.count).count)
            top.append(("deputies", .object([("patients", .array(homePatients.enumerated().map { k, h in
                var entries: [(String, JSONText)] = [
                    ("id", .string(Self.id("hc", k + 1, digits: digits))),
                    ("attending", .string(physicians[h.attending].id)),
                ]
                if let block = h.block { entries.append(("block", .string(blocks[block].id))) }
                entries.append(("requires", .array(h.eol ? [.string(Self.eolSkill)] : [])))
                if let previous = h.previous { entries.append(("previous", .string(physicians[previous].id))) }
                return .object(entries)
            }))])))
        }
        return .object(top)
    }

    /// `prefix` and `number` padded with zeros to `digits` digits: `c07`, `p0123`.
    private static func id(_ prefix: String, _ number: Int, digits: Int) -> String {
        let text = String(number)
        return prefix + String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}

// MARK: Drafts

private struct BlockDraft {
    var id: String
    var name: String
    var weight: Double
    var places: [String]
    var neighbors: [Int] = []
}

private struct AreaDraft {
    var id: String
    var name: String
    var blocks: [Int]
}

private struct ClinicDraft {
    var id: String
    var name: String
    var block: Int
    var headSurname: String
    var inDeputyNetwork = false
}

private struct AbsenceDraft {
    var from: CivilDate
    var to: CivilDate
    var nightOnly: Bool

    var json: JSONText {
        var entries: [(String, JSONText)] = from == to
            ? [("date", .string(from.iso))]
            : [("from", .string(from.iso)), ("to", .string(to.iso))]
        if nightOnly { entries.append(("shifts", .array([.string("night")]))) }
        return .object(entries)
    }
}

private struct HistoryDraft {
    var points: Double
    var holidays: Int

    var json: JSONText { .object([("points", .number(points)), ("holidays", .integer(holidays))]) }
}

private struct PhysicianDraft {
    var id = ""
    var name: String
    var clinic: Int
    var block: Int
    var homeCare: Bool
    var senior: Bool
    var skills: [String] = []
    var share = 0.0
    var maxDuties: Int?
    var maxDeputyPatients: Int?
    var unavailable: [AbsenceDraft] = []
    var avoid: [AbsenceDraft] = []
    var history: HistoryDraft?
}

private struct StationDraft {
    var id: String
    var name: String
    var block: Int
    var nurses: Double
    var capacity: Double
    /// Weekly demand over capacity before any sharing.
    var busyness: Double
    var skills: [String]
    var load = 0.0
    var history: HistoryDraft?
}

private struct ItemDraft {
    var from: Int?
    var block: Int
    var visits: Int
    var requires: [String]
}

private struct HospitalDraft {
    var id: String
    var name: String
    var block: Int
    var acute: Int
    var palliative: Int
    var respite: Int
    var group: [Int] = []
}

private struct PatientDraft {
    var id: String
    var clinic: Int
    var palliative: Bool
    var risk: Double
}

private struct RespiteDraft {
    var id: String
    var clinic: Int
    var nights: Int
    var earliest: CivilDate
    var latest: CivilDate
    var priority: Int
}

private struct PinDraft {
    var area: String
    var date: CivilDate
    var member: String
}

private struct DemandDraft {
    var shift: String
    var weekday: Int
    var saturday: Int
    var holiday: Int

    func counts(_ type: DayType) -> Int {
        switch type {
        case .weekday: return weekday
        case .saturday: return saturday
        case .holiday: return holiday
        }
    }
}

private struct DutyDraft {
    var id: String
    var name: String
    var pool: Pool
    var areaCount: Int
    var requires: [String]
    var demand: [DemandDraft]
}
