import Foundation
@testable import RinbanCore
import Testing

/// SplitMix64: a fixed-seed generator so every run mutates the same way.
struct MutationRandom {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
}

/// Structural mutations of a document tree: what a hand edit or a bad export does.
enum TreeMutator {
    static let replacements: [DocumentNode.Value] = [
        .null, .bool(true), .number(0, text: "0"), .number(-1, text: "-1"), .number(1.5, text: "1.5"),
        .number(1e308, text: "1e308"), .number(123_456_789_012, text: "123456789012"), .string(""),
        .string("c01"), .string("north"), .string("night"), .string("2027-01-02"), .string("2026-12-31"),
        .string("2099-12-31"), .string("18:00"), .string("p03"), .string("s01"), .string("substitute"),
        .string("all"), .string("eol"), .string(String(repeating: "x", count: 70)), .array([]), .object([]),
    ]

    /// Applies one random mutation somewhere in the tree.
    static func mutate(_ node: DocumentNode, _ random: inout MutationRandom) -> DocumentNode {
        var count = 0
        countNodes(node, &count)
        var target = random.below(count)
        return apply(node, &target, &random)
    }

    static func countNodes(_ node: DocumentNode, _ count: inout Int) {
        count += 1
        switch node.value {
        case let .array(elements): for e in elements { countNodes(e, &count) }
        case let .object(members): for m in members { countNodes(m.node, &count) }
        default: break
        }
    }

    static func apply(_ node: DocumentNode, _ target: inout Int, _ random: inout MutationRandom) -> DocumentNode {
        if target == 0 {
            target = -1
            return change(node, &random)
        }
        target -= 1
        var copy = node
        switch node.value {
        case var .array(elements):
            for i in elements.indices where target >= 0 { elements[i] = apply(elements[i], &target, &random) }
            copy.value = .array(elements)
        case var .object(members):
            for i in members.indices where target >= 0 { members[i].node = apply(members[i].node, &target, &random) }
            copy.value = .object(members)
        default: break
        }
        return copy
    }

    static func change(_ node: DocumentNode, _ random: inout MutationRandom) -> DocumentNode {
        var copy = node
        switch (node.value, random.below(4)) {
        case (var .array(elements), 0) where !elements.isEmpty:
            elements.remove(at: random.below(elements.count))  // drop an entry
            copy.value = .array(elements)
        case (var .array(elements), 1) where !elements.isEmpty:
            elements.append(elements[random.below(elements.count)])  // duplicate an entry
            copy.value = .array(elements)
        case (var .object(members), 0) where !members.isEmpty:
            members.remove(at: random.below(members.count))  // drop a key
            copy.value = .object(members)
        case (var .object(members), 1) where !members.isEmpty:
            let k = random.below(members.count)  // rename a key
            members[k].key = ["id", "name", "block", "clinic", "extra", "from", "date", members[k].key + "s"][random.below(8)]
            if members.filter({ $0.key == members[k].key }).count > 1 { members.remove(at: k) }
            copy.value = .object(members)
        default:
            copy.value = replacements[random.below(replacements.count)]
        }
        return copy
    }
}

@Suite("Mutations of tiny.json never crash the reader")
struct InstanceMutationTests {
    /// Either a valid instance or errors, each with a path; never a crash.
    func check(_ outcome: () throws(InputError) -> LoadedInstance) -> Bool {
        do {
            let loaded = try outcome()
            _ = FeasibilityPrecheck(loaded: loaded)
            return true
        } catch {
            #expect(!error.issues.isEmpty)
            #expect(error.issues.contains { $0.severity == .error })
            return false
        }
    }

    @Test("2,000 structural mutations: valid or errors")
    func structural() throws {
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: tinyPath)))
        let original = try DocumentReader.parse(bytes, format: .json)
        var random = MutationRandom(state: 20_261_122)
        var valid = 0
        for round in 0..<2000 {
            var node = original
            for _ in 0..<(1 + round % 3) { node = TreeMutator.mutate(node, &random) }
            if check({ () throws(InputError) in try InstanceDecoder.decode(node) }) { valid += 1 }
        }
        // Some mutations are harmless (a dropped avoid entry), most are not.
        #expect(valid > 50)
        #expect(valid < 1950)
    }

    @Test("2,000 byte mutations: valid or errors")
    func bytes() throws {
        let original = try Array(Data(contentsOf: URL(fileURLWithPath: tinyPath)))
        var random = MutationRandom(state: 7)
        for round in 0..<2000 {
            var bytes = original
            for _ in 0..<(1 + round % 4) {
                let i = random.below(bytes.count)
                switch random.below(4) {
                case 0: bytes[i] = UInt8(truncatingIfNeeded: random.next())
                case 1: bytes.remove(at: i)
                case 2: bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: i)
                default: bytes = Array(bytes.prefix(i))
                }
                if bytes.isEmpty { bytes = [0x7B] }
            }
            _ = check({ () throws(InputError) in
                try InstanceDecoder.decode(try DocumentReader.parse(bytes, format: .json))
            })
        }
    }
}
