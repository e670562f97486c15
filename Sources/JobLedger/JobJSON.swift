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
        guard let millis = Int64(exactly: (date.timeIntervalSince1970 * 1000).rounded()),
              LedgerTimeRange.millis.contains(millis) else { return "\(date.timeIntervalSince1970)s after 1970" }
        return JSONCoding.formatTimestamp(date)
    }

    /// JSON text parsed back into a value so it nests in documents; text
    /// that is not JSON stays a string.
    public static func jsonValue(_ text: String?) -> Any {
        guard let text, let value = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        else { return text ?? NSNull() }
        return value
    }

    /// The JOB shape.
    public static func job(_ job: Job?) -> Any {
        guard let job else { return NSNull() }
        return [
            "id": job.id, "type": job.type, "state": job.state.rawValue, "owner": job.owner,
            "org": job.organisation, "batch": job.batch ?? NSNull(), "priority": job.priority,
            "attempt": job.attempt, "maxAttempts": job.maxAttempts, "worker": job.worker ?? NSNull(),
            "leaseUntil": time(job.leaseUntil), "availableAt": time(job.availableAt), "version": job.version, "submittedAt": time(job.submittedAt),
            "updatedAt": time(job.updatedAt), "result": jsonValue(job.result), "error": job.error ?? NSNull(),
        ] as [String: Any]
    }

    /// `{"created": bool, "job": JOB}`, the answer of submit.
    public static func submit(_ result: SubmitResult) -> [String: Any] {
        ["created": result.created, "job": job(result.job)]
    }

    /// `{"job": JOB, "cancelRequested": bool}`, the answer of renew.
    public static func renew(_ result: RenewResult) -> [String: Any] {
        ["job": job(result.job), "cancelRequested": result.cancelRequested]
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
