import Foundation

/// The worker calls. They need a worker token: the server acts as the
/// token's worker id, never one named in a request.
extension LedgerClient {
    private struct ClaimBody: Encodable {
        var types: [String]?
        var lease: Double
        var wait: Double
        var count: Int?
    }

    private struct JobAnswer: Decodable { var job: LedgerJob }
    private struct JobsAnswer: Decodable { var jobs: [LedgerJob] }

    /// The most jobs one ``claim(upTo:types:lease:wait:)`` may ask for.
    public static let maxClaimCount = 100

    /// Claims the next job of `types` (any type when `nil`), holding it for
    /// `lease` seconds. When none is available the server waits up to `wait`
    /// seconds for one (a long poll: it answers as soon as a job becomes
    /// claimable); `nil` when none came in time.
    public func claim(types: [String]? = nil, lease: TimeInterval = 30, wait: TimeInterval = 0) async throws -> LedgerJob? {
        var call = Call(
            method: .POST, path: "/v1/claims", body: try encode(ClaimBody(types: types, lease: lease, wait: wait)))
        call.extraTime = .milliseconds(Int64(max(0, wait) * 1000))
        let answer = try await perform(call)
        if answer.status == 204 { return nil }
        guard answer.status == 200 else { throw LedgerClientError.unexpectedStatus(request: call.label, status: answer.status) }
        return try decode(JobAnswer.self, answer, call).job
    }

    /// Claims up to `count` jobs (1 to ``maxClaimCount``) in one request: a
    /// worker with several free slots fills them with one round trip. The
    /// server waits up to `wait` seconds for the first job, as
    /// ``claim(types:lease:wait:)`` does, and adds the others only if they
    /// are claimable at once; empty when none came in time.
    public func claim(upTo count: Int, types: [String]? = nil, lease: TimeInterval = 30, wait: TimeInterval = 0) async throws -> [LedgerJob] {
        var call = Call(
            method: .POST, path: "/v1/claims",
            body: try encode(ClaimBody(types: types, lease: lease, wait: wait, count: count)))
        call.extraTime = .milliseconds(Int64(max(0, wait) * 1000))
        let answer = try await perform(call)
        if answer.status == 204 { return [] }
        guard answer.status == 200 else { throw LedgerClientError.unexpectedStatus(request: call.label, status: answer.status) }
        return try decode(JobsAnswer.self, answer, call).jobs
    }

    private struct ReportBody: Encodable {
        var attempt: Int
        var lease: Double?
        var result: JSONValue?
        var error: String?
        var retryable: Bool?
    }

    /// Extends the lease of the attempt the worker holds; the answer says
    /// whether a cancel was requested meanwhile.
    public func renew(_ id: String, attempt: Int, lease: TimeInterval = 30) async throws -> RenewAnswer {
        let call = try report("renew", id, ReportBody(attempt: attempt, lease: lease))
        return try decode(RenewAnswer.self, try await perform(call), call)
    }

    /// Completes the attempt with its result.
    @discardableResult
    public func complete(_ id: String, attempt: Int, result: JSONValue? = nil) async throws -> LedgerJob {
        let call = try report("complete", id, ReportBody(attempt: attempt, result: result))
        return try decode(JobAnswer.self, try await perform(call), call).job
    }

    /// Fails the attempt; a retryable failure goes back to pending while
    /// attempts are left.
    @discardableResult
    public func fail(_ id: String, attempt: Int, error: String, retryable: Bool) async throws -> LedgerJob {
        let call = try report("fail", id, ReportBody(attempt: attempt, error: error, retryable: retryable))
        return try decode(JobAnswer.self, try await perform(call), call).job
    }

    /// Acknowledges a requested cancel: the job becomes cancelled.
    @discardableResult
    public func acknowledgeCancel(_ id: String, attempt: Int) async throws -> LedgerJob {
        let call = try report("ack-cancel", id, ReportBody(attempt: attempt))
        return try decode(JobAnswer.self, try await perform(call), call).job
    }

    /// Settles an attempt when the caller needs no answer but its
    /// acceptance (the remote worker): `kind` is `complete`, `fail` or
    /// `ack-cancel`; a refusal throws as the typed calls do, and the
    /// answer's body is not decoded.
    func settle(
        _ kind: String, _ id: String, attempt: Int, result: JSONValue? = nil, error: String? = nil, retryable: Bool? = nil
    ) async throws {
        let call = try report(kind, id, ReportBody(attempt: attempt, result: result, error: error, retryable: retryable))
        let answer = try await perform(call)
        guard answer.status == 200 else { throw LedgerClientError.unexpectedStatus(request: call.label, status: answer.status) }
    }

    private func report(_ name: String, _ id: String, _ body: ReportBody) throws -> Call {
        Call(method: .POST, path: "/v1/jobs/\(Self.segment(id))/\(name)", body: try encode(body))
    }
}
