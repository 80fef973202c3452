/// SplitMix64 (Steele, Lea and Flood 2014): rinban's only source of randomness (the
/// generator's instances, the planner's choice of neighbourhoods).
///
/// Written out here rather than taken from the standard library so that the sequence, and
/// with it every generated instance, is fixed by this file alone: the same seed gives the
/// same numbers on every platform and every Swift version. Integers are drawn by a
/// multiply-high reduction and doubles from the top 53 bits, so no step depends on the
/// platform's floating-point library.
public struct SplitMix64: Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    /// An independent stream for one concern (names, absences, beds, …), so that changing
    /// how one part of an instance is drawn leaves the other parts as they were.
    init(seed: UInt64, stream: String) {
        // FNV-1a of the stream's name, then one SplitMix64 step to spread it.
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in stream.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        var mixer = SplitMix64(seed: seed ^ hash)
        state = mixer.next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A whole number in `0..<count` (`count` > 0).
    public mutating func below(_ count: Int) -> Int {
        precondition(count > 0, "below(_:) needs a positive count")
        return Int(next().multipliedFullWidth(by: UInt64(count)).high)
    }

    /// A whole number in `range`.
    mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.count)
    }

    /// A number in [0, 1) with 53 random bits.
    mutating func unit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A number in [low, high).
    mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * unit()
    }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool {
        unit() < p
    }

    /// One element of a non-empty array.
    mutating func pick<T>(_ elements: [T]) -> T {
        elements[below(elements.count)]
    }

    /// An index drawn with probability proportional to `weights` (all ≥ 0, some > 0).
    mutating func weighted(_ weights: [Double]) -> Int {
        let total = weights.reduce(0, +)
        var target = unit() * total
        for (i, w) in weights.enumerated() {
            if target < w { return i }
            target -= w
        }
        return weights.lastIndex(where: { $0 > 0 }) ?? 0
    }

    /// Fisher–Yates, drawing from this stream.
    public mutating func shuffle<T>(_ elements: inout [T]) {
        guard elements.count > 1 else { return }
        for i in stride(from: elements.count - 1, to: 0, by: -1) {
            elements.swapAt(i, below(i + 1))
        }
    }

    /// `elements` in a random order.
    public mutating func shuffled<T>(_ elements: [T]) -> [T] {
        var copy = elements
        shuffle(&copy)
        return copy
    }
}

/// Splits `total` into whole parts proportional to `weights` (largest remainder, ties to
/// the lower index), after first giving every part `minimum`.
///
/// Used instead of independent draws wherever the seeds give a rate ("0.34 physicians aged
/// 65 or over per clinic"): the generated counts then match the rate up to rounding, even
/// for small networks.
func apportion(_ total: Int, weights: [Double], minimum: Int = 0) -> [Int] {
    precondition(!weights.isEmpty && total >= minimum * weights.count, "apportion: too little to give the minimum")
    var parts = [Int](repeating: minimum, count: weights.count)
    let rest = total - minimum * weights.count
    let sum = weights.reduce(0, +)
    guard rest > 0 else { return parts }
    guard sum > 0 else {
        parts[0] += rest
        return parts
    }
    var remainders: [(fraction: Double, index: Int)] = []
    var given = 0
    for (i, w) in weights.enumerated() {
        let quota = Double(rest) * w / sum
        let whole = Int(quota.rounded(.down))
        parts[i] += whole
        given += whole
        remainders.append((quota - Double(whole), i))
    }
    remainders.sort { $0.fraction != $1.fraction ? $0.fraction > $1.fraction : $0.index < $1.index }
    for k in 0..<(rest - given) { parts[remainders[k % remainders.count].index] += 1 }
    return parts
}

/// `count` category indices, as many of each as `apportion` gives its probability, in a
/// random order.
func quotaSequence(_ count: Int, probabilities: [Double], rng: inout SplitMix64) -> [Int] {
    guard count > 0 else { return [] }
    let parts = apportion(count, weights: probabilities)
    var sequence: [Int] = []
    for (category, n) in parts.enumerated() { sequence += Array(repeating: category, count: n) }
    rng.shuffle(&sequence)
    return sequence
}
