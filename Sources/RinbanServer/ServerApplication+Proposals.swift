import Foundation
import Hummingbird
import MIPGLPK
import RinbanCore
import RinbanPlanning

/// Changes to a published version proposed in the browser: a leader's what-if (`rinban
/// whatif` with the minimal-change engine), a cover chosen among `rinban cover`'s
/// candidates, and members' swaps. Each becomes a new published version when the office
/// (or, by the office's rule, the leader or the swap rule) publishes it.
extension ServerApplication {
    func addProposalHandlers(_ h: inout [String: Handler]) {
        h["GET /api/months/{id}/published/{version}/cover"] = { request, context in try self.publishedCover(request, context) }
        h["POST /api/months/{id}/whatif"] = { request, context in try await self.proposeWhatIf(request, context) }
        h["POST /api/months/{id}/cover"] = { request, context in try await self.proposeCover(request, context) }
        h["GET /api/months/{id}/proposals"] = { _, context in
            let id = try self.monthID(context)
            _ = try self.requireMonth(id)
            let latest = try self.store.published(month: id)?.version ?? 0
            return try Self.json(try self.store.proposals(month: id).filter { self.mayRead($0, context) }.map {
                try self.proposalView($0, latest: latest, withSummary: false)
            })
        }
        h["GET /api/proposals/{id}"] = { _, context in
            let proposal = try self.readableProposal(context)
            return try Self.json(try self.proposalView(proposal, latest: try self.store.published(month: proposal.month)?.version ?? 0))
        }
        h["POST /api/proposals/{id}/submit"] = { _, context in try await self.submitProposal(context) }
        h["POST /api/proposals/{id}/publish"] = { _, context in try await self.publishProposal(context) }
        h["POST /api/proposals/{id}/reject"] = { _, context in
            let proposal = try self.readableProposal(context)
            guard self.mayDecide(proposal, context) else { throw Self.notDecider }
            return try self.move(proposal, from: ["submitted", "accepted"], to: "rejected", context, decided: true)
        }
        h["POST /api/proposals/{id}/withdraw"] = { _, context in
            let proposal = try self.readableProposal(context)
            guard proposal.createdBy == context.principal?.user.id || context.principal?.user.role == .office else {
                throw HTTPError(.forbidden, message: "取り下げられるのは出した人と事務局だけです / only its author or the office may withdraw it")
            }
            return try self.move(proposal, from: ["proposed", "submitted", "offered", "accepted"], to: "withdrawn", context, decided: false)
        }
        h["POST /api/proposals/{id}/rebase"] = { _, context in try await self.rebaseProposal(context) }
        h["GET /api/rules"] = { _, _ in try Self.json(try self.store.rules()) }
        h["PUT /api/rules"] = { request, context in
            guard let rules = try await Self.body(Store.Rules.self, of: request),
                  rules.swapAutoApprove.map({ $0 >= 0 && $0.isFinite }) ?? true else {
                return try Self.problem("rules", "本文は {\"leadersPublish\": true/false, \"swapAutoApprove\": 数値 (0 以上) か null} の形にしてください",
                                        "the body must be {leadersPublish, swapAutoApprove (≥ 0 or null)}")
            }
            try self.store.setRules(rules, audit: self.audit(context, "rules.set", target: "rules"))
            return try Self.json(rules)
        }
        h["GET /months/{id}/block"] = { _, context in
            let id = try self.monthID(context)
            return Pages.block(try self.requireMonth(id), latest: try self.store.published(month: id)?.version)
        }
    }

    // MARK: - Who may see and decide

    /// The blocks of each area (`duty|area`).
    static func areaBlocks(_ instance: Instance) -> [String: Set<String>] {
        var blocks: [String: Set<String>] = [:]
        for duty in instance.duties {
            for area in duty.areas { blocks["\(duty.id)|\(area.id)"] = Set(area.blocks.map(\.rawValue)) }
        }
        return blocks
    }

