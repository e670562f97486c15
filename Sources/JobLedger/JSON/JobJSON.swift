import EventStore
import Foundation

/// The JSON shapes of jobs and of command answers, as `JSONSerialization`
/// values: one definition for the command line's `--json` and for the HTTP
/// API, so the two agree field for field.
public enum JobJSON {
    /// `2026-11-23T12:00:00.123Z`, or JSON null.
    public static func time(_ date: Date?) -> Any {
        guard let date else { return NSNull() }
        // The ledger refuses times outside its range; should one be shown
        // anyway, it is shown as a number rather than trapping.
        return instantText(date) ?? "\(date.timeIntervalSince1970)s after 1970"
    }

    /// The text of `date` in milliseconds, or `nil` outside ``LedgerTimeRange``.
    static func instantText(_ date: Date) -> String? {
        guard let millis = Int64(exactly: (date.timeIntervalSince1970 * 1000).rounded()),
              LedgerTimeRange.millis.contains(millis) else { return nil }
        return UTCTimestamp.text(date)
    }

    /// JSON text parsed back into a value so it nests in documents; text
    /// that is not JSON stays a string.
    public static func jsonValue(_ text: String?) -> Any {
        guard let text, let value = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        else { return text ?? NSNull() }
        return value
    }

    /// The JOB shape.
    ///
    /// The fields of scheduling, timeouts and dependencies appear only on
    /// jobs that use them: `runAt` (time), `timeout` (seconds), `deadline`
    /// (time, while an attempt runs), `after` and `waitingFor` (job ids).
    public static func job(_ job: Job?) -> Any {
        guard let job else { return NSNull() }
        var fields: [String: Any] = [
            "id": job.id, "type": job.type, "state": job.state.rawValue, "owner": job.owner,
            "org": job.organisation, "batch": job.batch ?? NSNull(), "payload": jsonValue(job.payload), "priority": job.priority,
            "attempt": job.attempt, "maxAttempts": job.maxAttempts, "worker": job.worker ?? NSNull(),
            "leaseUntil": time(job.leaseUntil), "availableAt": time(job.availableAt), "version": job.version, "submittedAt": time(job.submittedAt),
            "updatedAt": time(job.updatedAt), "result": jsonValue(job.result), "error": job.error ?? NSNull(),
        ]
        if let runAt = job.runAt { fields["runAt"] = time(runAt) }
        if let timeout = job.timeout { fields["timeout"] = timeout }
        if let deadline = job.deadline { fields["deadline"] = time(deadline) }
        if !job.dependencies.isEmpty {
            fields["after"] = job.dependencies
            fields["waitingFor"] = job.waitingFor
        }
        if !job.tags.isEmpty { fields["tags"] = job.tags }
        return fields
    }

    /// Whether the job carries any field that only some jobs have.
    private static func hasOptionalFields(_ job: Job) -> Bool {
        job.runAt != nil || job.timeout != nil || job.deadline != nil || !job.dependencies.isEmpty || !job.tags.isEmpty
    }

    /// The JOB shape as UTF-8, the same bytes as `data(job(job))`, written
    /// directly when every text field is plain ASCII (the usual case, as
    /// names are validated): `JSONSerialization` sorts keys with a
    /// collation and casts every value, which costs more than the rest of
    /// a `GET /v1/jobs/{id}` together.
    public static func jobData(_ job: Job) -> Data {
        if let bytes = plainJobBytes(job) { return Data(bytes) }
        return data(self.job(job))
    }

