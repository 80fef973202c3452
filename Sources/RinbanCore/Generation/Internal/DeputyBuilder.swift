/// Draws a network's patient deputies (SPEC section 4b, 主治医・副主治医制): which clinics
/// register home-care patients for a named deputy, how many, which of them need a deputy who
/// certifies deaths at home, who was each one's deputy last period, and which physicians cap
/// or decline deputy work.
///
/// It sees the network only through plain values (blocks, clinics, physicians), draws from
/// one stream of its own and runs after everything else has been drawn, so adding or changing
/// the deputies leaves every other section of an instance as it was.
///
/// Shape (shared by every profile that has deputies; see `instances/README.md`):
/// - the profile's share of clinics register patients, spread over the blocks in proportion
///   to their clinics; such a clinic has 3–15 of them, more with more home-care physicians;
/// - a third need `eol` (a deputy who certifies deaths at home);
/// - about one in twenty lives across the border of the attending's block (`block` set to
///   a neighbouring block);
/// - four in five had a deputy last period (`previous`); the others are new this period.
///   Last period's deputy was eligible then: now and then (about one in twenty-five) the
///   patient's condition, home or the physician's willingness has changed since, and that
///   physician is no longer eligible;
/// - about 6 % of the physicians of the deputy pool cap their deputy patients at 1–3 and
///   2 % take none, three times as often among those aged 65 or over.
struct DeputyBuilder {
    struct Physician {
        var clinic: Int
        var block: Int
        var eol: Bool
        var share: Double
        var senior: Bool
    }

    struct Patient {
        var attending: Int
        /// Set only when the patient lives outside the attending's block.
        var block: Int?
        var eol: Bool
        var previous: Int?
    }

    /// The drawn section: `caps[p]` is physician p's `maxDeputyPatients` (nil: no cap).
    struct Result {
        var caps: [Int?]
        var patients: [Patient]
    }

    let spec: InstanceGenerator.DeputySpec
    /// Neighbouring blocks of each block.
    let neighbors: [[Int]]
    /// The block of each clinic.
    let clinicBlocks: [Int]
    let physicians: [Physician]
    /// The physicians of each block, in order.
    let byBlock: [[Int]]

    init(spec: InstanceGenerator.DeputySpec, neighbors: [[Int]], clinicBlocks: [Int], physicians: [Physician]) {
        self.spec = spec
        self.neighbors = neighbors
        self.clinicBlocks = clinicBlocks
        self.physicians = physicians
        var byBlock = [[Int]](repeating: [], count: neighbors.count)
        for (p, m) in physicians.enumerated() { byBlock[m.block].append(p) }
        self.byBlock = byBlock
    }

    static let eolShare = 1.0 / 3
    static let previousShare = 0.8
    static let staleShare = 0.04
    static let crossBorderShare = 0.05

    /// Patients a clinic's first home-care physician brings: 3–9, fewer more often, and
    /// fewer still when aged 65 or over; further physicians add 2–6 each.
    private static let firstCounts = Array(3...9)
    private static let firstWeights = [0.16, 0.18, 0.18, 0.16, 0.13, 0.11, 0.08]
    private static let seniorWeights = [0.30, 0.25, 0.18, 0.12, 0.08, 0.05, 0.02]
    static let clinicRange = 3...15

    func build(_ random: inout SplitMix64) -> Result {
        let caps = drawCaps(&random)
        var eligible = Eligibility(builder: self, caps: caps)
        var patients = drawPatients(&random, eligible: &eligible)
        drawPrevious(&random, patients: &patients, caps: caps, eligible: &eligible)
        return Result(caps: caps, patients: patients)
    }

    // MARK: Caps

    /// `maxDeputyPatients`: by quota among the physicians with a share (nobody else could
    /// deputise anyway), separately for those aged 65 or over.
    private func drawCaps(_ random: inout SplitMix64) -> [Int?] {
        var caps = [Int?](repeating: nil, count: physicians.count)
        for senior in [false, true] {
            let pool = physicians.indices.filter { physicians[$0].share > 0 && physicians[$0].senior == senior }
            let kinds = quotaSequence(pool.count, probabilities: senior ? [0.76, 0.18, 0.06] : [0.92, 0.06, 0.02], rng: &random)
            for (k, p) in pool.enumerated() {
                switch kinds[k] {
                case 1: caps[p] = random.int(in: 1...3)
                case 2: caps[p] = 0
                default: break
                }
            }
        }
        return caps
    }

    // MARK: Patients

