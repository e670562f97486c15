import Foundation
import Hummingbird
import JobLedger

/// Cancel, kill or retry the jobs selected on the jobs table: one
/// confirmation page (`GET /bulk?action=…&job=…`) listing what will be
/// done, then the commands, each run as the session's token, and a page
/// with each job's outcome as the ledger gave it.
struct BulkActionPages: Sendable {
    let dashboard: Dashboard
    /// The most jobs one bulk action takes: a page of the jobs table, twice.
    static let maximum = 100

    /// The confirmation: what each selected job is, and a reason.
    func confirm(_ request: Request, _ session: DashboardSession) throws -> Response {
        let parameters = request.uri.queryParameters
        let action = try ActionPages.action(parameters.get("action") ?? "")
        let ids = try Self.selection(parameters.getAll("job").map { String($0) })
        let rows = ids.enumerated().map { index, id -> HTML in
            let job = (try? dashboard.ledger.job(id)).flatMap { Permissions.maySee($0, session.identity) ? $0 : nil }
            let what: HTML = job.map { job -> HTML in
                "<td data-label=\"Type\" class=\"long\">\(job.type)</td><td data-label=\"State\">\(Layout.state(job.state))</td><td data-label=\"Owner\">\(job.owner) (\(job.organisation))</td>"
            } ?? "<td data-label=\"Type\" colspan=\"3\" class=\"none\">not found, or not one you may see</td>"
            return """
                <tr data-job-id="\(id)"><td data-label="ID"><input type="hidden" name="job.\(index)" value="\(id)">\(id)</td>\(what)</tr>
                """
        }
        let reason: HTML = """
            <label for="reason">Reason\(action.needsReason ? " (required, kept in each job's audit entry)" : " (optional)")</label>
            <textarea id="reason" name="reason" rows="3"\(action.needsReason ? " required" : "")></textarea>
            """
        let main: HTML = """
            <h1>\(action.verb) \(ids.count) \(ids.count == 1 ? "job" : "jobs")?</h1>
            <p>Each job gets its own command, run as you. The ledger decides for each whether you may, and records each request with its answer either way; a job that finished meanwhile answers with its state, such as <code>already_completed</code>.</p>
            <form method="post" action="/bulk" class="confirm">
            \(Layout.csrfField(session))
            <input type="hidden" name="action" value="\(action.rawValue)">
            <div class="table-wrap"><table class="jobs"><caption>The selected jobs</caption>
            <thead><tr><th scope="col">ID</th><th scope="col">Type</th><th scope="col">State</th><th scope="col">Owner</th></tr></thead>
            <tbody>\(rows)</tbody></table></div>
            \(reason)
            <div class="buttons"><button type="submit" id="confirm" class="\(action == .kill ? "danger" : "")">\(action.verb) \(ids.count) \(ids.count == 1 ? "job" : "jobs")</button>
            <a href="/jobs">Go back</a></div>
            </form>
            """
        return Layout.response(Layout.page(title: "\(action.verb) \(ids.count) jobs", session: session, current: "/jobs", main: main))
    }

    /// Runs the command on each job, in the order shown, and answers with
    /// each outcome. The form was checked against the session's form token
    /// before this runs.
    func run(_ form: FormFields, _ session: DashboardSession, _ context: LedgerRequestContext) async throws -> Response {
        let action = try ActionPages.action(form["action"] ?? "")
        let ids = try Self.selection(form.numbered("job"))
        let reason = form["reason"]?.trimmingSpaces ?? ""
        if action.needsReason && reason.isEmpty {
            throw Problem(.badInput, "a reason is required to \(action.rawValue) jobs; nothing was done")
        }
        var outcomes: [BulkOutcome] = []
        for id in ids { outcomes.append(await command(action, id, reason: reason, session)) }
        return BulkOutcome.page(
            title: "\(action.verb): \(ids.count) \(ids.count == 1 ? "job" : "jobs")", outcomes: outcomes, hidden: 0, session: session)
    }

    /// Runs one job's command as the session's token, with its own request
    /// id, and returns its answer; a refusal is an answer, not an error.
    func command(_ action: ActionPages.Action, _ id: String, reason: String, _ session: DashboardSession) async -> BulkOutcome {
        let ledger = dashboard.ledger
        let actor = session.identity.actingAs
        let request = UUID()
        let start = ContinuousClock.now
        do {
            let result: ActionResult
            switch action {
            case .cancel: result = try await ledger.cancel(id, by: actor, reason: reason, requestID: request)
            case .kill: result = try await ledger.kill(id, by: actor, reason: reason, requestID: request)
            case .retry: result = try await ledger.retry(id, by: actor, requestID: request)
            }
            dashboard.state.metrics.command(action.rawValue, duration: ContinuousClock.now - start)
            return outcome(id, result, request: request, session)
        } catch {
            let problem = Problem.from(error)
            return BulkOutcome(jobID: id, visible: false, accepted: false, outcome: problem.outcome ?? "error", detail: problem.detail)
        }
    }

    /// One job's answer, in the words the single action's notice uses when
    /// the session may see the job; otherwise only the outcome's own words.
    func outcome(_ id: String, _ result: ActionResult, request: UUID, _ session: DashboardSession) -> BulkOutcome {
        guard let job = result.job, Permissions.maySee(job, session.identity) else {
            let detail = Problem(outcome: result.outcome, jobID: id)?.detail ?? "the ledger answered \(result.outcome.rawValue)."
            return BulkOutcome(jobID: id, visible: false, accepted: false, outcome: result.outcome.rawValue, detail: detail)
        }
        let notice = ActionPages.notice(id, result, history: (try? dashboard.ledger.history(id)) ?? [], request: request)
        return BulkOutcome(jobID: id, visible: true, accepted: notice.accepted, outcome: notice.outcome, detail: notice.detail)
    }

    /// The job ids of a bulk action: at least one, at most ``maximum``,
    /// each once, blank ones left out.
    static func selection(_ sent: [String]) throws -> [String] {
        var ids: [String] = []
        for id in sent.map(\.trimmingSpaces) where !id.isEmpty && !ids.contains(id) { ids.append(id) }
        guard !ids.isEmpty else { throw Problem(.badInput, "no jobs were selected; tick the jobs to act on in the jobs table") }
        guard ids.count <= maximum else {
            throw Problem(.badInput, "\(ids.count) jobs were selected; one bulk action takes at most \(maximum)")
        }
        return ids
    }
}
