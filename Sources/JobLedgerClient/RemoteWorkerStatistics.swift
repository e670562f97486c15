/// Counts of what a ``RemoteWorker`` did.
public struct RemoteWorkerStatistics: Sendable, Hashable {
    /// Jobs completed.
    public var completed = 0
    /// Attempts failed (retryable or not).
    public var failed = 0
    /// Jobs stopped after a cancel request, a kill or a lost lease.
    public var cancelled = 0
    /// Settlements the server refused because the job had moved on.
    public var settlementsRefused = 0
    /// Settlements that got no answer after every try (the job's lease
    /// runs out and another worker gets it).
    public var settlementsLost = 0
    /// Lease renewals refused.
    public var renewalsRefused = 0
    /// Requests that carried settlements: settlements that end while one
    /// is in flight share the next, so under load this is well below the
    /// number of jobs settled.
    public var settlementRequests = 0
    /// Claims, renewals or settlements that failed for a reason other than
    /// a refusal (the server unreachable or busy), all counted.
    public var errorCount = 0
    /// The last of those errors (at most 20), oldest first.
    public var errors: [String] = []

    mutating func record(_ error: String) {
        errorCount += 1
        errors.append(error)
        if errors.count > 20 { errors.removeFirst(errors.count - 20) }
    }
}

/// A settlement the server acknowledged, or refused, as a ``RemoteWorker``
/// made it.
public struct RemoteSettlement: Sendable, Hashable {
    /// What the worker reported.
    public enum Kind: String, Sendable, Hashable {
        /// `complete`
        case completed
        /// `fail`
        case failed
        /// `ack-cancel`
        case cancelAcknowledged
        /// Nothing to report: the job was killed or its lease lost.
        case stopped
    }

    /// The job.
    public var jobID: String
    /// The attempt reported for.
    public var attempt: Int
    /// What was reported.
    public var kind: Kind
    /// True when the server answered 200: the report is durable.
    public var acknowledged: Bool
    /// The server's refusal, when it refused.
    public var refusal: LedgerProblem?
    /// How long the report took to answer, from its first try to its last.
    public var duration: Duration = .zero
}
