import EventStore
import Foundation

// The stored fields of each kind of job event: written with sorted keys
// through ``JSONObjectWriter``, read back by the flat fast path.

extension JobEvent.Submitted: JobEventData {
    // The fields added with scheduling, timeouts and dependencies are
    // written only when set, so a job without them is stored exactly as
    // before. A list of dependencies is an array: such an event leaves the
    // flat fast path for the general decoder.
    func write(to json: inout JSONObjectWriter) {
        if let after, !after.isEmpty { json.json("after", Self.array(after)) }
        json.string("batch", batch)
        json.string("id", id)
        json.int("maxAttempts", maxAttempts)
        json.string("organisation", organisation)
        json.string("owner", owner)
        json.string("payload", payload)
        json.int("priority", priority)
        if let runAt { json.date("runAt", runAt) }
        if let tags, !tags.isEmpty { json.json("tags", Self.array(tags)) }
        if let timeoutMillis { json.int("timeoutMillis", timeoutMillis) }
        json.string("type", type)
        if let unique { json.string("unique", unique) }
        if let uniqueWindowMillis { json.int("uniqueWindowMillis", uniqueWindowMillis) }
    }

    init?(flat f: FlatFields) {
        guard f.object["after"] == nil, f.object["tags"] == nil,
              let id = f.text("id"), let type = f.text("type"), let owner = f.text("owner"),
              let organisation = f.text("organisation"), let batch = f.optionalText("batch"),
              let payload = f.text("payload"), let priority = f.int("priority"), let maxAttempts = f.int("maxAttempts"),
              let runAt = f.optionalDate("runAt"), let timeoutMillis = f.optionalInt("timeoutMillis"),
              let unique = f.optionalText("unique"), let uniqueWindowMillis = f.optionalInt("uniqueWindowMillis")
        else { return nil }
        self.init(
            id: id, type: type, owner: owner, organisation: organisation, batch: batch, payload: payload,
            priority: priority, maxAttempts: maxAttempts, runAt: runAt, timeoutMillis: timeoutMillis,
            unique: unique, uniqueWindowMillis: uniqueWindowMillis)
    }

    mutating func mapInstants(_ body: (String, Date) -> Date) {
        if let runAt { self.runAt = body("runAt", runAt) }
    }

    /// A list of strings as a JSON array.
    private static func array(_ texts: [String]) -> [UInt8] {
        var array: [UInt8] = [UInt8(ascii: "[")]
        for (index, text) in texts.enumerated() {
            if index > 0 { array.append(UInt8(ascii: ",")) }
            JSONText.appendString(text, to: &array)
        }
        array.append(UInt8(ascii: "]"))
        return array
    }
}

extension JobEvent.Claimed: JobEventData {
    func write(to json: inout JSONObjectWriter) {
        json.int("attempt", attempt)
        json.date("leaseUntil", leaseUntil)
        json.string("worker", worker)
    }

    init?(flat f: FlatFields) {
        guard let worker = f.text("worker"), let attempt = f.int("attempt"), let lease = f.date("leaseUntil") else { return nil }
        self.init(worker: worker, attempt: attempt, leaseUntil: lease)
    }

    mutating func mapInstants(_ body: (String, Date) -> Date) {
        leaseUntil = body("leaseUntil", leaseUntil)
    }
}

extension JobEvent.Completed: JobEventData {
    func write(to json: inout JSONObjectWriter) {
        json.int("attempt", attempt)
        json.string("result", result)
        json.string("worker", worker)
    }

    init?(flat f: FlatFields) {
        guard let worker = f.text("worker"), let attempt = f.int("attempt"), let result = f.optionalText("result") else { return nil }
        self.init(worker: worker, attempt: attempt, result: result)
    }
}

extension JobEvent.AttemptFailed: JobEventData {
    func write(to json: inout JSONObjectWriter) {
        json.int("attempt", attempt)
        json.string("error", error)
        json.date("retryAt", retryAt)
        json.string("worker", worker)
    }

    init?(flat f: FlatFields) {
        guard let worker = f.text("worker"), let attempt = f.int("attempt"), let error = f.text("error"),
              let retryAt = f.date("retryAt") else { return nil }
        self.init(worker: worker, attempt: attempt, error: error, retryAt: retryAt)
    }

    mutating func mapInstants(_ body: (String, Date) -> Date) {
        retryAt = body("retryAt", retryAt)
    }
}

extension JobEvent.Failed: JobEventData {
    /// Version 2 stores the cause in place of version 1's `retryable`.
    static var schemaVersion: Int { 2 }

    func write(to json: inout JSONObjectWriter) {
        json.int("attempt", attempt)
        json.string("cause", cause.rawValue)
        json.string("error", error)
        json.string("worker", worker)
    }

