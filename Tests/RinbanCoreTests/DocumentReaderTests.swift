import Foundation
import Testing
@testable import RinbanCore

// MARK: - Helpers

private func parse(_ text: String, _ format: DocumentFormat) throws(InputError) -> DocumentNode {
    try DocumentReader.parse(Array(text.utf8), format: format)
}

/// The single issue of the error that parsing `text` throws.
private func issue(_ text: String, _ format: DocumentFormat, limits: DocumentLimits = .standard,
                   sourceLocation: SourceLocation = #_sourceLocation) -> InputIssue? {
    issue(Array(text.utf8), format, limits: limits, sourceLocation: sourceLocation)
}

private func issue(_ bytes: [UInt8], _ format: DocumentFormat, limits: DocumentLimits = .standard,
                   sourceLocation: SourceLocation = #_sourceLocation) -> InputIssue? {
    do {
        let node = try DocumentReader.parse(bytes, format: format, limits: limits)
        Issue.record("expected an error, got \(render(node))", sourceLocation: sourceLocation)
        return nil
    } catch {
        #expect(error.issues.count == 1, sourceLocation: sourceLocation)
        return error.issues.first
    }
}

/// Asserts the exact message, line and column (and path) of the error `text` produces.
private func expectError(_ text: String, _ format: DocumentFormat, _ message: String, line: Int, column: Int,
                         path: String = "(document)", limits: DocumentLimits = .standard,
                         sourceLocation: SourceLocation = #_sourceLocation) {
    guard let found = issue(text, format, limits: limits, sourceLocation: sourceLocation) else { return }
    #expect(found.message == message, sourceLocation: sourceLocation)
    #expect(found.position == SourcePosition(line: line, column: column), sourceLocation: sourceLocation)
    #expect(found.path.description == path, sourceLocation: sourceLocation)
    #expect(found.severity == .error, sourceLocation: sourceLocation)
}

/// A compact rendering of a tree's values (no positions), for comparisons and messages.
private func render(_ node: DocumentNode) -> String {
    switch node.value {
    case .null: return "null"
    case let .bool(value): return "\(value)"
    case let .number(value, text): return "\(text)=\(value)"
    case let .string(value): return InputText.quoted(value, limit: 1000)
    case let .array(items): return "[" + items.map(render).joined(separator: ", ") + "]"
    case let .object(members):
        return "{" + members.map { "\(InputText.quoted($0.key, limit: 1000)): \(render($0.node))" }.joined(separator: ", ") + "}"
    }
}

/// Whether two trees hold the same values: same kinds, same strings and booleans, numbers of
/// the same value and text, members in the same order with the same keys. Positions are
/// not compared; the first difference is reported with its path.
private func sameTree(_ a: DocumentNode, _ b: DocumentNode, at path: DocumentPath = .root) -> String? {
    switch (a.value, b.value) {
    case (.null, .null): return nil
    case let (.bool(x), .bool(y)): return x == y ? nil : "\(path): \(x) vs \(y)"
    case let (.number(x, xt), .number(y, yt)):
        return x == y && xt == yt ? nil : "\(path): \(xt) vs \(yt)"
    case let (.string(x), .string(y)): return x == y ? nil : "\(path): \(InputText.quoted(x)) vs \(InputText.quoted(y))"
    case let (.array(x), .array(y)):
        guard x.count == y.count else { return "\(path): \(x.count) items vs \(y.count)" }
        for (index, (p, q)) in zip(x, y).enumerated() {
            if let difference = sameTree(p, q, at: path / index) { return difference }
        }
        return nil
    case let (.object(x), .object(y)):
        guard x.map(\.key) == y.map(\.key) else { return "\(path): keys \(x.map(\.key)) vs \(y.map(\.key))" }
        for (p, q) in zip(x, y) {
            if let difference = sameTree(p.node, q.node, at: path / p.key) { return difference }
        }
        return nil
    default:
        return "\(path): \(a.kindDescription) vs \(b.kindDescription)"
    }
}

private func member(_ node: DocumentNode, _ key: String) -> DocumentNode? {
    guard case let .object(members) = node.value else { return nil }
    return members.first { $0.key == key }?.node
}

private func at(_ line: Int, _ column: Int) -> SourcePosition { SourcePosition(line: line, column: column) }

/// SplitMix64: a small, fixed-seed generator so that failures reproduce.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

// MARK: - A realistic instance, in both syntaxes

