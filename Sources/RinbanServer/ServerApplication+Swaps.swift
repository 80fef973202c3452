import Foundation
import Hummingbird
import RinbanCore
import RinbanPlanning

/// Members' swaps: a member offers one of their published duties (to a named colleague or
/// to anyone who can take it), a colleague accepts, the block's leader or the office
/// approves (or the office's rule publishes it at once), and it becomes a new version.
extension ServerApplication {
    func addSwapHandlers(_ h: inout [String: Handler]) {
        h["GET /api/months/{id}/mine/swap-candidates"] = { request, context in try self.swapCandidates(request, context) }
        h["POST /api/months/{id}/swaps"] = { request, context in try await self.offerSwap(request, context) }
        h["POST /api/proposals/{id}/accept"] = { _, context in try await self.acceptSwap(context) }
    }

    struct SwapSlot: Codable {
        var duty: String
        var area: String
        var date: String
        var shift: String
    }

    struct SwapCandidate: Encodable {
        var member: String
        var name: String
        /// Objective after − before, the stability of the moved duty included.
        var increase: Double
    }

    struct SwapCandidates: Encodable {
        var candidates: [SwapCandidate]
        var unable: [CoverUnable]
    }

    /// Who can take `slot` from `member` directly (no third person moved) in `plan`,
    /// ranked by the objective's rise; the others with the rule or reason that stops them.
    func swapRanking(_ slot: SwapSlot, from member: MemberID, plan: Plan, loaded: LoadedInstance) throws -> (CoverRanking, Assignment) {
        guard let date = CivilDate(iso: slot.date) else {
            throw HTTPError(.unprocessableContent, message: "date が日付として読めません / date is not a date")
        }
        let duty = Assignment(duty: DutyID(slot.duty), area: AreaID(slot.area), date: date, shift: ShiftID(slot.shift), member: member)
        guard plan.assignments.contains(duty) else {
            throw HTTPError(.conflict, message: "公開された当番表に、この当番はあなたのものとしてありません / that duty is not yours in the published plan")
        }
        let query = ["duty": slot.duty, "area": slot.area, "date": slot.date, "shift": slot.shift, "exclude": member.rawValue]
        return (try cover(query: query, loaded: loaded, plan: plan).ranking, duty)
    }

    /// `GET /api/months/{id}/mine/swap-candidates?duty=&area=&date=&shift=`: who could take one of my duties.
    func swapCandidates(_ request: Request, _ context: RinbanContext) throws -> Response {
        let id = try monthID(context)
        let (_, plan, loaded) = try latestPublished(id)
        let me = try ownMember(context, in: loaded.instance)
        let q = request.uri.queryParameters
        let slot = SwapSlot(duty: q.get("duty") ?? "", area: q.get("area") ?? "", date: q.get("date") ?? "", shift: q.get("shift") ?? "")
        let (ranking, _) = try swapRanking(slot, from: me.id, plan: plan, loaded: loaded)
        return try Self.json(SwapCandidates(
            candidates: ranking.candidates.filter { $0.gives == nil }.map { SwapCandidate(member: $0.member.rawValue, name: $0.name, increase: $0.increase) },
            unable: ranking.unavailable.map { CoverUnable(member: $0.member.rawValue, name: $0.name, reason: $0.reason, japanese: $0.japanese) }))
    }

    struct SwapOffer: Decodable {
        var duty: String
        var area: String
        var date: String
        var shift: String
        /// A named colleague, or nil for anyone who can take it.
        var to: String?
        var note: String?
    }

    /// `POST /api/months/{id}/swaps`: offers one of my published duties. A named colleague
    /// who cannot take it is refused at once with the rule that stops them.
    func offerSwap(_ request: Request, _ context: RinbanContext) async throws -> Response {
        let id = try monthID(context)
        guard let offer = try await Self.body(SwapOffer.self, of: request) else {
            return try Self.problem("swap", "本文は {\"duty\", \"area\", \"date\", \"shift\", \"to\", \"note\"} の形にしてください",
                                    "the body must be {duty, area, date, shift, to, note}")
        }
        let (version, plan, loaded) = try latestPublished(id)
        let me = try ownMember(context, in: loaded.instance)
        let slot = SwapSlot(duty: offer.duty, area: offer.area, date: offer.date, shift: offer.shift)
        let (ranking, duty) = try swapRanking(slot, from: me.id, plan: plan, loaded: loaded)
        if let to = offer.to {
            if let refusal = try Self.swapRefusal(ranking, to: MemberID(to), field: "to") { return refusal }
        }
        let instance = loaded.instance
        let description = "\(offer.date) \(RotaText.dutyName(duty.duty, in: instance)) \(RotaText.areaName(duty: duty.duty, area: duty.area, in: instance)) "
            + "\(RotaText.shiftName(duty.shift, in: instance)): \(me.name) → "
            + (offer.to.flatMap { instance.memberIndex[MemberID($0)].map { instance.members[$0].name } } ?? "代われる人")
            + (offer.note.map { " (\($0.prefix(200)))" } ?? "")
        let empty = PlanDiff(before: plan, on: loaded, after: plan, on: loaded)
        let blocks = Self.areaBlocks(instance)["\(duty.duty)|\(duty.area)"] ?? []
        let principal = context.principal!
        let proposal = try store.createProposal(Store.NewProposal(
            month: id, kind: "swap", baseVersion: version, state: "offered", createdBy: principal.user.id, createdByName: principal.user.name,
            description: description, changes: String(decoding: try JSONEncoder().encode(slot), as: UTF8.self), plan: PlanWriter.json(plan),
            instance: InstanceEncoder.jsonText(instance),
            summary: String(decoding: try JSONEncoder().encode(Self.summary(empty, before: loaded, after: loaded, plan: plan)), as: UTF8.self),
            blocks: blocks.sorted(), offeredBy: me.id.rawValue, offeredTo: offer.to),
            audit: audit(context, "swap.offer", month: id, target: "proposal", after: description))
        return try Self.json(try proposalView(try store.proposal(proposal)!, latest: version), status: .created)
    }

