import Foundation
import RinbanCore

/// "Who could be this patient's deputy?": for one home-care patient of a published plan,
/// every physician who could become its deputy (副主治医) instead of the current one,
/// ranked by how much the plan's objective rises, each with the reason for its place; then
/// the eligible physicians who are full, and every physician who is not eligible, with why.
///
/// The change is exact and local: only this patient's deputy moves, so only the five deputy
/// terms of SPEC section 5 can change, and of those only what concerns this patient and
/// the two physicians involved — `undeputed` (the patient had none), `deputyFairness` (the
/// new deputy's n → n + 1 and the old one's n → n − 1 against their fair shares t),
/// `deputyDistance`, `deputyChange` (continuity with `previous`) and `deputyGap` (dates on
/// which the attending and the deputy are both whole-day unavailable). Loads are counted
/// as the evaluator counts them: the first eligible entry of a patient counts.
///
/// Cost: one pass over the plan's deputies (each checked for eligibility, as the evaluator
/// does) and one over the physicians (their absences included); no solver. About 2–3 ms
/// on a 300-clinic instance with 1,600 patients (docs/what-if.md).
public struct DeputyRanking: Sendable {
    /// One term's share of a change, weighted.
    public struct Part: Sendable, Hashable {
        public var term: ObjectiveTerm
        /// weight × (value after − value before).
        public var change: Double
        /// What moves, in plain words: "A2: 0 → 1 patients against a fair share of 1".
        public var reason: String
    }

    /// A physician who could become the deputy.
    public struct Candidate: Sendable, Hashable {
        /// The physician's id and name.
        public var member: MemberID
        public var name: String
        /// n_q: patients whose counted deputy they are now.
        public var patients: Int
        /// t_q, their fair share of patients.
        public var target: Double
        /// Block distance between the patient's block and theirs (0 or 1).
        public var distance: Int
        /// Period dates on which the attending and they are both whole-day unavailable.
        public var bothAway: [CivilDate]
        /// Whether they are the patient's `previous` deputy.
        public var isPrevious: Bool
        /// Weighted objective after − before.
        public var increase: Double
        /// The increase by term, largest first (fairness always listed); they add up to `increase`.
        public var parts: [Part]
    }

    /// An eligible physician already deputy of `cap` patients (or more).
    public struct Full: Sendable, Hashable {
        /// The physician, the patients whose deputy they are and their `maxDeputyPatients`.
        public var member: MemberID
        public var name: String
        public var patients: Int
        public var cap: Int
    }

    /// A physician who cannot be this patient's deputy at all.
    public struct Ineligible: Sendable, Hashable {
        /// The physician's id and name.
        public var member: MemberID
        public var name: String
        /// Whether this is the attending physician.
        public var isAttending: Bool
        public var reasons: [DeputyIneligibility]
    }

    /// The deputy who counts now, and what this patient's own terms cost with them.
    public struct Current: Sendable, Hashable {
        /// The deputy, their patients n and fair share t.
        public var member: MemberID
        public var name: String
        public var patients: Int
        public var target: Double
        /// Weighted deputyDistance + deputyGap + deputyChange of this patient.
        public var cost: Double
        /// The nonzero parts of `cost`.
        public var parts: [Part]
    }

    /// A deputy the plan names for the patient that does not count (the patient counts as
    /// having none), with why.
    public struct NotCounted: Sendable, Hashable {
        /// The physician the plan names.
        public var member: MemberID
        /// The reasons they are not eligible (English), or "unknown physician".
        public var why: String
    }