private let sampleJSON = #"""
{
  "name": "Rinban — Higashi district, January 2027",
  "version": 1,
  "calendar": {
    "start": "2027-01-01",
    "end": "2027-01-31",
    "extraHolidays": ["2027-01-02", "2027-01-03"],
    "weekendDays": ["saturday", "sunday"]
  },
  "shifts": [
    {"id": "night", "start": "18:00", "end": "08:00", "weight": 1.5, "overnight": true},
    {"id": "holiday-day", "start": "09:00", "end": "18:00", "weight": 1, "overnight": false}
  ],
  "clinics": [
    {"id": "c01", "name": "山田内科クリニック", "district": "higashi", "phone": "03-1234-5678"},
    {"id": "c02", "name": "Sakura Pediatrics", "district": "higashi", "phone": null},
    {"id": "c03", "name": "Aoba \"Family\" Clinic", "district": "nishi", "phone": "03-9876-5432"}
  ],
  "physicians": [
    {"id": "p001", "name": "山田 太郎", "clinic": "c01", "maxShifts": 4, "fte": 1.0,
     "unavailable": ["2027-01-05", "2027-01-06"], "preferences": {"nights": -2, "holidays": 0}},
    {"id": "p002", "name": "Sato Hanako", "clinic": "c02", "maxShifts": 3, "fte": 0.5,
     "unavailable": [], "preferences": {"nights": 1, "holidays": 2}},
    {"id": "p003", "name": "Ito Ken", "clinic": "c03", "maxShifts": 5, "fte": 0.75,
     "unavailable": ["2027-01-10"], "preferences": {"nights": 0, "holidays": -1}},
    {"id": "p004", "name": "Kato Yumi", "clinic": "c01", "maxShifts": 2, "fte": 2.5e-1,
     "unavailable": [], "preferences": {}, "note": "Tab\tand newline\nescaped; \u00e9 \uD83D\uDE00"},
    {"id": "p005", "name": "Watanabe Jun", "clinic": "c02", "maxShifts": 4, "fte": 1,
     "unavailable": ["2027-01-20", "2027-01-21", "2027-01-22"], "preferences": {"nights": 2, "holidays": 1}},
    {"id": "p006", "name": "Nakamura Aya", "clinic": "c03", "maxShifts": 0, "fte": 0,
     "unavailable": [], "preferences": {"nights": -1, "holidays": -1}, "retired": true}
  ],
  "weights": {"fairness": 10, "preference": 1, "consecutiveNights": -1E+2, "tiny": 0.000001},
  "rules": {"minRestHours": 11, "maxNightsInARow": 2, "allowSplit": false, "comment": null},
  "labels": ["yes", "on", "0x1F", "1_000", "007", ".5", "1", "~", ""]
}
"""#

private let sampleYAML = #"""
# Rinban instance, the same as the JSON one
name: Rinban — Higashi district, January 2027
version: 1
calendar:
  start: 2027-01-01
  end: 2027-01-31
  extraHolidays: [2027-01-02, 2027-01-03]
  weekendDays:
    - saturday
    - sunday
shifts:
  - &night
    id: night
    start: 18:00
    end: 08:00
    weight: 1.5
    overnight: true
  - id: holiday-day
    start: '09:00'
    end: "18:00"
    weight: 1
    overnight: False
clinics:
  - {id: c01, name: 山田内科クリニック, district: higashi, phone: 03-1234-5678}
  - id: c02
    name: Sakura Pediatrics
    district: &east higashi
    phone: ~
  - id: c03
    name: Aoba "Family" Clinic
    district: nishi
    phone: "03-9876-5432"
physicians:
  - id: p001
    name: 山田 太郎
    clinic: c01
    maxShifts: 4
    fte: 1.0
    unavailable: [2027-01-05, 2027-01-06]
    preferences: {nights: -2, holidays: 0}
  - id: p002
    name: Sato Hanako
    clinic: c02
    maxShifts: 3
    fte: 0.5
    unavailable: []
    preferences:
      nights: 1
      holidays: 2
  - id: p003
    name: Ito Ken
    clinic: c03
    maxShifts: 5
    fte: 0.75
    unavailable:
      - 2027-01-10
    preferences: {nights: 0, holidays: -1}
  - id: p004
    name: Kato Yumi
    clinic: c01
    maxShifts: 2
    fte: 2.5e-1
    unavailable: []
    preferences: {}
    note: "Tab\tand newline\nescaped; \u00e9 \U0001F600"
  - id: p005
    name: Watanabe Jun
    clinic: c02
    maxShifts: 4
    fte: 1
    unavailable:
      - 2027-01-20
      - 2027-01-21
      - 2027-01-22
    preferences: {nights: 2, holidays: 1}
  - id: p006
    name: Nakamura Aya
    clinic: c03
    maxShifts: 0
    fte: 0
    unavailable: []
    preferences:
      nights: -1
      holidays: -1
    retired: True
weights:
  fairness: 10
  preference: 1
  consecutiveNights: -1E+2
  tiny: 0.000001
rules:
  minRestHours: 11
  maxNightsInARow: 2
  allowSplit: FALSE
  comment:
