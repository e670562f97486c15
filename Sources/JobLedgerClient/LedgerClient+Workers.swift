import Foundation
import LedgerWire

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

    /// The most settlements one ``settle(_:)`` may carry.
    public static let maxSettlementCount = 100

    private struct SettlementEntry: Encodable {
        var id: String
        var attempt: Int
        var outcome: String
        var result: JSONValue?
        var error: String?
        var retryable: Bool?
    }

    private struct SettlementsBody: Encodable { var settlements: [SettlementEntry] }

    private struct SettledEntry: Decodable {
        var id: String
        var status: Int
        var state: LedgerJob.State?
        var attempt: Int?
        var problem: ProblemDocument?
        var retryAfter: Int?
    }

    private struct SettledAnswer: Decodable { var settlements: [SettledEntry] }

    /// Reports the ends of several attempts (1 to ``maxSettlementCount``,
    /// each job once) in one request: each is settled as its own call
    /// would settle it, and the answer has one result per settlement, in
    /// the order given. A refused settlement is its result, not an error;
    /// the call throws only when the request as a whole was refused or
    /// got no answer, and then nothing was settled or the caller cannot
    /// know (sending the same settlements again is safe: a settled
    /// attempt refuses a second settlement, it is never settled twice).
    public func settle(_ settlements: [Settlement]) async throws -> [SettlementResult] {
        let entries = settlements.map { settlement in
            switch settlement.outcome {
            case .complete(let result):
                return SettlementEntry(id: settlement.jobID, attempt: settlement.attempt, outcome: "complete", result: result)
            case .fail(let error, let retryable):
                return SettlementEntry(
                    id: settlement.jobID, attempt: settlement.attempt, outcome: "fail", error: error, retryable: retryable)
            case .acknowledgeCancel:
                return SettlementEntry(id: settlement.jobID, attempt: settlement.attempt, outcome: "ack-cancel")
            }
        }
        let call = Call(method: .POST, path: "/v1/settlements", body: try encode(SettlementsBody(settlements: entries)))
        let answer = try await perform(call)
        guard answer.status == 200 else { throw LedgerClientError.unexpectedStatus(request: call.label, status: answer.status) }
        let settled = try decode(SettledAnswer.self, answer, call).settlements
        guard settled.count == settlements.count else {
            throw LedgerClientError.malformedAnswer(
                request: call.label, reason: "\(settled.count) results for \(settlements.count) settlements")
        }
        return try zip(settlements, settled).map { settlement, entry in
            guard entry.id == settlement.jobID else {
                throw LedgerClientError.malformedAnswer(
                    request: call.label, reason: "result for '\(entry.id)' where '\(settlement.jobID)' was expected")
            }
            if entry.status == 200 {
                guard let state = entry.state else {
                    throw LedgerClientError.malformedAnswer(request: call.label, reason: "result for '\(entry.id)' has no state")
                }
                return .settled(state: state, attempt: entry.attempt ?? settlement.attempt)
            }
            return .refused(LedgerProblem(
                status: entry.status, document: entry.problem, retryAfter: entry.retryAfter,
                request: "\(call.label) \(settlement.jobID)"))
        }
    }

    private func report(_ name: String, _ id: String, _ body: ReportBody) throws -> Call {
        Call(method: .POST, path: "/v1/jobs/\(Self.segment(id))/\(name)", body: try encode(body))
    }
}
