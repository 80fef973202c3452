import ArgumentParser
import Foundation
import RinbanCore
import RinbanPlanning
import RinbanWorkbook

/// Exit statuses, in one place: 0 ok, 1 failure or a plan breaking a rule, 2 invalid
/// input, 3 a plan written with uncovered demand.
enum ExitStatus: Int32 {
    case ok = 0
    case failure = 1
    case invalidInput = 2
    case uncovered = 3
}

/// Runs a command body and turns rinban's errors into messages on stderr and exit statuses.
func runReportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as InputError {
        printError(error.description)
        throw ExitCode(ExitStatus.invalidInput.rawValue)
    } catch let error as WorkbookImportError {
        printError(error.description)
        throw ExitCode(ExitStatus.invalidInput.rawValue)
    } catch let error as ExitCode {
        throw error
    } catch let error as CleanExit {
        throw error
    } catch {
        printError("rinban: \(error)")
        throw ExitCode(ExitStatus.failure.rawValue)
    }
}

/// Writes a line to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Japanese short weekday names, Sunday first.
let japaneseWeekdays = ["日", "月", "火", "水", "木", "金", "土"]

/// The engine named by `--engine`, after checking it and `--time-limit` and `--gap` (shared by
/// `plan` and `whatif`).
func planningOptions(engine: String, timeLimit: Double, gap: Double?, threads: Int = 2) throws -> RotaPlanOptions {
    guard let chosen = RotaEngine(rawValue: engine) else {
        throw InputError(at: .root, "--engine \(engine) is unknown; use auto, glpk, lns or greedy")
    }
    guard timeLimit > 0, timeLimit.isFinite else { throw InputError(at: .root, "--time-limit must be a positive number of seconds") }
    if let gap, !(gap >= 0 && gap.isFinite) { throw InputError(at: .root, "--gap must be a number ≥ 0") }
    guard threads == 1 || threads == 2 else { throw InputError(at: .root, "--threads must be 1 or 2") }
    var options = RotaPlanOptions(engine: chosen, timeLimit: timeLimit, gap: gap)
    options.threads = threads
    return options
}

/// Whether `path` names the office's workbook (.xlsx) or a folder of CSV files rather than
/// a JSON or YAML instance.
func isWorkbookSource(_ path: String) -> Bool {
    if path.lowercased().hasSuffix(".xlsx") { return true }
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
}

/// The instance document at `path`: JSON, YAML, a workbook or a CSV folder. A workbook's
/// problems are reported at their cells.
func readInstanceDocument(_ path: String) throws -> DocumentNode {
    if isWorkbookSource(path) { return try InstanceWorkbook.read(contentsOf: path).document }
    return try DocumentReader.read(contentsOf: path).node
}

/// The validated instance at `path` (JSON, YAML, a workbook or a CSV folder).
func loadInstance(_ path: String) throws -> LoadedInstance {
    if isWorkbookSource(path) { return try InstanceWorkbook.read(contentsOf: path).loaded }
    return try InstanceDecoder.load(contentsOf: path)
}
