import ArgumentParser
import RinbanCore

struct BedsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "beds",
        abstract: "List the hospitals to call for a bed on the night a patient deteriorates.",
        discussion: """
            Give the instance, a date inside its period, and either a registered patient \
            (--patient) or a new patient's clinic and need (--clinic with --needs acute or \
            palliative). Every hospital pledging beds for the need is listed, best first: the \
            hospital the plan designates the patient to; then hospitals with beds left that \
            night (pledged beds minus the expected load, the summed risk of the patients the \
            plan designates there with the same need) before those without; then hospitals \
            whose group includes the clinic; then nearer blocks (distance 0, 1 or 3); then id. \
            Each line gives the reasons and, for respite beds, the stays the plan books on \
            that night against the pledged respite beds. Without --plan nothing is designated \
            or booked and every expected load is 0. No solver runs.

            Exit status: 0 the list is printed; 2 bad input (unknown patient or clinic, a date \
            outside the period, an unknown need, a file that cannot be read).

            Examples: rinban beds instance.json --patient r2 --date 2027-01-06 --plan plan.json
                      rinban beds instance.json --clinic c03 --needs palliative --date 2027-01-06
            """)

    @Argument(help: "The instance: .json, .yaml/.yml, an .xlsx workbook or a folder of CSV files (docs/workbook.md).")
    var instance: String

    @Option(help: "A registered patient's id.")
    var patient: String?

    @Option(help: "A new patient's clinic id (with --needs).")
    var clinic: String?

    @Option(help: "A new patient's need: acute or palliative (with --clinic).")
    var needs: String?

    @Option(help: "The night, YYYY-MM-DD, inside the instance's period.")
    var date: String

    @Option(help: "A plan of the instance (rinban-plan/1) for designations, expected loads and respite stays.")
    var plan: String?

    func run() throws {
        try runReportingErrors {
            do {
                try answer()
            } catch var error as InputError {
                if error.file == nil { error.file = "rinban beds" }
                throw error
            }
        }
    }

    /// Reads the files, ranks the hospitals and prints the list.
    func answer() throws {
        let query = try self.query()
        guard let night = CivilDate(iso: date) else {
            throw InputError(at: .root / "date", "\"\(date)\" is not a date (YYYY-MM-DD)")
        }
        let loaded = try loadInstance(instance)
        let plan = try self.plan.map { path throws(InputError) in try PlanReader.load(contentsOf: path) }
        let result = try BedRanking.rank(query, on: night, instance: loaded.instance, plan: plan)
        let who: String
        switch query {
        case let .patient(id): who = "patient \(id) (clinic \(result.clinic), \(result.needs.rawValue))"
        case let .newPatient(clinic, need): who = "a new \(need.rawValue) patient of clinic \(clinic)"
        }
        print("Hospitals to call for \(who) on the night of \(night)\(plan == nil ? " (no plan: no loads or stays)" : ""):")
        if result.candidates.isEmpty { print("  no hospital pledges \(result.needs.rawValue) beds") }
        for line in BedRanking.lines(result) { print("  " + line) }
    }

    /// The patient, or the new patient's clinic and need; exactly one form.
    func query() throws(InputError) -> BedQuery {
        switch (patient, clinic, needs) {
        case let (id?, nil, nil):
            return .patient(PatientID(id))
        case let (nil, clinic?, needs?):
            guard let need = Need(rawValue: needs) else {
                throw InputError(at: .root / "needs", "\"\(needs)\" is not a need; use acute or palliative")
            }
            return .newPatient(clinic: ClinicID(clinic), needs: need)
        default:
            throw InputError("give either --patient ID, or --clinic CLINIC with --needs acute|palliative")
        }
    }
}
