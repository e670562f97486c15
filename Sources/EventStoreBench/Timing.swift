import Foundation

/// Measures how long a piece of work takes, on the monotonic clock.
struct Stopwatch {
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant

    /// Starts timing now.
    init() { start = clock.now }

    /// Seconds since the stopwatch started.
    var elapsedSeconds: Double {
        let elapsed = clock.now - start
        let parts = elapsed.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }

    /// `count` divided by the elapsed time: a rate per second.
    func rate(of count: Int) -> Double {
        Double(count) / max(elapsedSeconds, 1e-9)
    }
}

/// Runs blocking work on a thread of its own, so waiting on fsyncs, locks
/// and child processes never holds a thread of Swift's cooperative pool.
enum DedicatedThread {
    /// Runs `body` on a new thread and returns its result.
    static func run<T: Sendable>(
        _ name: String, _ body: @escaping @Sendable () throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try body() })
            }
            thread.name = name
            thread.start()
        }
    }
}
