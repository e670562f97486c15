import Foundation
import Hummingbird
import JobLedger

/// One job: its fields, payload, result and error, the actions the
/// token's role allows, its timeline, a control that shows the job as it
/// stood after any earlier entry, and the raw history as JSON.
struct JobPage: Sendable {
    let dashboard: Dashboard

    func render(_ id: String, _ request: Request, _ session: DashboardSession) throws -> Response {
        let ledger = dashboard.ledger
        let after = try ledger.store.lastPosition()
        guard let current = try ledger.job(id), Permissions.maySee(current, session.identity) else {
            throw Problem(.notFound, "job '\(id)' not found (or not one you may see)", jobID: id, outcome: JobOutcome.notFound.rawValue)
        }
        let entries = try ledger.history(id)
        var step = entries.count
        var error: String? = nil
        if let text = request.uri.queryParameters.get("at") {
            if let number = Int(text), (1...max(entries.count, 1)).contains(number) {
                step = number
            } else {
                error = "at: '\(text)' is not an entry of this history (1 to \(entries.count)); showing the job now."
            }
        }
        let travelling = step < entries.count
        let shown = travelling ? (try ledger.job(id, asOfPosition: entries[step - 1].position)) : current
        let notice = dashboard.sessions.takeNotice(session.id, jobID: id)
        let main: HTML = """
            <h1>Job <span class="job-id">\(id)</span></h1>
            \(notice.map(noticeBox) ?? .empty)
            \(error.map { Layout.message($0, error: true) } ?? .empty)
            <section id="live-job">
            \(travelling ? travelBanner(entries[step - 1], step: step, of: entries.count, id: id) : .empty)
            \(shown.map { fields($0) } ?? "<p class=\"empty\">The job did not exist yet at this point.</p>" as HTML)
            \(travelling ? .empty : actions(current, session))
            <h2 id="timeline-heading">Timeline</h2>
            \(travelControl(id, entries, step: step))
            \(Timeline.table(entries, upTo: step))
            </section>
            <details class="raw">
            <summary>Raw events (JSON)</summary>
            <pre>\(Timeline.rawJSON(id, entries))</pre>
            </details>
            """
        let html = Layout.page(title: "Job \(id)", session: session, current: "/jobs", live: .init(after: after, jobID: id), main: main)
        return Layout.response(html)
    }

    func fields(_ job: Job) -> HTML {
        """
        <dl class="fields">
        <div><dt>State</dt><dd class="job-state">\(Layout.state(job.state))</dd></div>
        <div><dt>Type</dt><dd>\(job.type)</dd></div>
        <div><dt>Owner</dt><dd>\(job.owner)</dd></div>
        <div><dt>Organisation</dt><dd>\(job.organisation)</dd></div>
        <div><dt>Batch</dt><dd>\(Layout.optional(job.batch))</dd></div>
        <div><dt>Priority</dt><dd>\(job.priority)</dd></div>
        <div><dt>Attempt</dt><dd>\(job.attempt) of \(job.attemptsAllowed)</dd></div>
        <div><dt>Worker</dt><dd>\(Layout.optional(job.worker))</dd></div>
        <div><dt>Lease until</dt><dd>\(Layout.time(job.leaseUntil))</dd></div>
        <div><dt>Submitted</dt><dd>\(Layout.time(job.submittedAt))</dd></div>
        <div><dt>Updated</dt><dd>\(Layout.time(job.updatedAt))</dd></div>
        <div><dt>Stop asked by</dt><dd>\(Layout.optional(job.stopRequestedBy))</dd></div>
        <div><dt>Stop reason</dt><dd>\(Layout.optional(job.stopReason))</dd></div>
        </dl>
        <div class="documents">
        <section><h2>Payload</h2><pre class="payload">\(Timeline.pretty(job.payload))</pre></section>
        <section><h2>Result</h2>\(job.result.map { result -> HTML in "<pre class=\"result\">\(Timeline.pretty(result))</pre>" } ?? "<p class=\"none\">No result.</p>" as HTML)</section>
        <section><h2>Error</h2>\(job.error.map { error -> HTML in "<pre class=\"job-error\">\(error)</pre>" } ?? "<p class=\"none\">No error.</p>" as HTML)</section>
        </div>
        """
    }

    /// The buttons the token's role allows in the job's state; each leads
    /// to a confirmation. The ledger decides in the end: a forged request
    /// for a button not shown is refused and audited by the ledger.
    func actions(_ job: Job, _ session: DashboardSession) -> HTML {
        let role = session.identity.role
        var buttons: [HTML] = []
        if !job.state.isTerminal && role != .worker {
            buttons.append("<a class=\"button\" id=\"action-cancel\" href=\"\(URLPath.job(job.id, "cancel"))\">Cancel…</a>")
        }
        if !job.state.isTerminal && (role == .admin || role == .system) {
            buttons.append("<a class=\"button danger\" id=\"action-kill\" href=\"\(URLPath.job(job.id, "kill"))\">Kill…</a>")
        }
        if [.failed, .cancelled, .killed].contains(job.state) && role != .worker {
            buttons.append("<a class=\"button\" id=\"action-retry\" href=\"\(URLPath.job(job.id, "retry"))\">Retry…</a>")
        }
        if let batch = job.batch, role == .admin || role == .system {
            buttons.append("<a class=\"button danger\" id=\"action-kill-batch\" href=\"\(URLPath.batchKill(batch))\">Kill the batch…</a>")
        }
        guard !buttons.isEmpty else { return .empty }
        return "<div class=\"job-actions\" aria-label=\"Actions\">\(buttons)</div>"
    }

    func noticeBox(_ notice: Notice) -> HTML {
        let text: HTML = "<strong>\(notice.accepted ? "Done" : "Refused")</strong>: <code class=\"outcome\">\(notice.outcome)</code> \(notice.detail)"
        return notice.accepted
            ? "<div class=\"message notice\" role=\"status\" id=\"notice\">\(text)</div>"
            : "<div class=\"message error\" role=\"alert\" id=\"notice\">\(text)</div>"
    }

    func travelBanner(_ entry: HistoryEntry, step: Int, of count: Int, id: String) -> HTML {
        """
        <div class="message travel" role="status" id="travel-banner">Showing the job as it stood after entry \(step) of \(count)
        (\(entry.audit.map { "audit: \($0.action)" } ?? entry.type), position \(entry.position), \(Layout.time(entry.recordedAt))).
        <a href="\(URLPath.job(id))">Back to now</a></div>
        """
    }

    /// A form that works without script (a slider and a button); the
    /// script submits it as soon as the slider moves.
    func travelControl(_ id: String, _ entries: [HistoryEntry], step: Int) -> HTML {
        guard entries.count > 1 else { return .empty }
        return """
            <form method="get" action="\(URLPath.job(id))" class="travel" id="travel-form">
            <label for="travel">Show the job as of entry</label>
            <input type="range" id="travel" name="at" min="1" max="\(entries.count)" step="1" value="\(step)" aria-valuetext="entry \(step) of \(entries.count)">
            <output for="travel" id="travel-output">\(step) of \(entries.count)</output>
            <button type="submit">Show</button>
            </form>
            """
    }
}
