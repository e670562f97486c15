import Foundation
import Hummingbird
import JobLedger

/// "Kill the batch" from a job of a batch: a confirmation listing the
/// batch's jobs the session may see, then the ledger's batch kill (one
/// atomic append, an audit entry per job) and its per-job outcomes.
struct BatchKillPages: Sendable {
    let dashboard: Dashboard
    /// The most jobs of the batch the confirmation lists.
    static let listed = 100

    func confirm(_ batch: String, _ session: DashboardSession) throws -> Response {
        let query = try Permissions.scope(JobQuery(batch: batch), session.identity)
        let listing = try dashboard.ledger.list(query, limit: Self.listed)
        guard !listing.jobs.isEmpty else {
            throw Problem(.notFound, "batch '\(batch)' has no jobs that you may see")
        }
        let rows = listing.jobs.map { job -> HTML in
            """
            <tr data-job-id="\(job.id)"><td data-label="ID"><a href="\(URLPath.job(job.id))">\(job.id)</a></td><td data-label="Type" class="long">\(job.type)</td>
            <td data-label="State">\(Layout.state(job.state))</td><td data-label="Owner">\(job.owner) (\(job.organisation))</td></tr>
            """
        }
        let more: HTML = listing.next == nil ? .empty : "<p>The batch has more jobs than the \(Self.listed) listed here; the kill takes them all.</p>"
        let main: HTML = """
            <h1>Kill the batch <span class="job-id">\(batch)</span>?</h1>
            <p>Every job of the batch that has not finished is killed, all in one step, each with its own audit entry; finished jobs are left as they are and answer with their state (<code>already_completed</code>, ...), and jobs you may not kill answer <code>forbidden</code>.</p>
            <div class="table-wrap"><table class="jobs"><caption>Jobs of the batch you may see</caption>
            <thead><tr><th scope="col">ID</th><th scope="col">Type</th><th scope="col">State</th><th scope="col">Owner</th></tr></thead>
            <tbody>\(rows)</tbody></table></div>
            \(more)
            <form method="post" action="\(URLPath.batchKill(batch))" class="confirm">
            \(Layout.csrfField(session))
            <label for="reason">Reason (required, kept in each job's audit entry)</label>
            <textarea id="reason" name="reason" rows="3" required></textarea>
            <div class="buttons"><button type="submit" id="confirm" class="danger">Kill the batch</button>
            <a href="/jobs?batch=\(URLPath.encode(batch))">Go back</a></div>
            </form>
            """
        return Layout.response(Layout.page(title: "Kill batch \(batch)", session: session, current: "/jobs", main: main))
    }

    func run(_ batch: String, _ form: FormFields, _ session: DashboardSession, _ context: LedgerRequestContext) async throws -> Response {
        let reason = form["reason"]?.trimmingSpaces ?? ""
        guard !reason.isEmpty else { throw Problem(.badInput, "a reason is required to kill a batch; nothing was done") }
        let ledger = dashboard.ledger
        let start = ContinuousClock.now
        let results = try await ledger.killBatch(batch, by: session.identity.actingAs, reason: reason, requestID: context.requestID)
        dashboard.state.metrics.command("batch-kill", duration: ContinuousClock.now - start)
        var outcomes: [BulkOutcome] = []
        var hidden = 0
        for result in results {
            guard let job = try? ledger.job(result.jobID), Permissions.maySee(job, session.identity) else {
                hidden += 1
                continue
            }
            let accepted = result.outcome == .killed
            let detail = accepted ? "the job became \(job.state.rawValue)." : (Problem(outcome: result.outcome, jobID: job.id)?.detail ?? "the job was already \(job.state.rawValue); nothing changed.")
            outcomes.append(BulkOutcome(jobID: job.id, visible: true, accepted: accepted, outcome: result.outcome.rawValue, detail: detail))
        }
        if results.isEmpty { throw Problem(.notFound, "batch '\(batch)' has no jobs") }
        return BulkOutcome.page(title: "Kill the batch \(batch)", outcomes: outcomes, hidden: hidden, session: session)
    }
}
