import Foundation
import Synchronization

/// Thrown by ``JobContext/checkCancellation()`` when the job was asked to
/// stop; a handler lets it propagate so the worker acknowledges the cancel.
public struct JobCancellationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The job that was cancelled or killed.
    public let jobID: String
    /// The state that stopped it: `cancelRequested` or `killed`.
    public let state: JobState

    /// Creates the error for a job stopped in `state`.
    public init(jobID: String, state: JobState) {
        self.jobID = jobID
        self.state = state
    }

    /// A sentence naming the job and why it stopped.
    public var description: String { "job '\(jobID)' was stopped (\(state.rawValue))" }
}

/// Thrown by a handler for a failure that retrying cannot fix.
public struct PermanentJobFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public let message: String

    /// Creates a permanent failure.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}

/// What a handler knows about the job it runs, and how it hears of a cancel.
public final class JobContext: Sendable {
    /// The job as claimed.
    public let job: Job
    /// The attempt this handler runs; it fences every settlement.
    public var attempt: Int { job.attempt }

    private let ledger: JobLedger
    private let stopState = Mutex<JobState?>(nil)

    init(job: Job, ledger: JobLedger) {
        self.job = job
        self.ledger = ledger
    }

    /// True once the worker learned (from a lease renewal or a check) that
    /// the job was asked to stop.
    public var isCancellationRequested: Bool { stopState.withLock { $0 != nil } }

    /// Looks the job up in the ledger and throws ``JobCancellationError``
    /// when a cancel was requested or the job was killed.
    public func checkCancellation() throws {
        if let state = try stoppedStateReadingLedger() { throw JobCancellationError(jobID: job.id, state: state) }
    }

    /// The state that stopped this attempt, reading the ledger unless one is
    /// already known; a stop found there is remembered.
    func stoppedStateReadingLedger() throws -> JobState? {
        if let state = stoppedState { return state }
        if let current = try ledger.storedJob(job.id), current.attempt == job.attempt,
           current.state == .cancelRequested || current.state == .killed || current.state == .cancelled
            || current.timedOutAttempt == job.attempt {
            markStopped(current.state)
            return current.state
        }
        return nil
    }

    func markStopped(_ state: JobState) {
        stopState.withLock { if $0 == nil { $0 = state } }
    }

    var stoppedState: JobState? { stopState.withLock { $0 } }
}
