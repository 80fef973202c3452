import Foundation
import MIP
import MIPGLPK
import RinbanCore
@testable import RinbanPlanning
import Testing

/// ../shared/examples/tiny.json beside the package.
let tinyPath: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/examples/tiny.json").path

func loadTiny() throws -> LoadedInstance { try InstanceDecoder.load(contentsOf: tinyPath) }

func load(json: String) throws -> LoadedInstance {
    try InstanceDecoder.decode(DocumentReader.parse(Array(json.utf8), format: .json))
}

/// A small generated month (10 clinics, `days` dates): small enough for GLPK to prove its optimum.
func smallCity(seed: UInt64, days: Int = 12) throws -> LoadedInstance {
    let start = CivilDate(iso: "2027-09-01")!
    let period = Period(start: start, end: start.adding(days: days - 1))
    let text = try InstanceGenerator(profile: .city, seed: seed, clinics: 10, period: period).json()
    return try load(json: text)
}

/// Hard-rule violations of a rota, by the checker `rinban score` uses.
func violations(_ state: RotaState) -> [RuleViolation] {
    let loaded = state.problem.loaded
    return HardRuleChecker(instance: loaded.instance, slots: loaded.slots, eligibility: loaded.eligibility)
        .violations(of: state.assignments)
}
