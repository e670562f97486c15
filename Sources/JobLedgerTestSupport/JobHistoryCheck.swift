import EventStore
import Foundation
import JobLedger

/// Checks one job's stream, its stored state and its audit stream:
///
/// 1. the history is a valid path of the job state machine, and every step
///    keeps the rules beyond the state (leases fence workers, attempts are
///    counted, backoffs and lease ends are respected, only permitted actors
///    stop or reopen a job);
/// 2. the stored state is the fold of the history;
/// 3. every job event is audited under its correlation id with the outcome
///    it implies, and every audit entry of a change has its job event: a
///    command's events and audit entry are there together or not at all.
package struct JobHistoryCheck {
    /// What is wrong, one sentence each; empty when the job is sound.
    package private(set) var problems: [String] = []
    /// `job Type detail` keys of the events, in the form callers' answers are recorded.
    package private(set) var keys: [String: Int] = [:]
    /// Events per stored type.
    package private(set) var typeCounts: [String: Int] = [:]
    /// How many `CancelRequested` events the stream holds.
    package private(set) var cancelRequestEvents = 0
    /// Log positions of the job events and audit entries of each request.
    package private(set) var positions: [UUID: [UInt64]] = [:]
    /// The job stream, in order.
    package private(set) var events: [RecordedEvent] = []
    /// The decoded audit entries, in order.
    package private(set) var audits: [AuditEntry] = []

    /// Reads and checks job `id` of `ledger`. `submission` is what the job
    /// must have been submitted with (`nil`: anything); `requesters` are
    /// everyone who may have issued cancel, kill and retry (events name
    /// actors by id only, so some requester with the id must be allowed).
    package init(
        jobID id: String, submission: JobEvent.Submitted?, ledger: JobLedger, policy: RetryPolicy, requesters: [Actor]
    ) throws {
        let decoder = StoredJobEvents.decoder()
        events = try ledger.store.readStream(JobStreams.job(id))
        var job: Job? = nil
        var decoded: [JobEvent?] = []
        var lastPosition: UInt64 = 0
        var lastTime = Date.distantPast
        var lastChangeTime = Date.distantPast
        for (index, recorded) in events.enumerated() {
            let at = "v\(recorded.streamVersion) \(recorded.type)"
            if recorded.streamVersion != UInt64(index + 1) {
                problems.append("\(at): event \(index + 1) of the stream has version \(recorded.streamVersion)")
            }
            if recorded.position <= lastPosition {
                problems.append("\(at): position \(recorded.position) after position \(lastPosition)")
            }
            lastPosition = recorded.position
            // A cancel or kill is appended even when lease renewals landed
            // after it was decided (Docs/Jobs.md), so it may be recorded
            // before them, but never before any other event.
            let now = StoredJobEvents.wholeMilliseconds(recorded.recordedAt)
            let commutes = Self.commutingTypes.contains(recorded.type)
            if now < (commutes ? lastChangeTime : lastTime) {
                problems.append("\(at): recorded at \(now), before the previous event (\(lastTime))")
            }
            lastTime = max(lastTime, now)
            if recorded.type != JobEvent.leaseRenewedType { lastChangeTime = max(lastChangeTime, now) }
            typeCounts[recorded.type, default: 0] += 1

            let event: JobEvent
            do {
                event = try StoredJobEvents.decode(recorded, with: decoder)
            } catch {
                problems.append("\(at): cannot decode: \(error)")
                return
            }
            decoded.append(event)
            let before = job
            if let before {
                if !JobLifecycleRules.allowedBefore(event).contains(before.state) {
                    problems.append("\(at) is not allowed after state \(before.state)")
                }
                let rules = StepRules(before: before, now: now, policy: policy, requesters: requesters)
                problems += rules.broken(by: event).map { "\(at): \($0)" }
            } else if case .submitted(let data) = event {
                if let submission, data != submission {
                    problems.append("\(at): \(data) is not the submission \(submission)")
                }
            } else {
                problems.append("\(at) is the first event of the stream")
            }
            let context = EventContext(position: recorded.position, version: recorded.streamVersion, recordedAt: recorded.recordedAt)
            guard let after = JobEvolver.evolve(before, event, context: context) else {
                problems.append("\(at): evolving \(String(describing: before?.state)) returned nil")
                return
            }
            if let expected = JobLifecycleRules.stateAfter(event, before: before), after.state != expected {
                problems.append("\(at): led to \(after.state), expected \(expected)")
            }
            if after.attemptsLeft < 0 {
                problems.append("\(at): attempt \(after.attempt) exceeds base \(after.attemptBase) + max \(after.maxAttempts)")
            }
            job = after
            record(event, id: id)
        }

        // (2) The stored state is the fold of the history.
        let stored = try ledger.job(id)
        if stored != job {
            problems.append("stored state \(String(describing: stored)) differs from the fold of its history \(String(describing: job))")
        }

        // (3) Job events and audit entries come in whole commands.
        try checkAudits(id, ledger: ledger, decoder: decoder, decoded: decoded)
    }

    /// The events of cancel and kill, the commands appended over lease renewals.
    private static let commutingTypes: Set<String> = ["CancelRequested", "JobKilled"]

    private mutating func checkAudits(_ id: String, ledger: JobLedger, decoder: JSONDecoder, decoded: [JobEvent?]) throws {
        var entries: [UUID: [(RecordedEvent, AuditEntry)]] = [:]
        for recorded in try ledger.store.readStream(JobStreams.audit(id)) {
            guard recorded.type == AuditEntry.eventType else {
                problems.append("audit v\(recorded.streamVersion) has type \(recorded.type)")
                continue
            }
            do {
                let entry = try decoder.decode(AuditEntry.self, from: Data(recorded.payload))
                if entry.jobID != id { problems.append("audit v\(recorded.streamVersion) is about job \(entry.jobID)") }
                if recorded.correlationID != entry.requestID {
                    problems.append("audit v\(recorded.streamVersion): correlation \(String(describing: recorded.correlationID)) differs from request \(entry.requestID)")
                }
                entries[entry.requestID, default: []].append((recorded, entry))
                positions[entry.requestID, default: []].append(recorded.position)
                audits.append(entry)
            } catch {
                problems.append("audit v\(recorded.streamVersion): cannot decode: \(error)")
            }
        }
        for (request, found) in entries where found.count > 1 {
            problems.append("request \(request) has \(found.count) audit entries: \(found.map { $0.1.outcome.rawValue })")
        }
        var eventsOfRequest: [UUID: Int] = [:]
        for (recorded, event) in zip(events, decoded) {
            // Retention's snapshot answers no request of anyone.
            if case .archived? = event { continue }
            let at = "v\(recorded.streamVersion) \(recorded.type)"
            guard let correlation = recorded.correlationID else {
                problems.append("\(at) has no correlation id")
                continue
            }
            positions[correlation, default: []].append(recorded.position)
            eventsOfRequest[correlation, default: 0] += 1
            guard let found = entries[correlation]?.first else {
                problems.append("\(at) (correlation \(correlation)) has no audit entry")
                continue
            }
            let (auditEvent, entry) = found
            guard let event else { continue }
            if entry.outcome != JobLifecycleRules.auditOutcome(of: event) || entry.actor != recorded.actor
                || auditEvent.actor != recorded.actor {
                problems.append("\(at) by \(recorded.actor) is audited as \(entry.outcome.rawValue) by \(entry.actor)")
            }
        }
        for entry in audits {
            let count = eventsOfRequest[entry.requestID, default: 0]
            if !JobLifecycleRules.eventsAppended(by: entry.outcome).contains(count) {
                problems.append("\(entry.action) by \(entry.actor) (request \(entry.requestID)) is audited as \(entry.outcome.rawValue) but has \(count) job events")
            }
        }
    }

    /// Adds the event's key, in the form callers record answers.
    private mutating func record(_ event: JobEvent, id: String) {
        switch event {
        case .submitted: break
        case .claimed(let data): keys["\(id) JobClaimed \(data.worker)#\(data.attempt)", default: 0] += 1
        case .leaseRenewed(let data): keys["\(id) LeaseRenewed \(data.worker)#\(data.attempt)", default: 0] += 1
        case .completed(let data): keys["\(id) JobCompleted \(data.worker)#\(data.attempt)", default: 0] += 1
        case .attemptFailed(let data): keys["\(id) AttemptFailed \(data.worker)#\(data.attempt)", default: 0] += 1
        case .failed(let data): keys["\(id) JobFailed \(data.worker)#\(data.attempt)", default: 0] += 1
        case .cancelRequested: cancelRequestEvents += 1
        case .cancelled(let data): keys["\(id) JobCancelled \(data.actor)", default: 0] += 1
        case .killed(let data): keys["\(id) JobKilled \(data.actor)", default: 0] += 1
        case .leaseExpired: keys["\(id) LeaseExpired -", default: 0] += 1
        case .retried(let data): keys["\(id) JobRetried \(data.actor)", default: 0] += 1
        case .timedOut: keys["\(id) JobTimedOut -", default: 0] += 1
        case .dependencyMet(let data): keys["\(id) DependencyMet \(data.dependency)", default: 0] += 1
        case .archived: break
        }
    }

    /// The requests whose job events and audit entries (of one job, or of
    /// every job of a batch kill) are not adjacent in the log, though one
    /// atomic append wrote them: one sentence each, with a job it concerns.
    package static func scatteredRequests(_ found: [UUID: [(job: String, position: UInt64)]]) -> [(job: String, text: String)] {
        found.compactMap { request, places in
            let sorted = places.map(\.position).sorted()
            guard let first = sorted.first, let last = sorted.last, last - first + 1 != UInt64(sorted.count) else { return nil }
            let jobs = Set(places.map(\.job)).sorted()
            return (jobs[0], "request \(request) of jobs \(jobs) was written at scattered positions \(sorted)")
        }
    }
}

