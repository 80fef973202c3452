import ArgumentParser
import RinbanCore

struct CalendarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar",
        abstract: "List Japan's national holidays of a year, with their names.",
        discussion: """
            Shows the holidays rinban counts as holiday-type dates (SPEC: 国民の祝日, 振替休日 and \
            国民の休日), for any year from 1980 to 2099. Sundays and an instance's extra holidays \
            (such as 年末年始) are holiday-type too but are not listed here.

            Example: rinban calendar 2027
            """)

    @Argument(help: "The year, 1980–2099.")
    var year: Int

    func run() throws {
        try runReportingErrors {
            guard JapaneseHolidays.supportedYears.contains(year) else {
                throw InputError(at: .root, "year \(year) is outside 1980–2099, the years rinban's calendar covers")
            }
            for holiday in JapaneseHolidays.holidays(in: year) {
                print("\(holiday.date) (\(japaneseWeekdays[holiday.date.weekday])) \(holiday.name)")
            }
        }
    }
}
