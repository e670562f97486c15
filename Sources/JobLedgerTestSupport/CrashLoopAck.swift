import Foundation
import JobLedger

/// The line `StoreProbe random-jobs` prints once a job command returned:
///
///     ack <action> <actor> <request|-> [<job>=<outcome>[@<version>]]...
///
/// `action` is the action its audit entries record (a batch kill is a
/// `kill` of every job of the batch); `request` is the request id, when the
/// command takes one; each result names a job, what came of the command
/// for it, and, when the command appended exactly one event to the job's
/// stream, that event's stream version. A claim that found nothing has no
/// result.
package struct CrashLoopAck: Sendable, Hashable {
    /// What came of the command for one job.
    package struct Result: Sendable, Hashable {
        /// The job.
        package let job: String
        /// The command's outcome for it.
        package let outcome: JobOutcome
        /// The version of the one event the command appended to the job's stream.
        package let version: UInt64?

        /// A result; `after` is the job as the command answered it, whose
        /// version is kept only when `outcome` always appends one event.
        package init(job: String, outcome: JobOutcome, after: Job? = nil) {
            self.job = job
            self.outcome = outcome
            version = JobLifecycleRules.eventsAppended(by: outcome) == 1...1 ? after?.version : nil
        }

        init(job: String, outcome: JobOutcome, version: UInt64?) {
            self.job = job
            self.outcome = outcome
            self.version = version
        }
    }

    /// The audited action, such as `claim` or `kill`.
    package let action: String
    /// The actor's id.
    package let actor: String
    /// The request id, for commands that take one.
    package let request: UUID?
    /// One result per job the command answered for.
    package let results: [Result]

    /// An acknowledgement.
    package init(action: String, actor: String, request: UUID?, results: [Result]) {
        self.action = action
        self.actor = actor
        self.request = request
        self.results = results
    }

    /// The line, without its newline.
    package var line: String {
        let words = ["ack", action, actor, request?.uuidString ?? "-"] + results.map { result in
            "\(result.job)=\(result.outcome.rawValue)" + (result.version.map { "@\($0)" } ?? "")
        }
        return words.joined(separator: " ")
    }

    /// Reads a line printed by ``line``; `nil` for anything else.
    package init?(line: String) {
        let words = line.split(separator: " ").map(String.init)
        guard words.count >= 4, words[0] == "ack" else { return nil }
        var results: [Result] = []
        for word in words.dropFirst(4) {
            let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { return nil }
            let answer = parts[1].split(separator: "@", maxSplits: 1).map(String.init)
            guard let outcome = JobOutcome(rawValue: answer[0]) else { return nil }
            var version: UInt64? = nil
            if answer.count == 2 {
                guard let number = UInt64(answer[1]) else { return nil }
                version = number
            }
            results.append(Result(job: parts[0], outcome: outcome, version: version))
        }
        let request: UUID?
        if words[3] == "-" {
            request = nil
        } else {
            guard let id = UUID(uuidString: words[3]) else { return nil }
            request = id
        }
        self.init(action: words[1], actor: words[2], request: request, results: results)
    }
}
