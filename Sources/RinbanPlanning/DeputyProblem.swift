import RinbanCore

/// The deputy designation of SPEC section 4b as data for the planners: for every
/// home-care patient its eligible deputies with what choosing each costs, and the deputy
/// pool's fair shares. Built once per instance; O(patients × physicians + absences).
public struct DeputyProblem: Sendable {
    public let instance: Instance

    /// An eligible (patient, physician) pair and its cost components.
    public struct Candidate: Sendable, Hashable {
        public var member: MemberIndex
        /// Block distance between the patient's block and the physician's (0 or 1).
        public var distance: Int
        /// Period dates on which the attending and this physician are both whole-day unavailable.
        public var bothAway: Int
        /// Whether this physician is the patient's `previous` deputy.
        public var isPrevious: Bool
    }

    /// Eligible deputies of each patient (instance order of patients, then of physicians).
    public let candidates: [[Candidate]]
    /// The deputy pool: physicians with share > 0 and maxDeputyPatients absent or > 0.
    public let pool: [MemberIndex]
    /// t_q for each pool member (SPEC section 4b).
    public let target: [MemberIndex: Double]
    public var weights: Weights { instance.weights }

    public init(instance: Instance) {
        self.instance = instance
        // Whole-day absences as sorted day numbers, only for physicians who have any.
        var away: [MemberIndex: Set<Int>] = [:]
        for q in instance.members.indices where instance.members[q].pool == .physicians {
            let dates = instance.wholeDayUnavailableDates(of: q)
            if !dates.isEmpty { away[q] = Set(dates.map(\.dayNumber)) }
        }
        // The pool by block, so a patient looks only at its own block and the neighbours
        // (eligibility is exactly Instance.deputyIneligibility's; a test holds them equal).
        let pool = instance.deputyPool
        var byBlock: [BlockID: [MemberIndex]] = [:]
        for q in pool { byBlock[instance.members[q].block, default: []].append(q) }
        candidates = instance.homePatients.map { patient in
            let attending = instance.memberIndex[patient.attending]
            let clinic = attending.flatMap { instance.members[$0].clinic }
            let attendingAway = attending.flatMap { away[$0] }
            var near = byBlock[patient.block] ?? []
            for block in instance.neighbors[patient.block] ?? [] { near += byBlock[block] ?? [] }
            return near.sorted().compactMap { q -> Candidate? in
                let m = instance.members[q]
                guard m.clinic != clinic, patient.requires.isSubset(of: m.skills) else { return nil }
                var both = 0
                if let a = attendingAway, let b = away[q] { both = a.intersection(b).count }
                return Candidate(member: q, distance: m.block == patient.block ? 0 : 1, bothAway: both,
                                 isPrevious: m.id == patient.previous)
            }
        }
        self.pool = pool
        target = instance.deputyTargets()
    }

    /// Patients, for loops.
    public var patientCount: Int { instance.homePatients.count }

    /// What choosing `candidate` adds to the weighted objective besides fairness, against
    /// leaving the patient without a deputy (so it is negative: a deputy saves `undeputed`).
    public func linearCost(_ candidate: Candidate) -> Double {
        let w = weights
        return w[.deputyDistance] * Double(candidate.distance) + w[.deputyGap] * Double(candidate.bothAway)
            - (candidate.isPrevious ? w[.deputyChange] : 0) - w[.undeputed]
    }

    /// The weighted objective of the deputy terms when every patient is without a deputy
    /// and nobody counts toward fairness: the constant the linear costs are measured from.
    public var emptyConstant: Double {
        let w = weights
        let withPrevious = instance.homePatients.filter { $0.previous != nil }.count
        return w[.undeputed] * Double(patientCount) + w[.deputyChange] * Double(withPrevious)
    }

    /// The candidate of patient `h` with member `q`, if eligible.
    public func candidate(_ h: Int, _ q: MemberIndex) -> Candidate? {
        candidates[h].first { $0.member == q }
    }

