/// The figures behind the deputy tables (主治医・副主治医制, SPEC section 4b) of the CSV and
/// HTML outputs.
///
/// Which deputy counts, the dates both physicians are whole-day away and each physician's
/// n_q and t_q are the evaluator's (``PatientDeputyFigures``, ``DeputyLoadFigures``): an
/// entry of the plan that names an ineligible physician, or a patient's second deputy,
/// counts nowhere there, so it is not shown as the deputy here either; the reason column
/// says what became of it.
package struct DeputyTables {
    /// One home-care patient.
    package struct PatientRow {
        package var patient: HomePatient
        /// The counted deputy, nil when the patient has none.
        package var deputy: MemberIndex?
        /// Period dates on which the attending and the deputy are both whole-day unavailable.
        package var bothAway: [CivilDate]
        /// Why the patient has no deputy (Japanese); nil when it has one.
        package var missingReason: String?
    }

    /// The patients of one clinic's attending physicians, in instance order.
    package struct ClinicGroup {
        /// The attending's clinic (nil when the instance does not know it).
        package var clinic: Clinic?
        package var patients: [PatientRow]
    }

    /// A physician of the deputy pool.
    package struct LoadRow {
        package var member: MemberIndex
        /// n_q.
        package var patients: Int
        /// t_q = share / Σ share × N.
        package var target: Double
        /// n_q − t_q (positive: more patients than the fair share).
        package var difference: Double { Double(patients) - target }
    }

    /// Clinics in instance order, only those with patients; unknown clinics last.
    package var groups: [ClinicGroup] = []
    /// The deputy pool in instance order.
    package var loads: [LoadRow] = []

    /// Whether the deputy tables are shown: the instance has home-care patients.
    package var isShown: Bool { !groups.isEmpty }
    /// Every patient row, clinic by clinic.
    package var patients: [PatientRow] { groups.flatMap(\.patients) }
    /// Patients without a deputy.
    package var undeputed: Int { patients.filter { $0.deputy == nil }.count }
    /// Patients with a deputy and at least one date both physicians are away.
    package var withGaps: Int { patients.filter { !$0.bothAway.isEmpty }.count }

    /// The tables of `plan`; the evaluator runs only when the instance has home-care patients.
    package init(loaded: LoadedInstance, plan: Plan) {
        let instance = loaded.instance
        guard !instance.homePatients.isEmpty else { return }
        let evaluation = Evaluator(loaded).evaluate(plan)
        let counted = Dictionary(evaluation.deputyLoads.map { ($0.member, $0.patients) }, uniquingKeysWith: { a, _ in a })

        var rows: [PatientRow] = []
        for figures in evaluation.patientDeputies {
            let patient = instance.homePatients[figures.patient]
            let reason = figures.deputy == nil
                ? Self.missingReason(patient, plan: plan, counted: counted, in: instance) : nil
            rows.append(PatientRow(
                patient: patient, deputy: figures.deputy,
                bothAway: figures.bothAway, missingReason: reason))
        }
        var byClinic: [ClinicID: [PatientRow]] = [:]
        var unknown: [PatientRow] = []
        for row in rows {
            if let clinic = instance.attendingClinic(of: row.patient), instance.clinicIndex[clinic] != nil {
                byClinic[clinic, default: []].append(row)
            } else {
                unknown.append(row)
            }
        }
        groups = instance.clinics.compactMap { clinic in
            byClinic[clinic.id].map { ClinicGroup(clinic: clinic, patients: $0) }
        }
        if !unknown.isEmpty { groups.append(ClinicGroup(clinic: nil, patients: unknown)) }
        loads = evaluation.deputyLoads.map { LoadRow(member: $0.member, patients: $0.patients, target: $0.target) }
    }

    /// Why `patient` has no counted deputy, for a clerk: the plan's entry that did not count
    /// and why; or that nobody is eligible, condition by condition; or that every candidate
    /// is at the cap; or that the plan simply names none.
    static func missingReason(
        _ patient: HomePatient, plan: Plan, counted: [MemberIndex: Int], in instance: Instance
    ) -> String {
        if let entry = plan.deputies.first(where: { $0.patient == patient.id }) {
            guard let q = instance.memberIndex[entry.deputy] else {
                return "計画の指定（\(entry.deputy)）は名簿にない"
            }
            let reasons = instance.deputyIneligibility(of: q, for: patient)
            let who = "\(instance.members[q].name)（\(entry.deputy)）"
            return "計画の指定 \(who)は対象外：" + reasons.map { japanese($0, patient, in: instance) }.joined(separator: "、")
        }
        let eligible = instance.eligibleDeputies(for: patient)
        if eligible.isEmpty { return "副主治医になれる医師がいない：" + noneEligible(patient, in: instance) }
        let full = eligible.allSatisfy { q in instance.members[q].maxDeputyPatients.map { (counted[q] ?? 0) >= $0 } ?? false }
        if full { return "候補\(eligible.count)名はいずれも受け持ち上限に達している" }
        return "計画で未指定（候補\(eligible.count)名）"
    }

    /// The reason in Japanese, with block names instead of ids for a printout.
    static func japanese(_ reason: DeputyIneligibility, _ patient: HomePatient, in instance: Instance) -> String {
        guard case let .outsideBlock(block) = reason else { return reason.japanese }
        return "所属の\(RotaText.blockName(block, in: instance))ブロックは患者の住む"
            + "\(RotaText.blockName(patient.block, in: instance))ブロックでも隣接ブロックでもない"
    }

    /// The conditions of eligibility one after another, with how many physicians pass each:
    /// 他院の医師 7名、うち受け持ち可能 6名、うち技能「pediatric」あり 0名.
    static func noneEligible(_ patient: HomePatient, in instance: Instance) -> String {
        let counts = instance.deputyConditionCounts(for: patient)
        var parts = ["他院の医師 \(counts.otherClinics)名", "うち受け持ち可能（割合・上限が 0 でない）\(counts.takeDeputies)名"]
        var left = counts.takeDeputies
        if let skilled = counts.withSkills, left > 0 {
            parts.append("うち技能「\(patient.requires.sorted().joined(separator: "、"))」あり \(skilled)名")
            left = skilled
        }
        if left > 0 {
            parts.append("いずれも患者の住む\(RotaText.blockName(patient.block, in: instance))ブロックにも隣接ブロックにもいない")
        }
        return parts.joined(separator: "、")
    }

    /// Runs of consecutive dates: [1, 2, 3, 5] gives [(1, 3), (5, 5)]. `dates` must be sorted.
    package static func runs(_ dates: [CivilDate]) -> [(first: CivilDate, last: CivilDate)] {
        var result: [(first: CivilDate, last: CivilDate)] = []
        for date in dates {
            if let last = result.last?.last, last.adding(days: 1) == date {
                result[result.count - 1].last = date
            } else {
                result.append((date, date))
            }
        }
        return result
    }
}
