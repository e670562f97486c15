import Foundation
import Synchronization

/// Thrown by ``RemoteJobContext/checkCancellation()`` once the worker
/// learned that the job was asked to stop; a handler lets it propagate so
/// that the worker acknowledges a cancel.
public struct RemoteJobStopped: Error, Sendable, Hashable, CustomStringConvertible {
    /// The job that was stopped.
    public let jobID: String
    /// Why: `cancelRequested` (the worker acknowledges), `killed`, or
    /// `pending` when the lease was lost and the job was claimed again.
    public let state: LedgerJob.State

    /// Creates the error for a job stopped in `state`.
    public init(jobID: String, state: LedgerJob.State) {
        self.jobID = jobID
        self.state = state
    }

    /// A sentence naming the job and why it stopped.
    public var description: String { "job '\(jobID)' was stopped (\(state.rawValue))" }
}

/// What a handler of a ``RemoteWorker`` knows about the job it runs, and
/// how it hears that the job was asked to stop.
public final class RemoteJobContext: Sendable {
    /// The job as claimed.
    public let job: LedgerJob
    /// The job's input: the payload it was submitted with.
    public var payload: JSONValue { job.payload ?? .object([:]) }
    /// The attempt this handler runs; it fences every report.
    public var attempt: Int { job.attempt }

    /// How long the claim that brought the job took to answer, its wait
    /// for a job included.
    public let claimDuration: Duration

    private let stopState = Mutex<LedgerJob.State?>(nil)

    init(job: LedgerJob, claimDuration: Duration) {
        self.job = job
        self.claimDuration = claimDuration
    }

    /// True once a lease renewal said that a cancel was requested, or was
    /// refused because the job was killed or its lease lost.
    public var isCancellationRequested: Bool { stopState.withLock { $0 != nil } }

    /// Throws ``RemoteJobStopped`` once the job was asked to stop. Call it
    /// between steps of long work; it makes no request.
    public func checkCancellation() throws {
        if let state = stoppedState { throw RemoteJobStopped(jobID: job.id, state: state) }
    }

    func markStopped(_ state: LedgerJob.State) {
        stopState.withLock { if $0 == nil { $0 = state } }
    }

    var stoppedState: LedgerJob.State? { stopState.withLock { $0 } }
}
