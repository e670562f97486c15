import Dispatch
import EventStore
import Foundation
import JobLedger
import Synchronization
import Testing

// Helpers shared by the incident tests (one file per incident): a start
// barrier that releases racing threads together, collectors for what each
// racer saw, and readers of a job's audit entries.

/// Holds threads until all of them arrived, then releases them together.
final class IncidentBarrier: Sendable {
    private let parties: Int
    private let arrived = Mutex(0)
    private let gate = DispatchSemaphore(value: 0)

    init(parties: Int) { self.parties = parties }

    func arriveAndWait() {
        let last = arrived.withLock { count in
            count += 1
            return count == parties
        }
        if last {
            for _ in 1..<parties { gate.signal() }
        } else {
            gate.wait()
        }
    }
}

/// Runs `body(index)` on `count` threads released together by a barrier.
/// Returns false when they did not all finish within a minute.
func incidentRace(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) -> Bool {
    let barrier = IncidentBarrier(parties: count)
    let finished = DispatchGroup()
    for index in 0..<count {
        finished.enter()
        let thread = Thread {
            barrier.arriveAndWait()
            body(index)
            finished.leave()
        }
        thread.name = "incident-racer-\(index)"
        thread.start()
    }
    return finished.wait(timeout: .now() + 60) == .success
}

/// Runs a ledger call and keeps its result or its error.
func incidentCapture<T>(_ body: () throws(JobLedgerError) -> T) -> Result<T, JobLedgerError> {
    Result(catching: body)
}

/// Values gathered from racing threads.
final class IncidentCollector<Value: Sendable>: Sendable {
    private let storage = Mutex<[Value]>([])

    func append(_ value: Value) { storage.withLock { $0.append(value) } }
    var values: [Value] { storage.withLock { $0 } }
}

/// A set of job ids shared by racing threads.
final class IncidentSet: Sendable {
    private let storage = Mutex<Set<String>>([])

    func insert(_ id: String) { _ = storage.withLock { $0.insert(id) } }
    func contains(_ id: String) -> Bool { storage.withLock { $0.contains(id) } }
    var count: Int { storage.withLock { $0.count } }
}

/// A flag one thread raises and others watch.
final class IncidentFlag: Sendable {
    private let raised = Atomic(false)

    func raise() { raised.store(true, ordering: .releasing) }
    var isRaised: Bool { raised.load(ordering: .acquiring) }
}

/// A worker's hold on one attempt of a job.
struct IncidentLease: Sendable {
    let jobID: String
    let worker: String
    let attempt: Int
}

struct IncidentClaim: Sendable {
    let worker: String
    let job: Job
}

struct IncidentCancelCall: Sendable {
    let jobID: String
    let actor: Actor
    let reason: String
    let requestID: UUID
    let result: Result<ActionResult, JobLedgerError>

    var answer: ActionResult? { try? result.get() }
}

struct IncidentWorkerCall: Sendable {
    let jobID: String
    let action: String
    let error: JobLedgerError?
}

struct IncidentBatchAnswer: Sendable {
    let index: Int
    let result: Result<[BatchKillResult], JobLedgerError>
}

/// An audit event with its decoded entry.
struct IncidentAudit {
    let event: RecordedEvent
    let entry: AuditEntry
}

/// The audit stream of a job, decoded.
func incidentAudits(_ id: String, in jobs: JobLedger) throws -> [IncidentAudit] {
    let decoder = JSONDecoder()
    return try jobs.store.readStream(JobStreams.audit(id)).map { event in
        #expect(event.type == AuditEntry.eventType)
        return IncidentAudit(event: event, entry: try decoder.decode(AuditEntry.self, from: Data(event.payload)))
    }
}

/// The answer a stop command gives for a job that already finished.
func incidentAlready(_ state: JobState) -> JobOutcome? {
    switch state {
    case .completed: return .alreadyCompleted
    case .failed: return .alreadyFailed
    case .cancelled: return .alreadyCancelled
    case .killed: return .alreadyKilled
    case .pending, .running, .cancelRequested: return nil
    }
}

/// A worker heartbeating `lease` every 100 to 200 ms until the job is
/// killed, or completing it after `completeAfter` heartbeats. Anything but a refusal
/// because the job was killed is a problem, and so is a heartbeat that
/// still succeeds after `killReturned` was raised.
func incidentWork(
    _ jobs: JobLedger, _ lease: IncidentLease, completeAfter: Int?, killReturned flag: IncidentFlag,
    problems: IncidentCollector<String>
) {
    for beat in 0..<100 {
        let killReturned = flag.isRaised
        if beat == completeAfter {
            let done = incidentCapture { () throws(JobLedgerError) in
                try jobs.complete(lease.jobID, worker: lease.worker, attempt: lease.attempt)
            }
            if case .failure(let error) = done, !error.isRefusal(of: lease.jobID, in: .killed) {
                problems.append("complete \(lease.jobID): \(error)")
            }
            return
        }
        let renewal = incidentCapture { () throws(JobLedgerError) in
            try jobs.renewLease(lease.jobID, worker: lease.worker, attempt: lease.attempt, lease: 120)
        }
        if case .failure(let error) = renewal {
            if !error.isRefusal(of: lease.jobID, in: .killed) { problems.append("renew \(lease.jobID): \(error)") }
            return
        }
        if killReturned {
            problems.append("the worker of \(lease.jobID) still heartbeats after the batch kill returned")
            return
        }
        usleep(UInt32.random(in: 100_000...200_000))
    }
    problems.append("the worker of \(lease.jobID) was never stopped")
}

extension Result {
    /// The error, when there is one.
    var incidentError: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

extension JobLedgerError {
    /// Whether this is the refusal of a command on `jobID` because it is in `state`.
    func isRefusal(of jobID: String, in state: JobState) -> Bool {
        code == .invalidTransition && self.jobID == jobID && self.state == state
    }
}
