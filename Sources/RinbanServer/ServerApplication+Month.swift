import Foundation
import Hummingbird
import RinbanCore
import RinbanPlanning
import RinbanWorkbook

/// The office's work on one month: availability, pins, the calendar's view of a plan,
/// cover candidates and the difference between versions.
extension ServerApplication {
    // MARK: - Availability

    struct DateInfo: Encodable {
        var date: String
        /// 0 = Sunday … 6 = Saturday.
        var weekday: Int
        var dayType: String
        var holiday: String?

        init(_ date: CivilDate, in instance: Instance) {
            self.date = date.iso
            weekday = date.weekday
            dayType = instance.dayType(of: date).rawValue
            holiday = RotaText.holidayName(date, in: instance)
        }
    }

    struct Named: Codable {
        var id: String
        var name: String
    }

    struct AvailabilityMember: Encodable {
        var id: String
        var name: String
        var pool: String
        var block: String
        var blockName: String
    }

    struct AvailabilityMark: Codable {
        var member: String
        var date: String
        var shift: String?
        var kind: String
    }

    struct Availability: Encodable {
        var revision: Int
        var dates: [DateInfo]
        var shifts: [Named]
        var members: [AvailabilityMember]
        var marks: [AvailabilityMark]
    }

    func blockName(_ id: BlockID, in instance: Instance) -> String {
        instance.blocks.first { $0.id == id }?.name ?? id.rawValue
    }

    /// `GET /api/months/{id}/availability`: the grid of members × dates.
    func availability(_ context: RinbanContext) throws -> Response {
        let id = try monthID(context)
        let (loaded, revision) = try currentInstance(ofMonth: id)
        let instance = loaded.instance
        return try Self.json(Availability(
            revision: revision,
            dates: instance.period.dates.map { DateInfo($0, in: instance) },
            shifts: instance.shifts.map { Named(id: $0.id.rawValue, name: $0.name) },
            members: instance.members.map {
                AvailabilityMember(id: $0.id.rawValue, name: $0.name, pool: $0.pool.rawValue, block: $0.block.rawValue,
                                   blockName: blockName($0.block, in: instance))
            },
            marks: AvailabilityGrid.marks(of: instance).map {
                AvailabilityMark(member: $0.member.rawValue, date: $0.date.iso, shift: $0.shift?.rawValue, kind: $0.kind.rawValue)
            }))
    }

    struct AvailabilityEdits: Decodable {
        var marks: [AvailabilityMark]
    }

    static let maximumEdits = 20_000

    /// `POST /api/months/{id}/availability` `{ "marks": [{member, date, shift?, kind}] }`
    /// with kind `unavailable`, `avoid` or `none`: sets those cells, saved at once.
    func editAvailability(_ request: Request, _ context: RinbanContext) async throws -> Response {
        let id = try monthID(context)
        let body = try await request.body.collect(upTo: Limits.small * 16)
        let edits: AvailabilityEdits
        do {
            edits = try JSONDecoder().decode(AvailabilityEdits.self, from: Data(buffer: body))
        } catch {
            return try Self.problem("marks", "本文は {\"marks\": [{\"member\", \"date\", \"shift\", \"kind\"}]} の形にしてください",
                                    "the body must be {\"marks\": [{member, date, shift, kind}]}")
        }
        guard edits.marks.count <= Self.maximumEdits else {
            return try Self.problem("marks", "一度に変えられるのは \(Self.maximumEdits) 件までです", "at most \(Self.maximumEdits) marks at once")
        }
        let members = Set(edits.marks.map(\.member))
        return try await editInstance(month: id, audit: { before, after in
            self.audit(context, "availability.edit", month: id, target: members.sorted().joined(separator: " "),
                       before: Self.marksText(before, members: members), after: Self.marksText(after, members: members))
        }) { instance in Self.availabilityEdit(edits.marks, on: instance) }
    }

