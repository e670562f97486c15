import Foundation
import Hummingbird
import JobLedger

/// The routes of a batch's follow-up job: declare it, and read it.
struct BatchRoutes {
    let state: ServerState
    var ledger: JobLedger { state.ledger }

    func register(on group: RouterGroup<LedgerRequestContext>) {
        group.post("batches/{batch}/then") { request, context in try await declare(request, context) }
        group.get("batches/{batch}/then") { request, context in try await show(request, context) }
    }

    /// Declares the follow-up as the token's actor (users and admins; the
    /// ledger refuses others). 201 when declared, 200 when the batch named
    /// the same follow-up already.
    func declare(_ request: Request, _ context: LedgerRequestContext) async throws -> Response {
        let token = try context.caller()
        try Permissions.requireSubmitter(token)
        let batch = try context.pathParameter("batch")
        let fields = try BodyFields(
            try await RequestBodies.bytes(request, limits: state.limits),
            allowed: ["type", "payload", "priority", "maxAttempts", "timeout", "tags"])
        let submission = JobSubmission(
            type: try fields.requiredString("type"), payload: fields.json("payload") ?? "{}",
            priority: try fields.integer("priority") ?? 0, maxAttempts: try fields.integer("maxAttempts") ?? 3,
            timeout: try fields.number("timeout"), tags: try fields.strings("tags") ?? [])
        let start = ContinuousClock.now
        let answer = try await ledger.declareFollowUp(ofBatch: batch, submission, by: token.actingAs, requestID: requestID(context))
        state.metrics.command("batch-then", duration: ContinuousClock.now - start)
        return Reply.json(
            ["declared": answer.declared, "followUp": JobJSON.followUp(answer.followUp), "job": JobJSON.job(answer.job)],
            status: answer.declared ? .created : .ok)
    }

    /// The follow-up a batch names, with its job once enqueued; 404 when
    /// there is none or the token may not see it (its owner, admins of its
    /// organisation and the system may).
    func show(_ request: Request, _ context: LedgerRequestContext) async throws -> Response {
        let token = try context.caller()
        let batch = try context.pathParameter("batch")
        let found = try await ledger.reading { (ledger) throws(JobLedgerError) in try ledger.followUp(ofBatch: batch) }
        guard let followUp = found, Self.maySee(followUp, token) else {
            throw Problem(.notFound, "batch '\(batch)' names no follow-up job")
        }
        let job = try await ledger.reading { (ledger) throws(JobLedgerError) in try ledger.job(followUp.jobID) }
        return Reply.json(["followUp": JobJSON.followUp(followUp), "job": JobJSON.job(job)])
    }

    static func maySee(_ followUp: BatchFollowUp, _ token: AccessToken) -> Bool {
        switch token.role {
        case .system: return true
        case .admin: return followUp.organisation == token.organisation
        case .user: return followUp.organisation == token.organisation && followUp.owner == token.actor
        case .worker: return false
        }
    }

}
