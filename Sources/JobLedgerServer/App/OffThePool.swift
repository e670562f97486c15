import Foundation

/// Runs blocking work (the report's long scan) on a thread of its own, so
/// that it never holds a thread of Swift's cooperative pool, which serves
/// every request. The ledger's commands need none of this: their async
/// forms suspend instead of blocking.
enum OffThePool {
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let thread = Thread {
                continuation.resume(with: Result { try work() })
            }
            thread.name = "jobledger-blocking"
            thread.start()
        }
    }
}
