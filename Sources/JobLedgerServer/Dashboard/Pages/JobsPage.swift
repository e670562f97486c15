import Foundation
import Hummingbird
import JobLedger

/// The jobs table: the ledger's list query with its filters and cursor
/// pages, scoped to what the token may see, and a search by id.
struct JobsPage: Sendable {
    let dashboard: Dashboard

    /// The filters as the form sent them.
    struct Filters: Sendable {
        var state = "", type = "", org = "", owner = "", batch = "", since = "", until = "", id = "", cursor = ""
        /// A payload search, `field=value` (``PayloadSearch``).
        var payload = ""

        init(_ parameters: Parameters) {
            self.init { parameters.get($0) }
        }

        /// The filters from any source of named fields (a query, a form).
        init(_ field: (String) -> String?) {
            func value(_ name: String) -> String { field(name)?.trimmingSpaces ?? "" }
            (state, type, org, owner, batch, id, cursor) =
                (value("state"), value("type"), value("org"), value("owner"), value("batch"), value("id"), value("cursor"))
            (since, until, payload) = (value("since"), value("until"), value("payload"))
        }

        /// The ledger's query for these filters (not yet scoped to a token).
        func query() throws -> JobQuery {
            var query = JobQuery()
            do {
                if !state.isEmpty { query.state = try JobState.parse(state) }
            } catch {
                throw Problem(.badInput, "state: \(error)")
            }
            if !since.isEmpty { query.submittedFrom = try Timestamps.require(since, "submitted from") }
            if !until.isEmpty { query.submittedBefore = try Timestamps.require(until, "submitted before") }
            query.type = type.isEmpty ? nil : type
            query.organisation = org.isEmpty ? nil : org
            query.owner = owner.isEmpty ? nil : owner
            query.batch = batch.isEmpty ? nil : batch
            return query
        }

        var items: [(String, String?)] {
            [
                ("state", state), ("type", type), ("org", org), ("owner", owner), ("batch", batch), ("since", since), ("until", until),
                ("payload", payload),
            ]
        }
    }

    func render(_ request: Request, _ session: DashboardSession) throws -> Response {
        let filters = Filters(request.uri.queryParameters)
        let ledger = dashboard.ledger
        if !filters.id.isEmpty {
            if let job = try? ledger.job(filters.id), Permissions.maySee(job, session.identity) {
                return Layout.redirect(URLPath.job(job.id))
            }
            return page(filters, session, rows: nil, next: nil, error: "No job '\(filters.id)' that you may see.", status: .notFound)
        }
        let query: JobQuery
        do {
            query = try filters.query()
        } catch {
            return page(filters, session, rows: nil, next: nil, error: Problem.from(error).detail, status: .badRequest)
        }
        do {
            let scoped = try Permissions.scope(query, session.identity)
            let cursor = filters.cursor.isEmpty ? nil : filters.cursor
            if !filters.payload.isEmpty {
                let search = try PayloadSearch(filters.payload)
                let found = try search.page(ledger, scoped, after: cursor)
                let place: HTML = cursor == nil ? "from the first" : "after the previous page's"
                let end: HTML = found.next == nil ? "the listing's end was reached" : "the next page goes on from there"
                let note: HTML = "<p class=\"help\" id=\"payload-note\" role=\"status\">Payloads are not indexed: this page read \(found.scanned) jobs of the filtered listing, in submission order \(place) (at most \(PayloadSearch.scanBound) a page, stopping at \(PayloadSearch.wanted) matches); \(found.jobs.count) match; \(end).</p>"
                return page(filters, session, rows: found.jobs, next: found.next, error: nil, status: .ok, note: note)
            }
            let listing = try ledger.list(scoped, limit: 50, after: cursor)
            return page(filters, session, rows: listing.jobs, next: listing.next, error: nil, status: .ok)
        } catch {
            let problem = Problem.from(error)
            return page(filters, session, rows: nil, next: nil, error: problem.detail, status: problem.kind.status)
        }
    }

