/// The figures behind the station and hospital tables of the CSV and HTML outputs.
///
/// Loads come from the evaluator (``StationFigures``). Moves and bed figures are read from
/// the plan's lists as stated: the first placement of each known item at a known station,
/// the first designation of each known patient to a known hospital, and each known
/// request's first booking at a known hospital. A plan that breaks a rule is shown as it
/// is; `rinban score` says what is wrong with it.
package struct NetworkTables {
    /// One station: its evaluator figures and the items moved in and out.
    package struct StationRow {
        package var station: Station
        package var fixedLoad: Double
        package var load: Double
        package var capacity: Double
        /// Items placed here whose `from` is another station or none (a new referral).
        package var movedIn: Int
        /// Items from this station placed elsewhere.
        package var movedOut: Int
        package var utilisationBefore: Double { fixedLoad / capacity }
        package var utilisationAfter: Double { load / capacity }
    }

    /// One hospital and need with beds pledged or patients designated.
    package struct BedRow {
        package var hospital: Hospital
        package var need: Need
        package var patients: Int
        package var risk: Double
        package var pledged: Int
        /// pledged − Σ risk (negative: expected admissions above the pledge).
        package var margin: Double { Double(pledged) - risk }
    }

    /// A hospital with respite beds: stays booked on each night of the period.
    package struct RespiteRow {
        package var hospital: Hospital
        package var pledged: Int
        /// One count per date of the period.
        package var booked: [Int]
    }

    package var stations: [StationRow] = []
    package var beds: [BedRow] = []
    package var respite: [RespiteRow] = []

    /// Whether the station table is shown: the instance has stations and the plan places items.
    package var showsStations: Bool { !stations.isEmpty }
    /// Whether the hospital tables are shown: the instance has hospitals and the plan designates
    /// patients or books respite stays.
    package var showsHospitals: Bool { !beds.isEmpty || !respite.isEmpty }

    package init(loaded: LoadedInstance, plan: Plan) {
        let instance = loaded.instance
        let hasStations = !instance.stations.isEmpty && !plan.placements.isEmpty
        let hasHospitals = !instance.hospitals.isEmpty && !(plan.designations.isEmpty && plan.respite.isEmpty)
        guard hasStations || hasHospitals else { return }

        if hasStations {
            let figures = Evaluator(loaded).evaluate(plan).stations
            var movedIn = [Int](repeating: 0, count: instance.stations.count)
            var movedOut = [Int](repeating: 0, count: instance.stations.count)
            var seen = Set<ItemID>()
            for placement in plan.placements {
                guard let item = instance.loadSharingItems.first(where: { $0.id == placement.item }),
                      let s = instance.stationIndex[placement.station], seen.insert(item.id).inserted
                else { continue }
                guard item.from != placement.station else { continue }
                movedIn[s] += 1
                if let from = item.from, let f = instance.stationIndex[from] { movedOut[f] += 1 }
            }
            stations = figures.map { f in
                let station = instance.stations[f.station]
                return StationRow(
                    station: station, fixedLoad: station.load, load: f.load, capacity: f.capacity,
                    movedIn: movedIn[f.station], movedOut: movedOut[f.station])
            }
        }

        if hasHospitals {
            var patients: [Need: [Int]] = [:]
            var risk: [Need: [Double]] = [:]
            for need in Need.allCases {
                patients[need] = [Int](repeating: 0, count: instance.hospitals.count)
                risk[need] = [Double](repeating: 0, count: instance.hospitals.count)
            }
            var designated = Set<PatientID>()
            for d in plan.designations {
                guard let patient = instance.patients.first(where: { $0.id == d.patient }),
                      let h = instance.hospitals.firstIndex(where: { $0.id == d.hospital }),
                      designated.insert(patient.id).inserted
                else { continue }
                patients[patient.needs]![h] += 1
                risk[patient.needs]![h] += patient.risk
            }
            for (h, hospital) in instance.hospitals.enumerated() {
                for need in Need.allCases where hospital.beds(need.bedKind) > 0 || patients[need]![h] > 0 {
                    beds.append(BedRow(
                        hospital: hospital, need: need, patients: patients[need]![h], risk: risk[need]![h],
                        pledged: hospital.beds(need.bedKind)))
                }
            }

            let period = instance.period
            var booked = [[Int]](repeating: [Int](repeating: 0, count: period.count), count: instance.hospitals.count)
            var seen = Set<RespiteID>()
            for booking in plan.respite {
                guard let request = instance.respiteRequests.first(where: { $0.id == booking.request }),
                      let h = instance.hospitals.firstIndex(where: { $0.id == booking.hospital }),
                      seen.insert(request.id).inserted
                else { continue }
                for night in 0..<request.nights {
                    let date = booking.start.adding(days: night)
                    if period.contains(date) { booked[h][period.offset(of: date)] += 1 }
                }
            }
            for (h, hospital) in instance.hospitals.enumerated()
            where hospital.beds(.respite) > 0 || booked[h].contains(where: { $0 > 0 }) {
                respite.append(RespiteRow(hospital: hospital, pledged: hospital.beds(.respite), booked: booked[h]))
            }
        }
    }

    /// "急変時" / "緩和ケア".
    package static func needLabel(_ need: Need) -> String { need == .acute ? "急変時（acute）" : "緩和ケア（palliative）" }

    /// "97%" style percentage with one decimal: "96.7%".
    package static func percent(_ x: Double) -> String { RotaText.fixed(100 * x, places: 1) + "%" }
}
