import Foundation

/// Where an event sits in the log; what `evolve` needs beyond the event.
public struct EventContext: Sendable, Hashable {
    /// Global position of the event.
    public var position: UInt64
    /// Version of the job's stream after the event.
    public var version: UInt64
    /// When the event was recorded.
    public var recordedAt: Date

    /// Creates a context.
    public init(position: UInt64, version: UInt64, recordedAt: Date) {
        self.position = position
        self.version = version
        self.recordedAt = recordedAt
    }
}

/// What each event does to a job: one pure function used by commands,
/// projections and replay alike.
public enum JobEvolver {
    /// The job after `event`. `job` is `nil` only before `JobSubmitted`; any
    /// other event on a missing job returns `nil`.
    public static func evolve(_ job: Job?, _ event: JobEvent, context: EventContext) -> Job? {
        var context = context
        context.recordedAt = JSONCoding.truncated(context.recordedAt)
        if case .submitted(let data) = event {
            let runAt = data.runAt.map(JSONCoding.truncated)
            return Job(
                id: data.id, type: data.type, owner: data.owner, organisation: data.organisation,
                batch: data.batch, payload: data.payload, priority: data.priority, maxAttempts: data.maxAttempts,
                attempt: 0, attemptBase: 0, state: .pending, worker: nil, leaseUntil: nil,
                availableAt: max(context.recordedAt, runAt ?? context.recordedAt), result: nil, error: nil, submittedAt: context.recordedAt,
                updatedAt: context.recordedAt, version: context.version, submissionPosition: context.position,
                stopRequestedBy: nil, stopReason: nil, runAt: runAt,
                timeout: data.timeoutMillis.map { TimeInterval($0) / 1000 },
                dependencies: data.after ?? [], waitingFor: data.after ?? [], tags: data.tags ?? [])
        }
        if case .archived(let data) = event {
            // The snapshot is the job: the first event a rebuild sees of an
            // archived job, and the last one its live stream begins with.
            guard var snapshot = data.job else { return job }
            snapshot.version = context.version
            return snapshot
        }
        guard var job else { return nil }
        job.version = context.version
        job.updatedAt = context.recordedAt
        switch event {
        case .submitted:
            break
        case .claimed(let data):
            job.state = .running
            job.attempt = data.attempt
            job.worker = data.worker
            job.leaseUntil = data.leaseUntil
            job.deadline = job.timeout.map { JSONCoding.truncated(context.recordedAt + $0) }
        case .leaseRenewed(let data):
            job.leaseUntil = data.leaseUntil
        case .completed(let data):
            job.state = .completed
            job.result = data.result
            job.leaseUntil = nil
        case .attemptFailed(let data):
            job.state = .pending
            job.error = data.error
            job.worker = nil
            job.leaseUntil = nil
            job.availableAt = data.retryAt
        case .failed(let data):
            job.state = .failed
            job.error = data.error
            job.leaseUntil = nil
        case .cancelRequested(let data):
            job.state = .cancelRequested
            job.stopRequestedBy = data.actor
            job.stopReason = data.reason
        case .cancelled(let data):
            if job.state != .cancelRequested {  // an acknowledgement keeps the requester
                job.stopRequestedBy = data.actor
                job.stopReason = data.reason
            }
            job.state = .cancelled
            job.leaseUntil = nil
        case .killed(let data):
            job.state = .killed
            job.leaseUntil = nil
            job.stopRequestedBy = data.actor
            job.stopReason = data.reason
        case .leaseExpired(let data):
            job.state = data.nextState
            job.leaseUntil = nil
            job.error = "lease of attempt \(data.attempt) expired"
            if data.nextState == .pending {
                job.worker = nil
                job.availableAt = data.retryAt ?? context.recordedAt
            }
        case .timedOut(let data):
            job.state = data.nextState
            job.leaseUntil = nil
            job.timedOutAttempt = data.attempt
            job.error = "attempt \(data.attempt) timed out after \(TimeoutText.seconds(data.timeoutMillis))"
            if data.nextState == .pending {
                job.worker = nil
                job.availableAt = data.retryAt ?? context.recordedAt
            }
        case .dependencyMet(let data):
            job.waitingFor.removeAll { $0 == data.dependency }
        case .archived:
            break  // answered above
        case .retried:
            // A retry by hand runs the job at once: it no longer waits for
            // the jobs whose end cancelled it.
            job.waitingFor = []
            job.state = .pending
            job.worker = nil
            job.leaseUntil = nil
            job.availableAt = context.recordedAt
            job.attemptBase = job.attempt
            job.stopRequestedBy = nil
            job.stopReason = nil
        }
        // The run deadline belongs to a running attempt only.
        if job.state != .running && job.state != .cancelRequested { job.deadline = nil }
        return job
    }
}

/// How a timeout reads in the error it leaves on the job.
enum TimeoutText {
    /// `30 s`, `1.5 s`: whole milliseconds as seconds, without trailing zeros.
    static func seconds(_ millis: Int) -> String {
        guard millis >= 0 else { return "\(millis) ms" }
        let whole = millis / 1000, rest = millis % 1000
        guard rest != 0 else { return "\(whole) s" }
        var fraction = String(rest)
        fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(whole).\(fraction) s"
    }
}
