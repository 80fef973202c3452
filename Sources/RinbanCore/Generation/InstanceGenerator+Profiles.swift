/// What distinguishes the profiles: the real network's blocks, sizes and duty pattern.
extension InstanceGenerator {
    /// A block of a profile's map, with the local place names its clinics are named after.
    struct BlockSpec: Sendable {
        var id: String
        var name: String
        /// Relative share of the network's clinics.
        var weight: Double
        var places: [String]
    }

    /// A region of the end-of-life duty (scope "areas").
    struct AreaSpec: Sendable {
        var id: String
        var name: String
        var blocks: [String]
    }

    /// How the backup hospitals are organised.
    enum HospitalStyle: Sendable {
        /// Small and medium hospitals pledging a few beds each (Tokushima's 後方支援病院ネットワーク).
        case network
        /// A few large public hospitals (Shizuoka's 公的5病院).
        case publicHospitals
        /// One support hospital per block whose group is the block's clinics, plus a
        /// palliative-care hospital for the whole network (Fukuoka Minami's ブロック支援病院).
        case blockSupport
    }

    /// A network that names a deputy physician (副主治医) for each registered home-care
    /// patient (SPEC section 4b), and how.
    struct DeputySpec: Sendable {
        /// Who chooses each patient's deputy.
        enum Nomination: Sendable {
            /// Physicians volunteer patient by patient (長崎在宅Dr.ネット: 手挙げ方式).
            case volunteered
            /// The association's coordinator nominates one (板橋区, 坂井地区, 高松市の在宅医療コーディネーター).
            case coordinator
        }

        var nomination: Nomination
        /// Share of the clinics that register home-care patients for a deputy.
        var clinicShare: Double
    }

    struct ProfileSpec: Sendable {
        var association: String
        var defaultClinics: Int
        var defaultMonth: (year: Int, month: Int)
        /// Blocks in an order where each block neighbours an earlier one and the first three
        /// form a chain, so every prefix is a connected map that is not complete (fewer
        /// blocks are a prefix). Empty: the generic grid.
        var blocks: [BlockSpec]
        var edges: [(String, String)]
        /// Regions of the end-of-life duty; empty means one network-wide area.
        var eolAreas: [AreaSpec]
        /// End-of-life duty (and its nurse station) every night and on holiday days, rather
        /// than on Saturday and holiday nights only.
        var eolEveryNight: Bool
        /// Share of clinics in the 24-hour mutual deputy rota (Tokushima: 33 of 44).
        var deputyNetworkShare: Double
        var stationsPerClinic: Double
        var hospitalsPerClinic: Double
        var hospitalStyle: HospitalStyle
        var patientsPerClinic: Double
        var respitePerClinic: Double
        /// Duties volunteered in differing shares (手上げ方式).
        var volunteeredShares: Bool
        /// A station run by the medical association itself.
        var associationStation: String?
        /// Patient deputies, or nil where the network covers absent physicians otherwise
        /// (a block rota, duty physicians, support hospitals).
        var deputies: DeputySpec? = nil

        /// The profile's block count, or for the generic city one block per 15 clinics.
        func defaultBlocks(clinics: Int) -> Int {
            if !blocks.isEmpty { return blocks.count }
            return max(2, min(60, Int((Double(clinics) / 15).rounded())))
        }
    }
}

extension InstanceGenerator.Profile {
    var spec: InstanceGenerator.ProfileSpec {
        switch self {
        case .tokushima: return Self.tokushimaSpec
        case .nagasaki: return Self.nagasakiSpec
        case .shizuoka: return Self.shizuokaSpec
        case .fukuokaMinami: return Self.fukuokaMinamiSpec
        case .takamatsu: return Self.takamatsuSpec
        case .city: return Self.citySpec
        }
    }

    // Tokushima (seed 002): 徳島市内を３圏域（北部･西部･南部）; TIZI-NET of 44 在宅療養支援診療所;
    // ３３ clinics as each other's 副主治医 around the clock; 連携訪問看護ステーション (14);
    // 後方支援病院ネットワーク (20). The association runs its own nurse station.
    private static let tokushimaSpec = InstanceGenerator.ProfileSpec(
        association: "徳島市医師会 在宅医療ネットワーク（TIZI-NET）",
        defaultClinics: 44, defaultMonth: (2026, 12),
        blocks: [
            .init(id: "north", name: "北部", weight: 0.40, places: ["川内", "応神", "助任", "佐古", "新蔵", "住吉", "沖浜"]),
            .init(id: "west", name: "西部", weight: 0.30, places: ["国府", "入田", "不動", "加茂名", "南庄", "蔵本"]),
            .init(id: "south", name: "南部", weight: 0.30, places: ["八万", "勝占", "多家良", "大原", "津田", "丈六"]),
        ],
        edges: [("north", "west"), ("west", "south")],
        eolAreas: [], eolEveryNight: false, deputyNetworkShare: 33.0 / 44.0,
        stationsPerClinic: 14.0 / 44.0, hospitalsPerClinic: 20.0 / 44.0, hospitalStyle: .network,
        patientsPerClinic: 100.0 / 44.0, respitePerClinic: 20.0 / 44.0, volunteeredShares: false,
        associationStation: "徳島市医師会訪問看護ステーション")

