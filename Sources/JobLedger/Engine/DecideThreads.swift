import Dispatch
import Foundation
import Synchronization

/// Threads of the ledger's own for the steps of an async command whose
/// reads wait on a network round trip (a store on a database server): a
/// step runs here while the calling task is suspended, so that a read
/// waiting for the database holds one of these threads, never one of the
/// few threads of Swift's cooperative pool.
final class DecideThreads: Sendable {
    /// The ledger's threads: as many steps may wait on the database at once.
    static let shared = DecideThreads(count: 32)

    private let work = Mutex<[@Sendable () -> Void]>([])
    private let ready = DispatchSemaphore(value: 0)

    private init(count: Int) {
        for _ in 0..<count {
            let thread = Thread { [self] in
                Thread.current.threadDictionary[Self.marker] = true
                while true {
                    ready.wait()
                    guard let next = work.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else { continue }
                    next()
                }
            }
            thread.name = "jobledger-reads"
            thread.start()
        }
    }

    private static let marker = "jobledger.decideThread"

    /// Whether the calling thread is one of these threads.
    static var isCurrentThreadOwn: Bool { Thread.current.threadDictionary[marker] != nil }

    /// Runs `body` with `value` on one of the threads and suspends until it
    /// returns; `value` is handed over and back, and only `body` touches it
    /// meanwhile (the caller is suspended).
    func run<Value, Result>(
        _ value: inout Value, _ body: @escaping (inout Value) throws(JobLedgerError) -> Result
    ) async throws(JobLedgerError) -> Result {
        let handover = Handover(value: value, body: body)
        let outcome: Swift.Result<Result, JobLedgerError> = await withCheckedContinuation { continuation in
            work.withLock { queue in
                queue.append { continuation.resume(returning: handover.run()) }
            }
            ready.signal()
        }
        value = handover.value
        return try outcome.get()
    }
}

/// A value and the step that works on it, carried to a thread and back
/// while their owner waits: never touched by two threads at once.
private final class Handover<Value, Result>: @unchecked Sendable {
    var value: Value
    let body: (inout Value) throws(JobLedgerError) -> Result

    init(value: Value, body: @escaping (inout Value) throws(JobLedgerError) -> Result) {
        self.value = value
        self.body = body
    }

    func run() -> Swift.Result<Result, JobLedgerError> {
        do {
            return .success(try body(&value))
        } catch {
            return .failure(error)
        }
    }
}