    func mayRead(_ proposal: Store.Proposal, _ context: RinbanContext) -> Bool {
        guard let principal = context.principal else { return false }
        switch principal.user.role {
        case .office: return true
        case .leader: return proposal.createdBy == principal.user.id || !Set(proposal.blocks).isDisjoint(with: principal.blocks)
        case .member:
            guard let me = principal.user.member else { return false }
            return proposal.kind == "swap" && (proposal.offeredBy == me || proposal.offeredTo == me || proposal.offeredTo == nil
                || proposal.acceptedBy == me)
        }
    }

    /// The office decides everything; a leader decides swaps in their blocks, and what-ifs
    /// and covers of their blocks when the office's rule lets leaders publish.
    func mayDecide(_ proposal: Store.Proposal, _ context: RinbanContext) -> Bool {
        guard let principal = context.principal else { return false }
        switch principal.user.role {
        case .office: return true
        case .leader:
            guard !proposal.blocks.isEmpty, Set(proposal.blocks).isSubset(of: principal.blocks) else { return false }
            return proposal.kind == "swap" || ((try? store.rules().leadersPublish) ?? false)
        case .member: return false
        }
    }

    static let notDecider = HTTPError(.forbidden, message: "この提案を公開・却下できるのは事務局 (と、事務局が認めた場合は担当ブロックの幹事) です / only the office (or, if allowed, the block's leader) decides this proposal")

    func readableProposal(_ context: RinbanContext) throws -> Store.Proposal {
        guard let id = context.parameters.get("id", as: Int64.self), let proposal = try store.proposal(id), mayRead(proposal, context) else {
            throw HTTPError(.notFound, message: "その提案はありません / no such proposal")
        }
        return proposal
    }

    // MARK: - Views

    struct CellChange: Codable {
        var date: String
        var duty: String
        var dutyName: String
        var area: String
        var areaName: String
        var shift: String
        var shiftName: String
        var removed: [Named]
        var added: [Named]
    }

    struct Figures: Codable {
        var duties: Int
        var points: Double
        var target: Double?
    }

    struct MemberChange: Codable {
        var id: String
        var name: String
        var before: Figures?
        var after: Figures?
    }

    struct TermChange: Codable {
        var term: String
        var label: String
        var before: Double
        var after: Double
        var weightedChange: Double
    }

    /// What a proposal changes, without patient data (leaders and members read it).
    struct Summary: Codable {
        var changes: [String]
        var cells: [CellChange]
        var members: [MemberChange]
        var terms: [TermChange]
        var totalBefore: Double
        var totalAfter: Double
        var uncovered: Int
        var violations: [String]
    }

    static func summary(_ diff: PlanDiff, before: LoadedInstance, after: LoadedInstance, plan: Plan) -> Summary {
        let instance = after.instance
        func name(_ id: MemberID) -> Named {
            let member = instance.memberIndex[id].map { instance.members[$0] }
                ?? before.instance.memberIndex[id].map { before.instance.members[$0] }
            return Named(id: id.rawValue, name: member?.name ?? id.rawValue)
        }
        func figures(_ f: MemberFigures?) -> Figures? { f.map { Figures(duties: $0.assignments, points: $0.points, target: $0.target) } }
        return Summary(
            changes: diff.changes,
            cells: diff.slots.map {
                CellChange(date: $0.date.iso, duty: $0.duty.rawValue, dutyName: RotaText.dutyName($0.duty, in: instance),
                           area: $0.area.rawValue, areaName: RotaText.areaName(duty: $0.duty, area: $0.area, in: instance),
                           shift: $0.shift.rawValue, shiftName: RotaText.shiftName($0.shift, in: instance),
                           removed: $0.removed.map(name), added: $0.added.map(name))
            },
            members: diff.members.filter(\.changed).map {
                MemberChange(id: $0.id.rawValue, name: $0.name, before: figures($0.before), after: figures($0.after))
            },
            terms: diff.terms.filter { $0.before != $0.after || $0.weightBefore * $0.before != 0 }.map {
                TermChange(term: $0.term.rawValue, label: RotaHTML.termLabel($0.term), before: $0.before, after: $0.after,
                           weightedChange: $0.weightedChange)
            },
            totalBefore: diff.totalBefore, totalAfter: diff.totalAfter,
            uncovered: plan.uncovered.reduce(0) { $0 + $1.missing },
            violations: diff.violationsAfter.map(\.description))
    }

