import RinbanCore

extension SharingGreedy {
    /// Decisions that keep a published plan's placements, designations and respite bookings
    /// wherever they are still allowed in this instance, and take the greedy answer for the
    /// rest (new items, patients whose hospital no longer offers their beds, stays that no
    /// longer fit). Kept bookings are checked night by night against the pledged beds, in
    /// the published order; a greedy booking is added only where it fits beside them.
    public func kept(from published: Plan) -> (placements: [Placement], designations: [Designation], respite: [RespiteBooking]) {
        let greedyPlacements = Dictionary(placements().map { ($0.item, $0) }, uniquingKeysWith: { a, _ in a })
        let publishedStation = Dictionary(published.placements.map { ($0.item, $0.station) }, uniquingKeysWith: { a, _ in a })
        var placements: [Placement] = []
        for item in instance.loadSharingItems {
            if let station = publishedStation[item.id], let s = instance.stationIndex[station],
               instance.allowedStations(for: item).contains(s)
            {
                placements.append(Placement(item: item.id, station: station))
            } else if let greedy = greedyPlacements[item.id] {
                placements.append(greedy)
            }
        }

        let greedyDesignations = Dictionary(designations().map { ($0.patient, $0) }, uniquingKeysWith: { a, _ in a })
        let publishedHospital = Dictionary(published.designations.map { ($0.patient, $0.hospital) }, uniquingKeysWith: { a, _ in a })
        let hospitalIndex = Dictionary(instance.hospitals.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        var designations: [Designation] = []
        for patient in instance.patients {
            if let hospital = publishedHospital[patient.id], let h = hospitalIndex[hospital],
               instance.hospitals[h].beds(patient.needs.bedKind) > 0
            {
                designations.append(Designation(patient: patient.id, hospital: hospital))
            } else if let greedy = greedyDesignations[patient.id] {
                designations.append(greedy)
            }
        }

        let requestIndex = Dictionary(instance.respiteRequests.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        var occupied: [Int: [Int: Int]] = [:]
        var respite: [RespiteBooking] = []
        var booked: Set<RespiteID> = []
        func book(_ booking: RespiteBooking) -> Bool {
            guard !booked.contains(booking.request), let q = requestIndex[booking.request],
                  let h = hospitalIndex[booking.hospital]
            else { return false }
            let request = instance.respiteRequests[q]
            let beds = instance.hospitals[h].beds(.respite)
            guard booking.start >= request.earliest, booking.start <= request.latest,
                  (0..<request.nights).allSatisfy({ (occupied[h]?[booking.start.dayNumber + $0] ?? 0) < beds })
            else { return false }
            for n in 0..<request.nights { occupied[h, default: [:]][booking.start.dayNumber + n, default: 0] += 1 }
            booked.insert(booking.request)
            respite.append(booking)
            return true
        }
        for booking in published.respite { _ = book(booking) }
        for booking in self.respite() { _ = book(booking) }
        return (placements, designations, respite)
    }
}
