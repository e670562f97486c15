import JobLedger

/// The jobs and actors of the crash loop: `StoreProbe random-jobs` issues
/// commands with them, and the crash loop test checks histories with them.
///
/// Job `j<n>` is always submitted the same way, whichever process submits
/// it, so a resubmission answers `existing`; only a stranger resubmitting a
/// job is refused as a conflicting submission.
package enum CrashLoopJobs {
    /// Owners of jobs, in two organisations.
    package static let owners: [Actor] = [
        Actor(id: "alice", role: .user, organisation: "acme"),
        Actor(id: "bob", role: .user, organisation: "acme"),
        Actor(id: "gina", role: .user, organisation: "globex"),
    ]

    /// An admin of each organisation.
    package static let admins: [Actor] = [
        Actor(id: "root", role: .admin, organisation: "acme"),
        Actor(id: "eve", role: .admin, organisation: "globex"),
    ]

    /// Everyone who issues cancel, kill and retry: the owners, the admins,
    /// a worker and the system.
    package static let requesters: [Actor] = owners + admins + [.worker("w9"), .system]

    /// Worker names, shared by every process.
    package static let workers = ["w0", "w1", "w2", "w3"]

    /// Short backoffs, so that failed jobs come back while the loop runs.
    package static let retryPolicy = RetryPolicy(baseDelay: 0.02, maxDelay: 0.3)

    /// The id of job `number`.
    package static func id(_ number: Int) -> String { "j\(number)" }

    /// The owner of job `number`.
    package static func owner(_ number: Int) -> Actor { owners[number % owners.count] }

    /// The batch of job `number`: six consecutive jobs share one, and every
    /// fourth job has none.
    package static func batch(_ number: Int) -> String? { number % 4 == 3 ? nil : "b\(number / 6)" }

    /// The submission of job `number`.
    package static func submission(_ number: Int) -> JobSubmission {
        JobSubmission(
            id: id(number), type: "t\(number % 2)", payload: #"{"n":\#(number)}"#, priority: number % 3,
            maxAttempts: 1 + number % 3, batch: batch(number))
    }

    /// The number of job `id`; `nil` for an id that is not of the form `j<n>`.
    package static func number(_ id: String) -> Int? {
        guard id.first == "j", let number = Int(id.dropFirst()), number >= 0, Self.id(number) == id else { return nil }
        return number
    }

    /// Those who may cancel and retry job `number`: its owner, the admin of
    /// its organisation, and the system.
    package static func stewards(_ number: Int) -> [Actor] {
        let owner = owner(number)
        return [owner, .system] + admins.filter { $0.organisation == owner.organisation }
    }

    /// What the `JobSubmitted` event of job `id` must say; `nil` for an id
    /// that is not of the form `j<n>`.
    package static func submitted(_ id: String) -> JobEvent.Submitted? {
        number(id).map { submission($0).submitted(by: owner($0)) }
    }
}
