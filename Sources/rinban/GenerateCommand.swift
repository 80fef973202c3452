import ArgumentParser
import RinbanCore

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a realistic made-up instance of a home-care network.",
        usage: """
            rinban generate --profile <profile> --seed <n> [--clinics <k>] [--blocks <b>] [--month <YYYY-MM>] [-o <file>]
            rinban generate --profile <profile> --seed <n> --start <YYYY-MM-DD> --end <YYYY-MM-DD> [-o <file>]
            """,
        discussion: """
            Makes a complete rinban/1 instance for trying the planner, training, or testing: \
            blocks, clinics, physicians (with their absences and the points served since \
            April), visiting-nurse stations, the three duties (副主治医当番, 看取り当番, \
            当番訪問看護), load-sharing requests, backup hospitals, registered patients and \
            respite requests, and where the network names a deputy physician for each \
            home-care patient (主治医・副主治医制), those patients with last period's deputies. \
            Every name is made up; home-care patients have ids only. The numbers follow the \
            networks described in the project's source documents; instances/README.md says which.

            Profiles:
              tokushima       徳島市医師会: 3 areas, 44 clinics, 33 in the 24-hour rota
              nagasaki        長崎在宅Dr.ネット: 5 districts, 90 clinics, deputies volunteered
              shizuoka        静岡市静岡医師会: 68 clinics, nightly 看取り当番 + nurse station
              fukuoka-minami  福岡市南区医師会: 60 clinics, a support hospital per block
              takamatsu       高松市医師会: 6 blocks, duties volunteered (手上げ方式), 協力医
              city            a generic city: blocks on a grid, ~1 per 15 clinics, deputies

            The same profile, seed and options always give exactly the same file, so a seed \
            written down is enough to make the file again. Another seed gives another network \
            of the same kind. Without --month (or --start and --end) the profile's own month is \
            used (tokushima 2026-12, nagasaki 2027-05, shizuoka 2028-02, fukuoka-minami 2027-01, \
            takamatsu 2027-04, city 2027-09).

            Examples:
              rinban generate --profile tokushima --seed 1 -o tokushima.json
              rinban generate --profile city --seed 7 --clinics 300 -o city.json
              rinban generate --profile shizuoka --seed 2 --month 2028-08
              rinban validate tokushima.json
            """)

    @Option(help: ArgumentHelp("The network to model: tokushima, nagasaki, shizuoka, fukuoka-minami, takamatsu or city.",
                               valueName: "profile"))
    var profile: String?

    @Option(help: ArgumentHelp("Any whole number from 0 to 18446744073709551615; it decides every random choice.",
                               valueName: "n"))
    var seed: String?

    @Option(help: ArgumentHelp("How many home-care clinics (10–1000). Default: the profile's real network.", valueName: "k"))
    var clinics: String?

    @Option(help: ArgumentHelp("How many blocks (at least 3 clinics each). Default: the profile's own.", valueName: "b"))
    var blocks: String?

    @Option(help: ArgumentHelp("The month to plan, e.g. 2026-12.", valueName: "YYYY-MM"))
    var month: String?

    @Option(help: ArgumentHelp("Instead of --month: the first day of the period.", valueName: "YYYY-MM-DD"))
    var start: String?

    @Option(help: ArgumentHelp("With --start: the last day of the period (at most 92 days in all).", valueName: "YYYY-MM-DD"))
    var end: String?

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Write to this file instead of the screen.", valueName: "file"))
    var output: String?

    func run() throws {
        try runReportingErrors {
            let generator: InstanceGenerator
            do throws(GeneratorError) {
                generator = try makeGenerator()
            } catch {
                printError("rinban generate: \(error.message)")
                printError("See 'rinban generate --help'.")
                throw ExitCode(ExitStatus.invalidInput.rawValue)
            }
            let text = generator.json()
            if let output {
                try AtomicFile.write(text, to: output)
            } else {
                print(text, terminator: "")
            }
        }
    }

    /// Every argument is read here, not by the parser, so a bad value is "invalid input"
    /// (status 2) with a message naming the option.
    private func makeGenerator() throws(GeneratorError) -> InstanceGenerator {
        guard let profileText = profile else { throw GeneratorError("--profile is missing (one of \(Self.profileNames))") }
        guard let chosen = InstanceGenerator.Profile(rawValue: profileText) else {
            throw GeneratorError("unknown profile \"\(profileText)\"; choose one of \(Self.profileNames)")
        }
        guard let seedText = seed else { throw GeneratorError("--seed is missing (any whole number, e.g. --seed 1)") }
        guard let seedValue = UInt64(seedText) else {
            throw GeneratorError("--seed \"\(seedText)\" is not a whole number from 0 to 18446744073709551615")
        }
        let clinicCount = try Self.whole(clinics, option: "--clinics")
        let blockCount = try Self.whole(blocks, option: "--blocks")
        var period: Period?
        switch (month, start, end) {
        case (nil, nil, nil):
            period = nil
        case let (month?, nil, nil):
            period = try InstanceGenerator.period(month: month)
        case let (nil, start?, end?):
            period = try InstanceGenerator.period(start: start, end: end)
        case (nil, _, _):
            throw GeneratorError("--start and --end go together")
        default:
            throw GeneratorError("give either --month or --start and --end, not both")
        }
        return try InstanceGenerator(profile: chosen, seed: seedValue, clinics: clinicCount, blocks: blockCount, period: period)
    }

    private static func whole(_ text: String?, option: String) throws(GeneratorError) -> Int? {
        guard let text else { return nil }
        guard let value = Int(text) else { throw GeneratorError("\(option) \"\(text)\" is not a whole number") }
        return value
    }

    private static let profileNames = InstanceGenerator.Profile.allCases.map(\.rawValue).joined(separator: ", ")
}