    private static func plainJobBytes(_ job: Job) -> [UInt8]? {
        // Plain text is written the same by every JSON writer; anything
        // else (non-ASCII, escapes) takes the general path, whose escapes
        // are the serializer's own.
        func plain(_ text: String?) -> Bool {
            text?.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C } ?? true
        }
        guard !hasOptionalFields(job) else { return nil }
        guard plain(job.id), plain(job.type), plain(job.owner), plain(job.organisation), plain(job.batch),
              plain(job.error), plain(job.worker)
        else { return nil }
        // Times outside the ledger's range take the general path, which
        // shows them without trapping.
        var lease: String?
        if let leaseUntil = job.leaseUntil {
            guard let text = instantText(leaseUntil) else { return nil }
            lease = text
        }
        guard let available = instantText(job.availableAt), let submitted = instantText(job.submittedAt),
              let updated = instantText(job.updatedAt) else { return nil }
        // The result is any JSON the worker gave: written by the same
        // serializer as the whole document would use for it.
        let result = job.result.map { [UInt8](data(jsonValue($0))) } ?? Self.null
        // The payload likewise; most jobs carry the empty object, which
        // needs no parse.
        let payload = job.payload == "{}" ? Self.emptyObject : [UInt8](data(jsonValue(job.payload)))
        // Keys in the order JSONSerialization's sortedKeys gives them.
        var json = JSONObjectWriter()
        json.int("attempt", job.attempt)
        json.string("availableAt", available)
        json.stringOrNull("batch", job.batch)
        json.stringOrNull("error", job.error)
        json.string("id", job.id)
        json.stringOrNull("leaseUntil", lease)
        json.int("maxAttempts", job.maxAttempts)
        json.string("org", job.organisation)
        json.string("owner", job.owner)
        json.json("payload", payload)
        json.int("priority", job.priority)
        json.json("result", result)
        json.string("state", job.state.rawValue)
        json.string("submittedAt", submitted)
        json.string("type", job.type)
        json.string("updatedAt", updated)
        json.unsigned("version", job.version)
        json.stringOrNull("worker", job.worker)
        return json.finish()
    }

    private static let null: [UInt8] = Array("null".utf8)
    private static let emptyObject: [UInt8] = Array("{}".utf8)

    /// `{"created": bool, "job": JOB}`, the answer of submit.
    /// `"duplicate": true` is added when another job holds the submission's
    /// unique key (`job` is that job).
    public static func submit(_ result: SubmitResult) -> [String: Any] {
        var fields: [String: Any] = ["created": result.created, "job": job(result.job)]
        if result.duplicate { fields["duplicate"] = true }
        return fields
    }

    /// `{"job": JOB, "cancelRequested": bool, "timedOut": bool}`, the answer of renew.
    public static func renew(_ result: RenewResult) -> [String: Any] {
        ["job": job(result.job), "cancelRequested": result.cancelRequested, "timedOut": result.timedOut]
    }

    /// `{"outcome": ..., "job": JOB or null}`, the answer of cancel, kill and retry.
    public static func action(_ result: ActionResult) -> [String: Any] {
        ["outcome": result.outcome.rawValue, "job": job(result.job)]
    }

    /// `{"results": [{"id", "outcome"}]}`, the answer of a batch kill.
    public static func batchKill(_ results: [BatchKillResult]) -> [String: Any] {
        ["results": results.map { ["id": $0.jobID, "outcome": $0.outcome.rawValue] }]
    }

    /// `{"job": id, "events": [...]}`, a job's history.
    public static func history(_ jobID: String, _ entries: [HistoryEntry]) -> [String: Any] {
        [
            "job": jobID,
            "events": entries.map { entry in
                [
                    "position": entry.position, "version": entry.version, "stream": entry.stream,
                    "type": entry.type, "recordedAt": time(entry.recordedAt), "actor": entry.actor,
                    "data": jsonValue(entry.data),
                    "stateBefore": entry.stateBefore?.rawValue ?? NSNull(),
                    "stateAfter": entry.stateAfter?.rawValue ?? NSNull(),
                    "sincePrevious": entry.sincePrevious ?? NSNull(),
                ] as [String: Any]
            },
        ]
    }

    /// `{"jobs": [JOB], "next": cursor or null}`, a page of `list`.
    public static func page(_ page: JobPage) -> [String: Any] {
        ["jobs": page.jobs.map(job), "next": page.next ?? NSNull()]
    }

    /// The same page as UTF-8, the very bytes of `data(page(page))`, with
    /// each job written by ``jobData(_:)``: the general serializer sorts
    /// every job's keys by collation, which made a page of 50 jobs cost
    /// about 17 ms on the server against 3 ms for the dashboard's table of
    /// the same jobs.
    public static func pageData(_ page: JobPage) -> Data {
        var bytes = Data("{\"jobs\":[".utf8)
        for (index, job) in page.jobs.enumerated() {
            if index > 0 { bytes.append(0x2C) }
            bytes.append(jobData(job))
        }
        bytes.append(contentsOf: Array("],\"next\":".utf8))
        // A cursor is lowercase hex, written as it is.
        bytes.append(page.next.map { data($0) } ?? Data("null".utf8))
        bytes.append(0x7D)
        return bytes
    }

    /// A token's fields; `text` (the token itself) only when just issued.
    public static func token(_ token: AccessToken, text: String? = nil) -> [String: Any] {
        var fields: [String: Any] = [
            "id": token.id, "actor": token.actor, "role": token.role.rawValue, "org": token.organisation,
            "worker": token.worker ?? NSNull(), "expiresAt": time(token.expiresAt),
            "issuedAt": time(token.issuedAt), "revokedAt": time(token.revokedAt),
        ]
        if let text { fields["token"] = text }
        return fields
    }

    /// One compact JSON document with sorted keys, as UTF-8.
    public static func data(_ value: Any) -> Data {
        (try? JSONSerialization.data(
            withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])) ?? Data("null".utf8)
    }
}
