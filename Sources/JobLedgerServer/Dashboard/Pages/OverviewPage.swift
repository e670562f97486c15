import Foundation
import Hummingbird
import JobLedger

/// Jobs by state and by type, the queue's depth by type, throughput and
/// failure rate over the last hour and day, the longest running and the
/// stuck jobs. How each figure is read, and its cost, is in
/// Docs/Dashboard.md; ``OverviewFigures`` gathers them.
struct OverviewPage: Sendable {
    let dashboard: Dashboard
    /// Types shown in the by-type tables.
    static let typesShown = 20

    func render(_ session: DashboardSession) async throws -> Response {
        let ledger = dashboard.ledger
        let identity = session.identity
        guard identity.role != .worker else {
            let main: HTML = """
                <h1>Overview</h1>
                \(Layout.message("A worker token sees only the job it holds, through the API; it lists no jobs here. Sign in with a user, admin or system token.", error: false))
                """
            return Layout.response(Layout.page(title: "Overview", session: session, current: "/overview", main: main))
        }
        let now = Date()
        // Bounded reads, still kept off the cooperative pool.
        let figures = try await OffThePool.run { try OverviewFigures.gather(ledger, identity, now: now) }
        let scope: HTML = identity.role == .system ? "the whole ledger" : identity.role == .admin ? "the jobs of \(identity.organisation)" : "your jobs"
        let note: HTML = figures.exact ? .empty : "<p class=\"help\">Counts stopped at \(OverviewFigures.userCountBound) jobs a state: they are lower bounds.</p>"
        var charts: HTML = .empty
        if let minutes = figures.minutes {
            let hour = Throughput.make(minutes, now: now, count: 60, size: 1, title: "In the last hour", unit: "minute", from: "60 minutes ago")
            let day = Throughput.make(minutes, now: now, count: 96, size: 15, title: "In the last day", unit: "quarter hour", from: "24 hours ago")
            charts = """
                <h2>Throughput and failures, last hour</h2>
                \(hour.chart(id: "hour"))
                <h2>Throughput and failures, last day</h2>
                \(day.chart(id: "day"))
                """
        }
        let main: HTML = """
            <h1>Overview</h1>
            <p>Counts over \(scope), as of \(Layout.time(now)).</p>
            \(note)
            <div class="cards">
            <section><h2>Jobs by state</h2>\(Self.states(figures))</section>
            <section><h2>Queue depth by type</h2>\(Self.queue(figures))</section>
            </div>
            <h2>Jobs by type</h2>
            \(Self.types(figures))
            \(charts)
            <div class="cards overview-lists">
            <section><h2>Longest running</h2>\(Self.running(figures, now: now))</section>
            <section><h2>Stuck</h2>\(Self.stuck(figures, now: now))</section>
            </div>
            """
        return Layout.response(Layout.page(title: "Overview", session: session, current: "/overview", main: main))
    }

    static func states(_ figures: OverviewFigures) -> HTML {
        let rows = JobState.allCases.map { state -> HTML in
            "<tr><th scope=\"row\">\(Layout.state(state))</th><td>\(figures.byState[state] ?? 0)</td><td><a href=\"\(URLPath.query("/jobs", [("state", state.rawValue)]))\">list</a></td></tr>"
        }
        return "<table class=\"counts\"><thead><tr><th scope=\"col\">State</th><th scope=\"col\">Jobs</th><th scope=\"col\"><span class=\"visually-hidden\">Link</span></th></tr></thead><tbody>\(rows)</tbody></table>"
    }

    static func queue(_ figures: OverviewFigures) -> HTML {
        let totals: [(type: String, places: [PendingPlace: Int], total: Int)] = figures.pendingByType.map { type, places in
            (type, places, places.values.reduce(0, +))
        }
        let sorted = totals.sorted { a, b in a.total != b.total ? a.total > b.total : a.type < b.type }
        guard !sorted.isEmpty else { return "<p class=\"empty\">No pending jobs.</p>" }
        let rows = sorted.prefix(typesShown).map { type, places, _ -> HTML in
            "<tr><th scope=\"row\"><a href=\"\(URLPath.query("/jobs", [("state", "pending"), ("type", type)]))\">\(type)</a></th><td data-label=\"In the queue\">\(places[.queued] ?? 0)</td><td data-label=\"Scheduled\">\(places[.scheduled] ?? 0)</td><td data-label=\"Waiting for others\">\(places[.waiting] ?? 0)</td></tr>"
        }
        let more: HTML = sorted.count > typesShown ? "<p class=\"help\">And \(sorted.count - typesShown) more types.</p>" : .empty
        return """
            <table class="counts"><thead><tr><th scope="col">Type</th><th scope="col">In the queue</th><th scope="col">Scheduled</th><th scope="col">Waiting for others</th></tr></thead><tbody>\(rows)</tbody></table>
            \(more)
            <p class="help">In the queue: claimable now. Scheduled: submitted to run later, or waiting out a retry delay. Waiting: for jobs they run after.</p>
            """
    }

