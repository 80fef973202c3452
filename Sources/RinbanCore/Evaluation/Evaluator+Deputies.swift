/// Patient deputies: D1 and D2, and the five deputy terms of SPEC section 5, computed
/// from the instance and the plan's `deputies` list alone.
extension Evaluator {
    /// The counted deputy of each home-care patient (nil: none counts). D1 for an entry
    /// that names an unknown patient or physician, an ineligible physician, or a second
    /// deputy of a patient; D2 for a physician over `maxDeputyPatients`.
    func checkDeputies(_ plan: Plan, _ violations: inout [PlanViolation]) -> [MemberIndex?] {
        let instance = loaded.instance
        var deputy = [MemberIndex?](repeating: nil, count: instance.homePatients.count)
        var firstEntry = [Int?](repeating: nil, count: instance.homePatients.count)
        var entriesOf: [MemberIndex: [Int]] = [:]
        for (k, entry) in plan.deputies.enumerated() {
            let path = DocumentPath.root / "deputies" / k
            guard let h = instance.homePatientIndex[entry.patient] else {
                violations.append(PlanViolation(rule: .deputy, entries: [path], message: "unknown home-care patient \"\(entry.patient)\""))
                continue
            }
            guard let q = instance.memberIndex[entry.deputy], instance.members[q].pool == .physicians else {
                let what = instance.memberIndex[entry.deputy] != nil ? "\(entry.deputy) is a station, not a physician"
                                                                     : "unknown physician \"\(entry.deputy)\""
                violations.append(PlanViolation(rule: .deputy, entries: [path], message: "patient \(entry.patient): \(what)"))
                continue
            }
            if let first = firstEntry[h] {
                violations.append(PlanViolation(
                    rule: .deputy, entries: [.root / "deputies" / first, path],
                    message: "patient \(entry.patient) has more than one deputy"))
                continue
            }
            let reasons = instance.deputyIneligibility(of: q, for: instance.homePatients[h])
            guard reasons.isEmpty else {
                violations.append(PlanViolation(
                    rule: .deputy, entries: [path],
                    message: "\(entry.deputy) is not eligible as deputy of patient \(entry.patient): "
                        + reasons.map(\.description).joined(separator: "; ")))
                continue
            }
            firstEntry[h] = k
            deputy[h] = q
            entriesOf[q, default: []].append(k)
        }
        for (q, ks) in entriesOf.sorted(by: { $0.key < $1.key }) {
            if let cap = instance.members[q].maxDeputyPatients, ks.count > cap {
                violations.append(PlanViolation(
                    rule: .deputyCap, entries: ks.map { .root / "deputies" / $0 },
                    message: "\(instance.members[q].id) is the deputy of \(ks.count) patients; maxDeputyPatients is \(cap)"))
            }
        }
        return deputy
    }

    /// undeputed, deputyDistance, deputyFairness, deputyChange, deputyGap; the figures behind them.
    func deputyTerms(_ deputy: [MemberIndex?], into terms: inout [ObjectiveTerm: Double])
        -> (patients: [PatientDeputyFigures], loads: [DeputyLoadFigures])
    {
        let instance = loaded.instance
        var undeputed = 0, distance = 0, change = 0, gap = 0
        var away: [MemberIndex: Set<CivilDate>] = [:]
        func awayDates(_ m: MemberIndex) -> Set<CivilDate> {
            if let known = away[m] { return known }
            let dates = instance.wholeDayUnavailableDates(of: m)
            away[m] = dates
            return dates
        }
        var patients: [PatientDeputyFigures] = []
        var count: [MemberIndex: Int] = [:]
        for (h, patient) in instance.homePatients.enumerated() {
            if let previous = patient.previous, deputy[h].map({ instance.members[$0].id }) != previous { change += 1 }
            guard let q = deputy[h] else {
                undeputed += 1
                patients.append(PatientDeputyFigures(patient: h, deputy: nil, bothAway: []))
                continue
            }
            count[q, default: 0] += 1
            distance += instance.distance(patient.block, instance.members[q].block)
            let both = instance.memberIndex[patient.attending].map { awayDates($0).intersection(awayDates(q)) } ?? []
            gap += both.count
            patients.append(PatientDeputyFigures(patient: h, deputy: q, bothAway: both.sorted()))
        }
        // Fairness over the deputy pool: share > 0 and maxDeputyPatients absent or > 0.
        let pool = instance.members.indices.filter { q in
            let m = instance.members[q]
            return m.pool == .physicians && m.share > 0 && m.maxDeputyPatients != 0
        }
        let shares = pool.reduce(0) { $0 + instance.members[$1].share }
        let n = Double(instance.homePatients.count)
        let loads = pool.map { q in
            DeputyLoadFigures(member: q, patients: count[q] ?? 0,
                              target: shares > 0 ? instance.members[q].share / shares * n : 0)
        }
        terms[.undeputed] = Double(undeputed)
        terms[.deputyDistance] = Double(distance)
        terms[.deputyFairness] = shares > 0 && n > 0 ? loads.reduce(0) { $0 + $1.deviation } : 0
        terms[.deputyChange] = Double(change)
        terms[.deputyGap] = Double(gap)
        return (patients, loads)
    }
}
