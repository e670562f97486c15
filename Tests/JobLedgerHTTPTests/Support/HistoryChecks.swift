import EventStore
import Foundation
import JobLedger
import JobLedgerTestSupport
import Synchronization

/// Reads the histories of `ids` in the ledger behind a server and returns
/// every problem `JobHistoryCheck` finds, one line each, plus requests whose
/// events were not written by one append.
func historyProblems(_ ledger: JobLedger, ids: [String], requesters: [Actor]) throws -> [String] {
    var problems: [String] = []
    var requests: [UUID: [(job: String, position: UInt64)]] = [:]
    for id in ids {
        let check = try JobHistoryCheck(
            jobID: id, submission: nil, ledger: ledger, policy: ledger.options.retryPolicy, requesters: requesters + [.system])
        problems += check.problems.map { "\(id): \($0)" }
        for (request, positions) in check.positions { requests[request, default: []] += positions.map { (id, $0) } }
    }
    problems += JobHistoryCheck.scatteredRequests(requests).map { "\($0.job): \($0.text)" }
    return problems
}

/// The audit entries of job `id`, in order.
func auditEntries(_ ledger: JobLedger, _ id: String) throws -> [AuditEntry] {
    try JobHistoryCheck(jobID: id, submission: nil, ledger: ledger, policy: ledger.options.retryPolicy, requesters: [.system]).audits
}

/// Polls `condition` every few milliseconds until it holds or `timeout` passes.
func eventually(timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

/// A value that several tasks of a test update.
final class Shared<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) { mutex = Mutex(value) }

    /// Runs `body` with the value locked.
    func withLock<T: Sendable>(_ body: (inout sending Value) -> sending T) -> T { mutex.withLock(body) }

    /// The value now.
    var value: Value { mutex.withLock { $0 } }
}
