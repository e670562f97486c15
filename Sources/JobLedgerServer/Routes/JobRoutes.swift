import Foundation
import Hummingbird
import JobLedger

/// The operator routes of jobs: submit, read, list, history, cancel, kill,
/// retry and batch kill.
struct JobRoutes {
    let state: ServerState
    var ledger: JobLedger { state.ledger }

    func register(on group: RouterGroup<LedgerRequestContext>) {
        group.post("jobs") { request, context in try await submit(request, context) }
        group.get("jobs") { request, context in try await list(request, context) }
        group.get("jobs/{id}") { request, context in try await get(request, context) }
        group.get("jobs/{id}/history") { request, context in try await history(request, context) }
        group.post("jobs/{id}/cancel") { request, context in try await action(.cancel, request, context) }
        group.post("jobs/{id}/kill") { request, context in try await action(.kill, request, context) }
        group.post("jobs/{id}/retry") { request, context in try await action(.retry, request, context) }
        group.post("batches/{batch}/kill") { request, context in try await killBatch(request, context) }
    }

    func submit(_ request: Request, _ context: LedgerRequestContext) async throws -> Response {
        let token = try context.caller()
        try Permissions.requireSubmitter(token)
        let fields = try BodyFields(
            try await RequestBodies.bytes(request, limits: state.limits),
            allowed: ["id", "type", "payload", "priority", "maxAttempts", "batch", "runAt", "delay", "timeout", "after", "tags", "personal", "unique"])
        var submission = JobSubmission(
            id: try fields.string("id"), type: try fields.requiredString("type"), payload: fields.json("payload") ?? "{}",
            priority: try fields.integer("priority") ?? 0, maxAttempts: try fields.integer("maxAttempts") ?? 3,
            batch: try fields.string("batch"), runAt: try fields.string("runAt").map { try Timestamps.require($0, "runAt") },
            delay: try fields.number("delay"), timeout: try fields.number("timeout"), after: try fields.strings("after") ?? [],
            tags: try fields.strings("tags") ?? [], personal: try fields.strings("personal") ?? [])
        submission.unique = try fields.uniqueKey("unique")
        let start = ContinuousClock.now
        let result = try await ledger.submit(submission, by: token.actingAs, requestID: requestID(context))
        state.metrics.command("submit", duration: ContinuousClock.now - start)
        if result.duplicate {
            // The holder of the key is shown to whom may see it; to others
            // (another user of the organisation) only its id.
            guard Permissions.maySee(result.job, token) else {
                throw Problem(
                    .conflict, "unique key held by job '\(result.job.id)' of another owner", jobID: result.job.id,
                    outcome: JobOutcome.duplicate.rawValue)
            }
            return Reply.duplicate(result.job)
        }
        return Reply.job(result.job, flag: "created", result.created, status: result.created ? .created : .ok)
    }

    func get(_ request: Request, _ context: LedgerRequestContext) async throws -> Response {
        let token = try context.caller()
        let id = try context.pathParameter("id")
        let current = try await visibleJob(id, token)
        guard let asOf = request.uri.queryParameters.get("asOf") else { return Reply.job(current, wrapped: false) }
        let past: Job?
        if let position = UInt64(asOf) {
            past = try await ledger.reading { (ledger) throws(JobLedgerError) in try ledger.job(id, asOfPosition: position) }
        } else if let time = Timestamps.parse(asOf) {
            past = try await ledger.reading { (ledger) throws(JobLedgerError) in try ledger.job(id, asOf: time) }
        } else {
            throw Problem(.badInput, "asOf: '\(asOf)' is neither a log position nor an ISO-8601 time")
        }
        guard let past else { throw Problem(.notFound, "job '\(id)' did not exist as of \(asOf)", jobID: id, outcome: "not_found") }
        return Reply.job(past, wrapped: false)
    }

