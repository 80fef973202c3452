import Foundation
@testable import RinbanCore
import Testing

/// The bundled instances and the arguments that made them; `instances/README.md` gives the
/// same `rinban generate` commands.
struct BundledInstance: Sendable, CustomStringConvertible {
    var file: String
    var profile: InstanceGenerator.Profile
    var seed: UInt64
    var clinics: Int?
    var month: String

    var description: String { file }

    static let all: [BundledInstance] = [
        BundledInstance(file: "tokushima-2026-12.json", profile: .tokushima, seed: 1, month: "2026-12"),
        BundledInstance(file: "nagasaki-2027-05.json", profile: .nagasaki, seed: 1, month: "2027-05"),
        BundledInstance(file: "shizuoka-2028-02.json", profile: .shizuoka, seed: 1, month: "2028-02"),
        BundledInstance(file: "fukuoka-minami-2027-01.json", profile: .fukuokaMinami, seed: 1, month: "2027-01"),
        BundledInstance(file: "takamatsu-2027-04.json", profile: .takamatsu, seed: 1, month: "2027-04"),
        BundledInstance(file: "city-300-2027-09.json", profile: .city, seed: 1, clinics: 300, month: "2027-09"),
    ]
}

/// `instances/` of this package.
let instancesFolder: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("instances")

