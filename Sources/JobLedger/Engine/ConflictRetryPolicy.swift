import Foundation

/// How every command of the ledger retries when a concurrent change wins
/// the race for a job: how many tries it gets, and how long it waits
/// between them.
///
/// The wait starts at the lower bound of `backoff` and doubles up to the
/// upper bound, each with random jitter, so that commands that lost the
/// same race do not all come back at the same instant. When the tries are
/// used up the command fails with
/// ``JobLedgerError/conflictRetriesExhausted(jobID:attempts:)``.
public struct ConflictRetryPolicy: Sendable, Hashable {
    /// Tries of a command whose append keeps meeting concurrent changes.
    public var attempts: Int
    /// Shortest and longest wait between conflicting tries, in seconds.
    public var backoff: ClosedRange<Double>

    /// Creates a policy; the defaults are the ledger's.
    public init(attempts: Int = 64, backoff: ClosedRange<Double> = 0.000_2...0.02) {
        self.attempts = attempts
        self.backoff = backoff
    }

    /// The waits of one command, one before each try after the first.
    package func waits() -> ConflictWaits { ConflictWaits(policy: self) }
}

/// The waits of one run of a command under a ``ConflictRetryPolicy``.
package struct ConflictWaits {
    /// The policy the waits follow.
    package let policy: ConflictRetryPolicy
    private var ceiling: Double
    /// Tries made so far, the first included.
    package private(set) var tries = 1

    package init(policy: ConflictRetryPolicy) {
        self.policy = policy
        ceiling = policy.backoff.lowerBound
    }

    /// True when the policy allows no try at all.
    package var allowsNoTry: Bool { policy.attempts < 1 }

    /// The seconds to wait before the next try, or `nil` when the tries are
    /// used up.
    package mutating func next() -> Double? {
        guard tries < policy.attempts else { return nil }
        tries += 1
        let delay = Double.random(in: 0...ceiling) + policy.backoff.lowerBound / 2
        ceiling = min(policy.backoff.upperBound, ceiling * 2)
        return delay
    }

    /// Blocks the calling thread for `seconds`: for the synchronous driver
    /// only, whose caller chose to wait on its own thread.
    static func block(for seconds: Double) {
        usleep(useconds_t(seconds * 1_000_000))
    }

    /// Suspends the task for `seconds` without holding a thread. A
    /// cancelled task stops waiting and tries again at once, as before.
    static func suspend(for seconds: Double) async {
        try? await Task.sleep(for: .seconds(seconds))
    }
}