    private func drawPatients(_ random: inout SplitMix64, eligible: inout Eligibility) -> [Patient] {
        let clinicCount = clinicBlocks.count
        // Clinics with someone to attend a patient: a home-care physician with a share.
        var attendings = [[Int]](repeating: [], count: clinicCount)
        for (p, m) in physicians.enumerated() where m.share > 0 { attendings[m.clinic].append(p) }
        let able = (0..<clinicCount).filter { !attendings[$0].isEmpty }
        guard !able.isEmpty else { return [] }
        let blockCount = neighbors.count
        let perBlock = (0..<blockCount).map { b in Double(able.filter { clinicBlocks[$0] == b }.count) }
        let total = min(able.count, max(1, Int((Double(able.count) * spec.clinicShare).rounded())))
        let quota = apportion(total, weights: perBlock)
        var registering: [Int] = []
        for b in 0..<blockCount {
            let local = random.shuffled(able.filter { clinicBlocks[$0] == b })
            registering += local.prefix(min(quota[b], local.count))
        }
        registering.sort()

        // How many patients each attending physician has registered.
        var attendingOf: [Int] = []
        for c in registering {
            var counts = attendings[c].enumerated().map { j, p -> Int in
                guard j == 0 else { return random.int(in: 2...6) }
                return Self.firstCounts[random.weighted(physicians[p].senior ? Self.seniorWeights : Self.firstWeights)]
            }
            var sum = counts.reduce(0, +)  // at least 3: the first physician's
            var j = counts.count - 1
            while sum > Self.clinicRange.upperBound {
                let cut = min(counts[j], sum - Self.clinicRange.upperBound)
                counts[j] -= cut
                sum -= cut
                j -= 1
            }
            for (j, p) in attendings[c].enumerated() {
                attendingOf += Array(repeating: p, count: counts[j])
            }
        }

        let eol = quotaSequence(attendingOf.count, probabilities: [1 - Self.eolShare, Self.eolShare], rng: &random)
        var patients: [Patient] = []
        for (k, attending) in attendingOf.enumerated() {
            let home = physicians[attending].block
            var patient = Patient(attending: attending, block: nil, eol: eol[k] == 1, previous: nil)
            if !neighbors[home].isEmpty && random.chance(Self.crossBorderShare) {
                patient.block = random.pick(neighbors[home])
            }
            // A coordinator who finds no eligible deputy registers the patient otherwise: at
            // home after all (the deputy lives nearby), then without the `eol` need (death
            // certification falls to the 看取り当番), else not at all. A safeguard: blocks of
            // at least three clinics, each block with an `eol` physician, make it very rare.
            if eligible.of(patient).isEmpty { patient.block = nil }
            if eligible.of(patient).isEmpty { patient.eol = false }
            if eligible.of(patient).isEmpty { continue }
            patients.append(patient)
        }
        return patients
    }

    private func block(of patient: Patient) -> Int { patient.block ?? physicians[patient.attending].block }

    /// The physicians eligible as deputy (SPEC 4b: another clinic, share > 0, cap not 0,
    /// `eol` if needed, the patient's block or a neighbour), in instance order, worked out
    /// once for all patients of a clinic with the same block and need.
    struct Eligibility {
        private struct Need: Hashable {
            var clinic: Int
            var block: Int
            var eol: Bool
        }

        let builder: DeputyBuilder
        let caps: [Int?]
        private var known: [Need: [Int]] = [:]

        init(builder: DeputyBuilder, caps: [Int?]) {
            self.builder = builder
            self.caps = caps
        }

        mutating func of(_ patient: Patient) -> [Int] {
            let physicians = builder.physicians
            let need = Need(clinic: physicians[patient.attending].clinic, block: builder.block(of: patient), eol: patient.eol)
            if let list = known[need] { return list }
            let list = ([need.block] + builder.neighbors[need.block]).flatMap { builder.byBlock[$0] }.sorted().filter { q in
                let m = physicians[q]
                return m.clinic != need.clinic && m.share > 0 && caps[q] != 0 && (!need.eol || m.eol)
            }
            known[need] = list
            return list
        }
    }

    // MARK: Last period's deputies

    /// Who deputised last period. Volunteers (長崎在宅Dr.ネット) are unevenly keen: some take
    /// many patients, some few. A coordinator (板橋区, 坂井地区, 高松市の在宅医療コーディネーター)
    /// spreads them: each further patient is less likely to go to someone who has many.
    /// Either way nobody was over their cap, and a deputy from the patient's own block was
    /// three times as likely as one from next door.
    private func drawPrevious(_ random: inout SplitMix64, patients: inout [Patient], caps: [Int?],
                              eligible: inout Eligibility) {
        guard !patients.isEmpty else { return }
        let keenness = physicians.indices.map { _ in random.pick([0.4, 0.7, 1, 1, 1, 1.5, 2.5]) }
        let had = quotaSequence(patients.count, probabilities: [1 - Self.previousShare, Self.previousShare], rng: &random)
        let withPrevious = random.shuffled(patients.indices.filter { had[$0] == 1 })
        let stale = quotaSequence(withPrevious.count, probabilities: [1 - Self.staleShare, Self.staleShare], rng: &random)
        var load = [Int](repeating: 0, count: physicians.count)
        // Last period nobody had declined deputies yet.
        var before = Eligibility(builder: self, caps: caps.map { $0 == 0 ? nil : $0 })
        for (k, h) in withPrevious.enumerated() {
            let patient = patients[h]
            let home = block(of: patient)
            let now = eligible.of(patient)
            if stale[k] == 1 {
                // Eligible last period, when the patient lived in the attending's block, did
                // not need `eol` yet and the physician still took deputies.
                let still = Set(now)
                let then = Patient(attending: patient.attending, block: nil, eol: false, previous: nil)
                let gone = before.of(then).filter { !still.contains($0) }
                if !gone.isEmpty {
                    patients[h].previous = random.pick(gone)
                    continue
                }
            }
            let weights = now.map { q -> Double in
                if let cap = caps[q], load[q] >= cap { return 0 }
                let near = physicians[q].block == home ? 3.0 : 1.0
                switch spec.nomination {
                case .volunteered: return near * keenness[q]
                case .coordinator: return near / Double(1 + load[q])
                }
            }
            guard weights.contains(where: { $0 > 0 }) else { continue }
            let q = now[random.weighted(weights)]
            load[q] += 1
            patients[h].previous = q
        }
    }
}
