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

/// Hard-rule violations of a rota, by the checker `rinban score` uses.
func violations(_ state: RotaState) -> [RuleViolation] {
    let loaded = state.problem.loaded
    return HardRuleChecker(instance: loaded.instance, slots: loaded.slots, eligibility: loaded.eligibility)
        .violations(of: state.assignments)
}