    /// The grid's edits checked against the instance (every problem at its `marks[i]` field).
    static func availabilityEdit(_ marks: [AvailabilityMark], on instance: Instance) -> InstanceEdit {
        var problems: [Problems.Problem] = []
        var parsed: [AvailabilityGrid.Edit] = []
        for (i, mark) in marks.enumerated() {
            func refuse(_ field: String, _ japanese: String, _ english: String) {
                problems.append(.init(path: "marks[\(i)].\(field)", message: english, japanese: japanese, severity: "error"))
            }
            let member = MemberID(mark.member)
            if instance.memberIndex[member] == nil { refuse("member", "メンバー \"\(mark.member)\" はいません", "unknown member \"\(mark.member)\"") }
            let date = CivilDate(iso: mark.date)
            if let date, !instance.period.contains(date) {
                refuse("date", "\(mark.date) は期間 (\(instance.period.start)〜\(instance.period.end)) の外です",
                       "\(mark.date) is outside the period \(instance.period.start) – \(instance.period.end)")
            } else if date == nil {
                refuse("date", "日付として読めません (\"\(mark.date)\")。2027-01-05 のように書いてください", "not a date: \"\(mark.date)\" (write 2027-01-05)")
            }
            if let shift = mark.shift, instance.shiftIndex[ShiftID(shift)] == nil {
                refuse("shift", "勤務帯 \"\(shift)\" はありません", "unknown shift \"\(shift)\"")
            }
            let kind = AvailabilityGrid.Kind(rawValue: mark.kind)
            if kind == nil && mark.kind != "none" {
                refuse("kind", "kind は unavailable (不可), avoid (避けたい), none (消す) のどれかです", "kind must be unavailable, avoid or none")
            }
            if let date, kind != nil || mark.kind == "none" {
                parsed.append(AvailabilityGrid.Edit(member: member, date: date, shift: mark.shift.map { ShiftID($0) }, kind: kind))
            }
        }
        guard problems.isEmpty else { return .failure(problems) }
        return .success(AvailabilityGrid.applying(parsed, to: instance))
    }

    // MARK: - Pins

    struct PinRequest: Decodable {
        var duty: String
        var area: String
        var date: String
        var shift: String
        var member: String
        var pinned: Bool
    }

    /// `POST /api/months/{id}/pins`: pins a cell's member (the next plan run keeps it) or
    /// takes the pin away.
    func editPin(_ request: Request, _ context: RinbanContext) async throws -> Response {
        let id = try monthID(context)
        guard let pin = try await Self.body(PinRequest.self, of: request) else {
            return try Self.problem("pin", "本文は {\"duty\", \"area\", \"date\", \"shift\", \"member\", \"pinned\"} の形にしてください",
                                    "the body must be {duty, area, date, shift, member, pinned}")
        }
        let target = "\(pin.duty) \(pin.area) \(pin.date) \(pin.shift) \(pin.member)"
        return try await editInstance(month: id, audit: { _, _ in
            self.audit(context, pin.pinned ? "pin.add" : "pin.remove", month: id, target: target)
        }) { instance in
            guard let date = CivilDate(iso: pin.date) else {
                return .failure([.init(path: "date", message: "not a date", japanese: "日付として読めません", severity: "error")])
            }
            let entry = Pin(Assignment(duty: DutyID(pin.duty), area: AreaID(pin.area), date: date, shift: ShiftID(pin.shift),
                                       member: MemberID(pin.member)))
            var edited = instance
            edited.pins.removeAll { $0 == entry }
            if pin.pinned { edited.pins.append(entry) }
            return .success(edited)
        }
    }

    enum InstanceEdit {
        case success(Instance)
        case failure([Problems.Problem])
    }

