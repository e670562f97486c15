import Foundation
import Hummingbird
import JobLedger

/// One job's answer to a bulk action or a batch kill, and the page that
/// lists them.
struct BulkOutcome: Sendable, Hashable {
    /// The job.
    let jobID: String
    /// Whether the session may see the job (its id then links to its page).
    let visible: Bool
    /// True when the ledger did what was asked.
    let accepted: Bool
    /// The outcome as the ledger names it, such as `already_completed`.
    let outcome: String
    /// A sentence about it.
    let detail: String

    /// The result page: a row per job, and how many jobs were answered that
    /// the session may not see (listed by count only, not by id).
    static func page(title: String, outcomes: [BulkOutcome], hidden: Int, session: DashboardSession) -> Response {
        let done = outcomes.filter(\.accepted).count
        let rows = outcomes.map { item -> HTML in
            let id: HTML = item.visible ? "<a href=\"\(URLPath.job(item.jobID))\">\(item.jobID)</a>" : "\(item.jobID)"
            return """
                <tr data-job-id="\(item.jobID)" class="\(item.accepted ? "accepted" : "refused")"><td data-label="ID">\(id)</td>
                <td data-label="Outcome"><code class="outcome">\(item.outcome)</code></td>
                <td data-label="Answer">\(item.accepted ? "Done" : "Not done"): \(item.detail)</td></tr>
                """
        }
        let hiddenNote: HTML = hidden > 0
            ? "<p>\(hidden) more \(hidden == 1 ? "job" : "jobs") of the batch that you may not see answered <code>forbidden</code>; nothing changed for \(hidden == 1 ? "it" : "them").</p>"
            : .empty
        let main: HTML = """
            <h1>\(title)</h1>
            <div class="message" role="status" id="bulk-summary">\(done) of \(outcomes.count) done as asked; each answer below is the ledger's.</div>
            <div class="table-wrap"><table class="outcomes" id="outcomes"><caption>Each job's outcome</caption>
            <thead><tr><th scope="col">ID</th><th scope="col">Outcome</th><th scope="col">Answer</th></tr></thead>
            <tbody>\(rows)</tbody></table></div>
            \(hiddenNote)
            <p><a href="/jobs">Back to the jobs</a></p>
            """
        return Layout.response(Layout.page(title: title, session: session, current: "/jobs", main: main))
    }
}
