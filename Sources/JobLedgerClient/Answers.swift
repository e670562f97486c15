import Foundation

/// The answer of a submit: whether the job was created or already existed.
public struct SubmitAnswer: Sendable, Hashable, Codable {
    /// False when a job with the id existed, or another job holds the
    /// unique key; `job` is then that job.
    public var created: Bool
    /// True when another job holds the submission's unique key and nothing
    /// was created; absent otherwise.
    public var duplicate: Bool?
    /// The job.
    public var job: LedgerJob
}

/// The answer of a lease renewal.
public struct RenewAnswer: Sendable, Hashable, Codable {
    /// The job with its new lease.
    public var job: LedgerJob
    /// True once someone asked to cancel the job: the worker should stop
    /// and acknowledge.
    public var cancelRequested: Bool
    /// True when the attempt ran past the job's timeout and is over: the
    /// worker should stop; whatever it settles for the attempt is refused.
    /// Absent from the answers of servers that had no timeouts.
    public var timedOut: Bool?
}

/// What a cancel, kill or retry did. Every outcome is an answer (HTTP 200),
/// `already_completed` included; only refusals are errors.
public struct ActionAnswer: Sendable, Hashable, Codable {
    /// What happened.
    public var outcome: Outcome
    /// The job after the action, when there is one.
    public var job: LedgerJob?
}

/// An outcome name of the ledger (`cancelled`, `cancel_requested`,
/// `already_completed`, ...). A struct rather than an enum, so that an
/// outcome a newer server adds decodes instead of failing the answer. It
/// codes as its name alone, the standard library's form for a
/// `RawRepresentable` with a `String` raw value.
public struct Outcome: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The name as the server spells it.
    public let rawValue: String

    /// Wraps an outcome name.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// A pending job was cancelled at once.
    public static let cancelled = Outcome(rawValue: "cancelled")
    /// A running job was asked to stop; its worker acknowledges.
    public static let cancelRequested = Outcome(rawValue: "cancel_requested")
    /// The job had already been cancelled.
    public static let alreadyCancelled = Outcome(rawValue: "already_cancelled")
    /// The job had already completed.
    public static let alreadyCompleted = Outcome(rawValue: "already_completed")
    /// The job had already failed for good.
    public static let alreadyFailed = Outcome(rawValue: "already_failed")
    /// The job had already been killed.
    public static let alreadyKilled = Outcome(rawValue: "already_killed")
    /// The job was killed.
    public static let killed = Outcome(rawValue: "killed")
    /// The job went back to pending.
    public static let retried = Outcome(rawValue: "retried")
    /// No job has the id.
    public static let notFound = Outcome(rawValue: "not_found")
    /// The caller may not act on the job.
    public static let forbidden = Outcome(rawValue: "forbidden")
    /// The job's state does not allow the command.
    public static let notAllowed = Outcome(rawValue: "not_allowed")
    /// The worker does not hold the lease of that attempt.
    public static let notLeaseHolder = Outcome(rawValue: "not_lease_holder")

    /// The name.
    public var description: String { rawValue }
}

/// What a batch kill did to one job of the batch.
public struct BatchKillEntry: Sendable, Hashable, Codable {
    /// The job.
    public var id: String
    /// `killed`, or `already_*` for a job that was terminal and left alone.
    public var outcome: Outcome
}

/// A page of jobs.
public struct JobPage: Sendable, Hashable, Codable {
    /// The jobs of the page.
    public var jobs: [LedgerJob]
    /// The cursor of the next page; `nil` on the last page.
    public var next: String?
}

/// Every event and audit entry of one job.
public struct JobHistory: Sendable, Hashable, Codable {
    /// The job's id.
    public var job: String
    /// The entries in log order.
    public var events: [Entry]

    /// One event of the job's stream or one audit entry.
    public struct Entry: Sendable, Hashable, Codable {
        /// Position in the log.
        public var position: UInt64
        /// Version in its stream.
        public var version: UInt64
        /// `job` or `audit`.
        public var stream: String
        /// The event's type (`JobClaimed`, ...), or `audit`.
        public var type: String
        /// When it was recorded.
        public var recordedAt: Date
        /// Who caused it.
        public var actor: String
        /// The event's data.
        public var data: JSONValue?
        /// The job's state before the event (job events only).
        public var stateBefore: LedgerJob.State?
        /// The job's state after the event (job events only).
        public var stateAfter: LedgerJob.State?
        /// Seconds since the previous entry.
        public var sincePrevious: Double?
    }
}
