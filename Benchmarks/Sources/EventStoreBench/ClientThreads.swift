import Foundation
import Synchronization

/// Runs blocking client loops on real threads released together, and times
/// them from the release until the last one finished.
enum ClientThreads {
    /// Starts `count` threads running `body(client)`; returns the seconds
    /// from the start signal until every thread returned. The first error
    /// any client threw is rethrown after all of them finished.
    static func run(_ count: Int, name: String, _ body: @escaping @Sendable (Int) throws -> Void) throws -> Double {
        let barrier = StartBarrier(parties: count)
        let finished = DispatchSemaphore(value: 0)
        let failures = Mutex<[String]>([])
        for client in 0..<count {
            let thread = Thread {
                defer { finished.signal() }
                barrier.arriveAndWait()
                do {
                    try body(client)
                } catch {
                    failures.withLock { $0.append("\(name) \(client): \(error)") }
                }
            }
            thread.name = "jobledger-bench.\(name)-\(client)"
            thread.stackSize = 1 << 20
            thread.start()
        }
        barrier.waitForAll()
        let stopwatch = Stopwatch()
        barrier.release()
        for _ in 0..<count { finished.wait() }
        let seconds = stopwatch.elapsedSeconds
        if let failure = failures.withLock({ $0.first }) { throw BenchError.clientFailed(failure) }
        return seconds
    }

    /// Runs `body` for every index of `0..<total` on `threads` threads
    /// (index `i` on thread `i % threads`), untimed: for filling ledgers.
    static func fill(_ total: Int, threads: Int, name: String, _ body: @escaping @Sendable (Int) throws -> Void) throws {
        let threads = max(1, min(threads, total))
        _ = try run(threads, name: name) { thread in
            var index = thread
            while index < total {
                try body(index)
                index += threads
            }
        }
    }
}

/// A counter several threads add to.
final class SharedCounter: Sendable {
    private let value = Atomic<Int>(0)

    /// Adds `amount`.
    func add(_ amount: Int) { value.wrappingAdd(amount, ordering: .relaxed) }

    /// The current total.
    var total: Int { value.load(ordering: .relaxed) }
}