    /// Whether the pool's fairness term counts at all (a non-empty pool and patients).
    var fairnessCounts: Bool {
        !pool.isEmpty && patientCount > 0 && pool.reduce(0) { $0 + instance.members[$1].share } > 0
    }

    /// The five deputy terms (unweighted) of a designation: `deputy[h]` is patient h's
    /// deputy or nil. Every chosen deputy must be one of the patient's candidates.
    public func terms(_ deputy: [MemberIndex?]) -> [ObjectiveTerm: Double] {
        var undeputed = 0, distance = 0, change = 0, gap = 0
        var count: [MemberIndex: Int] = [:]
        for (h, patient) in instance.homePatients.enumerated() {
            guard let q = deputy[h], let c = candidate(h, q) else {
                undeputed += 1
                if patient.previous != nil { change += 1 }
                continue
            }
            count[q, default: 0] += 1
            distance += c.distance
            gap += c.bothAway
            if !c.isPrevious && patient.previous != nil { change += 1 }
        }
        let fairness = fairnessCounts ? pool.reduce(0) { $0 + abs(Double(count[$1] ?? 0) - target[$1]!) } : 0
        return [.undeputed: Double(undeputed), .deputyDistance: Double(distance), .deputyFairness: fairness,
                .deputyChange: Double(change), .deputyGap: Double(gap)]
    }

    /// Σ weight × value of the deputy terms.
    public func weightedTotal(_ deputy: [MemberIndex?]) -> Double {
        terms(deputy).reduce(0) { $0 + weights[$1.key] * $1.value }
    }

    /// A lower bound without solving anything: each patient at its cheapest candidate (or
    /// without one when none is eligible), caps and fairness ignored.
    public func countingBound() -> Double {
        var bound = emptyConstant
        for h in candidates.indices {
            bound += min(0, candidates[h].map(linearCost).min() ?? 0)
        }
        return bound
    }

    /// The designations of a choice, in patient order.
    public func designations(_ deputy: [MemberIndex?]) -> [DeputyDesignation] {
        instance.homePatients.indices.compactMap { h in
            deputy[h].map { DeputyDesignation(patient: instance.homePatients[h].id, deputy: instance.members[$0].id) }
        }
    }

    /// A plan's deputies as a choice per patient; entries that name unknown patients or
    /// physicians, or ineligible ones, are dropped (the first eligible entry of a patient counts).
    public func choice(from designations: [DeputyDesignation]) -> [MemberIndex?] {
        var deputy = [MemberIndex?](repeating: nil, count: patientCount)
        for d in designations {
            guard let h = instance.homePatientIndex[d.patient], deputy[h] == nil,
                  let q = instance.memberIndex[d.deputy], candidate(h, q) != nil
            else { continue }
            deputy[h] = q
        }
        return deputy
    }

    /// Why patient `h` has no deputy in `deputy` (for people): nobody eligible (and why),
    /// or how many eligible physicians are at their cap.
    public func whyUndeputed(_ h: Int, in deputy: [MemberIndex?]) -> String {
        let patient = instance.homePatients[h]
        guard !candidates[h].isEmpty else { return "no eligible physician: " + instance.whyNoDeputy(for: patient) }
        var count: [MemberIndex: Int] = [:]
        for q in deputy.compactMap({ $0 }) { count[q, default: 0] += 1 }
        let full = candidates[h].filter { (count[$0.member] ?? 0) >= cap($0.member) }.count
        let n = candidates[h].count
        return full == n ? "all \(n) eligible physician\(n == 1 ? " is" : "s are") at their maxDeputyPatients"
            : "\(n) eligible, \(full) at their maxDeputyPatients; leaving it open was cheaper (check the weights)"
    }

    /// The cap of a physician (Int.max without one).
    func cap(_ q: MemberIndex) -> Int { instance.members[q].maxDeputyPatients ?? Int.max }
}