    struct ProposalView: Encodable {
        var id: Int64
        var month: Int64
        var kind: String
        var state: String
        var baseVersion: Int
        /// Another version was published since this proposal's base: it must be rebased.
        var stale: Bool
        var description: String
        var createdBy: String
        var createdAt: String
        var blocks: [String]
        var offeredBy: String?
        var offeredTo: String?
        var acceptedBy: String?
        var decidedBy: String?
        var decidedAt: String?
        var version: Int?
        var rebasedTo: Int64?
        var summary: Summary?
    }

    /// The proposal as the request's person may read it: the description and the lines of an
    /// office's what-if that touches patients, beds or stations are left out for everyone else.
    func proposalView(_ p: Store.Proposal, latest: Int, withSummary: Bool = true) throws -> ProposalView {
        var summary = withSummary ? try JSONDecoder().decode(Summary.self, from: Data(p.summary.utf8)) : nil
        var hidden: String?
        if Principal.current?.user.role != .office, p.kind == "whatif", let text = p.changes {
            let kinds = (try? ChangeSet.parse(DocumentReader.parse(Array(text.utf8), format: text.hasPrefix("{") ? .json : .yaml)))?
                .changes.map(\.kind.rawValue) ?? ["?"]
            if !Set(kinds).isSubset(of: Self.leaderChanges) {
                summary?.changes = []
                hidden = "事務局の変更案 #\(p.id) (患者・病床などを含むため、内容は事務局だけが見られます)"
            }
        }
        return ProposalView(id: p.id, month: p.month, kind: p.kind, state: p.state, baseVersion: p.baseVersion,
                     stale: p.baseVersion != latest && !["published", "rejected", "withdrawn", "rebased"].contains(p.state),
                     description: hidden ?? p.description, createdBy: p.createdByName, createdAt: p.createdAt, blocks: p.blocks,
                     offeredBy: p.offeredBy, offeredTo: p.offeredTo, acceptedBy: p.acceptedBy, decidedBy: p.decidedBy,
                     decidedAt: p.decidedAt, version: p.version, rebasedTo: p.rebasedTo,
                     summary: summary)
    }

    // MARK: - Cover on a published version

    /// The latest published version of the month with its instance.
    func latestPublished(_ id: Int64) throws -> (version: Int, plan: Plan, loaded: LoadedInstance) {
        _ = try requireMonth(id)
        guard let published = try store.published(month: id) else {
            throw HTTPError(.conflict, message: "まだ公開されていません / nothing published yet")
        }
        return (published.version, try Self.plan(published.plan),
                try loadedInstance(ofMonth: id, version: published.version, revision: published.instanceRevision))
    }

    /// `GET /api/months/{id}/published/{version}/cover?duty=&area=&date=&shift=[&exclude=]`:
    /// `rinban cover` on a published slot. A leader may ask only for their blocks' areas.
    func publishedCover(_ request: Request, _ context: RinbanContext) throws -> Response {
        let (id, published) = try requirePublished(context)
        let loaded = try loadedInstance(ofMonth: id, version: published.version, revision: published.instanceRevision)
        try requireBlocks(of: request.uri.queryParameters.get("duty") ?? "", request.uri.queryParameters.get("area") ?? "", in: loaded.instance, context)
        return try Self.json(try cover(request, loaded: loaded, plan: try Self.plan(published.plan)).view)
    }

    /// A leader's slot must lie in their blocks (404 otherwise, like anything they may not see).
    func requireBlocks(of duty: String, _ area: String, in instance: Instance, _ context: RinbanContext) throws {
        let blocks = Self.areaBlocks(instance)["\(duty)|\(area)"] ?? []
        guard policy.allows(context.principal, .propose, blocks: blocks) || context.principal?.user.role == .office else {
            throw HTTPError(.notFound, message: "その枠はありません / no such slot")
        }
    }

    struct CoverRequest: Decodable {
        var duty: String
        var area: String
        var date: String
        var shift: String
        /// The member who takes the slot (one of the candidates).
        var member: String
        /// The member who cannot do it (tonight's physician who fell ill), if any.
        var exclude: String?
        var description: String?
    }

