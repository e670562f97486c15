import EventStore
import Foundation
import JobLedger

/// Comparison workload 4 on the job ledger: each worker runs a few jobs at
/// once, one thread per job in hand, each calling the synchronous API to
/// claim a job with a lease and complete it, until no job is left. Every
/// job is a no-op submitted beforehand (not timed, by concurrent
/// submitters). The ledger is durable throughout.
///
/// Conflicts: `claim` hides the appends that lose a race for a job (it moves
/// on to the next candidate). Group commit counts every append it answers,
/// successful or refused, so over the timed part
/// `appends answered - (claims + completions)` is the number of refused
/// appends: claims that lost a race (completions cannot conflict here, as
/// nothing else touches a claimed job).
final class LedgerJobs {
    /// The ledger.
    let ledger: JobLedger
    private let workers: Int
    private let jobsPerWorker: Int
    private let builders: Int
    private var round = 0
    private(set) var ids: [String] = []
    /// Appends refused over the timed parts.
    private(set) var refusedAppends = 0
    /// Group-commit batching over the timed parts.
    private(set) var batches: BatchFigures

    /// The owner of every submitted job.
    static let owner = Actor(id: "bench-user", role: .user, organisation: "org-1")

    /// Opens a fresh durable ledger at `path`.
    init(at path: String, workers: Int, jobsPerWorker: Int, builders: Int) throws {
        ledger = try JobLedger(path: path)
        self.workers = workers
        self.jobsPerWorker = max(1, jobsPerWorker)
        self.builders = builders
        batches = BatchFigures(
            workload: "jobs: \(workers) workers x \(self.jobsPerWorker) jobs", commits: 0, appends: 0, events: 0,
            averageAppendsPerCommit: 0, largestAppendsPerCommit: 0)
    }

    /// Submits `count` jobs (untimed), then lets the workers process all of
    /// them; returns the seconds from the workers' start until the last
    /// one found the queue empty.
    func run(_ count: Int) throws -> Double {
        round += 1
        let roundIDs = (0..<count).map { "r\(round)-\($0)" }
        let ledger = ledger
        try ClientThreads.fill(count, threads: builders, name: "submit") { index in
            _ = try ledger.submit(JobSubmission(id: roundIDs[index], type: "noop"), by: Self.owner)
        }
        ids += roundIDs

        let before = ledger.store.groupCommitStatistics
        let processed = SharedCounter()
        let jobsPerWorker = jobsPerWorker
        let seconds = try ClientThreads.run(workers * jobsPerWorker, name: "worker") { thread in
            let name = "worker-\(thread / jobsPerWorker)"
            var done = 0
            while let job = try ledger.claim(worker: name, lease: 60) {
                _ = try ledger.complete(job.id, worker: name, attempt: job.attempt)
                done += 1
            }
            processed.add(done)
        }
        let after = ledger.store.groupCommitStatistics
        guard processed.total == count else {
            throw BenchError.verification("ledger workers processed \(processed.total) of \(count) jobs")
        }
        let delta = BatchFigures(workload: batches.workload, before: before, after: after)
        refusedAppends += delta.appends - 2 * count
        batches.commits += delta.commits
        batches.appends += delta.appends
        batches.events += delta.events
        batches.averageAppendsPerCommit = batches.commits == 0 ? 0 : Double(batches.appends) / Double(batches.commits)
        batches.largestAppendsPerCommit = delta.largestAppendsPerCommit
        return seconds
    }

    /// Reads every job's stream: jobs whose stream does not hold exactly one
    /// `JobClaimed`, and jobs whose last event is not `JobCompleted`.
    func verify() throws -> (doubleClaims: Int, unfinished: Int) {
        var doubleClaims = 0
        var unfinished = 0
        for id in ids {
            let events = try ledger.store.readStream(JobStreams.job(id))
            if events.lazy.filter({ $0.type == "JobClaimed" }).count != 1 { doubleClaims += 1 }
            if events.last?.type != "JobCompleted" { unfinished += 1 }
        }
        return (doubleClaims, unfinished)
    }
}
