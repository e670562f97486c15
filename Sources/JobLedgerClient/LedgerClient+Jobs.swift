import Foundation

/// A job to submit. The owner and organisation come from the token.
public struct NewJob: Sendable, Hashable, Encodable {
    /// The job's id; submitting an existing id answers the existing job.
    /// `nil`: the server makes one.
    public var id: String?
    /// What kind of work it is.
    public var type: String
    /// The job's input.
    public var payload: JSONValue?
    /// Higher runs first.
    public var priority: Int?
    /// How many attempts the job may take.
    public var maxAttempts: Int?
    /// The batch the job belongs to.
    public var batch: String?
    /// Not claimable before this time; not with ``delay``.
    public var runAt: Date?
    /// Not claimable before this many seconds from the server's clock.
    public var delay: Double?
    /// The longest an attempt may run, in seconds.
    public var timeout: Double?
    /// Ids of jobs that must complete first.
    public var after: [String]?
    /// Labels to find the job by.
    public var tags: [String]?
    /// Top-level fields of ``payload`` holding personal data: stored sealed
    /// under the owner's key, read as `{"$erased": true}` once the owner's
    /// data is erased.
    public var personal: [String]?
    /// A key no other job of the organisation and type may hold within a
    /// window: when another job holds it, nothing is created and the answer
    /// is that job (``SubmitAnswer/duplicate``).
    public var unique: UniqueJobKey?

    /// Describes a job to submit.
    public init(
        id: String? = nil, type: String, payload: JSONValue? = nil, priority: Int? = nil, maxAttempts: Int? = nil,
        batch: String? = nil, runAt: Date? = nil, delay: Double? = nil, timeout: Double? = nil, after: [String]? = nil,
        tags: [String]? = nil, personal: [String]? = nil, unique: UniqueJobKey? = nil
    ) {
        self.unique = unique
        self.tags = tags
        self.personal = personal
        self.runAt = runAt
        self.delay = delay
        self.timeout = timeout
        self.after = after
        self.id = id
        self.type = type
        self.payload = payload
        self.priority = priority
        self.maxAttempts = maxAttempts
        self.batch = batch
    }
}

/// The unique key of a job to submit (`unique: {key, window}`).
public struct UniqueJobKey: Sendable, Hashable, Codable {
    /// The key, a name; scoped by the organisation and the job type.
    public var key: String
    /// Seconds from the holder's submission during which the key is held.
    public var window: Double

    /// Describes a unique key.
    public init(key: String, window: Double) {
        self.key = key
        self.window = window
    }
}

/// Which jobs a list returns; every condition given must hold. The server
/// narrows it further to what the token may see.
public struct JobFilter: Sendable, Hashable {
    /// Jobs in this state.
    public var state: LedgerJob.State?
    /// Jobs of this type.
    public var type: String?
    /// Jobs of this organisation.
    public var org: String?
    /// Jobs of this owner.
    public var owner: String?
    /// Jobs of this batch.
    public var batch: String?
    /// Jobs submitted at or after this time.
    public var since: Date?
    /// Jobs submitted before this time.
    public var until: Date?

    /// A filter; no condition selects every job the token may see.
    public init(
        state: LedgerJob.State? = nil, type: String? = nil, org: String? = nil, owner: String? = nil,
        batch: String? = nil, since: Date? = nil, until: Date? = nil
    ) {
        self.state = state
        self.type = type
        self.org = org
        self.owner = owner
        self.batch = batch
        self.since = since
        self.until = until
    }

    var query: [(String, String)] {
        var query: [(String, String)] = []
        if let state { query.append(("state", state.rawValue)) }
        if let type { query.append(("type", type)) }
        if let org { query.append(("org", org)) }
        if let owner { query.append(("owner", owner)) }
        if let batch { query.append(("batch", batch)) }
        if let since { query.append(("since", LedgerTimestamp.format(since))) }
        if let until { query.append(("until", LedgerTimestamp.format(until))) }
        return query
    }
}

/// The operator calls: submit, read, list, history, cancel, kill, retry and
/// batch kill.
extension LedgerClient {
    /// Submits a job (`POST /v1/jobs`); an existing id answers the existing
    /// job with `created == false`.
    public func submit(_ job: NewJob) async throws -> SubmitAnswer {
        let call = Call(method: .POST, path: "/v1/jobs", body: try encode(job))
        return try decode(SubmitAnswer.self, try await perform(call), call)
    }

    /// The job now (`GET /v1/jobs/{id}`).
    public func job(_ id: String) async throws -> LedgerJob {
        try await job(id, asOf: nil)
    }

    /// The job as it was right after the event at `position` of the log.
    public func job(_ id: String, asOfPosition position: UInt64) async throws -> LedgerJob {
        try await job(id, asOf: String(position))
    }

    /// The job as it was at `time`.
    public func job(_ id: String, asOf time: Date) async throws -> LedgerJob {
        try await job(id, asOf: LedgerTimestamp.format(time))
    }

    private func job(_ id: String, asOf: String?) async throws -> LedgerJob {
        var call = Call(method: .GET, path: "/v1/jobs/\(Self.segment(id))")
        if let asOf { call.query = [("asOf", asOf)] }
        return try decode(LedgerJob.self, try await perform(call), call)
    }

    /// A page of jobs (`GET /v1/jobs`); pass the page's `next` as `cursor`
    /// for the following one.
    public func jobs(_ filter: JobFilter = JobFilter(), limit: Int? = nil, cursor: String? = nil) async throws -> JobPage {
        var query = filter.query
        if let limit { query.append(("limit", String(limit))) }
        if let cursor { query.append(("cursor", cursor)) }
        let call = Call(method: .GET, path: "/v1/jobs", query: query)
        return try decode(JobPage.self, try await perform(call), call)
    }

    /// Every event and audit entry of the job (`GET /v1/jobs/{id}/history`).
    public func history(_ id: String) async throws -> JobHistory {
        let call = Call(method: .GET, path: "/v1/jobs/\(Self.segment(id))/history")
        return try decode(JobHistory.self, try await perform(call), call)
    }

    /// Cancels the job. Every outcome is an answer, `already_completed`
    /// included; a refusal (`forbidden`, `not_found`) throws ``LedgerProblem``.
    public func cancel(_ id: String, reason: String) async throws -> ActionAnswer {
        try await action("cancel", id, reason: reason)
    }

    /// Kills the job (admins of its organisation, the system).
    public func kill(_ id: String, reason: String) async throws -> ActionAnswer {
        try await action("kill", id, reason: reason)
    }

    /// Moves a failed, cancelled or killed job back to pending.
    public func retry(_ id: String, reason: String? = nil) async throws -> ActionAnswer {
        try await action("retry", id, reason: reason)
    }

    private struct ReasonBody: Encodable { var reason: String? }

    private func action(_ name: String, _ id: String, reason: String?) async throws -> ActionAnswer {
        let call = Call(method: .POST, path: "/v1/jobs/\(Self.segment(id))/\(name)", body: try encode(ReasonBody(reason: reason)))
        return try decode(ActionAnswer.self, try await perform(call), call)
    }

    private struct BatchKillAnswer: Decodable { var results: [BatchKillEntry] }

    /// Kills every job of the batch that is not terminal, in one atomic
    /// append; the answer says what happened to each job.
    public func killBatch(_ batch: String, reason: String) async throws -> [BatchKillEntry] {
        let call = Call(
            method: .POST, path: "/v1/batches/\(Self.segment(batch))/kill", body: try encode(ReasonBody(reason: reason)))
        return try decode(BatchKillAnswer.self, try await perform(call), call).results
    }
}