    func list(_ request: Request, _ context: LedgerRequestContext) async throws -> Response {
        let token = try context.caller()
        let parameters = request.uri.queryParameters
        var query = JobQuery()
        if let state = parameters.get("state") {
            do { query.state = try JobState.parse(state) } catch { throw Problem(.badInput, "state: \(error)") }
        }
        query.type = parameters.get("type")
        query.owner = parameters.get("owner")
        query.organisation = parameters.get("org")
        query.batch = parameters.get("batch")
        query.submittedFrom = try parameters.get("since").map { try Timestamps.require($0, "since") }
        query.submittedBefore = try parameters.get("until").map { try Timestamps.require($0, "until") }
        query.tag = parameters.get("tag")
        if let scheduled = parameters.get("scheduled") {
            guard let value = Bool(scheduled) else { throw Problem(.badInput, "scheduled: '\(scheduled)' is neither true nor false") }
            query.scheduled = value
        }
        let limit = try parameters.get("limit").map { text -> Int in
            guard let limit = Int(text), (1...1000).contains(limit) else {
                throw Problem(.badInput, "limit: '\(text)' is not a number from 1 to 1000")
            }
            return limit
        } ?? 50
        let scoped = try Permissions.scope(query, token)
        let cursor = parameters.get("cursor")
        let page = try await ledger.reading { (ledger) throws(JobLedgerError) in
            try ledger.list(scoped, limit: limit, after: cursor)
        }
        return Reply.raw(JobJSON.pageData(page))
    }

    func history(_ request: Request, _ context: LedgerRequestContext) async throws -> Response {
        let token = try context.caller()
        let id = try context.pathParameter("id")
        _ = try await visibleJob(id, token)
        let entries = try await ledger.reading { (ledger) throws(JobLedgerError) in try ledger.history(id) }
        return Reply.json(JobJSON.history(id, entries))
    }

    enum Action: String { case cancel, kill, retry }

    /// Cancel, kill and retry run as the token's actor whatever its role:
    /// the ledger decides who may, and audits a refusal like any command.
    func action(_ action: Action, _ request: Request, _ context: LedgerRequestContext) async throws -> Response {
        let token = try context.caller()
        let id = try context.pathParameter("id")
        let fields = try BodyFields(try await RequestBodies.bytes(request, limits: state.limits), allowed: ["reason"])
        // A cancel or kill says why, for the audit entry; a retry needs no reason.
        let reason = action == .retry ? try fields.string("reason") : try fields.requiredString("reason")
        let actor = token.actingAs
        let start = ContinuousClock.now
        let result: ActionResult
        switch action {
        case .cancel: result = try await ledger.cancel(id, by: actor, reason: reason ?? "", requestID: requestID(context))
        case .kill: result = try await ledger.kill(id, by: actor, reason: reason ?? "", requestID: requestID(context))
        case .retry: result = try await ledger.retry(id, by: actor, requestID: requestID(context))
        }
        state.metrics.command(action.rawValue, duration: ContinuousClock.now - start)
        if let problem = Problem(outcome: result.outcome, jobID: id) { throw problem }
        return Reply.json(JobJSON.action(result))
    }

    func killBatch(_ request: Request, _ context: LedgerRequestContext) async throws -> Response {
        let token = try context.caller()
        let batch = try context.pathParameter("batch")
        let fields = try BodyFields(try await RequestBodies.bytes(request, limits: state.limits), allowed: ["reason"])
        let reason = try fields.requiredString("reason")
        let start = ContinuousClock.now
        let results = try await ledger.killBatch(batch, by: token.actingAs, reason: reason, requestID: requestID(context))
        state.metrics.command("kill-batch", duration: ContinuousClock.now - start)
        return Reply.json(JobJSON.batchKill(results))
    }

    /// The job if the token may see it; 404 otherwise, so that the jobs of
    /// other organisations are not revealed.
    func visibleJob(_ id: String, _ token: AccessToken) async throws -> Job {
        let found = try await ledger.reading { (ledger) throws(JobLedgerError) in try ledger.job(id) }
        guard let job = found, Permissions.maySee(job, token) else {
            throw Problem(.notFound, "job '\(id)' not found", jobID: id, outcome: JobOutcome.notFound.rawValue)
        }
        return job
    }
}

/// The request's id, as its log line and its audit entries carry it.
func requestID(_ context: LedgerRequestContext) -> UUID { context.requestID }

/// ISO-8601 times in query parameters.
enum Timestamps {
    static func parse(_ text: String) -> Date? {
        (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text))
            ?? (try? Date.ISO8601FormatStyle().parse(text))
    }

    static func require(_ text: String, _ name: String) throws -> Date {
        guard let date = parse(text) else {
            throw Problem(.badInput, "\(name): '\(text)' is not an ISO-8601 time such as 2026-11-23T12:00:00Z")
        }
        return date
    }
}
