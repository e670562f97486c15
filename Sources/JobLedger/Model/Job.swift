import Foundation

/// The current state of one job: a fold of its events.
public struct Job: Sendable, Hashable, Codable {
    /// The job's id, given by the caller or generated.
    public var id: String
    /// What kind of work it is; workers claim by type.
    public var type: String
    /// The user who submitted it.
    public var owner: String
    /// The owner's organisation.
    public var organisation: String
    /// The batch the job belongs to, if any.
    public var batch: String?
    /// The job's input, as JSON text.
    public var payload: String
    /// Higher runs first.
    public var priority: Int
    /// How many attempts the job may take.
    public var maxAttempts: Int
    /// The current (or last) attempt, 0 before the first claim. Attempts
    /// only ever increase, so an attempt number fences a worker's lease.
    public var attempt: Int
    /// Attempts used before the last manual retry; each retry grants
    /// `maxAttempts` more.
    public var attemptBase: Int
    /// Where the job is in its life.
    public var state: JobState
    /// The worker holding the lease, while running.
    public var worker: String?
    /// When the current lease ends, while running.
    public var leaseUntil: Date?
    /// Not claimable before this time (retry backoff).
    public var availableAt: Date
    /// The result JSON text, once completed.
    public var result: String?
    /// The last error message.
    public var error: String?
    /// When the job was submitted.
    public var submittedAt: Date
    /// When the job last changed.
    public var updatedAt: Date
    /// The version of the job's stream this state reflects.
    public var version: UInt64
    /// The global position of the submission; orders jobs of equal priority.
    public var submissionPosition: UInt64
    /// Who asked for the cancellation or kill, and why.
    public var stopRequestedBy: String?
    /// The reason given for the cancellation or kill.
    public var stopReason: String?
    /// When the job was asked to run first, if it was scheduled; it is not
    /// claimable before then (``availableAt`` says when it next may be).
    public var runAt: Date? = nil
    /// The longest an attempt may run, in seconds, whatever its lease
    /// renewals; `nil` for no limit.
    public var timeout: TimeInterval? = nil
    /// When the current attempt runs out of time: its claim plus
    /// ``timeout``; set only while running or cancel-requested.
    public var deadline: Date? = nil
    /// The jobs this one was submitted to wait for, in the order given.
    public var dependencies: [String] = []
    /// Those of ``dependencies`` not completed yet; the job is claimable
    /// only once this is empty.
    public var waitingFor: [String] = []
    /// The last attempt that ended because it ran out of time.
    public var timedOutAttempt: Int? = nil
    /// Labels to find the job by.
    public var tags: [String] = []

    /// True for a pending job submitted to run later that has not run yet:
    /// `list` and the report show it apart from the jobs waiting in the queue.
    public func isScheduled(at now: Date) -> Bool {
        state == .pending && runAt != nil && attempt == 0 && waitingFor.isEmpty && availableAt > now
    }

    /// Attempts this job may take in all: those used before the last manual
    /// retry plus `maxAttempts`. Saturates instead of trapping, since a
    /// stored job (an old ledger, an import) may carry any numbers.
    public var attemptsAllowed: Int {
        let (sum, overflow) = attemptBase.addingReportingOverflow(maxAttempts)
        return overflow ? (maxAttempts < 0 ? .min : .max) : sum
    }

    /// Attempts this job may still take; saturates like ``attemptsAllowed``.
    public var attemptsLeft: Int {
        let (left, overflow) = attemptsAllowed.subtractingReportingOverflow(attempt)
        return overflow ? (attempt < 0 ? .max : .min) : left
    }
}
