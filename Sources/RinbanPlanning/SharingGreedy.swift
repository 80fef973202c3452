import RinbanCore

/// Greedy placement of load-sharing items and designation of backup beds (SPEC section 4):
/// each decision takes the option with the smallest increase of the weighted objective.
/// Always feasible; the integer programs of the load-sharing and bed planners improve on it.
public struct SharingGreedy: Sendable {
    public let instance: Instance

    public init(instance: Instance) {
        self.instance = instance
    }

    /// Places every item: largest first, at the allowed station where the weighted
    /// overflow, busiest-utilisation, transfer and remote-station terms grow least.
    public func placements() -> [Placement] {
        let w = instance.weights
        var load = instance.stations.map(\.load)
        var chosen: [Int: Int] = [:]
        let order = instance.loadSharingItems.indices.sorted {
            let a = instance.loadSharingItems[$0], b = instance.loadSharingItems[$1]
            return a.visits != b.visits ? a.visits > b.visits : $0 < $1
        }
        for i in order {
            let item = instance.loadSharingItems[i]
            var best: (Double, Int)?
            for s in instance.allowedStations(for: item) {
                let station = instance.stations[s]
                var cost = 0.0
                if let from = item.from, from != station.id { cost += w[.transfer] }
                if station.block != item.block { cost += w[.remoteStation] }
                let before = max(0, load[s] - station.capacity)
                let after = max(0, load[s] + item.visits - station.capacity)
                cost += w[.overflow] * (after - before)
                var now = 0.0, busiest = 0.0
                for (t, other) in instance.stations.enumerated() {
                    let utilisation = load[t] / other.capacity
                    now = max(now, utilisation)
                    busiest = max(busiest, t == s ? (load[t] + item.visits) / other.capacity : utilisation)
                }
                cost += w[.loadMax] * 100 * (busiest - now)
                if best == nil || cost < best!.0 - 1e-12 { best = (cost, s) }
            }
            guard let (_, s) = best else { continue }  // validation guarantees an allowed station
            chosen[i] = s
            load[s] += item.visits
        }
        return instance.loadSharingItems.indices.compactMap { i in
            chosen[i].map { Placement(item: instance.loadSharingItems[i].id, station: instance.stations[$0].id) }
        }
    }

    /// Designates every patient: highest risk first, the hospital offering the need
    /// where overload, outside-group and distance grow least.
    public func designations() -> [Designation] {
        let w = instance.weights
        var expected = [[Need: Double]](repeating: [:], count: instance.hospitals.count)
        var chosen: [Int: Int] = [:]
        let order = instance.patients.indices.sorted {
            instance.patients[$0].risk != instance.patients[$1].risk ? instance.patients[$0].risk > instance.patients[$1].risk : $0 < $1
        }
        for i in order {
            let patient = instance.patients[i]
            let block = instance.block(ofClinic: patient.clinic)
            var best: (Double, Int)?
            for (h, hospital) in instance.hospitals.enumerated() where hospital.beds(patient.needs.bedKind) > 0 {
                let beds = Double(hospital.beds(patient.needs.bedKind))
                let used = expected[h][patient.needs] ?? 0
                var cost = w[.bedOverload] * (max(0, used + patient.risk - beds) - max(0, used - beds))
                if !hospital.group.contains(patient.clinic) { cost += w[.outsideGroup] }
                cost += w[.bedDistance] * Double(instance.distance(block, hospital.block))
                if best == nil || cost < best!.0 - 1e-12 { best = (cost, h) }
            }
            guard let (_, h) = best else { continue }
            chosen[i] = h
            expected[h][patient.needs, default: 0] += patient.risk
        }
        return instance.patients.indices.compactMap { i in
            chosen[i].map { Designation(patient: instance.patients[i].id, hospital: instance.hospitals[$0].id) }
        }
    }

    /// Books respite stays: most urgent first, at the hospital and start with the smallest
    /// outside-group, distance and delay cost among those with a bed every night; a request
    /// is rejected only when no bed fits or booking would cost more than rejecting.
    public func respite() -> [RespiteBooking] {
        let w = instance.weights
        var occupied: [Int: [Int: Int]] = [:]  // hospital → night (day number) → stays
        var bookings: [RespiteBooking] = []
        let order = instance.respiteRequests.indices.sorted {
            let a = instance.respiteRequests[$0], b = instance.respiteRequests[$1]
            return a.priority != b.priority ? a.priority > b.priority : $0 < $1
        }
        for i in order {
            let request = instance.respiteRequests[i]
            let block = instance.block(ofClinic: request.clinic)
            var best: (Double, Int, CivilDate)?
            for (h, hospital) in instance.hospitals.enumerated() where hospital.beds(.respite) > 0 {
                var fixedCost = w[.bedDistance] * Double(instance.distance(block, hospital.block))
                if !hospital.group.contains(request.clinic) { fixedCost += w[.outsideGroup] }
                var start = request.earliest
                while start <= request.latest {
                    let fits = (0..<request.nights).allSatisfy {
                        (occupied[h]?[start.dayNumber + $0] ?? 0) < hospital.beds(.respite)
                    }
                    if fits {
                        let cost = fixedCost + w[.respiteDelay] * Double(start.days(since: request.earliest))
                        if best == nil || cost < best!.0 - 1e-12 { best = (cost, h, start) }
                        break  // later starts of this hospital only add delay
                    }
                    start = start.adding(days: 1)
                }
            }
            guard let (cost, h, start) = best, cost < w[.respiteRejected] * Double(request.priority) else { continue }
            for n in 0..<request.nights { occupied[h, default: [:]][start.dayNumber + n, default: 0] += 1 }
            bookings.append(RespiteBooking(request: request.id, hospital: instance.hospitals[h].id, start: start))
        }
        return bookings.sorted { a, b in
            (instance.respiteRequests.firstIndex { $0.id == a.request } ?? 0) < (instance.respiteRequests.firstIndex { $0.id == b.request } ?? 0)
        }
    }

