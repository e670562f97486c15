import Foundation
import JobLedger
import Synchronization

/// How long a running job takes to stop after someone cancels it.
///
/// One `Worker` (concurrency 1, durable ledger) runs jobs whose handler
/// only polls `context.isCancellationRequested` every millisecond. The
/// worker's cancel watcher reads the job when the cancel commits (the
/// cancel comes from the same process), so the latency is the cancel's own
/// durable append, the watcher's read and the acknowledgement's append; the
/// lease renewal is only the fallback that bounds it.
///
/// For each repeat: submit a job, wait until its handler runs, wait a
/// random part of the renewal interval (so the cancel lands at a random
/// point of the renewal cycle), then time from just before `cancel` until
/// the job reads back as `cancelled` (polled every 0.2 ms).
enum CancelLatency {
    /// What the workload measured.
    struct Outcome: Sendable {
        /// Seconds from each cancel call to the acknowledged cancellation.
        var latencies: [Double]
        /// Seconds between consecutive lease renewals (and from the claim to
        /// the first renewal) of the cancelled jobs, from their events.
        var renewalGaps: [Double]
        /// Counts the worker reported.
        var statistics: WorkerStatistics
    }

    /// Signals from the handler to the driver thread.
    private final class Started: Sendable {
        private let semaphore = DispatchSemaphore(value: 0)
        func signal() { semaphore.signal() }
        func wait(seconds: Double) -> Bool { semaphore.wait(timeout: .now() + seconds) == .success }
    }

    static func run(at path: String, repeats: Int, interval: Double) async throws -> Outcome {
        let ledger = try JobLedger(path: path)
        let owner = Actor(id: "bench-user", role: .user, organisation: "org-1")
        let started = Started()
        let worker = Worker(
            ledger: ledger, id: "cancel-worker", concurrency: 1, lease: 30, renewInterval: interval,
            idleWait: .milliseconds(2)
        ) { context in
            started.signal()
            let deadline = ContinuousClock.now + .seconds(30)
            while !context.isCancellationRequested {
                if ContinuousClock.now > deadline { throw PermanentJobFailure("no cancel arrived") }
                try await Task.sleep(for: .milliseconds(1))
            }
            throw JobCancellationError(jobID: context.job.id, state: .cancelRequested)
        }
        let running = Task { await worker.run() }

        let latencies: [Double]
        do {
            latencies = try await DedicatedThread.run("jobledger-bench.cancel") {
                var latencies: [Double] = []
                for index in 0..<repeats {
                    let id = "cancel-\(index)"
                    _ = try ledger.submit(JobSubmission(id: id, type: "wait-for-cancel"), by: owner)
                    guard started.wait(seconds: 30) else {
                        throw BenchError.verification("the worker never started job \(id)")
                    }
                    usleep(useconds_t(Double.random(in: 0..<interval) * 1_000_000))
                    let stopwatch = Stopwatch()
                    let cancel = try ledger.cancel(id, by: owner, reason: "benchmark")
                    guard cancel.outcome == .cancelRequested else {
                        throw BenchError.verification("cancelling running job \(id) answered \(cancel.outcome.rawValue)")
                    }
                    while try ledger.job(id)?.state != .cancelled {
                        if stopwatch.elapsedSeconds > 30 {
                            throw BenchError.verification("job \(id) was not cancelled within 30 s")
                        }
                        usleep(200)
                    }
                    latencies.append(stopwatch.elapsedSeconds)
                }
                return latencies
            }
        } catch {
            running.cancel()
            await running.value
            throw error
        }
        running.cancel()
        await running.value

        var gaps: [Double] = []
        for index in 0..<repeats {
            let events = try ledger.store.readStream(JobStreams.job("cancel-\(index)"))
            let times = events.filter { $0.type == "JobClaimed" || $0.type == "LeaseRenewed" }.map(\.recordedAt)
            for (earlier, later) in zip(times, times.dropFirst()) { gaps.append(later.timeIntervalSince(earlier)) }
        }
        return Outcome(latencies: latencies, renewalGaps: gaps, statistics: worker.statistics)
    }
}