    // Nagasaki (seed 004, 長崎在宅Dr.ネット): 90 member clinics, a coordinator physician in
    // each of 5 districts, 主治医・副主治医による24時間診療体制; 参加医師のメーリングリストで公募し、
    // 手挙げ方式で主治医・副主治医を決定 (volunteers, patient by patient). Not every member
    // clinic registers patients of its own (some only deputise): 80 % do, an assumption.
    private static let nagasakiSpec = InstanceGenerator.ProfileSpec(
        association: "長崎在宅Dr.ネット",
        defaultClinics: 90, defaultMonth: (2027, 5),
        blocks: [
            .init(id: "north", name: "北部", weight: 0.20, places: ["滑石", "横尾", "住吉", "西町", "道ノ尾"]),
            .init(id: "central", name: "中央", weight: 0.30, places: ["浜町", "諏訪", "桜町", "築町", "銭座"]),
            .init(id: "south", name: "南部", weight: 0.20, places: ["戸町", "小ヶ倉", "土井首", "大浦", "深堀"]),
            .init(id: "west", name: "西部", weight: 0.15, places: ["稲佐", "淵", "小榊", "旭町", "飽の浦"]),
            .init(id: "east", name: "東部", weight: 0.15, places: ["日見", "矢上", "東長崎", "本河内", "田中町"]),
        ],
        edges: [("north", "central"), ("north", "west"), ("central", "west"), ("central", "east"),
                ("central", "south"), ("east", "south")],
        eolAreas: [
            .init(id: "kita", name: "北・中央地区", blocks: ["north", "central", "west"]),
            .init(id: "minami", name: "東・南地区", blocks: ["east", "south"]),
        ],
        eolEveryNight: false, deputyNetworkShare: 1,
        stationsPerClinic: 0.2, hospitalsPerClinic: 0.1, hospitalStyle: .network,
        patientsPerClinic: 1.5, respitePerClinic: 0.3, volunteeredShares: false, associationStation: nil,
        deputies: .init(nomination: .volunteered, clinicShare: 0.8))

    // Shizuoka (seed 004, 静岡市静岡医師会): 68 在宅療養支援診療所; 看取り当番医制 with
    // 当番訪問看護師 (シルバーカード); 公的5病院 in the 2人主治医制.
    private static let shizuokaSpec = InstanceGenerator.ProfileSpec(
        association: "静岡市静岡医師会",
        defaultClinics: 68, defaultMonth: (2028, 2),
        blocks: [
            .init(id: "aoi-central", name: "葵中央", weight: 0.30, places: ["呉服町", "鷹匠", "駒形", "伝馬町", "七間町"]),
            .init(id: "aoi-north", name: "葵北部", weight: 0.20, places: ["麻機", "安東", "城北", "長尾", "瀬名"]),
            .init(id: "suruga-east", name: "駿河東部", weight: 0.20, places: ["東豊田", "大谷", "有度", "八幡", "中島"]),
            .init(id: "aoi-west", name: "葵西部", weight: 0.10, places: ["藁科", "服織", "美和", "羽鳥", "井川"]),
            .init(id: "suruga-west", name: "駿河西部", weight: 0.20, places: ["長田", "用宗", "丸子", "手越", "石部"]),
        ],
        edges: [("aoi-central", "aoi-north"), ("aoi-central", "aoi-west"), ("aoi-north", "aoi-west"),
                ("aoi-central", "suruga-east"), ("aoi-central", "suruga-west"), ("suruga-east", "suruga-west")],
        eolAreas: [], eolEveryNight: true, deputyNetworkShare: 1,
        stationsPerClinic: 0.2, hospitalsPerClinic: 5.0 / 68.0, hospitalStyle: .publicHospitals,
        patientsPerClinic: 1.5, respitePerClinic: 0.3, volunteeredShares: false, associationStation: nil)