    /// Applies `edit` to the month's current instance, validates the result as an upload is
    /// validated, and stores it as the next revision, through the group-committing queue
    /// (``InstanceEdits``): edits that arrive together are stored together, each applied
    /// to the instance the previous one left, never to a stale one.
    func editInstance(month id: Int64, audit: @escaping (_ before: Instance, _ after: Instance) -> Store.AuditEntry,
                      answer: (member: String, note: String)? = nil,
                      _ edit: @escaping (Instance) throws -> InstanceEdit) async throws -> Response {
        _ = try requireMonth(id)
        let outcome: InstanceEdits.Outcome
        do {
            outcome = try await edits.submit(id, audit: audit, answer: answer, edit: edit, in: self)
        } catch Store.Conflict.instanceChanged {
            throw HTTPError(.conflict, message: "同時に変更が続いたため保存できませんでした。もう一度どうぞ / the month kept changing; try again")
        }
        switch outcome {
        case .refused(let problems):
            return try Self.json(Problems(error: "invalid edit", problems: problems), status: .unprocessableContent)
        case .saved(let revision, let pins, let marks):
            struct Saved: Encodable {
                var revision: Int
                var pins: Int
                var marks: Int
            }
            return try Self.json(Saved(revision: revision, pins: pins, marks: marks))
        }
    }

    /// The members' marks as one line each (`m1: 2026-12-03 × 不可, 2026-12-10 夜間 △ 避けたい`), for the audit trail.
    static func marksText(_ instance: Instance, members: Set<String>) -> String {
        var lines: [String: [String]] = [:]
        let rows = members.compactMap { instance.memberIndex[MemberID($0)] }.flatMap {
            AvailabilityGrid.marks(of: instance.members[$0], in: instance.period)
        }
        for mark in rows {
            lines[mark.member.rawValue, default: []].append(
                "\(mark.date.iso)\(mark.shift.map { " " + $0.rawValue } ?? "") \(mark.kind == .unavailable ? "× 不可" : "△ 避けたい")")
        }
        return members.sorted().map { "\($0): " + (lines[$0]?.joined(separator: ", ") ?? "なし") }.joined(separator: "\n")
    }

    static func problem(_ path: String, _ japanese: String, _ english: String) throws -> Response {
        try json(Problems(error: "invalid request", problems: [.init(path: path, message: english, japanese: japanese, severity: "error")]),
                 status: .unprocessableContent)
    }

    // MARK: - The calendar's view of a plan

    struct ViewColumn: Encodable {
        var duty: String
        var dutyName: String
        var area: String
        var areaName: String
        var blocks: [String]
        var shift: String
        var shiftName: String
    }

    struct ViewCell: Encodable {
        var members: [String]
        var missing: Int
        var pinned: [String]
    }

    struct ViewMember: Encodable {
        var id: String
        var name: String
        var pool: String
        var block: String
        var blockName: String
        var share: Double
        var duties: Int
        var holidayDuties: Int
        var points: Double
        var target: Double?
        var holidays: Int
        var holidayTarget: Double?
    }

    struct ViewUncovered: Encodable {
        var duty: String
        var area: String
        var date: String
        var shift: String
        var missing: Int
        var reason: String?
    }

    struct ViewTerm: Encodable {
        var term: String
        var label: String
        var value: Double
        var weighted: Double
    }

    struct View: Encodable {
        var source: String
        var version: Int
        var revision: Int
        var dates: [DateInfo]
        var blocks: [Named]
        var duties: [Named]
        var columns: [ViewColumn]
        /// cells[date][column]; null where the date has no slot there.
        var cells: [[ViewCell?]]
        var members: [ViewMember]
        var uncovered: [ViewUncovered]
        var total: Double
        var terms: [ViewTerm]
        var violations: [String]
    }

