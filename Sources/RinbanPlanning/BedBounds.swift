import RinbanCore

/// Lagrangian lower bounds of the two halves of the bed program, proven in milliseconds to
/// about two seconds where GLPK's linear relaxation needs minutes (1,000 clinics: 1,500
/// patients × 80 hospitals and 300 respite requests; the relaxation of both took glpsol
/// 344 s by the simplex method, 108 s by the interior point).
///
/// - Designations: the overload rows over_{h,n} ≥ Σ risk·z − beds are priced by
///   ν_{h,n} ∈ [0, w.bedOverload]. Since w.bedOverload·over ≥ ν·over ≥ ν·(Σ risk·z − beds),
///   L(ν) = Σ_p min_h (cost_{p,h} + ν_{h,n_p}·risk_p) − Σ ν_{h,n}·beds_{h,n} bounds the
///   designation terms from below for every such ν.
/// - Respite: the nightly rows Σ stays ≤ respite beds are priced by μ_{h,night} ≥ 0; each
///   request then takes its cheapest start (the priced nights included) or is rejected:
///   L(μ) = Σ_q min(w.respiteRejected·priority_q, min_{h,t} cost_{q,h,t} + Σ μ over its nights)
///   − Σ μ·beds.
///
/// Both are raised by the subgradient method (Polyak steps towards the greedy's value).
struct BedBounds {
    let instance: Instance

    /// Lower bound of bedOverload, outsideGroup and bedDistance of the designations of the
    /// patients with one of `needs` (weighted).
    func designations(target: Double, iterations: Int, needs wanted: Set<Need> = Set(Need.allCases)) -> Double {
        let table = DesignationRows(instance: instance, needs: wanted)
        guard !table.options.isEmpty else { return 0 }
        return Self.ascend(capacity: table.beds, upper: instance.weights[.bedOverload], target: target,
                           iterations: iterations) { nu in
            let (value, used, _) = table.priced(nu)
            return (value, used)
        }
    }

    /// A Lagrangian heuristic for the designations of the patients with one of `needs`:
    /// along the same subgradient steps as ``designations(target:iterations:needs:)``, each
    /// patient goes to its cheapest hospital at the current prices, and the assignment whose
    /// true weighted terms (overload included) are lowest is returned. Near the best prices
    /// that is the relaxation's answer with its few split patients put somewhere, a good
    /// start for local search where branch-and-cut cannot even solve the relaxation in time
    /// (1,000 clinics: acute designations 1,031 from the program's 2 s, 770 from
    /// neighbourhoods, 6xx from this and local search; the optimum is near 623).
    func lagrangianDesignations(target: Double, iterations: Int, needs wanted: Set<Need>) -> [Designation] {
        let table = DesignationRows(instance: instance, needs: wanted)
        guard !table.options.isEmpty else { return [] }
        let overload = instance.weights[.bedOverload]
        var best: (value: Double, rows: [Int])?
        _ = Self.ascend(capacity: table.beds, upper: overload, target: target, iterations: iterations) { nu in
            let (value, used, chosen) = table.priced(nu)
            var cost = 0.0
            for (p, row) in chosen.enumerated() { cost += table.options[p].first { $0.row == row }!.cost }
            for r in used.indices { cost += overload * max(0, used[r] - table.beds[r]) }
            if best == nil || cost < best!.value { best = (cost, chosen) }
            return (value, used)
        }
        guard let best else { return [] }
        return best.rows.enumerated().map { p, row in
            Designation(patient: instance.patients[table.patients[p]].id, hospital: instance.hospitals[table.rows[row].h].id)
        }
    }

    /// The designation half's rows (hospital, need) with their beds, and per patient with an
    /// offering hospital its options (row, cost).
    private struct DesignationRows {
        var rows: [(h: Int, need: Int)] = []
        var beds: [Double] = []
        var options: [[(row: Int, cost: Double)]] = []
        var risk: [Double] = []
        /// Index into the instance's patients of each patient here.
        var patients: [Int] = []

        init(instance: Instance, needs wanted: Set<Need>) {
            let w = instance.weights
            let needs = Need.allCases
            var rowIndex: [Int: Int] = [:]
            for (index, patient) in instance.patients.enumerated() where wanted.contains(patient.needs) {
                let block = instance.block(ofClinic: patient.clinic)
                let n = needs.firstIndex(of: patient.needs)!
                var mine: [(Int, Double)] = []
                for (h, hospital) in instance.hospitals.enumerated() where hospital.beds(patient.needs.bedKind) > 0 {
                    let key = h * needs.count + n
                    let row: Int
                    if let known = rowIndex[key] {
                        row = known
                    } else {
                        row = rows.count
                        rowIndex[key] = row
                        rows.append((h, n))
                        beds.append(Double(hospital.beds(patient.needs.bedKind)))
                    }
                    var cost = w[.bedDistance] * Double(instance.distance(block, hospital.block))
                    if !hospital.group.contains(patient.clinic) { cost += w[.outsideGroup] }
                    mine.append((row, cost))
                }
                guard !mine.isEmpty else { continue }
                options.append(mine)
                risk.append(patient.risk)
                patients.append(index)
            }
        }

