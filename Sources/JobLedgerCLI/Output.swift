import EventStore
import Foundation
import JobLedger

/// Printing of JSON documents and human tables.
enum Output {
    /// `2026-11-23T12:00:00.123Z`.
    static func time(_ date: Date?) -> Any {
        guard let date else { return NSNull() }
        // The ledger refuses times outside its range; should one be shown
        // anyway, it is shown as a number rather than trapping.
        guard let millis = Int64(exactly: (date.timeIntervalSince1970 * 1000).rounded()),
              LedgerTimeRange.millis.contains(millis) else { return "\(date.timeIntervalSince1970)s after 1970" }
        let whole = Date.ISO8601FormatStyle().format(Date(timeIntervalSince1970: Double(millis / 1000)))
        return String(whole.dropLast()) + "." + String(String(1000 + millis % 1000).dropFirst()) + "Z"
    }

    /// JSON text parsed back into a value so it nests in documents.
    static func jsonValue(_ text: String?) -> Any {
        guard let text, let value = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        else { return text ?? NSNull() }
        return value
    }

    /// The JOB shape of the command line's JSON.
    static func job(_ job: Job?) -> Any {
        guard let job else { return NSNull() }
        return [
            "id": job.id, "type": job.type, "state": job.state.rawValue, "owner": job.owner,
            "org": job.organisation, "batch": job.batch ?? NSNull(), "priority": job.priority,
            "attempt": job.attempt, "maxAttempts": job.maxAttempts, "worker": job.worker ?? NSNull(),
            "leaseUntil": time(job.leaseUntil), "availableAt": time(job.availableAt), "version": job.version, "submittedAt": time(job.submittedAt),
            "updatedAt": time(job.updatedAt), "result": jsonValue(job.result), "error": job.error ?? NSNull(),
        ] as [String: Any]
    }

    static func printJSON(_ value: Any) {
        let data = (try? JSONSerialization.data(
            withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])) ?? Data("null".utf8)
        print(String(decoding: data, as: UTF8.self))
    }

    /// Prints `{"job": JOB}` with --json, else the job's fields for people.
    static func printJob(_ job: Job, json: Bool) {
        if json { printJSON(["job": Output.job(job)]) } else { print(jobDetail(job)) }
    }

    static func jobTable(_ jobs: [Job], title: String = "Jobs") -> String {
        ReportTable(
            title: title, columns: ["id", "type", "state", "owner", "org", "batch", "attempt", "worker", "updated"],
            rows: jobs.map { job in
                [job.id, job.type, job.state.rawValue, job.owner, job.organisation, job.batch ?? "",
                 "\(job.attempt)/\(job.attemptsAllowed)", job.worker ?? "", time(job.updatedAt) as? String ?? ""]
            }
        ).renderText()
    }

    static func jobDetail(_ job: Job) -> String {
        let fields: [(String, String)] = [
            ("id", job.id), ("type", job.type), ("state", job.state.rawValue), ("owner", job.owner),
            ("org", job.organisation), ("batch", job.batch ?? "-"), ("priority", "\(job.priority)"),
            ("attempt", "\(job.attempt) of \(job.attemptsAllowed)"), ("worker", job.worker ?? "-"),
            ("lease until", time(job.leaseUntil) as? String ?? "-"),
            ("available at", time(job.availableAt) as? String ?? "-"), ("version", "\(job.version)"),
            ("submitted", time(job.submittedAt) as? String ?? ""), ("updated", time(job.updatedAt) as? String ?? ""),
            ("result", job.result ?? "-"), ("error", job.error ?? "-"),
        ]
        let width = fields.map(\.0.count).max() ?? 0
        // Stored text (an error message, a result) shows escaped, never acting on the terminal.
        return fields.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + TerminalText.escaped($0.1) }
            .joined(separator: "\n")
    }
}

extension Optional {
    /// The wrapped value, or JSON null.
    var orNull: Any { self.map { $0 as Any } ?? NSNull() }
}