    func page(
        _ filters: Filters, _ session: DashboardSession, rows: [Job]?, next: String?, error: String?, status: HTTPResponse.Status,
        note: HTML = .empty
    ) -> Response {
        let after = (try? dashboard.ledger.store.lastPosition()) ?? 0
        let table: HTML
        if let rows, !rows.isEmpty {
            table = """
                <form method="get" action="/bulk" id="bulk" aria-label="Act on the selected jobs">
                <div class="table-wrap">
                <table class="jobs" aria-describedby="jobs-caption">
                <caption id="jobs-caption">\(rows.count) jobs on this page, in submission order within each state</caption>
                <thead><tr><th scope="col"><span class="visually-hidden">Select</span></th><th scope="col">ID</th><th scope="col">Type</th><th scope="col">State</th><th scope="col">Owner</th><th scope="col">Organisation</th><th scope="col">Batch</th><th scope="col">Attempt</th><th scope="col">Submitted</th><th scope="col">Updated</th></tr></thead>
                <tbody>\(rows.map(row))</tbody>
                </table>
                </div>
                \(bulkButtons(session))
                </form>
                \(filters.payload.isEmpty ? matchingButtons(filters, session) : .empty)
                """
        } else if rows != nil {
            table = "<p class=\"empty\">No jobs match these filters.</p>"
        } else {
            table = .empty
        }
        let nextLink: HTML = next.map { cursor -> HTML in
            let href = URLPath.query("/jobs", filters.items + [("cursor", cursor)])
            return "<a class=\"button\" href=\"\(href)\" rel=\"next\">Next page</a>"
        } ?? .empty
        let firstLink: HTML = filters.cursor.isEmpty ? .empty : "<a class=\"button\" href=\"\(URLPath.query("/jobs", filters.items))\">First page</a>"
        let main: HTML = """
            <h1>Jobs</h1>
            \(error.map { Layout.message($0, error: true) } ?? .empty)
            <form method="get" action="/jobs" class="search" role="search">
            <label for="search-id">Job id</label>
            <input id="search-id" name="id" type="search" value="\(filters.id)" spellcheck="false">
            <button type="submit">Open</button>
            </form>
            <form method="get" action="/jobs" class="filters" aria-label="Filters">
            <div class="field"><label for="f-state">State</label>
            <select id="f-state" name="state"><option value="">any</option>\(JobState.allCases.map { stateOption($0, selected: filters.state) })</select></div>
            \(textField("f-type", "type", "Type", filters.type))
            \(textField("f-org", "org", "Organisation", filters.org))
            \(textField("f-owner", "owner", "Owner", filters.owner))
            \(textField("f-batch", "batch", "Batch", filters.batch))
            \(textField("f-since", "since", "Submitted from", filters.since, placeholder: "2026-11-23T00:00:00Z"))
            \(textField("f-until", "until", "Submitted before", filters.until, placeholder: "2026-11-24T00:00:00Z"))
            \(textField("f-payload", "payload", "Payload field", filters.payload, placeholder: "customer=42"))
            <div class="field actions"><button type="submit">Filter</button> <a href="/jobs">Clear</a></div>
            </form>
            <div id="jobs-list">
            \(note)
            \(table)
            <nav class="pages" aria-label="Pages">\(firstLink) \(nextLink)</nav>
            </div>
            """
        // The stream carries the filters: new jobs that pass them come as rows.
        var live = Layout.Live(after: after, jobID: nil)
        live.stream = URLPath.query("/live", [("view", "jobs"), ("rows", "new")] + filters.items)
        let html = Layout.page(title: "Jobs", session: session, current: "/jobs", live: live, main: main)
        return Layout.response(html, status: status)
    }

    func row(_ job: Job) -> HTML {
        """
        <tr data-job-id="\(job.id)">
        <td data-label="Select" class="select"><input type="checkbox" name="job" value="\(job.id)" aria-label="Select job \(job.id)"></td>
        <td data-label="ID"><a href="\(URLPath.job(job.id))">\(job.id)</a></td>
        <td data-label="Type" class="long">\(job.type)</td>
        <td data-label="State" class="job-state">\(Layout.state(job.state))</td>
        <td data-label="Owner">\(job.owner)</td>
        <td data-label="Organisation">\(job.organisation)</td>
        <td data-label="Batch">\(Layout.optional(job.batch))</td>
        <td data-label="Attempt">\(job.attempt) of \(job.attemptsAllowed)</td>
        <td data-label="Submitted">\(Layout.time(job.submittedAt))</td>
        <td data-label="Updated" class="job-updated">\(Layout.time(job.updatedAt))</td>
        </tr>
        """
    }

    /// The bulk actions' buttons under the table: each leads to one
    /// confirmation of the ticked jobs. No kill for a role that may not
    /// kill (the ledger would refuse it anyway).
    func bulkButtons(_ session: DashboardSession) -> HTML {
        let role = session.identity.role
        guard role != .worker else { return .empty }
        let kill: HTML = role == .admin || role == .system
            ? " <button type=\"submit\" name=\"action\" value=\"kill\" id=\"bulk-kill\" class=\"danger\">Kill selected…</button>" : .empty
        return """
            <div class="bulk-actions" role="group" aria-label="Selected jobs">
            <button type="submit" name="action" value="cancel" id="bulk-cancel">Cancel selected…</button>\(kill)
            <button type="submit" name="action" value="retry" id="bulk-retry">Retry selected…</button>
            </div>
            """
    }

    /// The actions on every job the filters match (not only this page's):
    /// each leads to a confirmation that counts them (``BulkMatchingPages``).
    func matchingButtons(_ filters: Filters, _ session: DashboardSession) -> HTML {
        let role = session.identity.role
        guard role != .worker else { return .empty }
        let kill: HTML = role == .admin || role == .system
            ? " <button type=\"submit\" name=\"action\" value=\"kill\" id=\"matching-kill\" class=\"danger\">Kill all matching…</button>" : .empty
        return """
            <form method="get" action="/bulk/matching" class="bulk-actions" id="bulk-matching" aria-label="Act on every job the filters match">
            \(BulkMatchingPages.filterFields(filters))
            <button type="submit" name="action" value="cancel" id="matching-cancel">Cancel all matching…</button>\(kill)
            <button type="submit" name="action" value="retry" id="matching-retry">Retry all matching…</button>
            <span class="help">Every job the filters match, on every page (at most \(BulkMatchingPages.cap)).</span>
            </form>
            """
    }

    func stateOption(_ state: JobState, selected: String) -> HTML {
        let mark: HTML = state.rawValue == selected ? " selected" : .empty
        return "<option value=\"\(state.rawValue)\"\(mark)>\(state.rawValue)</option>"
    }

    func textField(_ id: String, _ name: String, _ label: String, _ value: String, placeholder: String = "") -> HTML {
        "<div class=\"field\"><label for=\"\(id)\">\(label)</label><input id=\"\(id)\" name=\"\(name)\" value=\"\(value)\" placeholder=\"\(placeholder)\" spellcheck=\"false\"></div>"
    }
}
