import Foundation

/// A job as the server answers it: the JOB shape of the command line's
/// `--json` (Docs/CLI.md), field for field.
public struct LedgerJob: Sendable, Hashable, Codable {
    /// The job's id.
    public var id: String
    /// What kind of work it is; workers claim by type.
    public var type: String
    /// Where the job is in its life.
    public var state: State
    /// The user who submitted it.
    public var owner: String
    /// The owner's organisation.
    public var org: String
    /// The batch the job belongs to, if any.
    public var batch: String?
    /// Higher runs first.
    public var priority: Int
    /// The current (or last) attempt, 0 before the first claim; it fences
    /// every report a worker makes.
    public var attempt: Int
    /// How many attempts the job may take.
    public var maxAttempts: Int
    /// The worker holding the lease, while running.
    public var worker: String?
    /// When the current lease ends, while running.
    public var leaseUntil: Date?
    /// The earliest time the job can be claimed while pending: its
    /// submission, or the time its retry waits for.
    public var availableAt: Date?
    /// The version of the job's stream this state reflects.
    public var version: UInt64
    /// When the job was submitted.
    public var submittedAt: Date
    /// When the job last changed.
    public var updatedAt: Date
    /// The result the worker returned, once completed.
    public var result: JSONValue?
    /// The last error message.
    public var error: String?
    /// The job's input: the payload it was submitted with (servers older
    /// than the field leave it out).
    public var payload: JSONValue?
    /// When the job was scheduled to run; only on scheduled jobs.
    public var runAt: Date? = nil
    /// The longest run of an attempt, in seconds; only on jobs with one.
    public var timeout: Double? = nil
    /// When the running attempt runs out of time; only while one runs.
    public var deadline: Date? = nil
    /// The jobs this one waits for; only on jobs submitted with some.
    public var after: [String]? = nil
    /// Of ``after``, those not completed yet.
    public var waitingFor: [String]? = nil
    /// Labels to find the job by; only on jobs that carry some.
    public var tags: [String]? = nil

    /// A state name. A struct rather than an enum, so that a state a newer
    /// server adds decodes instead of failing the whole answer. It codes as
    /// its name alone, the standard library's form for a `RawRepresentable`
    /// with a `String` raw value.
    public struct State: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
        /// The name as the server spells it (`pending`, `cancelRequested`, ...).
        public let rawValue: String

        /// Wraps a state name.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// Waiting to be claimed.
        public static let pending = State(rawValue: "pending")
        /// Claimed by a worker holding a lease.
        public static let running = State(rawValue: "running")
        /// Running, and someone asked to cancel it.
        public static let cancelRequested = State(rawValue: "cancelRequested")
        /// Finished successfully.
        public static let completed = State(rawValue: "completed")
        /// Finished unsuccessfully for good.
        public static let failed = State(rawValue: "failed")
        /// Cancelled before it ran, or stopped by its worker after a cancel request.
        public static let cancelled = State(rawValue: "cancelled")
        /// Stopped by an administrator.
        public static let killed = State(rawValue: "killed")

        /// Whether only a retry can move the job on.
        public var isTerminal: Bool { [.completed, .failed, .cancelled, .killed].contains(self) }

        /// The name.
        public var description: String { rawValue }
    }
}