    /// A proven lower bound on the weighted load-sharing and bed terms, from counting
    /// arguments alone: the busiest station is at least as busy as the fixed loads and the
    /// average make it; total overflow is at least the total excess; per need, expected
    /// admissions beyond all pledged beds overload somewhere; a patient whose clinic is in no
    /// offering hospital's group is outside its group wherever it goes; each patient is at
    /// least as far as the nearest offering hospital; with no respite beds anywhere every
    /// request is rejected.
    public func lowerBound() -> Double {
        let w = instance.weights
        var bound = 0.0
        if !instance.stations.isEmpty {
            let fixed = instance.stations.map { $0.load / $0.capacity }.max()!
            let total = instance.stations.reduce(0) { $0 + $1.load } + instance.loadSharingItems.reduce(0) { $0 + $1.visits }
            let capacity = instance.stations.reduce(0) { $0 + $1.capacity }
            bound += w[.loadMax] * 100 * max(fixed, total / capacity)
            bound += w[.overflow] * max(0, total - capacity)
        }
        for need in Need.allCases {
            let risk = instance.patients.filter { $0.needs == need }.reduce(0) { $0 + $1.risk }
            let beds = instance.hospitals.reduce(0) { $0 + $1.beds(need.bedKind) }
            bound += w[.bedOverload] * max(0, risk - Double(beds))
        }
        for patient in instance.patients {
            let offering = instance.hospitals.filter { $0.beds(patient.needs.bedKind) > 0 }
            if !offering.contains(where: { $0.group.contains(patient.clinic) }) { bound += w[.outsideGroup] }
            let block = instance.block(ofClinic: patient.clinic)
            bound += w[.bedDistance] * Double(offering.map { instance.distance(block, $0.block) }.min() ?? 0)
        }
        if !instance.hospitals.contains(where: { $0.beds(.respite) > 0 }) {
            bound += w[.respiteRejected] * Double(instance.respiteRequests.reduce(0) { $0 + $1.priority })
        }
        return bound
    }

    /// The load-sharing and bed terms of SPEC section 5 for given decisions, unweighted.
    public func terms(placements: [Placement], designations: [Designation], respite: [RespiteBooking]) -> [ObjectiveTerm: Double] {
        var terms: [ObjectiveTerm: Double] = [:]
        var load = Dictionary(uniqueKeysWithValues: instance.stations.map { ($0.id, $0.load) })
        var transfer = 0, remote = 0
        for placement in placements {
            guard let item = instance.loadSharingItems.first(where: { $0.id == placement.item }),
                  let s = instance.stationIndex[placement.station]
            else { continue }
            load[placement.station, default: 0] += item.visits
            if let from = item.from, from != placement.station { transfer += 1 }
            if instance.stations[s].block != item.block { remote += 1 }
        }
        terms[.loadMax] = instance.stations.isEmpty ? 0 : 100 * instance.stations.map { load[$0.id]! / $0.capacity }.max()!
        terms[.overflow] = instance.stations.reduce(0) { $0 + max(0, load[$1.id]! - $1.capacity) }
        terms[.transfer] = Double(transfer)
        terms[.remoteStation] = Double(remote)

        var expected: [HospitalID: [Need: Double]] = [:]
        var outside = 0, distance = 0
        for d in designations {
            guard let patient = instance.patients.first(where: { $0.id == d.patient }),
                  let hospital = instance.hospitals.first(where: { $0.id == d.hospital })
            else { continue }
            expected[hospital.id, default: [:]][patient.needs, default: 0] += patient.risk
            if !hospital.group.contains(patient.clinic) { outside += 1 }
            distance += instance.distance(instance.block(ofClinic: patient.clinic), hospital.block)
        }
        var overload = 0.0
        for hospital in instance.hospitals {
            for need in Need.allCases {
                overload += max(0, (expected[hospital.id]?[need] ?? 0) - Double(hospital.beds(need.bedKind)))
            }
        }
        var rejected = 0, delay = 0
        let accepted = Dictionary(respite.map { ($0.request, $0) }, uniquingKeysWith: { a, _ in a })
        for request in instance.respiteRequests {
            guard let booking = accepted[request.id],
                  let hospital = instance.hospitals.first(where: { $0.id == booking.hospital })
            else {
                rejected += request.priority
                continue
            }
            if !hospital.group.contains(request.clinic) { outside += 1 }
            distance += instance.distance(instance.block(ofClinic: request.clinic), hospital.block)
            delay += booking.start.days(since: request.earliest)
        }
        terms[.bedOverload] = overload
        terms[.outsideGroup] = Double(outside)
        terms[.bedDistance] = Double(distance)
        terms[.respiteRejected] = Double(rejected)
        terms[.respiteDelay] = Double(delay)
        return terms
    }
}