    /// 422 naming the rule when `member` cannot take the duty directly.
    static func swapRefusal(_ ranking: CoverRanking, to member: MemberID, field: String) throws -> Response? {
        if ranking.candidates.contains(where: { $0.member == member && $0.gives == nil }) { return nil }
        if let unable = ranking.unavailable.first(where: { $0.member == member }) {
            return try problem(field, "\(unable.name) さんはこの当番を引き受けられません: \(unable.japanese)", "\(unable.name) cannot take it: \(unable.reason)")
        }
        if let clash = ranking.candidates.first(where: { $0.member == member })?.gives {
            // Taking it would put two of their duties too close together (H2–H4).
            return try problem(field, "\(clash.date) の \(clash.duty) \(clash.area) \(clash.shift) の当番と近すぎるため引き受けられません"
                               + " (当番の重なり・同じ日の回数・当番の間隔のルール H2〜H4)",
                               "it clashes with their duty \(clash.duty) \(clash.area) \(clash.date) \(clash.shift) (rules H2–H4: overlap, per date, days between)")
        }
        return try problem(field, "この人はこの当番を引き受けられません (資格がないか、その枠の候補ではありません)", "they are not eligible for this slot")
    }

    /// `POST /api/proposals/{id}/accept`: a colleague takes an offered duty, on the latest
    /// version (the offer is made again there; it must still be the offerer's and the
    /// colleague must still be able to take it). Published at once when the office's swap
    /// rule allows it; otherwise it waits for the block's leader or the office.
    func acceptSwap(_ context: RinbanContext) async throws -> Response {
        let proposal = try readableProposal(context)
        guard proposal.kind == "swap", let offeredBy = proposal.offeredBy, let text = proposal.changes,
              let slot = try? JSONDecoder().decode(SwapSlot.self, from: Data(text.utf8)) else {
            throw HTTPError(.conflict, message: "引き受けられるのは交代の申し出だけです / only a swap offer can be accepted")
        }
        guard let me = context.principal?.user.member, me != offeredBy, proposal.offeredTo == nil || proposal.offeredTo == me else {
            throw HTTPError(.forbidden, message: "この申し出はあなた宛てではありません / this offer is not for you")
        }
        guard proposal.state == "offered" else {
            throw HTTPError(.conflict, message: "この申し出は今は \(Self.stateName(proposal.state)) です / the offer is \(proposal.state)")
        }
        let (version, plan, loaded) = try latestPublished(proposal.month)
        let (ranking, duty) = try swapRanking(slot, from: MemberID(offeredBy), plan: plan, loaded: loaded)
        if let refusal = try Self.swapRefusal(ranking, to: MemberID(me), field: "member") { return refusal }
        var edited = plan
        edited.assignments.removeAll { $0 == duty }
        var taken = duty
        taken.member = MemberID(me)
        edited.assignments.append(taken)
        let (after, evaluation) = Self.rescored(edited, on: loaded)
        let diff = PlanDiff(before: plan, on: loaded, after: after, on: loaded)
        let summary = Self.summary(diff, before: loaded, after: loaded, plan: after)
        guard try store.acceptSwap(proposal.id, by: me, base: version, plan: PlanWriter.json(after), instance: InstanceEncoder.jsonText(loaded.instance),
                                   summary: String(decoding: try JSONEncoder().encode(summary), as: UTF8.self),
                                   audit: audit(context, "swap.accept", month: proposal.month, target: "proposal \(proposal.id)",
                                                before: offeredBy, after: me)) else {
            throw HTTPError(.conflict, message: "ほかの人が先に引き受けたか、取り下げられました / someone else was first, or the offer was withdrawn")
        }
        let accepted = try store.proposal(proposal.id)!
        let rules = try store.rules()
        if let limit = rules.swapAutoApprove, evaluation.violations.isEmpty, diff.totalAfter - diff.totalBefore < limit {
            return try await publish(accepted, context, decidedBy: "自動承認 (交代の規則)")
        }
        return try Self.json(try proposalView(accepted, latest: version))
    }
}
