import Foundation
import Hummingbird
import JobLedger

/// Cancel, kill or retry every job the jobs table's filters match, not
/// only the ticked rows: a confirmation (`GET /bulk/matching`) that counts
/// the matching jobs, at most ``cap`` of them, then the commands in parts
/// of ``partSize`` jobs, one request each (`POST /bulk/matching`), each
/// answered with the part's exceptions and the counts by outcome so far,
/// and a form to run the next part (which the script submits by itself).
///
/// The jobs are those matching when each part runs, among the jobs
/// submitted before the confirmation was shown: a job submitted since is
/// never touched, a job that stopped matching is skipped, and no more
/// jobs than the confirmation counted are commanded. Without a state
/// filter the listing is walked state by state (``order(_:_:)``).
struct BulkMatchingPages: Sendable {
    let dashboard: Dashboard
    /// The most jobs one action on matching jobs takes; more matching is refused.
    static let cap = 10_000
    /// Jobs one part commands.
    static let partSize = 100

    func confirm(_ request: Request, _ session: DashboardSession) throws -> Response {
        let parameters = request.uri.queryParameters
        let action = try ActionPages.action(parameters.get("action") ?? "")
        let filters = JobsPage.Filters(parameters)
        let before = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 * 1000).rounded(.down) / 1000)
        let query = try Self.query(filters, before: before, session)
        var count = 0
        var sample: [Job] = []
        var cursor: String? = nil
        repeat {
            let page = try dashboard.ledger.list(query, limit: 1000, after: cursor)
            count += page.jobs.count
            if sample.count < 10 { sample += page.jobs.prefix(10 - sample.count) }
            cursor = page.next
        } while cursor != nil && count <= Self.cap
        guard count > 0 else {
            throw Problem(.badInput, "no jobs match these filters; there is nothing to \(action.rawValue)")
        }
        guard count <= Self.cap else {
            throw Problem(
                .badInput,
                "more than \(Self.cap) jobs match these filters; one action on matching jobs takes at most \(Self.cap): narrow the filters")
        }
        let rows = sample.map { job -> HTML in
            "<tr data-job-id=\"\(job.id)\"><td data-label=\"ID\"><a href=\"\(URLPath.job(job.id))\">\(job.id)</a></td><td data-label=\"Type\" class=\"long\">\(job.type)</td><td data-label=\"State\">\(Layout.state(job.state))</td><td data-label=\"Owner\">\(job.owner) (\(job.organisation))</td></tr>"
        }
        let reason: HTML = """
            <label for="reason">Reason\(action.needsReason ? " (required, kept in each job's audit entry)" : " (optional)")</label>
            <textarea id="reason" name="reason" rows="3"\(action.needsReason ? " required" : "")></textarea>
            """
        let noun = count == 1 ? "job" : "jobs"
        let main: HTML = """
            <h1>\(action.verb) the \(count) matching \(noun)?</h1>
            <p id="matching-count">\(count) \(noun) submitted before \(Layout.time(before)) match \(Self.describe(filters)).</p>
            <p>Each job gets its own command, run as you, \(Self.partSize) jobs a part. The ledger decides for each whether you may, and records each request with its answer. A job that no longer matches when its part runs is skipped; jobs submitted from now on are not touched.</p>
            <form method="post" action="/bulk/matching" class="confirm">
            \(Layout.csrfField(session))
            <input type="hidden" name="action" value="\(action.rawValue)">
            \(Self.filterFields(filters))
            <input type="hidden" name="before" value="\(Self.instant(before))">
            <input type="hidden" name="total" value="\(count)">
            <div class="table-wrap"><table class="jobs"><caption>The first \(sample.count) of them</caption>
            <thead><tr><th scope="col">ID</th><th scope="col">Type</th><th scope="col">State</th><th scope="col">Owner</th></tr></thead>
            <tbody>\(rows)</tbody></table></div>
            \(reason)
            <div class="buttons"><button type="submit" id="confirm" class="\(action == .kill ? "danger" : "")">\(action.verb) \(count) \(noun)</button>
            <a href="\(URLPath.query("/jobs", filters.items))">Go back</a></div>
            </form>
            """
        return Layout.response(Layout.page(title: "\(action.verb) \(count) matching jobs", session: session, current: "/jobs", main: main))
    }

    /// Runs one part and answers with its exceptions, the counts so far
    /// and the form of the next part. The form was checked against the
    /// session's form token before this runs.
    func run(_ form: FormFields, _ session: DashboardSession) async throws -> Response {
        let action = try ActionPages.action(form["action"] ?? "")
        let reason = form["reason"]?.trimmingSpaces ?? ""
        if action.needsReason && reason.isEmpty {
            throw Problem(.badInput, "a reason is required to \(action.rawValue) jobs; nothing was done")
        }
        let filters = JobsPage.Filters { form[$0] }
        let before = try Timestamps.require(form["before"] ?? "", "before")
        guard let total = Int(form["total"] ?? ""), (1...Self.cap).contains(total) else {
            throw Problem(.badInput, "total: the number of matching jobs must be from 1 to \(Self.cap); nothing was done")
        }
        guard let done = Int(form["done"] ?? "0"), (0..<total).contains(done) else {
            throw Problem(.badInput, "done: must be from 0 to \(total - 1); nothing was done")
        }
        var cursor = form["cursor"].flatMap { $0.isEmpty ? nil : $0 }
        var counts = Self.counts(form["counts"] ?? "")
        let query = try Self.query(filters, before: before, session)
        let order = Self.order(action, query.state)
        guard var stage = Int(form["stage"] ?? "0"), (0..<order.count).contains(stage) else {
            throw Problem(.badInput, "stage: must be from 0 to \(order.count - 1); nothing was done")
        }
        // The part's jobs: the next ones of the listing, state by state.
        let limit = min(Self.partSize, total - done)
        var jobs: [Job] = []
        while jobs.count < limit && stage < order.count {
            var part = query
            part.state = order[stage]
            let page = try dashboard.ledger.list(part, limit: limit - jobs.count, after: cursor)
            jobs += page.jobs
            if let next = page.next, !page.jobs.isEmpty {
                cursor = next
            } else {
                (stage, cursor) = (stage + 1, nil)
            }
        }
        let bulk = BulkActionPages(dashboard: dashboard)
        var exceptions: [BulkOutcome] = []
        for job in jobs {
            let outcome = await bulk.command(action, job.id, reason: reason, session)
            counts[outcome.outcome, default: 0] += 1
            if !outcome.accepted { exceptions.append(outcome) }
        }
        let now = done + jobs.count
        let more = stage < order.count && now < total && !jobs.isEmpty
        let tally = counts.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
            .map { outcome, count -> HTML in "<li><code class=\"outcome\">\(outcome)</code> \(count)</li>" }
        let exceptionRows = exceptions.map { item -> HTML in
            let id: HTML = item.visible ? "<a href=\"\(URLPath.job(item.jobID))\">\(item.jobID)</a>" : "\(item.jobID)"
            return "<tr data-job-id=\"\(item.jobID)\" class=\"refused\"><td data-label=\"ID\">\(id)</td><td data-label=\"Outcome\"><code class=\"outcome\">\(item.outcome)</code></td><td data-label=\"Answer\">Not done: \(item.detail)</td></tr>"
        }
        let exceptionTable: HTML = exceptions.isEmpty
            ? "<p id=\"exceptions\">Every job of this part was done as asked.</p>"
            : """
              <div class="table-wrap"><table class="outcomes" id="exceptions"><caption>The jobs of this part not done as asked</caption>
              <thead><tr><th scope="col">ID</th><th scope="col">Outcome</th><th scope="col">Answer</th></tr></thead>
              <tbody>\(exceptionRows)</tbody></table></div>
              """
        let next: HTML
        if more {
            next = """
                <form method="post" action="/bulk/matching" id="continue-form" data-auto="true">
                \(Layout.csrfField(session))
                <input type="hidden" name="action" value="\(action.rawValue)">
                <input type="hidden" name="reason" value="\(reason)">
                \(Self.filterFields(filters))
                <input type="hidden" name="before" value="\(Self.instant(before))">
                <input type="hidden" name="total" value="\(total)">
                <input type="hidden" name="done" value="\(now)">
                <input type="hidden" name="stage" value="\(stage)">
                <input type="hidden" name="cursor" value="\(cursor ?? "")">
                <input type="hidden" name="counts" value="\(Self.countsText(counts))">
                <p>The next part continues by itself with the page's script; without it, or after leaving this page, continue here. What is done stays done.</p>
                <div class="buttons"><button type="submit" id="continue">Continue: the next \(min(Self.partSize, total - now)) jobs</button>
                <a href="\(URLPath.query("/jobs", filters.items))">Stop here</a></div>
                </form>
                """
        } else {
            next = "<p id=\"bulk-finished\">Finished: \(now) of the \(total) jobs counted were commanded\(now < total ? "; the others no longer match the filters" : "").</p><p><a href=\"\(URLPath.query("/jobs", filters.items))\">Back to the jobs</a></p>"
        }
        let title = "\(action.verb) matching jobs: \(now) of \(total)"
        let main: HTML = """
            <h1>\(title)</h1>
            <div class="message" role="status" id="bulk-summary">Part \((done + Self.partSize - 1) / Self.partSize + 1): \(jobs.count) jobs commanded, \(jobs.count - exceptions.count) done as asked. So far, by the ledger's outcome:</div>
            <ul class="outcome-counts" id="outcome-counts">\(tally)</ul>
            \(exceptionTable)
            \(next)
            """
        return Layout.response(Layout.page(title: title, session: session, current: "/jobs", main: main))
    }

    /// The filters as the ledger's query, scoped to the session and to
    /// jobs submitted before `before`.
    static func query(_ filters: JobsPage.Filters, before: Date, _ session: DashboardSession) throws -> JobQuery {
        guard filters.payload.isEmpty else {
            throw Problem(
                .badInput,
                "an action on every matching job does not take a payload search (payloads are not indexed); tick the rows instead")
        }
        var query = try Permissions.scope(filters.query(), session.identity)
        query.submittedBefore = min(query.submittedBefore ?? before, before)
        return query
    }

    /// The states whose jobs are commanded, in order: the one the filters
    /// name, or every state with those the action moves jobs into first,
    /// so that a job moved by its command lands in a state already done
    /// and is not met again.
    static func order(_ action: ActionPages.Action, _ state: JobState?) -> [JobState] {
        if let state { return [state] }
        let first: [JobState]
        switch action {
        case .cancel: first = [.cancelled, .cancelRequested]
        case .kill: first = [.killed]
        case .retry: first = [.pending, .running, .cancelRequested, .completed]
        }
        return first + JobState.allCases.filter { !first.contains($0) }
    }

    static func filterFields(_ filters: JobsPage.Filters) -> HTML {
        HTML.joined(filters.items.compactMap { name, value -> HTML? in
            guard let value, !value.isEmpty else { return nil }
            return "<input type=\"hidden\" name=\"\(name)\" value=\"\(value)\">"
        })
    }

    /// "the filters state = pending, type = email", or "no filter (every job you may see)".
    static func describe(_ filters: JobsPage.Filters) -> HTML {
        let parts = filters.items.compactMap { name, value -> HTML? in
            guard let value, !value.isEmpty else { return nil }
            return "<code>\(name)</code> = <code>\(value)</code>"
        }
        return parts.isEmpty ? "no filter (every job you may see)" : "the filters \(HTML.joined(parts, separator: ", "))"
    }

    static func instant(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// Counts carried from part to part as `outcome=n;…`; only shown to the
    /// session that runs the action, so a malformed entry is left out.
    static func counts(_ text: String) -> [String: Int] {
        var counts: [String: Int] = [:]
        for entry in text.split(separator: ";") {
            let parts = entry.split(separator: "=")
            guard parts.count == 2, let count = Int(parts[1]), count > 0, count <= cap,
                  parts[0].allSatisfy({ $0.isLetter || $0 == "_" })
            else { continue }
            counts[String(parts[0]), default: 0] += count
        }
        return counts
    }

    static func countsText(_ counts: [String: Int]) -> String {
        counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ";")
    }
}
