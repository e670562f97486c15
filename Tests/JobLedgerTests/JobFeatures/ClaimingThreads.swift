import Foundation
@testable import JobLedger

/// Worker threads that claim jobs of one type and complete them until a
/// number of jobs is done or one of them fails: the shape of the tests
/// that check a limit or an order from the log afterwards.
struct ClaimingThreads {
    /// What the threads did.
    struct Outcome {
        /// Whether every thread ended within the time given.
        let finished: Bool
        /// The ids completed, in the order the threads noted them.
        let completed: [String]
        /// What went wrong, each prefixed with its worker.
        let failures: [String]
    }

    /// A failure found by a thread's own check of a claimed job.
    struct CheckFailed: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs `threads` workers `w0`, `w1`, ... claiming jobs of `type` from
    /// `jobs` (a lease of 30 s) until `count` are completed. A claim that
    /// finds nothing waits `idleMicros` and tries again; `beforeCompleting`
    /// runs with each claimed job and its worker before the completion
    /// (throw ``CheckFailed`` to report what it found); with
    /// `retryingConflicts`, a claim that used up its conflict retries (many
    /// claimers of one limited type) simply tries again.
    static func run(
        _ jobs: JobLedger, threads: Int, type: String, until count: Int, idleMicros: UInt32,
        retryingConflicts: Bool = false,
        beforeCompleting: @escaping @Sendable (Job, String) throws -> Void = { _, _ in }
    ) -> Outcome {
        let completed = IncidentCollector<String>()
        let failures = IncidentCollector<String>()
        let finished = DispatchGroup()
        for number in 0..<threads {
            finished.enter()
            Thread {
                defer { finished.leave() }
                let worker = "w\(number)"
                while completed.values.count < count && failures.values.isEmpty {
                    do {
                        guard let job = try jobs.claim(worker: worker, types: [type], lease: 30) else {
                            usleep(idleMicros)
                            continue
                        }
                        try beforeCompleting(job, worker)
                        _ = try jobs.complete(job.id, worker: worker, attempt: job.attempt)
                        completed.append(job.id)
                    } catch let error as JobLedgerError where retryingConflicts && error.code == .conflictRetriesExhausted {
                        continue
                    } catch {
                        failures.append("\(worker): \(error)")
                    }
                }
            }.start()
        }
        let ended = finished.wait(timeout: .now() + 600) == .success
        return Outcome(finished: ended, completed: completed.values, failures: failures.values)
    }
}