labels: [yes, on, 0x1F, 1_000, "007", .5, !!str 1, "~", ""]
"""#

// MARK: - JSON: values and positions

@Suite("JSON documents") struct JSONDocumentTests {
    @Test func valuesAndPositions() throws {
        let root = try parse("{\n  \"a\": [1, true, null],\n  \"名前\": \"x\",\r\n\t\"n\": -0.5e1\n}", .json)
        #expect(root.position == at(1, 1))
        guard case let .object(members) = root.value else { Issue.record("not an object"); return }
        #expect(members.map(\.key) == ["a", "名前", "n"])
        #expect(members.map(\.keyPosition) == [at(2, 3), at(3, 3), at(4, 2)])
        #expect(members[0].node.position == at(2, 8))
        guard case let .array(items) = members[0].node.value else { Issue.record("not a list"); return }
        #expect(items.map(\.position) == [at(2, 9), at(2, 12), at(2, 18)])
        // Columns count Unicode scalars: "名前" is two columns.
        #expect(members[1].node.position == at(3, 9))
        #expect(render(members[2].node) == "-0.5e1=-5.0")
    }

    @Test func numbersKeepTheirTextAndDoubleValue() throws {
        let texts = ["0", "-0", "0.1", "1E+2", "2.5e-1", "123456789012345678901234567890", "1e-400", "9007199254740993"]
        let root = try parse("[" + texts.joined(separator: ",") + "]", .json)
        guard case let .array(items) = root.value else { Issue.record("not a list"); return }
        for (item, text) in zip(items, texts) {
            guard case let .number(value, written) = item.value else { Issue.record("not a number"); continue }
            #expect(written == text)
            #expect(value == Double(text)!)
            #expect(value.sign == Double(text)!.sign)
        }
    }

    @Test func stringsAndEscapes() throws {
        let root = try parse(#"["a\"b\\c\/d\b\f\n\r\t", "\u00e9\u65E5\uD83D\uDE00", "\u0000", "日本語 ok"]"#, .json)
        #expect(render(root) == #"["a\"b\\c/d\#u{8}\#u{C}\n\r\t", "é日😀", "\#u{0}", "日本語 ok"]"#)
    }

    @Test func byteOrderMarkIsSkipped() throws {
        let root = try DocumentReader.parse([0xEF, 0xBB, 0xBF] + Array("{\"a\": 1}".utf8), format: .json)
        #expect(root.position == at(1, 1))
        #expect(member(root, "a")?.position == at(1, 7))
    }

    @Test func scalarRootsAndEmptyContainers() throws {
        #expect(render(try parse(" 42 ", .json)) == "42=42.0")
        #expect(render(try parse("\"x\"", .json)) == "\"x\"")
        #expect(render(try parse("{\"a\": {}, \"b\": [ ]}", .json)) == "{\"a\": {}, \"b\": []}")
    }

    @Test func nestingUpToTheLimitIsAccepted() throws {
        let depth = DocumentReader.maximumDepth
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        _ = try parse(text, .json)
    }
}

// MARK: - JSON: one test per error class

@Suite("JSON errors") struct JSONErrorTests {
    @Test func unexpectedCharacter() {
        expectError("{\"a\": }", .json, "unexpected character \"}\" (expected a value)", line: 1, column: 7)
        expectError("[1 2]", .json, "unexpected character \"2\" (expected \",\" or \"]\")", line: 1, column: 4)
        expectError("{\"a\": 1 \"b\": 2}", .json, "unexpected character '\"' (expected \",\" or \"}\")", line: 1, column: 9)
        expectError("{a: 1}", .json, "unexpected character \"a\" (expected a key in double quotes)", line: 1, column: 2)
        expectError("{\"a\" 1}", .json, "unexpected character \"1\" (expected \":\" after the key)", line: 1, column: 6)
        expectError("['a']", .json, "unexpected character \"'\" (expected a value; JSON strings use double quotes)", line: 1, column: 2)
        expectError("[\u{201C}a\u{201D}]", .json, "unexpected character \"\u{201C}\" (expected a value; use straight double quotes \")", line: 1, column: 2)
        expectError("{\n  // note\n}", .json, "unexpected character \"/\" (expected a key in double quotes)", line: 2, column: 3)
        expectError("[\u{3000}1]", .json, "unexpected character U+3000 (expected a value)", line: 1, column: 2)
        expectError("[,1]", .json, "unexpected character \",\" (expected a value)", line: 1, column: 2)
    }

    @Test func unexpectedWords() {
        expectError("[True]", .json, "unexpected word \"True\" (JSON writes true, false and null in lower case)", line: 1, column: 2)
        expectError("{\"a\": nul}", .json, "unexpected word \"nul\" (expected a value; text must be in double quotes)", line: 1, column: 7)
        expectError("[NaN]", .json, "unexpected word \"NaN\" (expected a value; text must be in double quotes)", line: 1, column: 2)
    }

    @Test func unexpectedEndOfInput() {
        expectError("{\"a\": [1, 2", .json, "unexpected end of input (the \"[\" at line 1, column 7 is not closed)", line: 1, column: 12)
        expectError("{\"a\": 1,\n", .json, "unexpected end of input (the \"{\" at line 1, column 1 is not closed)", line: 2, column: 1)
        expectError("{\"a\":", .json, "unexpected end of input (expected a value)", line: 1, column: 6)
        expectError("{\"a\"", .json, "unexpected end of input (expected \":\" after the key)", line: 1, column: 5)
    }

    @Test func unterminatedString() {
        expectError("{\"a\": \"abc", .json, "unterminated string", line: 1, column: 7)
        expectError("[\"abc\\", .json, "unterminated string", line: 1, column: 2)
        expectError("[\n  \"abc\n  \"def\"]", .json,
                    "unterminated string (a line break cannot be inside a string; write \\n)", line: 2, column: 3)
    }

    @Test func badEscape() {
        expectError(#"["a\x"]"#, .json, #"invalid escape "\x" in a string"#, line: 1, column: 4)
        expectError(#"["\'"]"#, .json, #"invalid escape "\'" in a string"#, line: 1, column: 3)
        expectError(#"["\u12G4"]"#, .json, #"invalid escape "\u12G4" in a string (\u needs four hex digits)"#, line: 1, column: 3)
        expectError(#"["\u12"]"#, .json, #"invalid escape "\u12" in a string (\u needs four hex digits)"#, line: 1, column: 3)
    }

    @Test func invalidSurrogates() {
        expectError(#"["ok", "\uD800x"]"#, .json,
                    #"invalid \u escape: \uD800 is half of a surrogate pair and is not followed by the other half"#, line: 1, column: 9)
        expectError(#"["\uD83D\u0041"]"#, .json,
                    #"invalid \u escape: \uD83D is half of a surrogate pair and is not followed by the other half"#, line: 1, column: 3)
        expectError(#"["\uDE00"]"#, .json,
                    #"invalid \u escape: \uDE00 is the second half of a surrogate pair without the first"#, line: 1, column: 3)
    }

    @Test func controlCharacterInString() {
        expectError("[\"a\tb\"]", .json, "control character U+0009 in a string (write it as \\t)", line: 1, column: 4)
        expectError("[\"a\u{1}b\"]", .json, "control character U+0001 in a string (write it as \\u0001)", line: 1, column: 4)
    }

    @Test func leadingZeros() {
        expectError("[01]", .json, "invalid number \"01\" (leading zeros are not allowed)", line: 1, column: 2)
        expectError("{\"n\": -007}", .json, "invalid number \"-007\" (leading zeros are not allowed)", line: 1, column: 7)
    }

    @Test func malformedNumbers() {
        expectError("[1.]", .json, "invalid number \"1.\" (expected a digit after \".\")", line: 1, column: 2)
        expectError("[1.5e+]", .json, "invalid number \"1.5e+\" (expected a digit in the exponent)", line: 1, column: 2)
        expectError("[-]", .json, "invalid number \"-\" (expected a digit after \"-\")", line: 1, column: 2)
        expectError("[.5]", .json, "unexpected character \".\" (expected a value)", line: 1, column: 2)
        expectError("[+1]", .json, "unexpected character \"+\" (expected a value)", line: 1, column: 2)
        expectError("{\"big\": [1e400]}", .json, "number 1e400 is too large", line: 1, column: 10, path: "big[0]")
    }

    @Test func trailingCommas() {
        expectError("[1, 2,]", .json, "trailing comma before \"]\"", line: 1, column: 6)
        expectError("{\"a\": 1,\n}", .json, "trailing comma before \"}\"", line: 1, column: 8)
    }

    @Test func trailingGarbage() {
        expectError("{} x", .json, "unexpected character \"x\" after the end of the document", line: 1, column: 4)
        expectError("{}\n{}", .json, "unexpected character \"{\" after the end of the document", line: 2, column: 1)
        expectError("[1]]", .json, "unexpected character \"]\" after the end of the document", line: 1, column: 4)
    }

    @Test func emptyInput() {
        expectError("", .json, "the document is empty", line: 1, column: 1)
        expectError("  \n\t", .json, "the document is empty", line: 2, column: 2)
        guard let found = issue([0xEF, 0xBB, 0xBF], .json) else { return }
        #expect(found.message == "the document is empty")
    }

    @Test func duplicateKeys() {
        expectError("{\"id\": 1,\n \"id\": 2}", .json, "duplicate key \"id\" (first at line 1, column 2)", line: 2, column: 2)
        let physicians = (0..<4).map { $0 == 3 ? "{\"id\": \"p3\", \"name\": \"x\", \"id\": \"p4\"}" : "{\"id\": \"p\($0)\"}" }
        expectError("{\"physicians\": [" + physicians.joined(separator: ", ") + "]}", .json,
                    "duplicate key \"id\" (first at line 1, column 60)", line: 1, column: 85, path: "physicians[3]")
        // Objects with many members use a set; the message is the same.
        let many = (0..<30).map { "\"k\($0)\": \($0)" }.joined(separator: ", ")
        expectError("{\"w\": {" + many + ", \"k7\": 0}}", .json, "duplicate key \"k7\" (first at line 1, column 71)",
                    line: 1, column: 318, path: "w")
    }

    @Test func nestingDeeperThanTheLimit() {
        let depth = DocumentReader.maximumDepth + 1
        expectError(String(repeating: "[", count: depth) + String(repeating: "]", count: depth), .json,
                    "nesting is deeper than 64 levels", line: 1, column: 65)
        expectError("{\"a\":" + String(repeating: "{\"a\":", count: 64) + "1" + String(repeating: "}", count: 65), .json,
                    "nesting is deeper than 64 levels", line: 1, column: 321)
        // Far deeper input costs nothing: the parser stops at the limit, without recursion.
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            _ = issue(String(repeating: "[", count: 1_000_000), .json)
        }
        #expect(elapsed < .seconds(2))
    }

    @Test func tooManyValues() {
        let limits = DocumentLimits(bytes: DocumentReader.maximumBytes, depth: 64, nodes: 10)
        expectError("[1,2,3,4,5,6,7,8,9,10]", .json, "the document has more than 10 values, the limit for an instance",
                    line: 1, column: 20, limits: limits)
        expectError("- a\n- [b, c]\n- {d: e, f: [g, h, i, j]}", .yaml,
                    "the document has more than 10 values, the limit for an instance", line: 3, column: 20, limits: limits)
        let standard = "[" + Array(repeating: "0", count: DocumentReader.maximumNodes).joined(separator: ",") + "]"
        expectError(standard, .json, "the document has more than 2,000,000 values, the limit for an instance",
                    line: 1, column: 4_000_000)
    }
}

// MARK: - YAML

@Suite("YAML documents") struct YAMLDocumentTests {
    @Test func jsonAndYAMLGiveTheSameTree() throws {
        let json = try parse(sampleJSON, .json)
        let yaml = try parse(sampleYAML, .yaml)
        #expect(sameTree(json, yaml) == nil, "\(sameTree(json, yaml) ?? "")")
        // YAML is a superset of JSON: the JSON text read as YAML gives the same tree too.
        // (Except for surrogate pairs, which YAML escapes cannot write.)
        expectError(#"["\uD83D\uDE00"]"#, .yaml,
                    "YAML syntax error: found invalid Unicode character escape code (while parsing a quoted scalar that starts at line 1, column 2)",
                    line: 1, column: 5)
        let withoutPairs = sampleJSON.replacingOccurrences(of: #"\uD83D\uDE00"#, with: #"\u263A"#)
        let jsonAsYAML = try parse(withoutPairs, .yaml)
        let jsonAsJSON = try parse(withoutPairs, .json)
        #expect(sameTree(jsonAsJSON, jsonAsYAML) == nil, "\(sameTree(jsonAsJSON, jsonAsYAML) ?? "")")
        #expect(sampleJSON.utf8.count > 2000)
    }

    @Test func typingRules() throws {
        let text = """
            time: 18:00
            date: 2027-01-01
            quoted: "1"
            single: '1.5'
            number: 1.5
            integer: -12
            exponent: 2.5E-3
            yes: yes
            on: on
            hex: 0x1F
            underscore: 1_000
            octal: 007
            leadingDot: .5
            plus: +1
            infinity: .inf
            nan: .NaN
            tilde: ~
            empty:
            nulls: [null, Null, NULL, nUll]
            bools: [true, True, TRUE, false, False, FALSE, tRUE]
            tagged: !!str 1
            nonSpecific: ! 2
            literal: |
              12
            folded: >-
              true
            """
        let root = try parse(text, .yaml)
        let expected = """
            {"time": "18:00", "date": "2027-01-01", "quoted": "1", "single": "1.5", "number": 1.5=1.5, \
            "integer": -12=-12.0, "exponent": 2.5E-3=0.0025, "yes": "yes", "on": "on", "hex": "0x1F", \
            "underscore": "1_000", "octal": "007", "leadingDot": ".5", "plus": "+1", "infinity": ".inf", \
            "nan": ".NaN", "tilde": null, "empty": null, "nulls": [null, null, null, "nUll"], \
            "bools": [true, true, true, false, false, false, "tRUE"], "tagged": "1", "nonSpecific": "2", \
            "literal": "12\\n", "folded": "true"}
            """
        #expect(render(root) == expected)
    }

    @Test func positionsComeFromTheMarks() throws {
        let root = try parse("# comment\nclinic:\n  id: c01\n  名前: \"山田\"\n  days: [1, 2]\n", .yaml)
        guard case let .object(top) = root.value, case let .object(clinic) = top[0].node.value else {
            Issue.record("not an object"); return
        }
        #expect(top[0].keyPosition == at(2, 1))
        #expect(top[0].node.position == at(3, 3))
        #expect(clinic.map(\.keyPosition) == [at(3, 3), at(4, 3), at(5, 3)])
        #expect(clinic.map(\.node.position) == [at(3, 7), at(4, 7), at(5, 9)])
    }

    @Test func explicitTags() throws {
        let root = try parse("a: !!int 12\nb: !!float 1\nc: !!null ~\nd: !!bool true\ne: !!map {x: 1}\nf: !!seq [1]", .yaml)
        #expect(render(root) == "{\"a\": 12=12.0, \"b\": 1=1.0, \"c\": null, \"d\": true, \"e\": {\"x\": 1=1.0}, \"f\": [1=1.0]}")
        expectError("a: !!int abc", .yaml, "\"abc\" is not a valid !!int", line: 1, column: 4, path: "a")
        expectError("a: !!int 1.5", .yaml, "\"1.5\" is not a valid !!int", line: 1, column: 4, path: "a")
        expectError("a:\n  b: !!timestamp 2027-01-01", .yaml, "unsupported tag \"!!timestamp\"", line: 2, column: 6, path: "a.b")
        expectError("a: !local x", .yaml, "unsupported tag \"!local\"", line: 1, column: 4, path: "a")
        expectError("a: !!set {x}", .yaml, "unsupported tag \"!!set\" on an object", line: 1, column: 4, path: "a")
    }

    @Test func keysAreText() throws {
        let root = try parse("1: a\ntrue: b\n2027-01-01: c\n\"q\": d\n? e\n: f\n", .yaml)
        guard case let .object(members) = root.value else { Issue.record("not an object"); return }
        #expect(members.map(\.key) == ["1", "true", "2027-01-01", "q", "e"])
        expectError("? [a, b]\n: 1", .yaml, "a key must be text, not a list", line: 1, column: 3)
        expectError("x:\n  {a: 1}: 2", .yaml, "a key must be text, not an object", line: 2, column: 3, path: "x")
        expectError("x: &x [1, 2]\ny:\n  *x : 3", .yaml, "a key must be text, but the alias \"*x\" is a list",
                    line: 3, column: 3, path: "y")
        // An alias of a scalar is a fine key.
        let aliased = try parse("s: &s key\n*s : 1\n", .yaml)
        #expect(render(aliased) == "{\"s\": \"key\", \"key\": 1=1.0}")
    }

    @Test func duplicateKeys() {
        expectError("id: 1\nname: x\nid: 2\n", .yaml, "duplicate key \"id\" (first at line 1, column 1)", line: 3, column: 1)
        expectError("physicians:\n  - id: p0\n  - id: p1\n  - id: p2\n  - id: p3\n    name: x\n    id: p4\n", .yaml,
                    "duplicate key \"id\" (first at line 5, column 5)", line: 7, column: 5, path: "physicians[3]")
        // Keys are compared as text, so a quoted and a plain 1 are the same key.
        expectError("1: a\n\"1\": b", .yaml, "duplicate key \"1\" (first at line 1, column 1)", line: 2, column: 1)
        expectError("a: {b: 1, b: 2}", .yaml, "duplicate key \"b\" (first at line 1, column 5)", line: 1, column: 11, path: "a")
    }

    @Test func anchorsAndAliasesExpand() throws {
        let root = try parse("base: &base {start: 18:00, end: 08:00}\nnight: *base\nlist: [*base, *base]\n", .yaml)
        #expect(render(root) == #"{"base": {"start": "18:00", "end": "08:00"}, "night": {"start": "18:00", "end": "08:00"}, "list": [{"start": "18:00", "end": "08:00"}, {"start": "18:00", "end": "08:00"}]}"#)
        // The copy is placed where the alias is written.
        #expect(member(root, "night")?.position == at(2, 8))
        expectError("a: *nope", .yaml, "alias \"*nope\" refers to no anchor \"&nope\" defined before it", line: 1, column: 4, path: "a")
        expectError("a: &a [1, *a]", .yaml, "alias \"*a\" refers to no anchor \"&a\" defined before it", line: 1, column: 11, path: "a[1]")
    }

    @Test func billionLaughsIsRefusedQuickly() {
        var text = "lol0: &lol0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...9 {
            text += "lol\(level): &lol\(level) [" + Array(repeating: "*lol\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            expectError(text, .yaml, "the aliases expand the document to more than 2,000,000 values, the limit for an instance",
                        line: 7, column: 14)
        }
        #expect(elapsed < .seconds(1))
        // The same bomb used as a key is refused before anything looks inside it.
        var asKey = text.split(separator: "\n").prefix(5).joined(separator: "\n")
        asKey += "\nbomb:\n  ? *lol4\n  : x\n"
        let keyElapsed = clock.measure {
            expectError(asKey, .yaml, "a key must be text, but the alias \"*lol4\" is a list", line: 7, column: 5, path: "bomb")
        }
        #expect(keyElapsed < .seconds(1))
    }

    @Test func nestingDeeperThanTheLimit() throws {
        let flow = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        expectError(flow, .yaml, "nesting is deeper than 64 levels", line: 1, column: 65)
        var block = ""
        for level in 0..<65 { block += String(repeating: " ", count: level) + "k:\n" }
        block += String(repeating: " ", count: 65) + "v\n"
        expectError(block, .yaml, "nesting is deeper than 64 levels", line: 65, column: 65)
        _ = try parse(String(repeating: "[", count: 64) + String(repeating: "]", count: 64), .yaml)
        // An alias cannot smuggle in extra depth.
        let deepAnchor = "a: &a " + String(repeating: "[", count: 40) + String(repeating: "]", count: 40) + "\n"
        expectError(deepAnchor + "b: " + String(repeating: "[", count: 30) + "*a" + String(repeating: "]", count: 30), .yaml,
                    "nesting is deeper than 64 levels (through the alias \"*a\")", line: 2, column: 34)
        let clock = ContinuousClock()
        let elapsed = clock.measure { _ = issue(String(repeating: "[", count: 1_000_000), .yaml) }
        #expect(elapsed < .seconds(2))
    }

    @Test func severalDocumentsAreRefused() {
        expectError("---\na: 1\n---\nb: 2\n", .yaml,
                    "a second YAML document starts here; an instance file holds one document (remove the extra \"---\")",
                    line: 3, column: 1)
        expectError("a: 1\n...\n---\nb: 2\n", .yaml,
                    "a second YAML document starts here; an instance file holds one document (remove the extra \"---\")",
                    line: 3, column: 1)
    }

    @Test func syntaxErrorsCarryLibyamlPositions() {
        expectError("a: b: c", .yaml, "YAML syntax error: mapping values are not allowed in this context", line: 1, column: 5)
        expectError("a: [1, 2\n", .yaml,
                    "YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence that starts at line 1, column 4)",
                    line: 2, column: 1)
        expectError("a: \"abc", .yaml,
                    "YAML syntax error: found unexpected end of stream (while scanning a quoted scalar that starts at line 1, column 4)",
                    line: 1, column: 8)
        expectError("a:\n  b: 1\n\tc: 2\n", .yaml,
                    "YAML syntax error: a tab is used for indentation; indent with spaces", line: 3, column: 1)
        expectError("a:\n\tb: 1\n", .yaml,
                    "YAML syntax error: a tab is used for indentation; indent with spaces", line: 2, column: 1)
        expectError("a: @home\n", .yaml,
                    "YAML syntax error: \"@\" cannot start a value; put the text in quotes", line: 1, column: 4)
        expectError("a: \"\\x4\"", .yaml,
                    "YAML syntax error: did not find expected hexdecimal number (while parsing a quoted scalar that starts at line 1, column 4)",
                    line: 1, column: 7)
    }

    @Test func controlCharactersAreRefused() {
        expectError("a: b\u{7}c\n", .yaml, "control character U+0007 is not allowed in YAML", line: 1, column: 5)
    }

    @Test func emptyDocument() {
        expectError("", .yaml, "the document is empty", line: 1, column: 1)
        expectError("# only a comment\n\n", .yaml, "the document is empty", line: 3, column: 1)
    }

    @Test func byteOrderMarkIsSkipped() throws {
        let root = try DocumentReader.parse([0xEF, 0xBB, 0xBF] + Array("a: 1".utf8), format: .yaml)
        #expect(member(root, "a")?.position == at(1, 4))
    }

    @Test func tooLargeNumber() {
        expectError("a: [1e999]", .yaml, "number 1e999 is too large", line: 1, column: 5, path: "a[0]")
    }
}

// MARK: - The reader

@Suite("Document reader") struct DocumentReaderFileTests {
    @Test func nonUTF8IsRefusedWithItsPosition() {
        var bytes = Array("{\n  \"name\": \"caf".utf8)
        bytes += [0xE9] + Array("\"\n}".utf8)  // Latin-1 é
        for format in DocumentFormat.allCases {
            guard let found = issue(bytes, format) else { continue }
            #expect(found.message == "invalid UTF-8 byte 0xE9 (the file must be saved as UTF-8)")
            #expect(found.position == at(2, 15))
        }
        // Shift JIS, an overlong form, a surrogate, and a sequence cut short at the end.
        let cases: [([UInt8], String, SourcePosition)] = [
            (Array("a: ".utf8) + [0x93, 0xFA], "invalid UTF-8 byte 0x93 (the file must be saved as UTF-8)", at(1, 4)),
            (Array("[\"".utf8) + [0xC0, 0xAF] + Array("\"]".utf8), "invalid UTF-8 byte 0xC0 (the file must be saved as UTF-8)", at(1, 3)),
            (Array("[\"日".utf8) + [0xED, 0xA0, 0x80] + Array("\"]".utf8), "invalid UTF-8 byte 0xED (the file must be saved as UTF-8)", at(1, 4)),
            (Array("[1]\n".utf8) + [0xE6, 0x97], "invalid UTF-8 byte 0xE6 (the file must be saved as UTF-8)", at(2, 1)),
            ([0xFF], "invalid UTF-8 byte 0xFF (the file must be saved as UTF-8)", at(1, 1)),
        ]
        for (bytes, message, position) in cases {
            guard let found = issue(bytes, .json) else { continue }
            #expect(found.message == message)
            #expect(found.position == position)
        }
    }

    @Test func utf16IsRefused() {
        let bytes: [UInt8] = [0xFF, 0xFE] + Array("{}".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        guard let found = issue(bytes, .json) else { return }
        #expect(found.message == "the file is UTF-16 text; save it as UTF-8")
        #expect(found.position == at(1, 1))
    }

    @Test func oversizedInputIsRefused() {
        let bytes = [UInt8](repeating: 0x20, count: DocumentReader.maximumBytes + 1)
        for format in DocumentFormat.allCases {
            guard let found = issue(bytes, format) else { continue }
            #expect(found.message == "input is 16.1 MB; the limit for an instance is 16 MB")
            #expect(found.position == at(1, 1))
        }
        #expect(DocumentReader.describeSize(42_153_574) == "40.2 MB")
        #expect(DocumentReader.describeSize(1536) == "1.5 KB")
        #expect(DocumentReader.describeSize(12) == "12 bytes")
    }

    @Test func readsFilesAndChoosesTheFormat() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rinban-reader-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func write(_ name: String, _ text: String) throws -> String {
            let path = folder.appendingPathComponent(name).path
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            return path
        }
        let json = try DocumentReader.read(contentsOf: try write("a.json", "{\"a\": 1}"))
        #expect(json.format == .json)
        let yaml = try DocumentReader.read(contentsOf: try write("a.YML", "a: 1"))
        #expect(yaml.format == .yaml)
        #expect(sameTree(json.node, yaml.node) == nil)
        #expect(try DocumentReader.read(contentsOf: try write("b.yaml", "[1, 2]")).format == .yaml)
        #expect(try DocumentReader.read(contentsOf: try write("sniffed", "\u{FEFF}\n  [1, 2]")).format == .json)
        #expect(try DocumentReader.read(contentsOf: try write("sniffed.txt", "a: 1")).format == .yaml)

        // Errors name the file.
        let bad = try write("bad.json", "{\n  \"a\": tru\n}")
        do {
            _ = try DocumentReader.read(contentsOf: bad)
            Issue.record("expected an error")
        } catch {
            #expect(error.file == bad)
            #expect(error.issues.first?.position == at(2, 8))
            #expect(error.description.hasPrefix("\(bad): 1 problem"))
        }
        let missing = folder.appendingPathComponent("missing.json").path
        do {
            _ = try DocumentReader.read(contentsOf: missing)
            Issue.record("expected an error")
        } catch {
            #expect(error.file == missing)
            #expect(error.issues.map(\.message) == ["file not found"])
        }
        do {
            _ = try DocumentReader.read(contentsOf: folder.path)
            Issue.record("expected an error")
        } catch {
            #expect(error.issues.map(\.message) == ["is a folder, not a file"])
        }
    }

    @Test func oversizedFileIsRefusedWithoutReadingIt() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rinban-big-\(UUID().uuidString).json").path
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        defer { try? FileManager.default.removeItem(atPath: path) }
        // A sparse 40.2 MB file: no disk is used and, if it were read, the test would be slow.
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: 42_153_574)
        try handle.close()
        do {
            _ = try DocumentReader.read(contentsOf: path)
            Issue.record("expected an error")
        } catch {
            #expect(error.file == path)
            #expect(error.issues.map(\.message) == ["file is 40.2 MB; the limit for an instance is 16 MB"])
        }
    }

    @Test func largeDocumentParsesQuickly() throws {
        var text = "{\"physicians\": ["
        var count = 0
        while text.utf8.count < 5_000_000 {
            if count > 0 { text += ",\n" }
            text += "{\"id\": \"p\(count)\", \"name\": \"山田 \(count)\", \"fte\": 0.\(count % 10)5, \"on\": true, \"x\": null, \"days\": [\"2027-01-01\", \(count)]}"
            count += 1
        }
        text += "]}"
        let bytes = Array(text.utf8)
        let clock = ContinuousClock()
        var root: DocumentNode?
        let elapsed = clock.measure { root = try? DocumentReader.parse(bytes, format: .json) }
        guard case let .array(items)? = root.flatMap({ member($0, "physicians") })?.value else {
            Issue.record("not parsed"); return
        }
        #expect(items.count == count)
        #expect(items.last?.position.line == count)
        // Well under a second in release; a debug build is several times slower.
        #expect(elapsed < .seconds(10))
    }
}

// MARK: - Random mutations

@Suite("Random mutations") struct DocumentMutationTests {
    static let mutationsPerFormat = 4000

    /// Flips, deletions, insertions and truncations of a realistic document must each give
    /// a tree or an InputError whose issues all have a position, and never a crash.
    @Test(arguments: DocumentFormat.allCases)
    func mutatedDocumentsNeverCrash(format: DocumentFormat) {
        let original = Array((format == .json ? sampleJSON : sampleYAML).utf8)
        var random = SplitMix64(state: format == .json ? 0x5EED_0001 : 0x5EED_0002)
        let interesting: [UInt8] = Array("{}[],:\"'\\-&*!?|>#%@`\t\n\r 0e.~".utf8) + [0x00, 0x7F, 0x80, 0xC3, 0xE6, 0xFF, 0xEF, 0xBB, 0xBF]
        var trees = 0
        var errors = 0
        for _ in 0..<Self.mutationsPerFormat {
            var bytes = original
            let edits = Int.random(in: 1...4, using: &random)
            for _ in 0..<edits where !bytes.isEmpty {
                let at = Int.random(in: 0..<bytes.count, using: &random)
                let randomByte = Bool.random(using: &random) ? interesting.randomElement(using: &random)! : UInt8.random(in: 0...255, using: &random)
                switch Int.random(in: 0..<6, using: &random) {
                case 0: bytes[at] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &random)
                case 1: bytes[at] = randomByte
                case 2: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...8, using: &random)))
                case 3: bytes.insert(randomByte, at: at)
                case 4: bytes.removeSubrange(at...)
                default:
                    // Repeat a slice: duplicates keys and deepens nesting.
                    let end = min(bytes.count, at + Int.random(in: 1...64, using: &random))
                    bytes.insert(contentsOf: bytes[at..<end], at: at)
                }
            }
            do {
                _ = try DocumentReader.parse(bytes, format: format)
                trees += 1
            } catch {
                errors += 1
                #expect(!error.issues.isEmpty)
                for issue in error.issues {
                    #expect(issue.position != nil, "no position: \(issue.message)")
                    if let position = issue.position { #expect(position.line >= 1 && position.column >= 1) }
                    #expect(!issue.message.isEmpty)
                }
            }
        }
        #expect(trees + errors == Self.mutationsPerFormat)
        #expect(errors > 0)
    }
}
