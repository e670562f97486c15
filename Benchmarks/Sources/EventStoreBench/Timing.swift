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

/// CPU time this process has used, user and system, from `getrusage`.
struct ProcessCPU {
    let user: Double
    let system: Double

    /// The CPU time used so far.
    static func now() -> ProcessCPU {
        var usage = rusage()
        #if os(Linux)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return ProcessCPU(user: seconds(usage.ru_utime), system: seconds(usage.ru_stime))
    }

    /// "a s user + b s system in c s": the CPU used since `start` beside the wall time.
    func description(since start: ProcessCPU, wall: Double) -> String {
        String(format: "%.2f s user + %.2f s system in %.2f s", user - start.user, system - start.system, wall)
    }
}
