/// Why a physician cannot be a home-care patient's deputy (SPEC section 4b).
public enum DeputyIneligibility: Hashable, Sendable, CustomStringConvertible {
    /// A visiting-nurse station: only physicians are deputies.
    case notPhysician
    /// Works at the attending physician's own clinic.
    case attendingsClinic
    /// `share` 0: takes no part in the network's duties.
    case noShare
    /// `maxDeputyPatients` 0.
    case takesNoPatients
    /// Lacks skills the patient requires.
    case missingSkills(Set<String>)
    /// The physician's block is neither the patient's block nor next to it.
    case outsideBlock(BlockID)

    public var description: String {
        switch self {
        case .notPhysician: return "not a physician"
        case .attendingsClinic: return "works at the attending physician's clinic"
        case .noShare: return "share is 0"
        case .takesNoPatients: return "maxDeputyPatients is 0"
        case let .missingSkills(skills): return "lacks skill \(skills.sorted().map { "\"\($0)\"" }.joined(separator: ", "))"
        case let .outsideBlock(block): return "block \(block) is neither the patient's block nor next to it"
        }
    }

    /// The same in Japanese, for the office's screens and printouts.
    public var japanese: String {
        switch self {
        case .notPhysician: return "医師ではない"
        case .attendingsClinic: return "主治医と同じ診療所"
        case .noShare: return "当番の割合が 0"
        case .takesNoPatients: return "副主治医の上限が 0"
        case let .missingSkills(skills): return "必要な技能（\(skills.sorted().joined(separator: "、"))）がない"
        case let .outsideBlock(block): return "ブロック \(block) は患者のブロックでも隣接ブロックでもない"
        }
    }
}

extension Instance {
    /// The clinic of a home-care patient's attending physician.
    public func attendingClinic(of patient: HomePatient) -> ClinicID? {
        memberIndex[patient.attending].flatMap { members[$0].clinic }
    }

    /// Whether a physician takes part in the deputy designation at all: share > 0 and
    /// `maxDeputyPatients` absent or > 0 (the deputy pool of SPEC section 4b).
    public func takesDeputies(_ member: MemberIndex) -> Bool {
        let m = members[member]
        return m.pool == .physicians && m.share > 0 && (m.maxDeputyPatients ?? 1) > 0
    }

    /// The deputy pool: physicians who take deputies, in instance order.
    public var deputyPool: [MemberIndex] { members.indices.filter(takesDeputies) }

    /// Every reason `member` is not eligible as deputy of `patient`; empty when eligible.
    public func deputyIneligibility(of member: MemberIndex, for patient: HomePatient) -> [DeputyIneligibility] {
        let m = members[member]
        guard m.pool == .physicians else { return [.notPhysician] }
        var reasons: [DeputyIneligibility] = []
        if m.clinic == attendingClinic(of: patient) { reasons.append(.attendingsClinic) }
        if m.share <= 0 { reasons.append(.noShare) }
        if m.maxDeputyPatients == 0 { reasons.append(.takesNoPatients) }
        let missing = patient.requires.subtracting(m.skills)
        if !missing.isEmpty { reasons.append(.missingSkills(missing)) }
        if distance(m.block, patient.block) > 1 { reasons.append(.outsideBlock(m.block)) }
        return reasons
    }

    /// Physicians eligible as deputy of `patient`, in instance order.
    public func eligibleDeputies(for patient: HomePatient) -> [MemberIndex] {
        let clinic = attendingClinic(of: patient)
        return members.indices.filter { isEligibleDeputy($0, for: patient, attendingClinic: clinic) }
    }

    /// Whether anyone may deputise for `patient` (stops at the first; validation asks this
    /// of every patient).
    public func hasEligibleDeputy(for patient: HomePatient) -> Bool {
        let clinic = attendingClinic(of: patient)
        return members.indices.contains { isEligibleDeputy($0, for: patient, attendingClinic: clinic) }
    }

    /// ``deputyIneligibility(of:for:)`` is empty, decided without building the reasons.
    private func isEligibleDeputy(_ member: MemberIndex, for patient: HomePatient, attendingClinic clinic: ClinicID?) -> Bool {
        let m = members[member]
        return m.pool == .physicians && m.clinic != clinic && m.share > 0 && m.maxDeputyPatients != 0
            && patient.requires.isSubset(of: m.skills) && distance(m.block, patient.block) <= 1
    }

    /// How many physicians pass each condition of eligibility in turn, for explaining a
    /// patient nobody is eligible for: of other clinics; of those, taking deputies; of
    /// those, with the required skills (nil when none are required). Whoever is left is
    /// outside the patient's block and its neighbours.
    public func deputyConditionCounts(for patient: HomePatient) -> (otherClinics: Int, takeDeputies: Int, withSkills: Int?) {
        let clinic = attendingClinic(of: patient)
        var left = members.indices.filter { members[$0].pool == .physicians && members[$0].clinic != clinic }
        let otherClinics = left.count
        left = left.filter(takesDeputies)
        let takeDeputies = left.count
        guard !patient.requires.isEmpty else { return (otherClinics, takeDeputies, nil) }
        return (otherClinics, takeDeputies, left.filter { patient.requires.isSubset(of: members[$0].skills) }.count)
    }

    /// Why nobody is eligible, condition by condition (for the validation warning):
    /// "12 physicians of other clinics, 10 take deputies, 3 have skill "eol", none is in
    /// block north or next to it".
    public func whyNoDeputy(for patient: HomePatient) -> String {
        let counts = deputyConditionCounts(for: patient)
        var parts = ["\(counts.otherClinics) physician\(counts.otherClinics == 1 ? "" : "s") of other clinics"]
        parts.append("\(counts.takeDeputies) of them take deputies (share > 0, maxDeputyPatients not 0)")
        if let skilled = counts.withSkills {
            parts.append("\(skilled) of those have skill \(patient.requires.sorted().map { "\"\($0)\"" }.joined(separator: ", "))")
        }
        parts.append((counts.withSkills ?? counts.takeDeputies) == 0 ? "none left" : "none is in block \(patient.block) or next to it")
        return parts.joined(separator: ", ")
    }

    /// Period dates on which the member is whole-day unavailable: covered by an
    /// `unavailable` entry without `shifts` (SPEC section 4b; shift-only absences do not count).
    public func wholeDayUnavailableDates(of member: MemberIndex) -> Set<CivilDate> {
        var dates: Set<CivilDate> = []
        for absence in members[member].unavailable where absence.shifts == nil {
            var date = max(absence.from, period.start)
            let last = min(absence.to, period.end)
            while date <= last {
                dates.insert(date)
                date = date.adding(days: 1)
            }
        }
        return dates
    }

    /// t_q of SPEC section 4b for every member of the deputy pool: share_q / Σ share × N.
    public func deputyTargets() -> [MemberIndex: Double] {
        let pool = deputyPool
        let total = pool.reduce(0) { $0 + members[$1].share }
        guard total > 0, !homePatients.isEmpty else { return Dictionary(uniqueKeysWithValues: pool.map { ($0, 0) }) }
        let n = Double(homePatients.count)
        return Dictionary(uniqueKeysWithValues: pool.map { ($0, members[$0].share / total * n) })
    }
}
