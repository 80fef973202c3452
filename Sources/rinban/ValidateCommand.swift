import ArgumentParser
import RinbanCore

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check an instance file and summarise it.",
        discussion: """
            Reads a rinban/1 instance (JSON, or YAML with the same structure) and checks \
            everything rinban needs: the format, every id and reference, numbers and dates, \
            and the pins. If the file is valid it prints a summary: what it contains, how many \
            slots each duty has per day type, the slots with the fewest eligible members, the \
            home-care patients and the deputy pool (caps, the number of eligible deputies per \
            patient, the patients with the fewest), and warnings about demand that cannot be \
            covered and patients nobody can deputise for. If not, it prints every problem with \
            where it is (for example physicians[12].clinic, line 40) and what is wrong, and \
            exits with status 2.

            Example: rinban validate instances/tokushima-2026-12.json
            """)

    @Argument(help: "The instance: .json, .yaml/.yml, an .xlsx workbook or a folder of CSV files (docs/workbook.md).")
    var instance: String

    @Option(help: "How many of the tightest slots to list.")
    var tightest: Int = 8

    @Option(help: "How many home-care patients with the fewest eligible deputies to list.")
    var fewestDeputies: Int = 10

    func run() throws {
        try runReportingErrors {
            let loaded = try loadInstance(instance)
            print(InstanceSummary(loaded: loaded, tightest: tightest, file: instance, fewestDeputies: fewestDeputies).text)
        }
    }
}