    /// The calendar, fairness and uncovered slots of a plan, with the evaluator's figures.
    func view(of plan: Plan, loaded: LoadedInstance, source: String, version: Int, revision: Int) -> View {
        let instance = loaded.instance
        let grid = RotaGrid(loaded: loaded, plan: plan)
        func key(_ duty: DutyID, _ area: AreaID, _ shift: ShiftID) -> String { "\(duty)|\(area)|\(shift)" }
        let columnIndex = Dictionary(uniqueKeysWithValues: grid.columns.enumerated().map { (key($1.duty, $1.area, $1.shift), $0) })
        var cells: [[ViewCell?]] = grid.cells.map { $0.map { $0.map { ViewCell(members: [], missing: $0.missing, pinned: []) } } }
        for a in plan.assignments where instance.period.contains(a.date) {
            guard let c = columnIndex[key(a.duty, a.area, a.shift)] else { continue }
            let d = instance.period.offset(of: a.date)
            if cells[d][c] == nil { cells[d][c] = ViewCell(members: [], missing: 0, pinned: []) }
            if !cells[d][c]!.members.contains(a.member.rawValue) { cells[d][c]!.members.append(a.member.rawValue) }
        }
        for pin in instance.pins {
            guard let c = columnIndex[key(pin.duty, pin.area, pin.shift)], instance.period.contains(pin.date) else { continue }
            cells[instance.period.offset(of: pin.date)][c]?.pinned.append(pin.member.rawValue)
        }
        let evaluation = Evaluator(loaded).evaluate(plan)
        return View(
            source: source, version: version, revision: revision,
            dates: instance.period.dates.map { DateInfo($0, in: instance) },
            blocks: instance.blocks.map { Named(id: $0.id.rawValue, name: $0.name) },
            duties: instance.duties.map { Named(id: $0.id.rawValue, name: $0.name) },
            columns: grid.columns.map { column in
                let area = instance.dutyIndex[column.duty].flatMap { instance.duties[$0].areas.first { $0.id == column.area } }
                return ViewColumn(duty: column.duty.rawValue, dutyName: RotaText.dutyName(column.duty, in: instance),
                                  area: column.area.rawValue, areaName: RotaText.areaName(duty: column.duty, area: column.area, in: instance),
                                  blocks: area.map { $0.blocks.map(\.rawValue).sorted() } ?? [],
                                  shift: column.shift.rawValue, shiftName: RotaText.shiftName(column.shift, in: instance))
            },
            cells: cells,
            // The evaluator's figures, as the printable calendar's loads table shows them.
            members: evaluation.members.map { figures in
                let member = instance.members[figures.member]
                return ViewMember(id: member.id.rawValue, name: member.name, pool: member.pool.rawValue, block: member.block.rawValue,
                                  blockName: blockName(member.block, in: instance), share: member.share, duties: figures.assignments,
                                  holidayDuties: figures.holidayAssignments, points: figures.points, target: figures.target,
                                  holidays: figures.holidays, holidayTarget: figures.holidayTarget)
            },
            uncovered: Self.uncovered(evaluation, reasonsFrom: plan).map {
                ViewUncovered(duty: $0.duty.rawValue, area: $0.area.rawValue, date: $0.date.iso, shift: $0.shift.rawValue, missing: $0.missing,
                              reason: $0.reason)
            },
            total: evaluation.total,
            terms: ObjectiveTerm.allCases.compactMap { term in
                guard let value = evaluation.terms[term], value != 0 else { return nil }
                return ViewTerm(term: term.rawValue, label: RotaHTML.termLabel(term), value: value, weighted: value * evaluation.weights[term])
            },
            violations: evaluation.violations.map(\.description))
    }

    /// `GET /api/months/{id}/draft/view`.
    func draftView(_ context: RinbanContext) throws -> Response {
        let id = try monthID(context)
        let (loaded, revision) = try currentInstance(ofMonth: id)
        let draft = try requireDraft(id)
        var response = try Self.json(view(of: try Self.plan(draft.plan), loaded: loaded, source: "draft", version: draft.version, revision: revision))
        response.headers[.eTag] = "\"\(draft.version)\""
        return response
    }