    /// `POST /api/months/{id}/cover`: a cover chosen among the ranked candidates of the
    /// latest published version, as a proposal (the candidate's swap included).
    func proposeCover(_ request: Request, _ context: RinbanContext) async throws -> Response {
        let id = try monthID(context)
        guard let chosen = try await Self.body(CoverRequest.self, of: request) else {
            return try Self.problem("cover", "本文は {\"duty\", \"area\", \"date\", \"shift\", \"member\", \"exclude\"} の形にしてください",
                                    "the body must be {duty, area, date, shift, member, exclude}")
        }
        let (version, plan, loaded) = try latestPublished(id)
        try requireBlocks(of: chosen.duty, chosen.area, in: loaded.instance, context)
        var query: [(String, String)] = [("duty", chosen.duty), ("area", chosen.area), ("date", chosen.date), ("shift", chosen.shift)]
        if let exclude = chosen.exclude { query.append(("exclude", exclude)) }
        let ranking = try cover(query: Dictionary(uniqueKeysWithValues: query), loaded: loaded, plan: plan).ranking
        guard let candidate = ranking.candidates.first(where: { $0.member.rawValue == chosen.member }) else {
            return try Self.problem("member", "\(chosen.member) はこの枠の候補にいません (ルールに反するか、出られません)",
                                    "\(chosen.member) is not a candidate for this slot")
        }
        let slot = Assignment(duty: DutyID(chosen.duty), area: AreaID(chosen.area), date: CivilDate(iso: chosen.date)!,
                              shift: ShiftID(chosen.shift), member: candidate.member)
        var edited = plan
        if let exclude = chosen.exclude {
            edited.assignments.removeAll { $0.duty == slot.duty && $0.area == slot.area && $0.date == slot.date && $0.shift == slot.shift
                && $0.member.rawValue == exclude }
        }
        if let gives = candidate.gives, let to = candidate.givesTo {
            edited.assignments.removeAll { $0 == gives }
            var moved = gives
            moved.member = to
            edited.assignments.append(moved)
        }
        edited.assignments.append(slot)
        let (rescored, _) = Self.rescored(edited, on: loaded)
        let description = chosen.description?.prefix(500).description
            ?? "\(chosen.date) \(RotaText.dutyName(slot.duty, in: loaded.instance)) \(RotaText.areaName(duty: slot.duty, area: slot.area, in: loaded.instance)) "
            + "\(RotaText.shiftName(slot.shift, in: loaded.instance)): \(candidate.name)"
        return try storeProposal(month: id, kind: "cover", base: version, plan: plan, loaded: loaded, after: rescored, on: loaded,
                                 changes: nil, applied: [], description: description, context)
    }

    // MARK: - What-if

    /// Change kinds a leader may propose, and what each must stay within.
    static let leaderChanges: Set<String> = ["unavailable", "removeMember", "setMember", "addPin", "removePin", "setDemand"]

    /// `POST /api/months/{id}/whatif` with a `rinban-change/1` document (JSON or YAML, as
    /// `rinban whatif --change` reads): the changes applied to the latest published
    /// version's instance, planned again with the minimal-change engine, stored as a proposal
    /// with its difference. A leader's changes must stay within their blocks.
    func proposeWhatIf(_ request: Request, _ context: RinbanContext) async throws -> Response {
        let id = try monthID(context)
        let body = try await request.body.collect(upTo: Limits.small)
        let yaml = request.headers[.contentType]?.contains("yaml") == true
        let document: DocumentNode
        let changes: ChangeSet
        do {
            document = try DocumentReader.parse([UInt8](Data(buffer: body)), format: yaml ? .yaml : .json)
            changes = try ChangeSet.parse(document, file: "change")
        } catch {
            return try Self.invalidChange(error)
        }
        let (version, plan, loaded) = try latestPublished(id)
        if let refusal = try leaderRefusal(document, changes, loaded.instance, context) { return refusal }
        return try await whatIf(month: id, version: version, plan: plan, loaded: loaded, changeText: String(buffer: body),
                                changes: changes, rebasing: nil, context)
    }

