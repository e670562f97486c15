/// The end of an attempt, as a worker reports it with
/// ``LedgerClient/settle(_:)``: several in one request.
public struct Settlement: Sendable, Hashable {
    /// How the attempt ended.
    public enum Outcome: Sendable, Hashable {
        /// The work was done; `result` is any JSON the job's owner should see.
        case complete(result: JSONValue?)
        /// The work failed; a retryable failure goes back to pending while
        /// attempts are left.
        case fail(error: String, retryable: Bool)
        /// The worker stopped after a cancel request: the job becomes cancelled.
        case acknowledgeCancel
    }

    /// The job.
    public var jobID: String
    /// The attempt the worker claimed.
    public var attempt: Int
    /// How it ended.
    public var outcome: Outcome

    /// Creates a settlement.
    public init(jobID: String, attempt: Int, outcome: Outcome) {
        self.jobID = jobID
        self.attempt = attempt
        self.outcome = outcome
    }
}

/// What the server did with one ``Settlement``.
public enum SettlementResult: Sendable, Hashable {
    /// Settled and durable: the job's state and attempt after it.
    case settled(state: LedgerJob.State, attempt: Int)
    /// Refused, as the settlement's own route would have refused it (the
    /// job moved on, a stale attempt, a busy ledger); the others of the
    /// request are not affected.
    case refused(LedgerProblem)
}