    /// `GET /api/months/{id}/published/{version}/view`.
    /// A published version never changes, so its view (whole, or narrowed to a leader's
    /// blocks) is made once and kept (``ViewCache``).
    func publishedView(_ context: RinbanContext) throws -> Response {
        let id = try monthID(context)
        let version = try context.parameters.require("version", as: Int.self)
        let leader = context.principal.flatMap { $0.user.role == .leader ? $0.blocks : nil }
        let key = "\(id)|\(version)|" + (leader?.sorted().joined(separator: ",") ?? "*")
        let data = try views.value(key) {
            let (id, published) = try requirePublished(context)
            let loaded = try loadedInstance(ofMonth: id, version: published.version, revision: published.instanceRevision)
            var view = view(of: try Self.plan(published.plan), loaded: loaded, source: "published", version: published.version,
                            revision: published.instanceRevision ?? 0)
            if let leader { view = Self.narrowed(view, toBlocks: leader) }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return try encoder.encode(view)
        }
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A leader's view: the columns of areas in their blocks, the members of their blocks,
    /// the open slots of those areas.
    static func narrowed(_ view: View, toBlocks blocks: Set<String>) -> View {
        var view = view
        let keep = view.columns.indices.filter { !Set(view.columns[$0].blocks).isDisjoint(with: blocks) }
        let areas = Set(keep.map { "\(view.columns[$0].duty)|\(view.columns[$0].area)" })
        view.columns = keep.map { view.columns[$0] }
        view.cells = view.cells.map { row in keep.map { row[$0] } }
        view.members = view.members.filter { blocks.contains($0.block) }
        view.uncovered = view.uncovered.filter { areas.contains("\($0.duty)|\($0.area)") }
        view.blocks = view.blocks.filter { blocks.contains($0.id) }
        return view
    }

    /// A published plan as a leader or member may read it. A leader: the assignments and
    /// open slots of areas in their blocks, no patient, item or bed lists. A member: their
    /// own assignments, the items placed with them and the patients they are deputy for.
    static func narrowed(_ plan: Plan, on instance: Instance, for principal: Principal) -> Plan {
        var plan = plan
        switch principal.user.role {
        case .office:
            return plan
        case .leader:
            var areaBlocks: [String: Set<String>] = [:]
            for duty in instance.duties {
                for area in duty.areas { areaBlocks["\(duty.id)|\(area.id)"] = Set(area.blocks.map(\.rawValue)) }
            }
            func visible(_ duty: DutyID, _ area: AreaID) -> Bool { !(areaBlocks["\(duty)|\(area)"] ?? []).isDisjoint(with: principal.blocks) }
            plan.assignments = plan.assignments.filter { visible($0.duty, $0.area) }
            plan.uncovered = plan.uncovered.filter { visible($0.duty, $0.area) }
            plan.placements = []
            plan.deputies = []
        case .member:
            let me = MemberID(principal.user.member ?? "")
            plan.assignments = plan.assignments.filter { $0.member == me }
            plan.uncovered = []
            plan.placements = plan.placements.filter { $0.station == me }
            plan.deputies = plan.deputies.filter { $0.deputy == me }
        }
        plan.designations = []
        plan.respite = []
        return plan
    }

    func requireDraft(_ id: Int64) throws -> Store.StoredPlan {
        guard let draft = try store.draft(ofMonth: id) else {
            throw HTTPError(.notFound, message: "下書きはまだありません。計画を実行してください / no draft yet: start a run")
        }
        return draft
    }

    func requirePublished(_ context: RinbanContext) throws -> (Int64, Store.StoredPlan) {
        let id = try monthID(context)
        let version = try context.parameters.require("version", as: Int.self)
        guard let published = try store.published(month: id, version: version) else {
            throw HTTPError(.notFound, message: "版 \(version) はありません / no version \(version)")
        }
        return (id, published)
    }

    static func plan(_ text: String) throws -> Plan {
        try PlanReader.decode(DocumentReader.parse(Array(text.utf8), format: .json))
    }

    // MARK: - Cover

    struct CoverPart: Encodable {
        var term: String
        var label: String
        var value: Double
    }

    struct CoverSwap: Encodable {
        var duty: String
        var area: String
        var date: String
        var shift: String
        var to: String
        var toName: String
    }

    struct CoverCandidate: Encodable {
        var member: String
        var name: String
        var increase: Double
        var neighbour: Bool
        var swap: CoverSwap?
        var reasons: [CoverPart]
    }

    struct CoverUnable: Encodable {
        var member: String
        var name: String
        var reason: String
        var japanese: String
    }

    struct Cover: Encodable {
        var leavingOpen: Double
        var candidates: [CoverCandidate]
        var unable: [CoverUnable]
    }

    /// `GET /api/months/{id}/draft/cover?duty=&area=&date=&shift=[&exclude=]`: the ranked
    /// candidates of `rinban cover` for one cell of the draft (the draft is its own
    /// baseline, so a swap pays for the duty it moves).
    func draftCover(_ request: Request, _ context: RinbanContext) throws -> Response {
        let id = try monthID(context)
        return try Self.json(try cover(request, loaded: try loadedInstance(ofMonth: id), plan: try Self.plan(try requireDraft(id).plan)).view)
    }

    func cover(_ request: Request, loaded: LoadedInstance, plan: Plan) throws -> (view: Cover, ranking: CoverRanking) {
        var query: [String: String] = [:]
        for key in ["duty", "area", "date", "shift", "exclude"] { query[key] = request.uri.queryParameters.get(key) }
        return try cover(query: query, loaded: loaded, plan: plan)
    }

    /// `rinban cover` for one slot of `plan` (its own baseline).
    func cover(query: [String: String], loaded: LoadedInstance, plan: Plan) throws -> (view: Cover, ranking: CoverRanking) {
        let instance = loaded.instance
        func required(_ key: String) throws -> String {
            guard let value = query[key], !value.isEmpty else {
                throw HTTPError(.unprocessableContent, message: "\(key) を指定してください / \(key) is required")
            }
            return value
        }
        let duty = DutyID(try required("duty")), area = AreaID(try required("area")), shift = ShiftID(try required("shift"))
        let dateText = try required("date")
        guard let date = CivilDate(iso: dateText) else {
            throw HTTPError(.unprocessableContent, message: "date が日付として読めません / date is not a date: \(dateText)")
        }
        guard let slot = loaded.slots.slot(duty: duty, area: area, date: date, shift: shift) else {
            throw HTTPError(.notFound, message: "その枠はありません / no such slot")
        }
        var excluded: MemberIndex?
        if let exclude = query["exclude"], !exclude.isEmpty {
            guard let m = instance.memberIndex[MemberID(exclude)] else {
                throw HTTPError(.unprocessableContent, message: "メンバー \(exclude) はいません / unknown member \(exclude)")
            }
            excluded = m
        }
        let ranking = CoverRanking(problem: RotaProblem(loaded: loaded, baseline: plan), plan: plan, slot: slot.index, exclude: excluded)
        func name(_ id: MemberID) -> String { instance.memberIndex[id].map { instance.members[$0].name } ?? id.rawValue }
        let view = Cover(
            leavingOpen: ranking.leavingOpen,
            candidates: ranking.candidates.prefix(20).map { c in
                CoverCandidate(
                    member: c.member.rawValue, name: c.name, increase: c.increase, neighbour: c.neighbour,
                    swap: c.gives.flatMap { gives in c.givesTo.map {
                        CoverSwap(duty: gives.duty.rawValue, area: gives.area.rawValue, date: gives.date.iso, shift: gives.shift.rawValue,
                                  to: $0.rawValue, toName: name($0))
                    } },
                    reasons: c.parts.map { part in
                        CoverPart(term: part.0, label: ObjectiveTerm(rawValue: part.0).map(RotaHTML.termLabel) ?? part.0, value: part.1)
                    })
            },
            unable: ranking.unavailable.map { CoverUnable(member: $0.member.rawValue, name: $0.name, reason: $0.reason, japanese: $0.japanese) })
        return (view, ranking)
    }

    // MARK: - Differences

    /// `GET /api/months/{id}/published/{version}/diff`: what changed since the previous
    /// version (from an empty plan for version 1), as `rinban diff --json`; with
    /// `?format=html` the printable difference calendar.
    func publishedDiff(_ request: Request, _ context: RinbanContext) throws -> Response {
        let (id, after) = try requirePublished(context)
        let afterLoaded = try loadedInstance(ofMonth: id, version: after.version, revision: after.instanceRevision)
        let before = try store.published(month: id, version: after.version - 1)
        let beforeLoaded = try before.map { try loadedInstance(ofMonth: id, version: $0.version, revision: $0.instanceRevision) } ?? afterLoaded
        return try diffResponse(request, before: before.map { try Self.plan($0.plan) } ?? Plan(period: afterLoaded.instance.period),
                                on: beforeLoaded, after: try Self.plan(after.plan), on: afterLoaded)
    }

    /// `GET /api/months/{id}/draft/diff`: what publishing the draft would change against
    /// the latest published version.
    func draftDiff(_ request: Request, _ context: RinbanContext) throws -> Response {
        let id = try monthID(context)
        let loaded = try loadedInstance(ofMonth: id)
        let draft = try Self.plan(try requireDraft(id).plan)
        let latest = try store.published(month: id)
        let beforeLoaded = try latest.map { try loadedInstance(ofMonth: id, version: $0.version, revision: $0.instanceRevision) } ?? loaded
        return try diffResponse(request, before: latest.map { try Self.plan($0.plan) } ?? Plan(period: loaded.instance.period),
                                on: beforeLoaded, after: draft, on: loaded)
    }

    func diffResponse(_ request: Request, before: Plan, on beforeLoaded: LoadedInstance, after: Plan, on afterLoaded: LoadedInstance) throws -> Response {
        let diff = PlanDiff(before: before, on: beforeLoaded, after: after, on: afterLoaded, changes: [])
        if request.uri.queryParameters.get("format") == "html" {
            return Self.text(PlanDiffReport.html(diff, after: after, on: afterLoaded), type: "text/html; charset=utf-8")
        }
        return Self.text(PlanDiffReport.json(diff), type: "application/json; charset=utf-8")
    }
}

// MARK: - Downloads

extension ServerApplication {
    /// The files of a plan the office can download, by name.
    static let fileNames = ["plan.json", "rota.csv", "rota.xlsx", "rota.html", "calendars.zip"]

