import Foundation
import Hummingbird
import JobLedger

/// Jobs by state and by type, and finished jobs per minute over the last
/// hour. The system sees the whole ledger from the indexes' gauges; an
/// admin or a user the jobs their listing shows, counted up to a bound.
struct OverviewPage: Sendable {
    let dashboard: Dashboard
    /// Jobs counted per state for a scoped overview.
    static let scopedBound = 10_000

    struct Counts: Sendable {
        var byState: [JobState: Int] = [:]
        var byType: [String: Int] = [:]
        var typeTitle = ""
        var complete = true
    }

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
        // Both reads can be long on a large ledger: kept off the cooperative pool.
        let (counts, throughput) = try await OffThePool.run { () throws -> (Counts, Throughput?) in
            let counts = try Self.counts(ledger, identity)
            let throughput = identity.role == .system ? try Throughput.lastHour(ledger.store, now: Date()) : nil
            return (counts, throughput)
        }
        let states = JobState.allCases.map { state -> HTML in
            "<tr><th scope=\"row\">\(Layout.state(state))</th><td>\(counts.byState[state] ?? 0)</td><td><a href=\"\(URLPath.query("/jobs", [("state", state.rawValue)]))\">list</a></td></tr>"
        }
        let types = counts.byType.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.prefix(20).map { type, count -> HTML in
            "<tr><th scope=\"row\">\(type)</th><td>\(count)</td><td><a href=\"\(URLPath.query("/jobs", [("type", type)]))\">list</a></td></tr>"
        }
        let note: HTML = counts.complete ? .empty : "<p class=\"help\">Counts stopped at their bound: they are lower bounds.</p>"
        let scope: HTML = identity.role == .system ? "the whole ledger" : identity.role == .admin ? "the jobs of \(identity.organisation)" : "your jobs"
        let main: HTML = """
            <h1>Overview</h1>
            <p>Counts over \(scope).</p>
            \(note)
            <div class="cards">
            <section><h2>Jobs by state</h2>
            <table class="counts"><thead><tr><th scope="col">State</th><th scope="col">Jobs</th><th scope="col"><span class="visually-hidden">Link</span></th></tr></thead><tbody>\(states)</tbody></table></section>
            <section><h2>\(counts.typeTitle)</h2>
            \(types.isEmpty ? "<p class=\"empty\">None.</p>" as HTML : "<table class=\"counts\"><thead><tr><th scope=\"col\">Type</th><th scope=\"col\">Jobs</th><th scope=\"col\"><span class=\"visually-hidden\">Link</span></th></tr></thead><tbody>\(types)</tbody></table>")
            </section>
            </div>
            \(throughput.map { throughput -> HTML in "<h2>Throughput, last hour</h2>\(throughput.chart())" } ?? .empty)
            """
        return Layout.response(Layout.page(title: "Overview", session: session, current: "/overview", main: main))
    }

    static func counts(_ ledger: JobLedger, _ identity: AccessToken) throws -> Counts {
        var counts = Counts()
        if identity.role == .system {
            let gauges = try ledger.gauges()
            counts.byState = gauges.byState
            counts.byType = gauges.pendingByType
            counts.typeTitle = "Pending jobs by type"
            counts.complete = gauges.complete
            return counts
        }
        counts.typeTitle = "Jobs by type"
        for state in JobState.allCases {
            let query = try Permissions.scope(JobQuery(state: state), identity)
            var cursor: String? = nil
            var seen = 0
            repeat {
                let page = try ledger.list(query, limit: 1000, after: cursor)
                for job in page.jobs { counts.byType[job.type, default: 0] += 1 }
                seen += page.jobs.count
                cursor = page.next
            } while cursor != nil && seen < scopedBound
            if cursor != nil { counts.complete = false }
            counts.byState[state] = seen
        }
        return counts
    }
}
