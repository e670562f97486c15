import EventStore

/// One factory per kind of ledger error, named and labelled as the throw
/// sites spell them (`throw .notFound(jobID:)`).
extension JobLedgerError {
    /// No job has this id.
    public static func notFound(jobID: String) -> Self {
        Self(.notFound, jobID: jobID)
    }

    /// The actor may not do this to the job.
    public static func forbidden(jobID: String, actor: String, action: String, reason: String) -> Self {
        var error = Self(.forbidden, jobID: jobID, reason: reason)
        error.actor = actor
        error.action = action
        return error
    }

    /// The actor may not do this, which concerns no one job (an erasure).
    public static func forbidden(actor: String, action: String, reason: String) -> Self {
        var error = Self(.forbidden, jobID: nil, reason: reason)
        error.actor = actor
        error.action = action
        return error
    }

    /// The job's state does not allow the command.
    public static func invalidTransition(jobID: String, state: JobState, action: String) -> Self {
        var error = Self(.invalidTransition, jobID: jobID)
        error.state = state
        error.action = action
        return error
    }

    /// The worker does not hold the lease of that attempt (it expired, or
    /// the job was claimed again).
    public static func notLeaseHolder(jobID: String, worker: String, attempt: Int, holder: String?, currentAttempt: Int) -> Self {
        var error = Self(.notLeaseHolder, jobID: jobID)
        error.worker = worker
        error.attempt = attempt
        error.leaseHolder = holder
        error.currentAttempt = currentAttempt
        return error
    }

    /// A job with this id exists with another type or owner.
    public static func conflictingSubmission(jobID: String, reason: String) -> Self {
        Self(.conflictingSubmission, jobID: jobID, reason: reason)
    }

    /// A field of the command is invalid; nothing was written.
    public static func invalidInput(field: String, reason: String) -> Self {
        var error = Self(.invalidInput, reason: reason)
        error.field = field
        return error
    }

    /// Concurrent changes kept winning; the command gave up after `attempts` tries.
    public static func conflictRetriesExhausted(jobID: String, attempts: Int) -> Self {
        var error = Self(.conflictRetriesExhausted, jobID: jobID)
        error.attempts = attempts
        return error
    }

    /// A job record or job event the ledger read does not decode: of job
    /// `jobID` when the read was for one job. Nothing was written.
    public static func unreadableData(jobID: String?, reason: String) -> Self {
        Self(.unreadableData, jobID: jobID, reason: reason)
    }

    /// The event store failed.
    public static func store(_ storeError: EventStoreError) -> Self {
        var error = Self(.store)
        error.underlying = storeError
        return error
    }

    private init(_ code: Code, jobID: String? = nil, reason: String? = nil) {
        self.init(code)
        self.jobID = jobID
        self.reason = reason
    }
}