/// The rules of one step beyond the state: leases fence workers, attempts
/// are counted, backoffs and lease ends are respected, and only permitted
/// actors stop or reopen a job.
private struct StepRules {
    let before: Job
    let now: Date
    let policy: RetryPolicy
    let requesters: [Actor]

    func broken(by event: JobEvent) -> [String] {
        var broken: [String] = []
        func holder(_ worker: String, _ attempt: Int) {
            if worker != before.worker || attempt != before.attempt {
                broken.append("\(worker)#\(attempt) acted, but the lease is \(before.worker ?? "nobody")#\(before.attempt)")
            }
        }
        func backoff(_ retryAt: Date?, attempt: Int) {
            let expected = now + policy.delay(afterAttempt: attempt)
            guard let retryAt, abs(retryAt.timeIntervalSince(expected)) <= 0.002 else {
                broken.append("retry at \(String(describing: retryAt)), expected about \(expected)")
                return
            }
        }
        func permitted(_ actorID: String, _ kind: StopKind) {
            let owner = Actor(id: before.owner, role: .user, organisation: before.organisation)
            guard requesters.contains(where: { $0.id == actorID && JobLifecycleRules.permits($0, kind, jobOwner: owner) }) else {
                broken.append("\(actorID) may not \(kind.rawValue) a job of \(before.owner)@\(before.organisation)")
                return
            }
        }
        switch event {
        case .submitted:
            broken.append("a second submission")
        case .claimed(let data):
            if data.attempt != before.attempt + 1 { broken.append("claimed attempt \(data.attempt) after attempt \(before.attempt)") }
            if before.availableAt > now { broken.append("claimed at \(now), before the job was available at \(before.availableAt)") }
            if data.leaseUntil <= now { broken.append("lease until \(data.leaseUntil) is not after \(now)") }
        case .leaseRenewed(let data):
            holder(data.worker, data.attempt)
            if data.leaseUntil <= now { broken.append("lease until \(data.leaseUntil) is not after \(now)") }
        case .completed(let data):
            holder(data.worker, data.attempt)
        case .attemptFailed(let data):
            holder(data.worker, data.attempt)
            if before.attemptsLeft <= 0 { broken.append("attempt failed with no attempts left") }
            backoff(data.retryAt, attempt: data.attempt)
        case .failed(let data):
            holder(data.worker, data.attempt)
            if data.retryable && before.state == .running && before.attemptsLeft > 0 {
                broken.append("failed for good with \(before.attemptsLeft) attempts left after a retryable error")
            }
            if data.retryable && before.state == .cancelRequested {
                broken.append("a retryable failure after a cancel request must end cancelled, not failed")
            }
        case .cancelRequested(let data):
            permitted(data.actor, .cancel)
        case .cancelled(let data):
            if before.state == .cancelRequested {
                if data.actor != before.worker { broken.append("\(data.actor) acknowledged the cancel of \(before.worker ?? "nobody")'s attempt") }
            } else {
                permitted(data.actor, .cancel)
            }
        case .killed(let data):
            permitted(data.actor, .kill)
        case .retried(let data):
            permitted(data.actor, .retry)
        case .leaseExpired(let data):
            holder(data.worker, data.attempt)
            guard let lease = before.leaseUntil, lease < now else {
                broken.append("lease until \(String(describing: before.leaseUntil)) expired at \(now)")
                break
            }
            let expected: JobState = before.state == .cancelRequested ? .cancelled : (before.attemptsLeft > 0 ? .pending : .failed)
            if data.nextState != expected { broken.append("lease expiry led to \(data.nextState), expected \(expected)") }
            if expected == .pending { backoff(data.retryAt, attempt: data.attempt) }
        case .timedOut(let data):
            holder(data.worker, data.attempt)
            guard let deadline = before.deadline, deadline <= now else {
                broken.append("deadline \(String(describing: before.deadline)) had not come at \(now)")
                break
            }
            let expected: JobState = before.state == .cancelRequested ? .cancelled : (before.attemptsLeft > 0 ? .pending : .failed)
            if data.nextState != expected { broken.append("timeout led to \(data.nextState), expected \(expected)") }
            if expected == .pending { backoff(data.retryAt, attempt: data.attempt) }
        case .dependencyMet(let data):
            if !before.waitingFor.contains(data.dependency) { broken.append("\(data.dependency) met, but not waited for") }
        case .archived(let data):
            if data.state != before.state { broken.append("archived as \(data.state) while \(before.state)") }
        }
        return broken
    }
}