    /// `GET /api/months/{id}/draft/files/{name}`.
    func draftFile(_ context: RinbanContext) throws -> Response {
        let id = try monthID(context)
        let draft = try requireDraft(id)
        return try file(context, plan: draft.plan, loaded: try loadedInstance(ofMonth: id), stem: "draft-\(draft.version)")
    }

    /// `GET /api/months/{id}/published/{version}/files/{name}`.
    func publishedFile(_ context: RinbanContext) throws -> Response {
        let (id, published) = try requirePublished(context)
        let loaded = try loadedInstance(ofMonth: id, version: published.version, revision: published.instanceRevision)
        return try file(context, plan: published.plan, loaded: loaded, stem: "v\(published.version)")
    }

    /// One download: the plan as stored (rinban-plan/1), the CSV, the rota workbook, the
    /// printable calendar, or every member's ICS file in a zip, made by the CLI's writers.
    func file(_ context: RinbanContext, plan text: String, loaded: LoadedInstance, stem: String) throws -> Response {
        guard let name = context.parameters.get("name"), Self.fileNames.contains(name) else {
            throw HTTPError(.notFound, message: "ファイルは \(Self.fileNames.joined(separator: ", ")) のどれかです / no such file")
        }
        let plan = try Self.plan(text)
        let month = loaded.instance.period.start
        let base = "rinban-\(month.year)-\(month.month < 10 ? "0" : "")\(month.month)-\(stem)"
        let (type, data): (String, Data)
        switch name {
        case "plan.json": (type, data) = ("application/json; charset=utf-8", Data(text.utf8))
        case "rota.csv": (type, data) = ("text/csv; charset=utf-8", Data(RotaCSV.make(loaded: loaded, plan: plan).utf8))
        case "rota.xlsx": (type, data) = (Self.workbookType, try XLSXWriter.data(for: RotaWorkbook.make(loaded: loaded, plan: plan)))
        case "rota.html": (type, data) = ("text/html; charset=utf-8", Data(RotaHTML.make(loaded: loaded, plan: plan).utf8))
        default:
            let calendars = RotaICS.make(loaded: loaded, plan: plan, stamp: Date())
            (type, data) = ("application/zip", try XLSXWriter.zip(calendars.map { ($0.fileName, Array($0.text.utf8)) }))
        }
        let extensionStart = name.firstIndex(of: ".")!
        let fileName = base + "-" + name[..<extensionStart] + name[extensionStart...]
        return Response(status: .ok, headers: [.contentType: type, .contentDisposition: "attachment; filename=\"\(fileName)\""],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