    static func invalidChange(_ error: InputError) throws -> Response {
        try json(Problems(error: "invalid change", problems: error.issues.map {
            .init(path: $0.path.description, message: $0.message, japanese: nil, severity: $0.severity.rawValue)
        }), status: .unprocessableContent)
    }

    /// For a leader: every change must be of a kind they may propose and touch only their blocks.
    func leaderRefusal(_ document: DocumentNode, _ changes: ChangeSet, _ instance: Instance, _ context: RinbanContext) throws -> Response? {
        guard let principal = context.principal, principal.user.role == .leader else { return nil }
        let mine = principal.blocks
        let areas = Self.areaBlocks(instance)
        guard case .object(let top) = document.value, case .array(let list)? = top.first(where: { $0.key == "changes" })?.node.value
        else { return nil }
        for (i, node) in list.enumerated() {
            guard case .object(let fields) = node.value else { continue }
            func text(_ key: String) -> String? {
                if case .string(let s)? = fields.first(where: { $0.key == key })?.node.value { return s }
                return nil
            }
            let kind = text("change") ?? ""
            func refuse(_ japanese: String, _ english: String) throws -> Response {
                try Self.json(Problems(error: "not allowed", problems: [.init(path: "changes[\(i)]", message: english, japanese: japanese, severity: "error")]),
                              status: .forbidden)
            }
            guard Self.leaderChanges.contains(kind) else {
                return try refuse("幹事が出せる変更は 不在・会員が抜ける・会員の設定・固定・需要 です (\(kind) は事務局へ)",
                                  "leaders may propose unavailable, removeMember, setMember, addPin, removePin and setDemand only")
            }
            var touched: Set<String> = []
            if let member = text("member"), let index = instance.memberIndex[MemberID(member)] { touched.insert(instance.members[index].block.rawValue) }
            if let clinic = text("clinic"), instance.clinicIndex[ClinicID(clinic)] != nil { touched.insert(instance.block(ofClinic: ClinicID(clinic)).rawValue) }
            if let duty = text("duty"), let area = text("area") { touched.formUnion(areas["\(duty)|\(area)"] ?? []) }
            if kind == "setDemand", let duty = text("duty"), let index = instance.dutyIndex[DutyID(duty)] {
                // Demand belongs to the whole duty: every one of its areas must be the leader's.
                guard instance.duties[index].areas.allSatisfy({ !Set($0.blocks.map(\.rawValue)).isDisjoint(with: mine) }) else {
                    return try refuse("この当番には担当外のブロックの地区があるため、需要は事務局が変えます", "the duty has areas outside your blocks")
                }
                continue
            }
            guard !touched.isEmpty, touched.isSubset(of: mine) else {
                return try refuse("担当するブロック (\(mine.sorted().joined(separator: ", "))) の外の変更は出せません", "the change is outside your blocks")
            }
        }
        return nil
    }

