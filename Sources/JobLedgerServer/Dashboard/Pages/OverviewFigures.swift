import EventStore
import Foundation
import JobLedger

/// What the overview shows, gathered in bounded reads: counts from the
/// projection's tallies (the system's whole ledger, an admin's
/// organisation) or, for a user, from their listing up to a bound; the
/// longest running and the stuck jobs from the first entries of the
/// running and pending listings and of the lease index.
struct OverviewFigures: Sendable {
    var byState: [JobState: Int] = [:]
    var byType: [String: [JobState: Int]] = [:]
    var pendingByType: [String: [PendingPlace: Int]] = [:]
    /// False when a user's counts stopped at their bound.
    var exact = true
    /// Finished jobs per minute over the last day (the system only).
    var minutes: [FinishedMinute]? = nil
    var longestRunning: [RunningJob] = []
    /// Running or cancel-requested jobs whose lease ended.
    var leaseExpired: [Job] = []
    /// Pending jobs due for longer than ``overdueAfter`` and not claimed.
    var overdue: [Job] = []
    /// False when the running or pending listings had more jobs than were looked at.
    var runningComplete = true
    var pendingComplete = true

    struct RunningJob: Sendable {
        var job: Job
        /// When its current attempt was claimed (or, past the read bound, a time it was running at already).
        var since: Date
        var sinceIsExact: Bool
    }

    /// Jobs of a user counted per state.
    static let userCountBound = 10_000
    /// Running jobs looked at for the longest running.
    static let runningLooked = 200
    /// Pending jobs (oldest first) looked at for the overdue ones.
    static let pendingLooked = 1_000
    /// Leases looked at for the expired ones.
    static let leasesLooked = 1_000
    /// A pending job due for longer than this is overdue.
    static let overdueAfter: TimeInterval = 300
    /// Rows shown in each list.
    static let shown = 10

    static func gather(_ ledger: JobLedger, _ identity: AccessToken, now: Date) throws -> OverviewFigures {
        var figures = OverviewFigures()
        switch identity.role {
        case .system, .admin:
            let counts = try ledger.jobCounts(organisation: identity.role == .system ? nil : identity.organisation)
            (figures.byState, figures.byType, figures.pendingByType) = (counts.byState, counts.byType, counts.pendingByType)
        default:
            try figures.countListing(ledger, identity)
        }
        if identity.role == .system {
            figures.minutes = try ledger.finishedPerMinute(since: now.addingTimeInterval(-86_400), until: now)
        }
        try figures.findRunning(ledger, identity, now: now)
        try figures.findOverdue(ledger, identity, now: now)
        return figures
    }

    /// A user's counts: their listing, per state, up to the bound.
    private mutating func countListing(_ ledger: JobLedger, _ identity: AccessToken) throws {
        for state in JobState.allCases {
            let query = try Permissions.scope(JobQuery(state: state), identity)
            var cursor: String? = nil
            var seen = 0
            repeat {
                let page = try ledger.list(query, limit: 1000, after: cursor)
                for job in page.jobs {
                    byType[job.type, default: [:]][state, default: 0] += 1
                    if let place = job.pendingPlace { pendingByType[job.type, default: [:]][place, default: 0] += 1 }
                }
                seen += page.jobs.count
                cursor = page.next
            } while cursor != nil && seen < Self.userCountBound
            if cursor != nil { exact = false }
            byState[state] = seen
        }
    }

    /// The longest running among the first running jobs of the listing,
    /// and the jobs whose lease ended.
    private mutating func findRunning(_ ledger: JobLedger, _ identity: AccessToken, now: Date) throws {
        var running: [RunningJob] = []
        for state in [JobState.running, .cancelRequested] {
            let page = try ledger.list(try Permissions.scope(JobQuery(state: state), identity), limit: Self.runningLooked)
            if page.next != nil { runningComplete = false }
            for job in page.jobs {
                let (since, exact) = try Self.claimedAt(job, ledger.store)
                running.append(RunningJob(job: job, since: since, sinceIsExact: exact))
            }
        }
        longestRunning = Array(running.sorted { $0.since < $1.since }.prefix(Self.shown))
        let stuck = try ledger.stuckJobs(limit: Self.leasesLooked)
        for entry in stuck where leaseExpired.count < Self.shown {
            if let job = try ledger.job(entry.id), Permissions.maySee(job, identity) { leaseExpired.append(job) }
        }
    }

    /// Pending jobs, oldest first, due for longer than `overdueAfter`.
    private mutating func findOverdue(_ ledger: JobLedger, _ identity: AccessToken, now: Date) throws {
        let page = try ledger.list(try Permissions.scope(JobQuery(state: .pending), identity), limit: Self.pendingLooked)
        if page.next != nil { pendingComplete = false }
        let line = now.addingTimeInterval(-Self.overdueAfter)
        overdue = Array(page.jobs.filter { $0.pendingPlace != .waiting && $0.availableAt < line }
            .sorted { $0.availableAt < $1.availableAt }.prefix(Self.shown))
    }

    /// When a running job's current attempt was claimed: its latest
    /// `JobClaimed`, looked for backwards from the job's version, 64
    /// events at a time and at most 256 (the events after a claim are
    /// renewals). Past that, the earliest time read, as a lower bound.
    static func claimedAt(_ job: Job, _ store: any EventStorage) throws -> (Date, Bool) {
        var end = job.version
        var earliest = job.updatedAt
        for _ in 0..<4 where end >= 1 {
            let from = end > 64 ? end - 63 : 1
            let events = try store.readStream(JobStreams.job(job.id), from: from, limit: Int(end - from + 1))
            if let claim = events.last(where: { $0.type == "JobClaimed" }) { return (claim.recordedAt, true) }
            if let first = events.first { earliest = min(earliest, first.recordedAt) }
            end = from - 1
        }
        return (earliest, false)
    }
}
