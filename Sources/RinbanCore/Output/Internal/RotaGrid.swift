/// The assignments the outputs show.
enum OutputAssignments {
    /// The plan's assignments without repeats, in plan order. A repeated assignment breaks
    /// H1 and is reported by the checker; showing it twice would only confuse (and would
    /// give two calendar events one UID).
    static func distinct(_ plan: Plan) -> [Assignment] {
        var seen = Set<Assignment>()
        return plan.assignments.filter { seen.insert($0).inserted }
    }
}

/// A column of the rota: one duty, area and shift.
package struct RotaColumn: Hashable, Sendable {
    package var duty: DutyID
    package var area: AreaID
    package var shift: ShiftID
}

/// What one (date, column) shows.
package struct RotaCell: Hashable, Sendable {
    /// Names of the assigned members, in member order (ids for members the instance lacks).
    package var names: [String]
    /// Demand left open (0 when covered or when the date has no slot).
    package var missing: Int
    /// Whether the instance has a slot here (false: only an assignment the checker rejects).
    package var hasSlot: Bool

    /// The names joined with "・", then "（空き）" (or "（空き×n）") for open demand.
    package var text: String { text(separator: "・") }

    /// The names and the open demand joined with `separator` (the workbook uses "、").
    package func text(separator: String) -> String {
        var parts = names
        if missing == 1 { parts.append(RotaText.open) }
        if missing > 1 { parts.append("（空き×\(missing)）") }
        return parts.joined(separator: separator)
    }
}

/// The rota as a table: a row per date of the period, a column per (duty, area, shift).
///
/// Columns are every (duty, area, shift) with a slot in the period, ordered like the
/// instance file (duty, then area, then the duty's demand shifts). An assignment to a
/// place with no slot is still shown, never dropped: its column is added after the others
/// if needed. Open demand is derived from the slots and the assignments, as the checker
/// does, not read from the plan's informative `uncovered` list.
package struct RotaGrid: Sendable {
    package let period: Period
    package let dates: [CivilDate]
    package let columns: [RotaColumn]
    /// Header text per column, e.g. "副主治医当番 北部 夜間".
    package let labels: [String]
    /// cells[date offset][column]; nil where the date has neither a slot nor an assignment.
    package let cells: [[RotaCell?]]

    package init(loaded: LoadedInstance, plan: Plan) {
        let instance = loaded.instance
        let period = instance.period
        self.period = period
        dates = period.dates

        var keys = Set<RotaColumn>()
        for slot in loaded.slots.slots {
            let duty = instance.duties[slot.duty]
            keys.insert(RotaColumn(duty: duty.id, area: duty.areas[slot.area].id, shift: instance.shifts[slot.shift].id))
        }
        let assignments = OutputAssignments.distinct(plan).filter { period.contains($0.date) }
        for a in assignments { keys.insert(RotaColumn(duty: a.duty, area: a.area, shift: a.shift)) }
        columns = keys.sorted { RotaGrid.order(of: $0, in: instance) < RotaGrid.order(of: $1, in: instance) }
        labels = columns.map { RotaText.label(duty: $0.duty, area: $0.area, shift: $0.shift, in: instance) }

        let columnIndex = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1, $0) })
        var cells = [[RotaCell?]](repeating: [RotaCell?](repeating: nil, count: columns.count), count: dates.count)
        for slot in loaded.slots.slots {
            let duty = instance.duties[slot.duty]
            let key = RotaColumn(duty: duty.id, area: duty.areas[slot.area].id, shift: instance.shifts[slot.shift].id)
            cells[period.offset(of: slot.date)][columnIndex[key]!] = RotaCell(names: [], missing: slot.demand, hasSlot: true)
        }
        var members: [[[Assignment]]] = cells.map { $0.map { _ in [] } }
        for a in assignments {
            members[period.offset(of: a.date)][columnIndex[RotaColumn(duty: a.duty, area: a.area, shift: a.shift)]!].append(a)
        }
        for d in dates.indices {
            for c in columns.indices where !members[d][c].isEmpty {
                let sorted = members[d][c].sorted {
                    let l = instance.memberIndex[$0.member] ?? Int.max, r = instance.memberIndex[$1.member] ?? Int.max
                    return l != r ? l < r : $0.member < $1.member
                }
                var cell = cells[d][c] ?? RotaCell(names: [], missing: 0, hasSlot: false)
                cell.names = sorted.map { RotaText.name(of: $0.member, in: instance) }
                cell.missing = max(0, cell.missing - sorted.count)
                cells[d][c] = cell
            }
        }
        self.cells = cells
    }

    /// Sort key: position of the duty, area and shift in the instance; unknown ids last, by id.
    private static func order(of column: RotaColumn, in instance: Instance) -> OrderKey {
        let d = instance.dutyIndex[column.duty]
        let duty = d.map { instance.duties[$0] }
        let area = duty?.areas.firstIndex { $0.id == column.area }
        let shift = duty?.demand.firstIndex { $0.shift == column.shift }
        return OrderKey(
            ranks: [d ?? Int.max, area ?? Int.max, shift ?? instance.shiftIndex[column.shift].map { 100_000 + $0 } ?? Int.max],
            ids: [column.duty.rawValue, column.area.rawValue, column.shift.rawValue])
    }

    private struct OrderKey: Comparable {
        var ranks: [Int]
        var ids: [String]

        static func < (l: OrderKey, r: OrderKey) -> Bool {
            if l.ranks != r.ranks { return l.ranks.lexicographicallyPrecedes(r.ranks) }
            return l.ids.lexicographicallyPrecedes(r.ids)
        }
    }
}