        /// Each patient at its cheapest row at prices `nu`: Σ of those priced costs, the
        /// expected admissions per row, and each patient's row.
        func priced(_ nu: [Double]) -> (value: Double, used: [Double], chosen: [Int]) {
            var value = 0.0
            var used = [Double](repeating: 0, count: rows.count)
            var chosen = [Int](repeating: 0, count: options.count)
            for (p, mine) in options.enumerated() {
                var pick = mine[0].row, cheapest = Double.infinity
                for (row, cost) in mine {
                    let c = cost + nu[row] * risk[p]
                    if c < cheapest { cheapest = c; pick = row }
                }
                value += cheapest
                used[pick] += risk[p]
                chosen[p] = pick
            }
            return (value, used, chosen)
        }
    }

    /// Lower bound of respiteRejected, respiteDelay, outsideGroup and bedDistance of the
    /// respite requests (weighted). `patience`: steps without a gain before the step is
    /// halved; `deadline`: the ascent ends then at the latest.
    func respite(target: Double, iterations: Int, patience: Int = 20, deadline: ContinuousClock.Instant? = nil) -> Double {
        let w = instance.weights
        let hospitals = instance.hospitals
        // Rows: (hospital, night) with a capacity; options: cost and the rows of the nights.
        var rowIndex: [Int: Int] = [:]
        var capacity: [Double] = []
        var requests: [(reject: Double, options: [(cost: Double, rows: [Int])])] = []
        for request in instance.respiteRequests {
            let block = instance.block(ofClinic: request.clinic)
            var options: [(Double, [Int])] = []
            for (h, hospital) in hospitals.enumerated() where hospital.beds(.respite) > 0 {
                var start = request.earliest
                while start <= request.latest {
                    var cost = w[.bedDistance] * Double(instance.distance(block, hospital.block))
                        + w[.respiteDelay] * Double(start.days(since: request.earliest))
                    if !hospital.group.contains(request.clinic) { cost += w[.outsideGroup] }
                    var nights: [Int] = []
                    for n in 0..<request.nights {
                        let key = h * 1_000_000 + start.dayNumber + n
                        if let row = rowIndex[key] {
                            nights.append(row)
                        } else {
                            rowIndex[key] = capacity.count
                            nights.append(capacity.count)
                            capacity.append(Double(hospital.beds(.respite)))
                        }
                    }
                    options.append((cost, nights))
                    start = start.adding(days: 1)
                }
            }
            requests.append((w[.respiteRejected] * Double(request.priority), options))
        }
        guard !requests.isEmpty else { return 0 }
        return Self.ascend(capacity: capacity, upper: .infinity, target: target, iterations: iterations, patience: patience,
                           deadline: deadline) { mu in
            var value = 0.0
            var used = [Double](repeating: 0, count: capacity.count)
            for request in requests {
                var cheapest = request.reject, chosen = -1
                for (k, option) in request.options.enumerated() {
                    var c = option.cost
                    for row in option.rows { c += mu[row] }
                    if c < cheapest { cheapest = c; chosen = k }
                }
                value += cheapest
                if chosen >= 0 { for row in request.options[chosen].rows { used[row] += 1 } }
            }
            return (value, used)
        }
    }

    /// The subgradient method on a Lagrangian whose priced rows read `used ≤ capacity`:
    /// prices π ∈ [0, upper] per row, L(π) = `priced(π).value` − Σ π·capacity, Polyak steps
    /// towards `target`, the step halved after `patience` steps without a gain, ending after
    /// `iterations` steps, at `deadline` or once the step is negligible. Returns the best L
    /// (at least 0, since every bed term is ≥ 0), lowered by a relative 1e-9 against rounding.
    static func ascend(capacity: [Double], upper: Double, target: Double, iterations: Int, patience: Int = 20,
                       deadline: ContinuousClock.Instant? = nil,
                       priced: ([Double]) -> (value: Double, used: [Double])) -> Double
    {
        var price = [Double](repeating: 0, count: capacity.count)
        var best = -Double.infinity
        var theta = 1.0, sinceBest = 0
        for step in 0..<iterations {
            if let deadline, step % 100 == 99, ContinuousClock.now >= deadline { break }
            var (value, used) = priced(price)
            for r in capacity.indices { value -= price[r] * capacity[r] }
            if !best.isFinite || value > best + 1e-9 * max(1, abs(best)) { best = value; sinceBest = 0 } else { sinceBest += 1 }
            if sinceBest >= patience { theta /= 2; sinceBest = 0 }
            var norm = 0.0
            var g = [Double](repeating: 0, count: capacity.count)
            for r in capacity.indices {
                var d = used[r] - capacity[r]
                if (price[r] <= 0 && d < 0) || (price[r] >= upper && d > 0) { d = 0 }
                g[r] = d
                norm += d * d
            }
            if norm < 1e-12 || theta < 1e-4 || target - best <= 1e-9 * max(1, abs(target)) { break }
            let step = theta * max(target - value, 1e-6 * max(1, abs(target))) / norm
            for r in capacity.indices where g[r] != 0 { price[r] = min(upper, max(0, price[r] + step * g[r])) }
        }
        return max(0, best - 1e-9 * max(1, abs(best)))
    }
}
