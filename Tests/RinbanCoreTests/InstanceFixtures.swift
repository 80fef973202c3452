import Foundation
@testable import RinbanCore
import Testing

/// A small valid instance, one entity per line so tests can point at lines.
let baseInstance = """
{
  "format": "rinban/1",
  "period": { "start": "2027-01-04", "end": "2027-01-10" },
  "blocks": [
    { "id": "north", "name": "北部", "neighbors": ["south"] },
    { "id": "south", "name": "南部" }
  ],
  "clinics": [
    { "id": "c1", "name": "北クリニック", "block": "north" },
    { "id": "c2", "name": "南クリニック", "block": "south" }
  ],
  "physicians": [
    { "id": "p1", "name": "佐藤", "clinic": "c1", "skills": ["eol"] },
    { "id": "p2", "name": "鈴木", "clinic": "c2" },
    { "id": "p3", "name": "高橋", "clinic": "c2", "maxDuties": 1 }
  ],
  "stations": [
    { "id": "s1", "name": "北ステーション", "block": "north", "nurses": 2, "capacity": 40, "skills": ["eol"] }
  ],
  "shifts": [
    { "id": "night", "name": "夜間", "start": "18:00", "end": "08:00" }
  ],
  "duties": [
    { "id": "sub", "pool": "physicians", "scope": "block", "demand": { "night": { "weekday": 1, "saturday": 1, "holiday": 1 } } }
  ],
  "pins": [],
  "loadSharing": { "items": [ { "id": "t1", "from": "s1", "visits": 3 } ] },
  "beds": {
    "hospitals": [ { "id": "h1", "name": "病院", "block": "north", "group": ["c1"], "beds": { "acute": 1, "respite": 1 } } ],
    "patients": [ { "id": "r1", "clinic": "c1", "needs": "acute", "risk": 0.5 } ],
    "respite": []
  }
}
"""

/// The base instance with `edits` applied; each `old` text must occur exactly once.
func editedInstance(_ edits: [(String, String)]) -> String {
    var text = baseInstance
    for (old, new) in edits {
        let parts = text.components(separatedBy: old)
        precondition(parts.count == 2, "\"\(old)\" must occur exactly once in the base instance")
        text = parts.joined(separator: new)
    }
    return text
}

/// The 1-based line of the first occurrence of `needle`.
func line(of needle: String, in text: String) -> Int {
    let range = text.range(of: needle)!
    return text[..<range.lowerBound].filter { $0 == "\n" }.count + 1
}

/// Decodes JSON text; returns the instance or the issues.
func decode(_ text: String) -> Result<LoadedInstance, InputError> {
    do {
        let node = try DocumentReader.parse(Array(text.utf8), format: .json)
        return .success(try InstanceDecoder.decode(node))
    } catch {
        return .failure(error)
    }
}

/// The errors of an invalid instance as "path: message" lines (records an issue if valid).
func errors(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> [String] {
    switch decode(text) {
    case .success:
        Issue.record("expected the instance to be invalid", sourceLocation: sourceLocation)
        return []
    case let .failure(error):
        return error.issues.filter { $0.severity == .error }.map { "\($0.path): \($0.message)" }
    }
}

/// The path of the shared example instance (../shared beside the package).
let tinyPath: String = {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/examples/tiny.json").path
}()
