import Foundation
import JobLedgerClient

/// What the probe's handlers do with each job.
enum ProbeBehaviour: Sendable, Equatable {
    /// Return at once, with no result.
    case noop
    /// Work for a while, stopping early when the job is asked to stop.
    case sleep(Duration)
    /// Throw a retryable error.
    case fail
    /// Throw a permanent failure.
    case permanentFailure
    /// Work until the job is asked to stop (at most a minute), then stop.
    case untilCancelled

    /// Parses `noop`, `sleep:MS`, `fail`, `permanent` or `until-cancelled`.
    init?(_ text: String) {
        switch text {
        case "noop": self = .noop
        case "fail": self = .fail
        case "permanent": self = .permanentFailure
        case "until-cancelled": self = .untilCancelled
        default:
            guard text.hasPrefix("sleep:"), let milliseconds = Int64(text.dropFirst(6)), milliseconds >= 0 else { return nil }
            self = .sleep(.milliseconds(milliseconds))
        }
    }

    /// The handler of a remote worker that behaves so.
    func handler() -> RemoteWorker.Handler {
        switch self {
        case .noop:
            return { _ in nil }
        case .sleep(let duration):
            return { context in
                try await Self.work(context, for: duration)
                return .object(["sleptMs": .number(Double(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000))])
            }
        case .fail:
            return { context in throw ProbeFailure(jobID: context.job.id) }
        case .permanentFailure:
            return { context in throw RemoteWorker.PermanentFailure("job '\(context.job.id)' cannot be done") }
        case .untilCancelled:
            return { context in
                try await Self.work(context, for: .seconds(60))
                return nil
            }
        }
    }

    /// Works in small steps for `duration`, checking between steps whether
    /// the job was asked to stop.
    private static func work(_ context: RemoteJobContext, for duration: Duration) async throws {
        let end = ContinuousClock.now + duration
        while ContinuousClock.now < end {
            try context.checkCancellation()
            try await Task.sleep(for: min(.milliseconds(10), end - ContinuousClock.now))
        }
        try context.checkCancellation()
    }
}

/// The retryable failure of the `fail` behaviour.
struct ProbeFailure: Error, CustomStringConvertible {
    let jobID: String
    var description: String { "the probe failed job '\(jobID)' on purpose" }
}
