import EventStore
import Foundation

/// The command an imported job event stands for: the one its audit entry
/// names, recorded by the actor that command records, deciding the same
/// event up to the times the lease and retry policy set.
extension JobHistoryValidator {
    /// The command that the audit entry's action names and that would write
    /// `event`; `nil` when no such command writes this event.
    static func command(for event: JobEvent, action: String, actor: Actor, job: Job?, now: Date) -> JobCommand? {
        switch (action, event) {
        case ("submit", .submitted(let data)):
            return .submit(data)
        case ("claim", .claimed(let data)):
            return .claim(worker: data.worker, lease: max(0.001, data.leaseUntil.timeIntervalSince(now)))
        case ("renewLease", .leaseRenewed(let data)):
            return .renewLease(worker: data.worker, attempt: data.attempt, lease: max(0.001, data.leaseUntil.timeIntervalSince(now)))
        case ("complete", .completed(let data)):
            return .complete(worker: data.worker, attempt: data.attempt, result: data.result)
        case ("fail", .attemptFailed(let data)):
            return .fail(worker: data.worker, attempt: data.attempt, error: data.error, retryable: true)
        case ("fail", .failed(let data)):
            return .fail(worker: data.worker, attempt: data.attempt, error: data.error, retryable: data.retryable)
        case ("fail", .cancelled(let data)):
            // A retryable failure of a job whose cancel was requested.
            return .fail(worker: data.actor, attempt: job?.attempt ?? 0, error: "", retryable: true)
        case ("acknowledgeCancel", .cancelled(let data)):
            return .acknowledgeCancel(worker: data.actor, attempt: job?.attempt ?? 0)
        case ("cancel", .cancelled(let data)), ("cancel", .cancelRequested(let data)):
            return .cancel(actor: actor, reason: data.reason)
        case ("kill", .killed(let data)):
            return .kill(actor: actor, reason: data.reason)
        case ("retry", .retried):
            return .retry(actor: actor)
        case ("expireLease", .leaseExpired):
            return .expireLease
        case ("timeOut", .timedOut):
            return .timeOut
        case ("resolveDependency", .dependencyMet(let data)):
            return .resolveDependency(dependency: data.dependency, state: .completed)
        case ("resolveDependency", .cancelled(let data)):
            // The reason names the first cause of the cancel, not always the
            // job waited for: any job still waited for stands for it.
            guard let dependency = job?.waitingFor.first else { return nil }
            return .resolveDependency(dependency: dependency, state: .cancelled, cause: data.reason)
        default:
            return nil
        }
    }

    /// The actor each command records: workers for worker commands, the
    /// system for lease expiry, the submitter as the owner.
    static func checkCommandActor(_ command: JobCommand, entry: AuditEntry, envelopeActor: String, line: Int) throws {
        let expected: Actor?
        switch command {
        case let .claim(worker, _), let .renewLease(worker, _, _), let .complete(worker, _, _),
             let .fail(worker, _, _, _), let .acknowledgeCancel(worker, _):
            expected = .worker(worker)
        case .expireLease, .timeOut, .resolveDependency:
            expected = .system
        case .submit(let data):
            expected = Actor(id: data.owner, role: entry.role, organisation: data.organisation)
        case .cancel, .kill, .retry:
            expected = nil  // the decider checked the actor's rights
        }
        let actor = Actor(id: entry.actor, role: entry.role, organisation: entry.organisation)
        if let expected, actor != expected || envelopeActor != expected.id {
            throw Refusal(
                line: line,
                reason: "the '\(entry.action)' command is recorded by \(InputQuote.bounded(actor.id)) "
                    + "(\(actor.role.rawValue)), not by \(InputQuote.bounded(expected.id)) (\(expected.role.rawValue))")
        }
        if case .submit = command, entry.role == .worker || entry.role == .system {
            throw Refusal(line: line, reason: "jobs are submitted by users and admins, not by a \(entry.role.rawValue)")
        }
    }

    /// Whether the decided event and the stored one agree in everything but
    /// the times that depend on the lease asked for and the retry policy.
    static func sameIgnoringPolicyTimes(_ decided: JobEvent, _ stored: JobEvent) -> Bool {
        switch (decided, stored) {
        case (.claimed(var mine), .claimed(let theirs)):
            mine.leaseUntil = theirs.leaseUntil
            return mine == theirs
        case (.leaseRenewed(var mine), .leaseRenewed(let theirs)):
            mine.leaseUntil = theirs.leaseUntil
            return mine == theirs
        case (.attemptFailed(var mine), .attemptFailed(let theirs)):
            mine.retryAt = theirs.retryAt
            return mine == theirs
        case (.leaseExpired(var mine), .leaseExpired(let theirs)):
            if mine.retryAt != nil, theirs.retryAt != nil { mine.retryAt = theirs.retryAt }
            return mine == theirs
        case (.timedOut(var mine), .timedOut(let theirs)):
            if mine.retryAt != nil, theirs.retryAt != nil { mine.retryAt = theirs.retryAt }
            return mine == theirs
        default:
            return decided == stored
        }
    }

    static func answer(_ decision: JobDecision) -> String {
        switch decision {
        case .accepted(_, let outcome): return "'\(outcome.rawValue)' with no event"
        case .refused(let refusal): return "'\(refusal.outcome.rawValue)'"
        }
    }
}
