import EventStore
import Foundation
import JobLedger

/// What scheduled jobs and a concurrency limit cost a claim: worker
/// threads claiming and completing due jobs of one type on three ledgers
/// in the same run, alternating in rounds:
/// - plain: only the due jobs;
/// - scheduled: the same, beside 100,000 jobs of the same type and a
///   higher priority scheduled for a day later;
/// - limited: the scheduled ledger's jobs, and a concurrency limit on the
///   type in force for every claim (as high as the threads, so it never
///   binds: the cost measured is the limit's bookkeeping, not waiting).
///
/// Run twice: durable (the ledger's default, what the target is about),
/// and without fsync, where nothing hides the work that the index of
/// scheduled jobs and the limit add to each claim and to the writer.
enum JobFeaturesWorkload {
    /// The sizes of a run.
    struct Counts: Sendable {
        /// Due jobs claimed and completed per side, over all rounds.
        var jobs: Int
        /// Jobs scheduled for later on the scheduled and limited sides.
        var scheduled: Int
        /// Claiming threads.
        var threads: Int
        var rounds: Int

        static func make(quick: Bool, durable: Bool) -> Counts {
            switch (quick, durable) {
            case (true, true): return Counts(jobs: 2_000, scheduled: 100_000, threads: 8, rounds: 4)
            case (true, false): return Counts(jobs: 4_000, scheduled: 100_000, threads: 8, rounds: 4)
            case (false, true): return Counts(jobs: 16_000, scheduled: 100_000, threads: 8, rounds: 8)
            case (false, false): return Counts(jobs: 40_000, scheduled: 100_000, threads: 8, rounds: 8)
            }
        }
    }

    /// One side: a ledger and the due jobs submitted to it so far.
    final class Side {
        let name: String
        let ledger: JobLedger
        private var round = 0
        /// Appends the group committer answered beyond one claim and one
        /// completion per job: claims that lost a race and were decided again.
        private(set) var refusedAppends = 0
        private(set) var processed = 0

        /// Opens a ledger at `path` holding `scheduled` jobs scheduled for
        /// later and, with `limit`, a concurrency limit on the type. The
        /// jobs are written without fsync (untimed set-up), then the ledger
        /// is opened again, durable or not.
        init(name: String, path: String, durable: Bool, scheduled: Int = 0, limit: Int? = nil) throws {
            self.name = name
            var fast = JobLedgerOptions()
            fast.store = .noSync
            do {
                let filling = try JobLedger(path: path, options: fast)
                try JobFeaturesWorkload.schedule(scheduled, on: filling, name: name)
                if let limit {
                    try filling.setConcurrencyLimit(limit, forType: "render", by: .system, reason: "benchmark")
                }
                try filling.store.sync()
            }
            ledger = try JobLedger(path: path, options: durable ? JobLedgerOptions() : fast)
        }

        /// Submits `count` due jobs (untimed), then lets the threads claim
        /// and complete until none is left; the seconds of the second part.
        func run(_ count: Int, threads: Int) throws -> Double {
            round += 1
            let ids = (0..<count).map { "\(name)-r\(round)-\($0)" }
            let ledger = ledger
            try ClientThreads.fill(count, threads: 4, name: "submit") { index in
                _ = try ledger.submit(JobSubmission(id: ids[index], type: "render"), by: JobFeaturesWorkload.owner)
            }
            let before = ledger.store.groupCommitStatistics
            let done = SharedCounter()
            let seconds = try ClientThreads.run(threads, name: "claim") { thread in
                let worker = "worker-\(thread)"
                var finished = 0
                while let job = try ledger.claim(worker: worker, types: ["render"], lease: 60) {
                    _ = try ledger.complete(job.id, worker: worker, attempt: job.attempt)
                    finished += 1
                }
                done.add(finished)
            }
            let after = ledger.store.groupCommitStatistics
            guard done.total == count else {
                throw BenchError.verification("\(name): the threads claimed and completed \(done.total) of \(count) due jobs")
            }
            processed += count
            refusedAppends += (after.appends - before.appends) - 2 * count
            return seconds
        }
    }

    /// The owner of every job.
    static let owner = Actor(id: "bench-user", role: .user, organisation: "org-1")

    /// Fills `ledger` with `count` jobs of the type, of a higher priority
    /// than the due ones, scheduled a day later.
    static func schedule(_ count: Int, on ledger: JobLedger, name: String) throws {
        guard count > 0 else { return }
        let later = Date().addingTimeInterval(86_400)
        try ClientThreads.fill(count, threads: 4, name: "schedule") { index in
            _ = try ledger.submit(
                JobSubmission(id: "\(name)-later-\(index)", type: "render", priority: 10, runAt: later), by: owner)
        }
    }

    /// Runs the three sides and returns their figures, with ratios against
    /// the plain side.
    static func run(
        paths: (plain: String, scheduled: String, limited: String), counts: Counts, durable: Bool
    ) throws -> (figures: [Figure], note: String) {
        let plain = try Side(name: "plain", path: paths.plain, durable: durable)
        let scheduled = try Side(name: "scheduled", path: paths.scheduled, durable: durable, scheduled: counts.scheduled)
        let limited = try Side(
            name: "limited", path: paths.limited, durable: durable, scheduled: counts.scheduled, limit: counts.threads)
        let perRound = max(1, counts.jobs / counts.rounds)
        let sides = [plain, scheduled, limited].map { side in
            InterleavedRounds.Side(total: perRound * counts.rounds) { count in try side.run(count, threads: counts.threads) }
        }
        let totals = try InterleavedRounds.run(rounds: counts.rounds, sides: sides)
        // The target is the durable run's; the run without fsync shows
        // the ratios of the work alone.
        let target = durable ? Target(subject: .ratio, comparison: .atLeast, threshold: 0.8) : nil
        let mode = durable ? "durable" : "no fsync"
        let suffix = durable ? "" : "-nosync"
        let figures = [
            Figure(
                id: "claims-plain\(suffix)", workload: "claim + complete, \(counts.threads) threads, \(mode), due jobs only",
                value: totals[0].rate, unit: "jobs/s"),
            Figure(
                id: "claims-scheduled\(suffix)",
                workload: "claim + complete, \(mode), beside \(ReportTable.grouped(counts.scheduled)) jobs scheduled later",
                value: totals[1].rate, unit: "jobs/s", baselineID: "claims-plain\(suffix)", target: target),
            Figure(
                id: "claims-limited\(suffix)",
                workload: "claim + complete, \(mode), scheduled jobs and a concurrency limit of \(counts.threads) in force",
                value: totals[2].rate, unit: "jobs/s", baselineID: "claims-plain\(suffix)", target: target),
        ]
        func conflicts(_ side: Side) -> String {
            String(format: "%.3f", Double(side.refusedAppends) / Double(max(1, side.processed)))
        }
        let note = "job features (\(mode)): \(perRound * counts.rounds) due jobs per side in \(counts.rounds) alternating rounds, "
            + "\(counts.threads) claiming threads; claims decided again per job: plain \(conflicts(plain)), "
            + "scheduled \(conflicts(scheduled)), limited \(conflicts(limited))"
        return (figures, note)
    }
}