    init?(flat f: FlatFields) {
        guard let worker = f.text("worker"), let attempt = f.int("attempt"), let error = f.text("error"),
              let cause = f.text("cause").flatMap(JobEvent.FailureCause.init(rawValue:)) else { return nil }
        self.init(worker: worker, attempt: attempt, error: error, cause: cause)
    }

    /// Version 1 to 2: `retryable` becomes the cause. The decider wrote a
    /// retryable `JobFailed` only when no attempt was left.
    static func upcast(_ fields: inout [String: StoredField], from version: Int) throws {
        guard version == 1 else { throw UpcastError("no upcaster from version \(version)") }
        guard case .bool(let retryable)? = fields.removeValue(forKey: "retryable") else {
            throw UpcastError("'retryable' is missing or not a boolean")
        }
        let cause: JobEvent.FailureCause = retryable ? .attemptsExhausted : .notRetryable
        fields["cause"] = .string(cause.rawValue)
    }
}

extension JobEvent.Stop: JobEventData {
    func write(to json: inout JSONObjectWriter) {
        json.string("actor", actor)
        json.string("reason", reason)
    }

    init?(flat f: FlatFields) {
        guard let actor = f.text("actor"), let reason = f.text("reason") else { return nil }
        self.init(actor: actor, reason: reason)
    }
}

extension JobEvent.LeaseExpired: JobEventData {
    func write(to json: inout JSONObjectWriter) {
        json.int("attempt", attempt)
        json.string("nextState", nextState.rawValue)
        json.date("retryAt", retryAt)
        json.string("worker", worker)
    }

    init?(flat f: FlatFields) {
        guard let worker = f.text("worker"), let attempt = f.int("attempt"),
              let next = f.text("nextState").flatMap(JobState.init(rawValue:)), let retryAt = f.optionalDate("retryAt")
        else { return nil }
        self.init(worker: worker, attempt: attempt, nextState: next, retryAt: retryAt)
    }

    mutating func mapInstants(_ body: (String, Date) -> Date) {
        if let retryAt { self.retryAt = body("retryAt", retryAt) }
    }
}

extension JobEvent.Retried: JobEventData {
    func write(to json: inout JSONObjectWriter) {
        json.string("actor", actor)
    }

    init?(flat f: FlatFields) {
        guard let actor = f.text("actor") else { return nil }
        self.init(actor: actor)
    }
}

extension JobEvent.TimedOut: JobEventData {
    func write(to json: inout JSONObjectWriter) {
        json.int("attempt", attempt)
        json.string("nextState", nextState.rawValue)
        json.date("retryAt", retryAt)
        json.int("timeoutMillis", timeoutMillis)
        json.string("worker", worker)
    }

    init?(flat f: FlatFields) {
        guard let worker = f.text("worker"), let attempt = f.int("attempt"),
              let next = f.text("nextState").flatMap(JobState.init(rawValue:)), let retryAt = f.optionalDate("retryAt"),
              let timeoutMillis = f.int("timeoutMillis")
        else { return nil }
        self.init(worker: worker, attempt: attempt, nextState: next, retryAt: retryAt, timeoutMillis: timeoutMillis)
    }

    mutating func mapInstants(_ body: (String, Date) -> Date) {
        if let retryAt { self.retryAt = body("retryAt", retryAt) }
    }
}

extension JobEvent.DependencyMet: JobEventData {
    func write(to json: inout JSONObjectWriter) {
        json.string("dependency", dependency)
    }

    init?(flat f: FlatFields) {
        guard let dependency = f.text("dependency") else { return nil }
        self.init(dependency: dependency)
    }
}

extension JobEvent.Archived: JobEventData {
    func write(to json: inout JSONObjectWriter) {
        json.string("archive", archive)
        json.string("archiveDigest", archiveDigest)
        json.int("archivedEvents", archivedEvents)
        json.int("endedAt", Int(clamping: endedAt))
        json.string("endedBy", endedBy)
        json.string("record", record)
        json.string("state", state.rawValue)
    }

    init?(flat f: FlatFields) {
        guard let archive = f.text("archive"), let digest = f.text("archiveDigest"),
              let count = f.int("archivedEvents"), let record = f.text("record"),
              let endedBy = f.text("endedBy"), let endedAt = f.int("endedAt"), endedAt >= 0,
              let state = f.text("state").flatMap(JobState.init(rawValue:)) else { return nil }
        self.init(
            archive: archive, archiveDigest: digest, archivedEvents: count, state: state, endedBy: endedBy,
            endedAt: UInt64(endedAt), record: record)
    }
}
