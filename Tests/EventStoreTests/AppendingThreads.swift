import EventStore
import Foundation
import Synchronization

/// Starts `threads` threads, each appending `perThread` single events to a
/// stream of its own (`prefix-0`, `prefix-1`, ...) with exact expected
/// versions through the blocking API, as a pool of request handlers would.
/// `answered` receives every outcome; the group is done when all threads are.
func startAppendingThreads(
    to store: EventStore, threads: Int, perThread: Int, prefix: String,
    answered: @escaping @Sendable (_ stream: String, Result<AppendResult, EventStoreError>) -> Void
) -> DispatchGroup {
    let done = DispatchGroup()
    for index in 0..<threads {
        done.enter()
        Thread {
            defer { done.leave() }
            let stream = "\(prefix)-\(index)"
            for version in 0..<perThread {
                do throws(EventStoreError) {
                    answered(stream, .success(try store.append(
                        to: stream, expectedVersion: .exact(UInt64(version)), events: [sampleEvent()])))
                } catch {
                    answered(stream, .failure(error))
                }
            }
        }.start()
    }
    return done
}

/// Runs ``startAppendingThreads(to:threads:perThread:prefix:answered:)``
/// to the end and returns the errors of the appends that failed.
func appendFromThreads(to store: EventStore, threads: Int, perThread: Int, prefix: String) -> [String] {
    let failures = Mutex<[String]>([])
    startAppendingThreads(to: store, threads: threads, perThread: perThread, prefix: prefix) { _, outcome in
        if case .failure(let error) = outcome { failures.withLock { $0.append("\(error)") } }
    }.wait()
    return failures.withLock { $0 }
}