    // Fukuoka Minami (seed 004, 福岡市南区医師会): 60 clinics of the 南区在宅医療ネットワーク;
    // ブロック支援病院 take 看取り, acute care and レスパイト入院 for 事前患者登録 patients.
    private static let fukuokaMinamiSpec = InstanceGenerator.ProfileSpec(
        association: "福岡市南区医師会 南区在宅医療ネットワーク",
        defaultClinics: 60, defaultMonth: (2027, 1),
        blocks: [
            .init(id: "takamiya", name: "高宮・平尾", weight: 0.20, places: ["高宮", "平尾", "清水", "玉川"]),
            .init(id: "ohashi", name: "大橋・塩原", weight: 0.25, places: ["大橋", "塩原", "野間", "若久"]),
            .init(id: "ijiri", name: "井尻・三宅", weight: 0.15, places: ["井尻", "三宅", "横手", "曰佐"]),
            .init(id: "nagazumi", name: "長住・花畑", weight: 0.20, places: ["長住", "花畑", "長丘", "西長住"]),
            .init(id: "roji", name: "老司・柏原", weight: 0.20, places: ["老司", "柏原", "鶴田", "桧原"]),
        ],
        edges: [("takamiya", "ohashi"), ("takamiya", "nagazumi"), ("ohashi", "nagazumi"), ("ohashi", "ijiri"),
                ("nagazumi", "roji"), ("ijiri", "roji")],
        eolAreas: [], eolEveryNight: false, deputyNetworkShare: 1,
        stationsPerClinic: 0.2, hospitalsPerClinic: 0, hospitalStyle: .blockSupport,
        patientsPerClinic: 3.0, respitePerClinic: 0.4, volunteeredShares: false, associationStation: nil)

    // Takamatsu (seeds 000, 001): 在宅医療ネットワーク with blocks (地域（ブロック）),
    // 手上げ方式で在宅医療担当医を募る, 協力医 "できれば同一または近隣ブロック",
    // 後方病院・急性期病院. The seeds give no counts; the size is an assumption. The
    // 救急バックアップ体制 pairs a patient's かかりつけ医 with a 協力医 of the same or a
    // neighbouring block, arranged through the 在宅医療コーディネーター (診療代行): patient
    // deputies nominated by a coordinator. Half the clinics register patients (an assumption).
    private static let takamatsuSpec = InstanceGenerator.ProfileSpec(
        association: "高松市医師会 在宅医療ネットワーク",
        defaultClinics: 50, defaultMonth: (2027, 4),
        blocks: [
            .init(id: "chuo", name: "中央", weight: 0.30, places: ["番町", "錦町", "栗林", "松島", "福岡町"]),
            .init(id: "higashi", name: "東部", weight: 0.15, places: ["屋島", "古高松", "前田", "川添", "林"]),
            .init(id: "nishi", name: "西部", weight: 0.15, places: ["鬼無", "香西", "国分寺", "弦打", "鶴尾"]),
            .init(id: "minami", name: "南部", weight: 0.20, places: ["仏生山", "一宮", "川岡", "円座", "多肥"]),
            .init(id: "mure", name: "牟礼・庵治", weight: 0.08, places: ["牟礼", "庵治", "原", "大町"]),
            .init(id: "kagawa", name: "香川・塩江", weight: 0.12, places: ["香川町", "香南", "塩江", "浅野", "大野"]),
        ],
        edges: [("chuo", "higashi"), ("chuo", "nishi"), ("chuo", "minami"), ("higashi", "minami"),
                ("nishi", "minami"), ("higashi", "mure"), ("minami", "kagawa")],
        eolAreas: [
            .init(id: "east", name: "中央・東エリア", blocks: ["chuo", "higashi", "mure"]),
            .init(id: "west", name: "西・南エリア", blocks: ["nishi", "minami", "kagawa"]),
        ],
        eolEveryNight: false, deputyNetworkShare: 1,
        stationsPerClinic: 0.2, hospitalsPerClinic: 0.14, hospitalStyle: .network,
        patientsPerClinic: 1.5, respitePerClinic: 0.3, volunteeredShares: true, associationStation: nil,
        deputies: .init(nomination: .coordinator, clinicShare: 0.5))

    // A generic city: the survey's averages, blocks on a grid. The survey's model of mutual
    // support between home-care physicians by 主治医・副主治医制 has the association nominate
    // the deputy (板橋区: 医師会連携拠点が副主治医を指名; 坂井地区: 医師会コーディネーターが
    // 副主治医を指名). 40 of the survey's 124 clinics answer 往診 "24時間365日対応している
    // （地域の他医療機関と協力しながら対応）": the share that registers patients here.
    private static let citySpec = InstanceGenerator.ProfileSpec(
        association: "例示市医師会 在宅医療ネットワーク",
        defaultClinics: 100, defaultMonth: (2027, 9),
        blocks: [], edges: [], eolAreas: [], eolEveryNight: false, deputyNetworkShare: 1,
        stationsPerClinic: 0.2, hospitalsPerClinic: 0.08, hospitalStyle: .network,
        patientsPerClinic: 1.5, respitePerClinic: 0.3, volunteeredShares: false, associationStation: nil,
        deputies: .init(nomination: .coordinator, clinicShare: 40.0 / 124.0))
}