/// Generates and decodes; records the problems if the text is not a valid instance.
func generated(_ profile: InstanceGenerator.Profile, seed: UInt64, clinics: Int? = nil, blocks: Int? = nil,
               period: Period? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> (text: String, loaded: LoadedInstance)
{
    let generator = try InstanceGenerator(profile: profile, seed: seed, clinics: clinics, blocks: blocks, period: period)
    let text = generator.json()
    switch decode(text) {
    case let .success(loaded):
        return (text, loaded)
    case let .failure(error):
        Issue.record("\(profile) seed \(seed) clinics \(generator.clinics) blocks \(generator.blocks): \(error)",
                     sourceLocation: sourceLocation)
        throw error
    }
}

@Suite("Instance generator: deterministic, valid, realistic")
struct GeneratorTests {
    @Test("the same arguments give byte-identical text; another seed or profile gives another")
    func determinism() throws {
        for profile in InstanceGenerator.Profile.allCases {
            let a = try InstanceGenerator(profile: profile, seed: 42).json()
            let b = try InstanceGenerator(profile: profile, seed: 42).json()
            #expect(a == b)
            #expect(a != (try InstanceGenerator(profile: profile, seed: 43).json()))
        }
        let month = try InstanceGenerator.period(month: "2027-03")
        let city = try InstanceGenerator(profile: .city, seed: 7, clinics: 120, blocks: 9, period: month).json()
        #expect(city == (try InstanceGenerator(profile: .city, seed: 7, clinics: 120, blocks: 9, period: month).json()))
        #expect(city.hasSuffix("}\n"))
        // Two profiles with the same seed and size do not share their random draws.
        let nagasaki = try generated(.nagasaki, seed: 5, clinics: 100).loaded.instance
        let takamatsu = try generated(.takamatsu, seed: 5, clinics: 100).loaded.instance
        #expect(nagasaki.patients.map(\.risk) != takamatsu.patients.map(\.risk))
    }

    @Test("every profile at its own size is valid, with no warning and no uncoverable slot",
          arguments: InstanceGenerator.Profile.allCases)
    func profileDefaults(profile: InstanceGenerator.Profile) throws {
        let loaded = try generated(profile, seed: 1).loaded
        #expect(loaded.warnings.isEmpty)
        #expect(FeasibilityPrecheck(loaded: loaded).isClear)
        #expect(loaded.instance.clinics.count == profile.defaultClinics)
        #expect(loaded.instance.period == profile.defaultPeriod)
        #expect(loaded.instance.duties.map(\.id.rawValue) == ["substitute", "eol", "eol-nurse"])
        #expect(loaded.instance.pins.count == 1)
    }

    @Test("every profile is valid with 10, 100 and 1000 clinics", arguments: [10, 100, 1000])
    func sizes(clinics: Int) throws {
        for profile in InstanceGenerator.Profile.allCases {
            let instance = try generated(profile, seed: UInt64(clinics), clinics: clinics).loaded.instance
            #expect(instance.clinics.count == clinics)
            #expect(instance.blocks.count <= clinics / InstanceGenerator.minimumClinicsPerBlock)
            for block in instance.blocks {
                #expect(instance.clinics.filter { $0.block == block.id }.count >= InstanceGenerator.minimumClinicsPerBlock)
                #expect(instance.stations.contains { $0.block == block.id })
            }
        }
    }

    @Test("many seeds, sizes, block counts and periods all validate")
    func manySeeds() throws {
        let sizes = [10, 11, 17, 33, 64, 150, 400, 999]
        let months = ["2026-12", "2027-01", "2027-05", "2028-02", "2030-09", "1999-12"]
        for seed in UInt64(0)..<48 {
            let profile = InstanceGenerator.Profile.allCases[Int(seed) % InstanceGenerator.Profile.allCases.count]
            let clinics = sizes[Int(seed) % sizes.count]
            let maxBlocks = InstanceGenerator.maximumBlocks(forClinics: clinics)
            let blocks: Int? = seed % 3 == 0 ? nil : 1 + Int(seed * 7) % maxBlocks
            let period = seed % 4 == 3
                ? try InstanceGenerator.period(start: "2026-12-15", end: "2027-02-28")
                : try InstanceGenerator.period(month: months[Int(seed) % months.count])
            let loaded = try generated(profile, seed: seed &* 0x9E37_79B9, clinics: clinics, blocks: blocks, period: period).loaded
            #expect(loaded.warnings.isEmpty)
            if let blocks { #expect(loaded.instance.blocks.count == blocks) }
        }
    }

    @Test("a 300-clinic network keeps the survey's ratios (1.62 physicians, 1.33 in home care, 0.34 aged 65+)")
    func surveyRatios() throws {
        for seed in UInt64(1)...3 {
            let instance = try generated(.city, seed: seed, clinics: 300).loaded.instance
            let physicians = instance.members(of: .physicians)
            let clinics = Double(instance.clinics.count)
            let homeCare = physicians.filter { $0.share > 0 }
            let senior = physicians.filter { $0.maxDuties != nil }
            #expect(abs(Double(physicians.count) / clinics - 1.62) < 0.05)
            #expect(abs(Double(homeCare.count) / clinics - 1.33) < 0.05)
            #expect(abs(Double(senior.count) / clinics - 0.34) < 0.02)
            // Seniors take half a share and at most 3–4 duties; nobody else has a cap.
            #expect(senior.allSatisfy { $0.share == 0.5 && (3...4).contains($0.maxDuties!) })
            #expect(physicians.filter { $0.share == 0 }.allSatisfy { $0.skills.isEmpty && $0.unavailable.isEmpty })
            let eol = homeCare.filter { $0.skills.contains("eol") }
            #expect(abs(Double(eol.count) / Double(homeCare.count) - 0.65) < 0.05)
            // At most one senior per clinic.
            #expect(Set(senior.compactMap(\.clinic)).count == senior.count)
            // Some absences, some avoid dates, and history for fairness carry-over (September: 5 months).
            #expect(homeCare.filter { !$0.unavailable.isEmpty }.count > homeCare.count / 10)
            #expect(homeCare.filter { !$0.avoid.isEmpty }.count > homeCare.count / 20)
            #expect(homeCare.filter { $0.history.points > 0 }.count > homeCare.count * 8 / 10)

            // Small stations, about 20 visits per FTE a week, unevenly busy.
            for station in instance.stations {
                #expect((2.5...5).contains(station.nurses))
                #expect((18...22).contains(station.capacity / station.nurses))
            }
            func demand(_ s: Station) -> Double {
                s.load + instance.loadSharingItems.filter { $0.from == s.id }.reduce(0) { $0 + $1.visits }
            }
            #expect(instance.stations.contains { demand($0) > $0.capacity })
            #expect(instance.stations.contains { demand($0) < 0.75 * $0.capacity })
            #expect(instance.loadSharingItems.contains { $0.from == nil && !$0.requires.isEmpty })
            #expect(instance.loadSharingItems.allSatisfy { !instance.allowedStations(for: $0).isEmpty })
            #expect(instance.patients.allSatisfy { p in instance.hospitals.contains { $0.beds(p.needs.bedKind) > 0 } })
        }
    }

    @Test("blocks form a connected map that is not complete, with symmetric neighbours")
    func blockMap() throws {
        let cases: [(InstanceGenerator.Profile, Int?, Int?)] = [
            (.tokushima, nil, nil), (.nagasaki, nil, nil), (.shizuoka, nil, nil), (.fukuokaMinami, nil, nil),
            (.takamatsu, nil, nil), (.city, 100, nil), (.city, 1000, nil), (.city, 40, 4), (.city, 40, 11),
            (.nagasaki, 90, 3), (.shizuoka, 68, 3), (.fukuokaMinami, 60, 3), (.takamatsu, 50, 3), (.tokushima, 10, 2),
        ]
        for (profile, clinics, blocks) in cases {
            let instance = try generated(profile, seed: 3, clinics: clinics, blocks: blocks).loaded.instance
            let ids = instance.blocks.map(\.id)
            var reached: Set<BlockID> = [ids[0]]
            var frontier = [ids[0]]
            while let next = frontier.popLast() {
                for other in instance.neighbors[next, default: []] where reached.insert(other).inserted { frontier.append(other) }
            }
            #expect(reached.count == ids.count, "\(profile): the map is not connected")
            let edges = ids.reduce(0) { $0 + instance.neighbors[$1, default: []].count } / 2
            if ids.count >= 3 { #expect(edges < ids.count * (ids.count - 1) / 2, "\(profile): every block neighbours every other") }
            for block in instance.blocks {
                for other in block.neighbors { #expect(instance.blocks.first { $0.id == other }!.neighbors.contains(block.id)) }
            }
        }
    }

    @Test("Tokushima: three areas, 33 of 44 clinics in the 24-hour rota, 14 stations, 20 hospitals, 年末年始")
    func tokushima() throws {
        let instance = try generated(.tokushima, seed: 1).loaded.instance
        #expect(instance.blocks.map(\.name) == ["北部", "西部", "南部"])
        let rota = Set(instance.members(of: .physicians).filter { $0.skills.contains("24h") }.compactMap(\.clinic))
        #expect(rota.count == 33)
        #expect(instance.duties[0].requires == ["24h"])
        #expect(instance.stations.count == 14)
        #expect(instance.hospitals.count == 20)
        #expect(instance.patients.count == 100)
        #expect(instance.respiteRequests.count == 20)
        #expect(instance.calendar.extraHolidays.map(\.iso).sorted() == ["2026-12-29", "2026-12-30", "2026-12-31"])
        // Tokushima covers absent physicians by its block rota, not by a deputy per patient.
        #expect(instance.homePatients.isEmpty)
        #expect(instance.members.allSatisfy { $0.maxDeputyPatients == nil })
        // Every physician with a share has a duty open to them.
        for member in instance.members(of: .physicians) where member.share > 0 {
            #expect(member.skills.contains("24h") || member.skills.contains("eol"))
        }
    }

    @Test("年末年始 across a year boundary; regions for the end-of-life duty; one hospital per block in Fukuoka")
    func profileShapes() throws {
        let winter = try InstanceGenerator.period(start: "2026-12-20", end: "2027-01-10")
        let city = try generated(.city, seed: 2, period: winter).loaded.instance
        #expect(city.calendar.extraHolidays.map(\.iso).sorted() == ["2026-12-29", "2026-12-30", "2026-12-31", "2027-01-02", "2027-01-03"])
        let nagasaki = try generated(.nagasaki, seed: 1).loaded.instance
        #expect(nagasaki.blocks.count == 5)
        #expect(nagasaki.duties[1].scope == .areas && nagasaki.duties[1].areas.count == 2)
        #expect(nagasaki.duties[2].areas.map(\.id) == nagasaki.duties[1].areas.map(\.id))
        let shizuoka = try generated(.shizuoka, seed: 1).loaded
        #expect(shizuoka.instance.hospitals.count == 5)
        #expect(shizuoka.instance.period.count == 29)
        let eolNights = shizuoka.slots.slots.filter { shizuoka.instance.duties[$0.duty].id == "eol-nurse" && shizuoka.instance.shifts[$0.shift].id == "night" }
        #expect(eolNights.count == 29)  // every night, not only weekends
        let fukuoka = try generated(.fukuokaMinami, seed: 1).loaded.instance
        for block in fukuoka.blocks {
            let support = fukuoka.hospitals.filter { $0.block == block.id && $0.beds(.acute) > 0 }
            #expect(support.count == 1)
            #expect(support.first?.group == Set(fukuoka.clinics.filter { $0.block == block.id }.map(\.id)))
        }
        #expect(fukuoka.patients.count == 180)
        let takamatsu = try generated(.takamatsu, seed: 1).loaded.instance
        #expect(Set(takamatsu.members(of: .physicians).map(\.share)).isSuperset(of: [0.75, 1.0, 1.5]))
        #expect(takamatsu.duties[0].allowNeighbors)
        // April opens the fiscal year: nobody carries points over.
        #expect(takamatsu.members.allSatisfy { $0.history.points == 0 && $0.history.holidays == 0 })
    }

    @Test("patient deputies only where the network names one per patient; nobody is left without an eligible deputy")
    func deputyProfiles() throws {
        let withDeputies: Set<InstanceGenerator.Profile> = [.nagasaki, .takamatsu, .city]
        for profile in InstanceGenerator.Profile.allCases {
            let (text, loaded) = try generated(profile, seed: 1)
            if withDeputies.contains(profile) {
                #expect(!loaded.instance.homePatients.isEmpty, "\(profile)")
                #expect(text.contains("\"maxDeputyPatients\": 0"), "\(profile)")
            } else {
                #expect(!text.contains("deputies") && !text.contains("maxDeputyPatients"), "\(profile)")
            }
        }
        // Tiny networks of one or two blocks: the generator never makes a patient nobody may
        // deputise for (that would draw a warning).
        for seed in UInt64(0)..<12 {
            for profile in withDeputies {
                let loaded = try generated(profile, seed: seed, clinics: 10, blocks: 1 + Int(seed % 2)).loaded
                #expect(loaded.warnings.isEmpty)
                #expect(loaded.instance.homePatients.allSatisfy { !DeputyFigures.eligible(loaded.instance, $0).isEmpty })
            }
        }
    }

    @Test("a 300-clinic Nagasaki-like network has the deputies' ratios", arguments: [UInt64(1), 2, 3])
    func deputyRatios(seed: UInt64) throws {
        let (text, loaded) = try generated(.nagasaki, seed: seed, clinics: 300)
        let instance = loaded.instance
        #expect(loaded.warnings.isEmpty)
        let patients = instance.homePatients
        let n = Double(patients.count)
        let physician = Dictionary(uniqueKeysWithValues: instance.members(of: .physicians).map { ($0.id, $0) })

        // 80 % of the clinics register 3–15 patients each, about six as a rule.
        var perClinic: [ClinicID: Int] = [:]
        for h in patients { perClinic[physician[h.attending]!.clinic!, default: 0] += 1 }
        #expect(perClinic.count == 240)
        #expect(perClinic.values.allSatisfy { (3...15).contains($0) })
        let counts = perClinic.values.sorted()
        #expect((5...8).contains(counts[counts.count / 2]))
        #expect(counts.filter { $0 >= 10 }.count > 10)
        #expect(patients.allSatisfy { physician[$0.attending]!.share > 0 })

        // A third need `eol`; four in five had a deputy last period; about one in twenty
        // lives in the next block.
        #expect(abs(Double(patients.filter { $0.requires == ["eol"] }.count) / n - 1.0 / 3) < 0.01)
        #expect(patients.allSatisfy { $0.requires.isSubset(of: ["eol"]) })
        #expect(abs(Double(patients.filter { $0.previous != nil }.count) / n - 0.8) < 0.01)
        let neighbours = DeputyFigures.neighbours(instance)
        let away = patients.filter { $0.block != physician[$0.attending]!.block }
        #expect(away.allSatisfy { neighbours[physician[$0.attending]!.block]!.contains($0.block) })
        #expect((0.02...0.09).contains(Double(away.count) / n))

        // Caps: a few small ones and a few zeros, only among physicians with a share.
        let pool = instance.members(of: .physicians).filter { $0.share > 0 }
        let capped = pool.filter { ($0.maxDeputyPatients ?? 0) > 0 }
        let zero = pool.filter { $0.maxDeputyPatients == 0 }
        #expect((0.05...0.12).contains(Double(capped.count) / Double(pool.count)))
        #expect((0.01...0.05).contains(Double(zero.count) / Double(pool.count)))
        #expect(capped.allSatisfy { (1...3).contains($0.maxDeputyPatients!) })
        #expect(instance.members.filter { $0.share == 0 }.allSatisfy { $0.maxDeputyPatients == nil })

        // Every patient has eligible deputies, dozens as a rule; last period's deputy was
        // eligible but for a few whose situation changed, and nobody was over their cap.
        let eligible = patients.map { DeputyFigures.eligible(instance, $0) }
        #expect(eligible.allSatisfy { $0.count >= 5 })
        #expect(eligible.map(\.count).sorted()[patients.count / 2] >= 30)
        let withPrevious = patients.indices.filter { patients[$0].previous != nil }
        let stale = withPrevious.filter { !eligible[$0].contains(patients[$0].previous!) }
        #expect((0.02...0.06).contains(Double(stale.count) / Double(withPrevious.count)))
        var served: [MemberID: Int] = [:]
        for h in withPrevious where !stale.contains(h) { served[patients[h].previous!, default: 0] += 1 }
        for (q, count) in served { #expect(count <= physician[q]!.maxDeputyPatients ?? count) }
        for h in stale {
            // No longer eligible for a reason that can arise in a month: the patient now needs
            // `eol` or moved, or the physician now takes no deputies.
            let q = physician[patients[h].previous!]!, attending = physician[patients[h].attending]!
            #expect(q.clinic != attending.clinic && q.share > 0)
            #expect(q.maxDeputyPatients == 0 || !patients[h].requires.isSubset(of: q.skills) || patients[h].block != attending.block)
        }

        // Patients are ids only: no names or other personal data in the file.
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
        let entries = (object["deputies"] as! [String: Any])["patients"] as! [[String: Any]]
        #expect(entries.count == patients.count)
        #expect(entries.allSatisfy { Set($0.keys).isSubset(of: ["id", "attending", "block", "requires", "previous"]) })
        #expect(entries.filter { $0["block"] != nil }.count == away.count)
    }

    @Test("arguments out of range are refused with a message")
    func invalidArguments() {
        func message(_ body: () throws -> Void) -> String? {
            do {
                try body()
                return nil
            } catch let error as GeneratorError {
                return error.message
            } catch {
                return "unexpected \(error)"
            }
        }
        #expect(message { _ = try InstanceGenerator(profile: .city, seed: 1, clinics: 9) } == "clinics must be between 10 and 1000; got 9")
        #expect(message { _ = try InstanceGenerator(profile: .city, seed: 1, clinics: 1001) } == "clinics must be between 10 and 1000; got 1001")
        #expect(message { _ = try InstanceGenerator(profile: .city, seed: 1, clinics: 30, blocks: 11) }
                == "blocks must be between 1 and 10 for 30 clinics (every block needs at least 3 clinics); got 11")
        #expect(message { _ = try InstanceGenerator(profile: .city, seed: 1, blocks: 0) } != nil)
        #expect(message { _ = try InstanceGenerator.period(month: "2027-1") } == "month \"2027-1\" is not of the form YYYY-MM (for example 2026-12)")
        #expect(message { _ = try InstanceGenerator.period(month: "2027-13") } == "month \"2027-13\": there is no month 13")
        #expect(message { _ = try InstanceGenerator.period(month: "2100-01") } != nil)
        #expect(message { _ = try InstanceGenerator.period(start: "2027-01-01", end: "2027-04-02") } == nil)
        #expect(message { _ = try InstanceGenerator.period(start: "2027-01-01", end: "2027-04-03") } == "the period has 93 days; the limit is 92")
        #expect(message { _ = try InstanceGenerator.period(start: "2027-01-02", end: "2027-01-01") } != nil)
        #expect(message { _ = try InstanceGenerator.period(start: "2027-02-30", end: "2027-03-01") } == "start \"2027-02-30\" is not a date YYYY-MM-DD")
        #expect((try? InstanceGenerator.period(month: "2028-02"))?.count == 29)
    }

    @Test("each bundled instance validates and is what its documented command makes", arguments: BundledInstance.all)
    func bundled(entry: BundledInstance) throws {
        let path = instancesFolder.appendingPathComponent(entry.file).path
        let loaded = try InstanceDecoder.load(contentsOf: path)
        #expect(loaded.warnings.isEmpty)
        let file = try String(contentsOfFile: path, encoding: .utf8)
        let period = try InstanceGenerator.period(month: entry.month)
        let again = try InstanceGenerator(profile: entry.profile, seed: entry.seed, clinics: entry.clinics, period: period).json()
        if file != again {
            let (old, new) = (file.split(separator: "\n", omittingEmptySubsequences: false),
                              again.split(separator: "\n", omittingEmptySubsequences: false))
            let line = (0..<min(old.count, new.count)).first { old[$0] != new[$0] } ?? min(old.count, new.count)
            Issue.record(Comment(rawValue: "\(entry.file) differs from what `rinban generate` makes now, first at line "
                                 + "\(line + 1); regenerate it with the command in instances/README.md"))
        }
    }

    @Test("every JSON file in instances/ validates")
    func everyBundledFile() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: instancesFolder.path).filter { $0.hasSuffix(".json") }.sorted()
        #expect(Set(files).isSuperset(of: BundledInstance.all.map(\.file)))
        for file in files {
            #expect(throws: Never.self) { _ = try InstanceDecoder.load(contentsOf: instancesFolder.appendingPathComponent(file).path) }
        }
    }
}

/// SPEC 4b worked out here from the instance's plain fields, not with rinban's own rules.
enum DeputyFigures {
    /// Each block's neighbours, both ways.
    static func neighbours(_ instance: Instance) -> [BlockID: Set<BlockID>] {
        var map = Dictionary(uniqueKeysWithValues: instance.blocks.map { ($0.id, Set($0.neighbors)) })
        for block in instance.blocks { for other in block.neighbors { map[other, default: []].insert(block.id) } }
        return map
    }

    /// Physicians eligible as the patient's deputy.
    static func eligible(_ instance: Instance, _ patient: HomePatient) -> [MemberID] {
        let near = neighbours(instance)[patient.block]!.union([patient.block])
        let attending = instance.members.first { $0.id == patient.attending }!
        return instance.members.filter { q in
            q.pool == .physicians && q.clinic != attending.clinic && q.share > 0 && q.maxDeputyPatients != 0
                && patient.requires.isSubset(of: q.skills) && near.contains(q.block)
        }.map(\.id)
    }
}