    static func types(_ figures: OverviewFigures) -> HTML {
        let totals: [(type: String, states: [JobState: Int], total: Int)] = figures.byType.map { type, states in
            (type, states, states.values.reduce(0, +))
        }
        let sorted = totals.sorted { a, b in a.total != b.total ? a.total > b.total : a.type < b.type }
        guard !sorted.isEmpty else { return "<p class=\"empty\">None.</p>" }
        let columns: [(String, [JobState])] = [
            ("Pending", [.pending]), ("Running", [.running, .cancelRequested]), ("Completed", [.completed]),
            ("Failed", [.failed]), ("Cancelled or killed", [.cancelled, .killed]),
        ]
        let head = columns.map { name, _ -> HTML in "<th scope=\"col\">\(name)</th>" }
        let rows = sorted.prefix(typesShown).map { type, states, total -> HTML in
            let cells = columns.map { name, members -> HTML in
                let count: Int = members.reduce(0) { sum, state in sum + (states[state] ?? 0) }
                return "<td data-label=\"\(name)\">\(count)</td>"
            }
            let finished = (states[.completed] ?? 0) + (states[.failed] ?? 0)
            let rate = finished == 0 ? "–" : String(format: "%.1f %%", Double(states[.failed] ?? 0) * 100 / Double(finished))
            return "<tr><th scope=\"row\"><a href=\"\(URLPath.query("/jobs", [("type", type)]))\">\(type)</a></th><td data-label=\"Jobs\">\(total)</td>\(cells)<td data-label=\"Failed of finished\">\(rate)</td></tr>"
        }
        let more: HTML = sorted.count > typesShown ? "<p class=\"help\">And \(sorted.count - typesShown) more types.</p>" : .empty
        return """
            <div class="table-wrap"><table class="counts by-type"><thead><tr><th scope="col">Type</th><th scope="col">Jobs</th>\(head)<th scope="col">Failed of finished</th></tr></thead><tbody>\(rows)</tbody></table></div>
            \(more)
            """
    }

    static func running(_ figures: OverviewFigures, now: Date) -> HTML {
        guard !figures.longestRunning.isEmpty else { return "<p class=\"empty\">No job is running.</p>" }
        let rows = figures.longestRunning.map { entry -> HTML in
            let age = (entry.sinceIsExact ? "" : "over ") + Self.duration(now.timeIntervalSince(entry.since))
            return "<tr><th scope=\"row\"><a href=\"\(URLPath.job(entry.job.id))\">\(entry.job.id)</a></th><td data-label=\"Type\">\(entry.job.type)</td><td data-label=\"Worker\">\(Layout.optional(entry.job.worker))</td><td data-label=\"Running for\">\(age)</td></tr>"
        }
        let bound: HTML = figures.runningComplete ? .empty
            : "<p class=\"help\">Among the first \(OverviewFigures.runningLooked) running jobs in submission order.</p>"
        return """
            <table><thead><tr><th scope="col">Job</th><th scope="col">Type</th><th scope="col">Worker</th><th scope="col">Running for</th></tr></thead><tbody>\(rows)</tbody></table>
            \(bound)
            """
    }

    static func stuck(_ figures: OverviewFigures, now: Date) -> HTML {
        var rows: [HTML] = figures.leaseExpired.map { job -> HTML in
            let late = job.leaseUntil.map { Self.duration(now.timeIntervalSince($0)) } ?? "?"
            return "<tr><th scope=\"row\"><a href=\"\(URLPath.job(job.id))\">\(job.id)</a></th><td data-label=\"Type\">\(job.type)</td><td data-label=\"State\">\(Layout.state(job.state))</td><td data-label=\"Why\">lease ended \(late) ago (\(Layout.optional(job.worker)))</td></tr>"
        }
        rows += figures.overdue.map { job -> HTML in
            "<tr><th scope=\"row\"><a href=\"\(URLPath.job(job.id))\">\(job.id)</a></th><td data-label=\"Type\">\(job.type)</td><td data-label=\"State\">\(Layout.state(job.state))</td><td data-label=\"Why\">due \(Self.duration(now.timeIntervalSince(job.availableAt))) ago, not claimed</td></tr>"
        }
        guard !rows.isEmpty else { return "<p class=\"empty\">No running job past its lease, no pending job due for over five minutes.</p>" }
        let bound: HTML = figures.pendingComplete ? .empty
            : "<p class=\"help\">Pending jobs: among the \(OverviewFigures.pendingLooked) oldest.</p>"
        return """
            <table><thead><tr><th scope="col">Job</th><th scope="col">Type</th><th scope="col">State</th><th scope="col">Why</th></tr></thead><tbody>\(rows)</tbody></table>
            \(bound)
            """
    }

    /// "42 s", "3 min 5 s", "2 h 14 min", "3 d 4 h".
    static func duration(_ seconds: TimeInterval) -> String {
        let total = max(0, Int(seconds))
        if total < 60 { return "\(total) s" }
        if total < 3600 { return "\(total / 60) min \(total % 60) s" }
        if total < 86_400 { return "\(total / 3600) h \(total % 3600 / 60) min" }
        return "\(total / 86_400) d \(total % 86_400 / 3600) h"
    }
}