    /// Plans the changed instance against the published plan (off the request threads) and stores the proposal.
    func whatIf(month id: Int64, version: Int, plan: Plan, loaded: LoadedInstance, changeText: String, changes: ChangeSet,
                rebasing: Int64?, _ context: RinbanContext) async throws -> Response
    {
        let document = try DocumentReader.parse(Array(InstanceEncoder.jsonText(loaded.instance).utf8), format: .json)
        let changed: ChangedInstance
        do {
            changed = try changes.apply(to: document, instanceFile: "instance", published: plan)
        } catch {
            return try Self.invalidChange(error)
        }
        let scope = WhatIfScope(replanLoadSharing: changed.touchesLoadSharing, replanBeds: changed.touchesBeds, deputyPins: changed.deputyPins)
        let request = MonthPlanRequest(options: RotaPlanOptions(engine: .glpk, timeLimit: Self.whatIfSeconds), baseline: plan, whatIf: scope)
        let outcome = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<MonthPlanOutcome, Error>) in
            Thread {
                continuation.resume(with: Result { try MonthPlanner.plan(changed.loaded, request, backend: GLPKBackend()) })
            }.start()
        }
        let description = changes.description ?? changed.applied.joined(separator: "; ")
        return try storeProposal(month: id, kind: "whatif", base: version, plan: plan, loaded: loaded, after: outcome.plan,
                                 on: changed.loaded, changes: changeText, applied: changed.applied, description: description,
                                 rebasing: rebasing, context)
    }

    /// Seconds a what-if may plan (the CLI's default).
    static let whatIfSeconds: Double = 10

    func storeProposal(month id: Int64, kind: String, base: Int, plan: Plan, loaded: LoadedInstance, after: Plan, on changed: LoadedInstance,
                       changes: String?, applied: [String], description: String, rebasing: Int64? = nil,
                       _ context: RinbanContext) throws -> Response
    {
        let diff = PlanDiff(before: plan, on: loaded, after: after, on: changed, changes: applied)
        let summary = Self.summary(diff, before: loaded, after: changed, plan: after)
        let areas = Self.areaBlocks(changed.instance)
        var blocks = Set(diff.slots.flatMap { areas["\($0.duty)|\($0.area)"] ?? [] })
        if blocks.isEmpty, let leader = context.principal, leader.user.role == .leader { blocks = leader.blocks }
        let principal = context.principal!
        let proposal = try store.createProposal(Store.NewProposal(
            month: id, kind: kind, baseVersion: base, state: "proposed", createdBy: principal.user.id, createdByName: principal.user.name,
            description: String(description.prefix(500)), changes: changes, plan: PlanWriter.json(after),
            instance: InstanceEncoder.jsonText(changed.instance),
            summary: String(decoding: try JSONEncoder().encode(summary), as: UTF8.self), blocks: blocks.sorted()),
            rebasing: rebasing, audit: audit(context, kind == "whatif" ? "whatif.propose" : "cover.propose", month: id, target: "proposal",
                                             before: "version \(base)", after: description))
        return try Self.json(try proposalView(try store.proposal(proposal)!, latest: base), status: .created)
    }

    // MARK: - Deciding

    func move(_ proposal: Store.Proposal, from: [String], to: String, _ context: RinbanContext, decided: Bool) throws -> Response {
        let name = context.principal?.user.name ?? ""
        guard try store.moveProposal(proposal.id, from: from, to: to, decidedBy: decided ? name : nil,
                                     audit: audit(context, "proposal.\(to)", month: proposal.month, target: "proposal \(proposal.id)",
                                                  before: proposal.state, after: to)) else {
            throw HTTPError(.conflict, message: "この提案は今は \(Self.stateName(try store.proposal(proposal.id)?.state ?? "")) です / the proposal is no longer \(from.joined(separator: " or "))")
        }
        return try Self.json(try proposalView(try store.proposal(proposal.id)!, latest: try store.published(month: proposal.month)?.version ?? 0))
    }

    static func stateName(_ state: String) -> String {
        ["proposed": "案", "offered": "申し出中", "accepted": "引き受け済み", "submitted": "提出済み", "published": "公開済み",
         "rejected": "却下", "withdrawn": "取り下げ", "rebased": "作り直し済み"][state] ?? state
    }

    /// `POST /api/proposals/{id}/submit`: the author hands the proposal in. It is published at
    /// once when the author may publish it (the office; a leader when the office allows it).
    func submitProposal(_ context: RinbanContext) async throws -> Response {
        let proposal = try readableProposal(context)
        guard proposal.createdBy == context.principal?.user.id, proposal.kind != "swap" else {
            throw HTTPError(.forbidden, message: "提出できるのは出した人だけです / only its author may submit it")
        }
        if mayDecide(proposal, context) { return try await publish(proposal, context) }
        let latest = try store.published(month: proposal.month)?.version ?? 0
        guard latest == proposal.baseVersion else { return try Self.rebaseNeeded(proposal, latest: latest) }
        return try move(proposal, from: ["proposed"], to: "submitted", context, decided: false)
    }

    /// `POST /api/proposals/{id}/publish`: the next version, if the proposal's base is still the latest.
    func publishProposal(_ context: RinbanContext) async throws -> Response {
        let proposal = try readableProposal(context)
        guard mayDecide(proposal, context) else { throw Self.notDecider }
        return try await publish(proposal, context)
    }

    static func rebaseNeeded(_ proposal: Store.Proposal, latest: Int) throws -> Response {
        struct Stale: Encodable {
            struct Inner: Encodable { var message: String }
            var error: Inner
            var rebase: Bool
            var latestVersion: Int
        }
        return try json(Stale(error: .init(message: "この提案は版 \(proposal.baseVersion) に対するものですが、その後に版 \(latest) が公開されました。"
                                  + "「作り直す」で最新の版に対して作り直してください / version \(latest) was published since this proposal's base; rebase it"),
                              rebase: true, latestVersion: latest), status: .conflict)
    }

    func publish(_ proposal: Store.Proposal, _ context: RinbanContext, decidedBy: String? = nil) async throws -> Response {
        // The same change on the office's working instance, so the next plan run keeps it.
        for _ in 0..<3 {
            let working = try workingInstance(with: proposal)
            do {
                let version = try store.publishProposal(proposal.id, from: ["proposed", "submitted", "accepted"],
                                                        decidedBy: decidedBy ?? context.principal?.user.name ?? "", working: working,
                                                        audit: audit(context, "proposal.publish", month: proposal.month, target: "proposal"))
                var view = try proposalView(try store.proposal(proposal.id)!, latest: version)
                view.version = version
                return try Self.json(view, status: .created)
            } catch Store.ProposalConflict.stale(let latest) {
                return try Self.rebaseNeeded(proposal, latest: latest)
            } catch Store.ProposalConflict.notPending(let state) {
                throw HTTPError(.conflict, message: "この提案は今は \(Self.stateName(state)) です / the proposal is \(state)")
            } catch Store.ProposalConflict.instanceChanged {
                continue
            }
        }
        throw HTTPError(.conflict, message: "同時に変更が続いたため公開できませんでした。もう一度どうぞ / the month kept changing; try again")
    }

    /// The month's working instance with a what-if's changes applied (nil when the changes
    /// do not apply to it any more, or the proposal changes no instance data).
    func workingInstance(with proposal: Store.Proposal) throws -> (text: String, revision: Int)? {
        guard proposal.kind == "whatif", let text = proposal.changes,
              let changes = try? ChangeSet.parse(DocumentReader.parse(Array(text.utf8), format: text.hasPrefix("{") ? .json : .yaml))
        else { return nil }
        let (current, revision) = try currentInstance(ofMonth: proposal.month)
        guard let document = try? DocumentReader.parse(Array(InstanceEncoder.jsonText(current.instance).utf8), format: .json),
              let changed = try? changes.apply(to: document, instanceFile: "instance", published: Self.plan(proposal.plan))
        else { return nil }
        return (InstanceEncoder.jsonText(changed.loaded.instance), revision)
    }

    /// `POST /api/proposals/{id}/rebase`: a stale what-if made again on the latest version
    /// (the same change file); the old proposal stays, marked as rebased.
    func rebaseProposal(_ context: RinbanContext) async throws -> Response {
        let proposal = try readableProposal(context)
        guard proposal.createdBy == context.principal?.user.id || context.principal?.user.role == .office else {
            throw HTTPError(.forbidden, message: "作り直せるのは出した人と事務局だけです / only its author or the office may rebase it")
        }
        guard proposal.kind == "whatif", let text = proposal.changes, ["proposed", "submitted"].contains(proposal.state) else {
            throw HTTPError(.conflict, message: "作り直せるのは、まだ公開されていない変更案だけです (代わりはもう一度選んでください) / only a pending what-if can be rebased")
        }
        let changes: ChangeSet
        do {
            changes = try ChangeSet.parse(DocumentReader.parse(Array(text.utf8), format: text.hasPrefix("{") ? .json : .yaml), file: "change")
        } catch { return try Self.invalidChange(error) }
        let (version, plan, loaded) = try latestPublished(proposal.month)
        return try await whatIf(month: proposal.month, version: version, plan: plan, loaded: loaded, changeText: text, changes: changes,
                                rebasing: proposal.id, context)
    }
}

extension Result where Failure == Error {
    init(_ body: () throws -> Success) {
        do { self = .success(try body()) } catch { self = .failure(error) }
    }
}
