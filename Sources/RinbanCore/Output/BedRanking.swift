/// One hospital in the list of hospitals to call on the night a patient deteriorates, with
/// every figure its place in the list rests on.
public struct BedCandidate: Hashable, Sendable {
    /// Position in ``Instance/hospitals``.
    public var hospital: Int
    public var id: HospitalID
    public var name: String
    /// Whether the plan designates the patient to this hospital.
    public var isDesignated: Bool
    /// Whether the hospital's group (在宅医療連携グループ) contains the patient's clinic.
    public var inGroup: Bool
    /// Block distance from the clinic's block to the hospital's (SPEC section 4: 0, 1 or 3).
    public var distance: Int
    /// beds[need] the hospital pledges (> 0 for every candidate).
    public var pledged: Int
    /// Σ risk of the patients the plan designates here with the same need (0 without a plan).
    public var expectedLoad: Double
    /// beds.respite the hospital pledges.
    public var respitePledged: Int
    /// Respite stays of the plan occupying the night of the date here (0 without a plan).
    public var respiteBooked: Int

    /// pledged − expected load.
    public var bedsLeft: Double { Double(pledged) - expectedLoad }
    /// Whether beds are left for the need that night (beds left > 0).
    public var hasRoom: Bool { bedsLeft > 0 }
}

/// The question: a registered patient, or a new patient given by clinic and need.
public enum BedQuery: Hashable, Sendable {
    case patient(PatientID)
    case newPatient(clinic: ClinicID, needs: Need)
}

/// The answer to a ``BedQuery``.
public struct BedRankingResult: Hashable, Sendable {
    public var clinic: ClinicID
    public var needs: Need
    public var date: CivilDate
    /// The hospital the plan designates the patient to, if a plan and a registered patient are given.
    public var designated: HospitalID?
    /// Every hospital pledging beds for the need, best first.
    public var candidates: [BedCandidate]
}

/// Ranks the hospitals to call for a bed on a given night. Pure: reads the instance and,
/// when given, a plan; no solver runs. O(hospitals × log hospitals + patients + plan's lists).
///
/// Every hospital with beds[need] > 0 is listed, ordered by
/// 1. the hospital the plan designates the patient to, first;
/// 2. beds left for the need (pledged − Σ risk of the patients the plan designates there with
///    that need) > 0 before the hospitals without;
/// 3. group membership: a hospital whose group contains the clinic first;
/// 4. block distance from the clinic (0, 1, 3), nearer first;
/// 5. hospital id.
///
/// The plan's lists are read as `rinban score` counts them: the first designation of each
/// known patient to a known hospital with beds for the need, and each booking of a known
/// request at a known hospital (its nights start … start + nights − 1). Respite stays are
/// shown, not ranked on.
public enum BedRanking {
    /// - Throws: ``InputError`` for an unknown patient or clinic, or a date outside the period.
    public static func rank(
        _ query: BedQuery, on date: CivilDate, instance: Instance, plan: Plan? = nil
    ) throws(InputError) -> BedRankingResult {
        guard instance.period.contains(date) else {
            throw InputError(
                at: .root / "date",
                "\(date) is outside the instance's period \(instance.period.start) to \(instance.period.end)")
        }
        if let plan, plan.period != instance.period {
            throw InputError(
                at: .root / "plan",
                "the plan covers \(plan.period.start) to \(plan.period.end), the instance \(instance.period.start) to \(instance.period.end)")
        }
        let clinic: ClinicID, needs: Need
        var designated: HospitalID?
        switch query {
        case let .patient(id):
            guard let patient = instance.patients.first(where: { $0.id == id }) else {
                throw InputError(at: .root / "patient", "unknown patient \"\(id)\"")
            }
            clinic = patient.clinic
            needs = patient.needs
            designated = plan.flatMap { designation(of: patient, in: $0, instance: instance) }
        case let .newPatient(id, need):
            guard instance.clinicIndex[id] != nil else {
                throw InputError(at: .root / "clinic", "unknown clinic \"\(id)\"")
            }
            clinic = id
            needs = need
        }

        var load = [Double](repeating: 0, count: instance.hospitals.count)
        var booked = [Int](repeating: 0, count: instance.hospitals.count)
        if let plan {
            for patient in instance.patients where patient.needs == needs {
                guard let h = designation(of: patient, in: plan, instance: instance) else { continue }
                load[instance.hospitals.firstIndex { $0.id == h }!] += patient.risk
            }
            var seen = Set<RespiteID>()
            for booking in plan.respite {
                guard let request = instance.respiteRequests.first(where: { $0.id == booking.request }),
                      let h = instance.hospitals.firstIndex(where: { $0.id == booking.hospital }),
                      seen.insert(request.id).inserted
                else { continue }
                let night = date.days(since: booking.start)
                if night >= 0 && night < request.nights { booked[h] += 1 }
            }
        }

        let block = instance.block(ofClinic: clinic)
        let candidates = instance.hospitals.enumerated().compactMap { h, hospital -> BedCandidate? in
            guard hospital.beds(needs.bedKind) > 0 else { return nil }
            return BedCandidate(
                hospital: h, id: hospital.id, name: hospital.name, isDesignated: hospital.id == designated,
                inGroup: hospital.group.contains(clinic), distance: instance.distance(block, hospital.block),
                pledged: hospital.beds(needs.bedKind), expectedLoad: load[h],
                respitePledged: hospital.beds(.respite), respiteBooked: booked[h])
        }.sorted(by: precedes)
        return BedRankingResult(clinic: clinic, needs: needs, date: date, designated: designated, candidates: candidates)
    }

    /// The ranking order: designated, room left, in group, nearer, id.
    public static func precedes(_ a: BedCandidate, _ b: BedCandidate) -> Bool {
        if a.isDesignated != b.isDesignated { return a.isDesignated }
        if a.hasRoom != b.hasRoom { return a.hasRoom }
        if a.inGroup != b.inGroup { return a.inGroup }
        if a.distance != b.distance { return a.distance < b.distance }
        return a.id < b.id
    }

    /// The hospital a patient counts as designated to: the first designation naming a known
    /// hospital with beds for the patient's need.
    static func designation(of patient: Patient, in plan: Plan, instance: Instance) -> HospitalID? {
        for d in plan.designations where d.patient == patient.id {
            if let hospital = instance.hospitals.first(where: { $0.id == d.hospital }), hospital.beds(patient.needs.bedKind) > 0 {
                return hospital.id
            }
        }
        return nil
    }

    /// One line per candidate, best first, saying why it stands where it does:
    /// `1. h1 北部中央病院 — beds left; acute beds 2 pledged, expected load 0.6, 1.4 left; group no;
    /// distance 3; respite 2 of 2 beds booked on 2027-01-08`.
    public static func lines(_ result: BedRankingResult) -> [String] {
        result.candidates.enumerated().map { k, c in
            var parts: [String] = []
            if c.isDesignated { parts.append("designated in the plan") }
            parts.append(c.hasRoom ? "beds left" : "no beds left")
            parts.append("\(result.needs.rawValue) beds \(c.pledged) pledged, expected load \(RotaText.short(c.expectedLoad)), \(RotaText.short(c.bedsLeft)) left")
            parts.append("group \(c.inGroup ? "yes" : "no")")
            parts.append("distance \(c.distance)")
            parts.append("respite \(c.respiteBooked) of \(c.respitePledged) beds booked on \(result.date)")
            return "\(k + 1). \(c.id) \(c.name) — " + parts.joined(separator: "; ")
        }
    }
}
