/// Where a job is in its life.
///
/// `completed`, `failed`, `cancelled` and `killed` are terminal. A cancelled
/// job is never reported as failed.
public enum JobState: String, Sendable, Hashable, Codable, CaseIterable {
    /// Waiting to be claimed (possibly not before a retry time).
    case pending
    /// Claimed by a worker holding a lease.
    case running
    /// Running, and someone asked to cancel it; the worker learns it on its
    /// next renewal or cancellation check.
    case cancelRequested
    /// Finished successfully.
    case completed
    /// Finished unsuccessfully with no attempts left or a permanent error.
    case failed
    /// Cancelled before it ran, or stopped by its worker after a cancel request.
    case cancelled
    /// Stopped by an administrator without the worker's cooperation.
    case killed

    /// Whether the job can no longer change by itself (only `retry` moves it).
    public var isTerminal: Bool {
        switch self {
        case .completed, .failed, .cancelled, .killed: return true
        case .pending, .running, .cancelRequested: return false
        }
    }
}

extension JobState {
    /// Parses a state name as Docs/Jobs.md spells it (`pending`,
    /// `cancelRequested`, ...); also accepts `cancel_requested`.
    public static func parse(_ name: String) throws(JobLedgerError) -> JobState {
        if let state = JobState(rawValue: name) { return state }
        if name == "cancel_requested" { return .cancelRequested }
        let known = JobState.allCases.map(\.rawValue).joined(separator: ", ")
        throw .invalidInput(field: "state", reason: "unknown state '\(name)'; expected one of \(known)")
    }
}
