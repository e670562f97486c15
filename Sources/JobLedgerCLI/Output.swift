import EventStore
import Foundation
import JobLedger

/// Printing of JSON documents and human tables.
enum Output {
    /// `2026-11-23T12:00:00.123Z`.
    static func time(_ date: Date?) -> Any { JobJSON.time(date) }

    /// JSON text parsed back into a value so it nests in documents.
    static func jsonValue(_ text: String?) -> Any { JobJSON.jsonValue(text) }

    /// The JOB shape of the command line's JSON (shared with the HTTP API).
    static func job(_ job: Job?) -> Any { JobJSON.job(job) }

    static func printJSON(_ value: Any) {
        print(String(decoding: JobJSON.data(value), as: UTF8.self))
    }

    /// Prints `{"job": JOB}` with --json, else the job's fields for people.
    static func printJob(_ job: Job, json: Bool) {
        if json { printJSON(["job": Output.job(job)]) } else { print(jobDetail(job)) }
    }

    /// The jobs as a table. A pending job scheduled to run after `now`
    /// shows as `scheduled` with its time, one that waits for other jobs as
    /// `waiting`, so neither is mistaken for a job in the queue.
    static func jobTable(_ jobs: [Job], title: String = "Jobs", now: Date = Date()) -> String {
        ReportTable(
            title: title, columns: ["id", "type", "state", "owner", "org", "batch", "attempt", "worker", "updated"],
            rows: jobs.map { job in
                [job.id, job.type, shownState(job, now: now), job.owner, job.organisation, job.batch ?? "",
                 "\(job.attempt)/\(job.attemptsAllowed)", job.worker ?? "", time(job.updatedAt) as? String ?? ""]
            }
        ).renderText()
    }

    static func shownState(_ job: Job, now: Date) -> String {
        if job.isScheduled(at: now) { return "scheduled \(time(job.availableAt) as? String ?? "")" }
        if job.state == .pending, !job.waitingFor.isEmpty { return "waiting for \(job.waitingFor.joined(separator: ","))" }
        return job.state.rawValue
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
        ] + optionalFields(job)
        let width = fields.map(\.0.count).max() ?? 0
        // Stored text (an error message, a result) shows escaped, never acting on the terminal.
        return fields.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + TerminalText.escaped($0.1) }
            .joined(separator: "\n")
    }
}

extension Output {
    /// The lines of scheduling, timeouts and dependencies, for the jobs that have them.
    static func optionalFields(_ job: Job) -> [(String, String)] {
        var fields: [(String, String)] = []
        if let runAt = job.runAt { fields.append(("run at", time(runAt) as? String ?? "-")) }
        if let timeout = job.timeout { fields.append(("timeout", "\(timeout) s")) }
        if let deadline = job.deadline { fields.append(("deadline", time(deadline) as? String ?? "-")) }
        if !job.tags.isEmpty { fields.append(("tags", job.tags.joined(separator: ", "))) }
        if !job.dependencies.isEmpty {
            fields.append(("after", job.dependencies.joined(separator: ", ")))
            fields.append(("waiting for", job.waitingFor.isEmpty ? "-" : job.waitingFor.joined(separator: ", ")))
        }
        return fields
    }
}

extension Optional {
    /// The wrapped value, or JSON null.
    var orNull: Any { self.map { $0 as Any } ?? NSNull() }
}