    /// The patient ranked, and what decides who is eligible: the attending (主治医), the
    /// block the patient lives in, the skills required, the deputy of the last period.
    public var patient: HomePatientID
    public var attending: MemberID
    public var block: BlockID
    public var requires: Set<String>
    public var previous: MemberID?
    /// The counted deputy now; nil when the patient has none.
    public var current: Current?
    /// What the patient costs without a deputy: weighted undeputed, plus deputyChange when
    /// it has a `previous` deputy.
    public var withoutDeputy: Double
    /// Set when the plan names a deputy for the patient who does not count.
    public var notCounted: NotCounted?
    /// Cheapest first; equal increases: fewer patients first, then by id.
    public var candidates: [Candidate]
    /// By id.
    public var full: [Full]
    /// Every physician who is not eligible, by id.
    public var ineligible: [Ineligible]

    /// Ranks the physicians who could deputise for patient `h` (an index of
    /// `instance.homePatients`) in `plan`.
    public init(instance: Instance, plan: Plan, patient h: Int) {
        let home = instance.homePatients[h]
        let w = instance.weights
        patient = home.id
        attending = home.attending
        block = home.block
        requires = home.requires
        previous = home.previous

        // Loads as the evaluator counts them.
        var counted = [MemberIndex?](repeating: nil, count: instance.homePatients.count)
        var firstNamed: MemberID?
        for entry in plan.deputies {
            guard let k = instance.homePatientIndex[entry.patient] else { continue }
            if k == h, firstNamed == nil { firstNamed = entry.deputy }
            guard counted[k] == nil, let q = instance.memberIndex[entry.deputy],
                  instance.deputyIneligibility(of: q, for: instance.homePatients[k]).isEmpty
            else { continue }
            counted[k] = q
        }
        var load: [MemberIndex: Int] = [:]
        for q in counted.compactMap({ $0 }) { load[q, default: 0] += 1 }
        let targets = instance.deputyTargets()
        let pool = instance.deputyPool
        let fairnessCounts = !instance.homePatients.isEmpty && pool.reduce(0) { $0 + instance.members[$1].share } > 0
        func n(_ q: MemberIndex) -> Int { load[q] ?? 0 }
        func t(_ q: MemberIndex) -> Double { targets[q] ?? 0 }
        let attendingAway = instance.memberIndex[home.attending].map { instance.wholeDayUnavailableDates(of: $0) } ?? []
        func bothAway(_ q: MemberIndex) -> [CivilDate] {
            attendingAway.isEmpty ? [] : instance.wholeDayUnavailableDates(of: q).intersection(attendingAway).sorted()
        }
        func distance(_ q: MemberIndex) -> Int { instance.distance(home.block, instance.members[q].block) }
        func id(_ q: MemberIndex) -> String { instance.members[q].id.rawValue }

        let old = counted[h]
        let oldAway = old.map(bothAway) ?? []
        withoutDeputy = w[.undeputed] + (home.previous != nil ? w[.deputyChange] : 0)
        if let old {
            var parts: [Part] = []
            if distance(old) > 0 {
                parts.append(Part(term: .deputyDistance, change: w[.deputyDistance] * Double(distance(old)),
                                  reason: "block \(instance.members[old].block), next to the patient's block \(home.block)"))
            }
            if !oldAway.isEmpty {
                parts.append(Part(term: .deputyGap, change: w[.deputyGap] * Double(oldAway.count),
                                  reason: "both away with the attending on \(Self.dates(oldAway))"))
            }
            if let previous = home.previous, instance.members[old].id != previous {
                parts.append(Part(term: .deputyChange, change: w[.deputyChange], reason: "not the previous deputy \(previous)"))
            }
            current = Current(member: instance.members[old].id, name: instance.members[old].name, patients: n(old),
                              target: t(old), cost: parts.reduce(0) { $0 + $1.change }, parts: parts)
        } else {
            current = nil
            if let named = firstNamed {
                let why: String
                if let q = instance.memberIndex[named] {
                    why = instance.deputyIneligibility(of: q, for: home).map(\.description).joined(separator: "; ")
                } else {
                    why = "unknown physician"
                }
                notCounted = NotCounted(member: named, why: why)
            }
        }

        var candidates: [Candidate] = []
        var full: [Full] = []
        var ineligible: [Ineligible] = []
        for q in instance.members.indices where instance.members[q].pool == .physicians && q != old {
            let member = instance.members[q]
            let reasons = instance.deputyIneligibility(of: q, for: home)
            guard reasons.isEmpty else {
                ineligible.append(Ineligible(member: member.id, name: member.name, isAttending: member.id == home.attending,
                                             reasons: reasons))
                continue
            }
            if let cap = member.maxDeputyPatients, n(q) >= cap {
                full.append(Full(member: member.id, name: member.name, patients: n(q), cap: cap))
                continue
            }
            var parts: [Part] = []
            if old == nil {
                parts.append(Part(term: .undeputed, change: -w[.undeputed], reason: "the patient has no deputy now"))
            }
            if fairnessCounts {
                var change = abs(Double(n(q) + 1) - t(q)) - abs(Double(n(q)) - t(q))
                var reason = "\(member.id): \(n(q)) → \(n(q) + 1) patients against a fair share of \(Self.number(t(q)))"
                if let old {
                    change += abs(Double(n(old) - 1) - t(old)) - abs(Double(n(old)) - t(old))
                    reason += "; \(id(old)): \(n(old)) → \(n(old) - 1) against \(Self.number(t(old)))"
                }
                parts.append(Part(term: .deputyFairness, change: w[.deputyFairness] * change, reason: reason))
            }
            let oldDistance = old.map(distance) ?? 0
            if distance(q) != oldDistance {
                let place = distance(q) == 0 ? "in the patient's block \(home.block)"
                                             : "block \(member.block), next to the patient's block \(home.block)"
                parts.append(Part(term: .deputyDistance, change: w[.deputyDistance] * Double(distance(q) - oldDistance),
                                  reason: "block distance \(oldDistance) → \(distance(q)): " + place))
            }
            if let previous = home.previous {
                let before = old.map { instance.members[$0].id != previous } ?? true
                let after = member.id != previous
                if before != after {
                    parts.append(Part(term: .deputyChange, change: after ? w[.deputyChange] : -w[.deputyChange],
                                      reason: after ? "not the previous deputy \(previous)" : "the previous deputy returns"))
                }
            }
            let away = bothAway(q)
            if away.count != oldAway.count {
                var reasons: [String] = []
                if !away.isEmpty { reasons.append("both away with the attending on \(Self.dates(away))") }
                if let old, !oldAway.isEmpty { reasons.append("\(id(old)) was on \(Self.dates(oldAway))") }
                parts.append(Part(term: .deputyGap, change: w[.deputyGap] * Double(away.count - oldAway.count),
                                  reason: reasons.joined(separator: "; ")))
            }
            // Largest first; the stable order above breaks ties.
            let ordered = parts.enumerated().sorted {
                abs($0.element.change) != abs($1.element.change) ? abs($0.element.change) > abs($1.element.change)
                                                                 : $0.offset < $1.offset
            }.map(\.element)
            candidates.append(Candidate(member: member.id, name: member.name, patients: n(q), target: t(q), distance: distance(q),
                                        bothAway: away, isPrevious: member.id == home.previous,
                                        increase: parts.reduce(0) { $0 + $1.change }, parts: ordered))
        }
        self.candidates = candidates.sorted {
            if abs($0.increase - $1.increase) > 1e-9 { return $0.increase < $1.increase }
            if $0.patients != $1.patients { return $0.patients < $1.patients }
            return $0.member < $1.member
        }
        self.full = full.sorted { $0.member < $1.member }
        self.ineligible = ineligible.sorted { $0.member < $1.member }
    }

    /// "2027-01-05, 2027-01-06".
    static func dates(_ dates: [CivilDate]) -> String { dates.map(\.description).joined(separator: ", ") }

    /// A fair share for reading: at most two decimals, no trailing zeros ("1", "1.2", "0.83").
    public static func number(_ value: Double) -> String {
        var text = String(format: "%.2f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
