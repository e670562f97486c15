import Foundation
import JobLedger
import Testing

/// Checks every cell of the transition table in Docs/Jobs.md against the pure
/// decider (and the evolver for the state the events lead to), and checks that
/// the page still shows the same table as the one written out here.
@Suite struct TransitionTableTests {
    // MARK: The table

    /// A row of the table: the job's state before the command.
    enum Row: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case noJob = "no job"
        case pending, running, cancelRequested, completed, failed, cancelled, killed

        var testDescription: String { rawValue }
    }

    /// A column of the table: the command, with the details that matter.
    enum Column: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case submit
        case claim
        case renewLease
        case complete
        case failRetryable = "fail(retryable, attempts left)"
        case failFinal = "fail(final)"
        case cancelByOwner = "cancel(owner)"
        case cancelByStranger = "cancel(stranger)"
        case acknowledgeCancel
        case killByAdmin = "kill(admin)"
        case killByOwner = "kill(owner)"
        case retryByOwner = "retry(owner)"
        case expireLease = "expireLease(lease over)"

        var testDescription: String { rawValue }
    }

    /// The expected table, cells in column order. Keep in step with Docs/Jobs.md.
    static let expected: [Row: [String]] = [
        .noJob: [
            "created → pending", "refused: not_found", "refused: not_found", "refused: not_found",
            "refused: not_found", "refused: not_found", "refused: not_found", "refused: not_found",
            "refused: not_found", "refused: not_found", "refused: not_found", "refused: not_found",
            "refused: not_found",
        ],
        .pending: [
            "existing (no event)", "claimed → running", "refused: not_allowed", "refused: not_allowed",
            "refused: not_allowed", "refused: not_allowed", "cancelled → cancelled", "refused: forbidden",
            "refused: not_allowed", "killed → killed", "refused: forbidden", "refused: not_allowed",
            "refused: not_allowed",
        ],
        .running: [
            "existing (no event)", "refused: not_allowed", "renewed → running", "completed → completed",
            "retry_scheduled → pending", "failed → failed", "cancel_requested → cancelRequested", "refused: forbidden",
            "refused: not_allowed", "killed → killed", "refused: forbidden", "refused: not_allowed",
            "expired → pending",
        ],
        .cancelRequested: [
            "existing (no event)", "refused: not_allowed", "renewed → cancelRequested", "completed → completed",
            "cancelled → cancelled", "failed → failed", "cancel_requested (no event)", "refused: forbidden",
            "cancelled → cancelled", "killed → killed", "refused: forbidden", "refused: not_allowed",
            "expired → cancelled",
        ],
        .completed: [
            "existing (no event)", "refused: not_allowed", "refused: not_allowed", "refused: not_allowed",
            "refused: not_allowed", "refused: not_allowed", "already_completed (no event)", "refused: forbidden",
            "refused: not_allowed", "already_completed (no event)", "refused: forbidden", "refused: not_allowed",
            "refused: not_allowed",
        ],
        .failed: [
            "existing (no event)", "refused: not_allowed", "refused: not_allowed", "refused: not_allowed",
            "refused: not_allowed", "refused: not_allowed", "already_failed (no event)", "refused: forbidden",
            "refused: not_allowed", "already_failed (no event)", "refused: forbidden", "retried → pending",
            "refused: not_allowed",
        ],
        .cancelled: [
            "existing (no event)", "refused: not_allowed", "refused: not_allowed", "refused: not_allowed",
            "refused: not_allowed", "refused: not_allowed", "already_cancelled (no event)", "refused: forbidden",
            "refused: not_allowed", "already_cancelled (no event)", "refused: forbidden", "retried → pending",
            "refused: not_allowed",
        ],
        .killed: [
            "existing (no event)", "refused: not_allowed", "refused: not_allowed", "refused: not_allowed",
            "refused: not_allowed", "refused: not_allowed", "already_killed (no event)", "refused: forbidden",
            "refused: not_allowed", "already_killed (no event)", "refused: forbidden", "retried → pending",
            "refused: not_allowed",
        ],
    ]

    // MARK: Tests

    @Test(arguments: Row.allCases, Column.allCases)
    func cellMatchesTheDecider(_ row: Row, _ column: Column) throws {
        let expectedRow = try #require(Self.expected[row])
        let columnIndex = try #require(Column.allCases.firstIndex(of: column))
        try #require(expectedRow.count == Column.allCases.count)
        let job = try Fixture.job(in: row)
        let now = column == .expireLease ? Fixture.afterLease : Fixture.duringLease
        let decision = JobDecider.decide(job, try Fixture.command(column), now: now)
        let actual = try Fixture.cell(decision, before: job, at: now)
        #expect(actual == expectedRow[columnIndex])
    }

    @Test(arguments: Row.allCases)
    func fixtureIsInItsRowsState(_ row: Row) throws {
        let job = try Fixture.job(in: row)
        #expect(job?.state.rawValue == (row == .noJob ? nil : row.rawValue))
        if let job, row != .pending {
            #expect(job.attempt == 1)
            #expect(job.worker == Fixture.worker)
            #expect(job.attemptsLeft == 2)
        }
    }

    @Test func expectedTableHasOneCellPerColumnAndOneRowPerState() {
        #expect(Set(Self.expected.keys) == Set(Row.allCases))
        for row in Row.allCases { #expect(Self.expected[row]?.count == Column.allCases.count, "row \(row.rawValue)") }
    }

    @Test func documentShowsTheSameTable() throws {
        let text = try String(contentsOf: Self.packageRoot().appending(path: "Docs/Jobs.md"), encoding: .utf8)
        let table = try #require(Self.markdownTable(after: "## The transition table", in: text))
        #expect(table.header == ["state"] + Column.allCases.map(\.rawValue))
        #expect(table.rows.map { $0.first } == Row.allCases.map(\.rawValue))
        for (row, cells) in table.rows {
            guard let known = Row(rawValue: row) else { continue }
            #expect(cells == Self.expected[known], "row \(row)")
        }
    }

    /// The cases the page lists below the table.
    enum OffTable: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case staleAttempt = "stale attempt after the job was claimed again"
        case otherWorker = "another worker"
        case retryableFailOnLastAttempt = "retryable fail on the last attempt"
        case leaseExpiredOnLastAttempt = "lease expired on the last attempt"
        case claimDuringBackoff = "claim during backoff"
        case expireWhileLeaseRuns = "expireLease while the lease runs"
        case conflictingSubmission = "conflicting submission"
        case foreignAdminCancels = "admin of another organisation cancels"
        case systemKills = "system kills"

        var testDescription: String { rawValue }
    }

    @Test(arguments: [
        (OffTable.staleAttempt, "refused: not_lease_holder"),
        (.otherWorker, "refused: not_lease_holder"),
        (.retryableFailOnLastAttempt, "failed → failed"),
        (.leaseExpiredOnLastAttempt, "expired → failed"),
        (.claimDuringBackoff, "refused: not_allowed"),
        (.expireWhileLeaseRuns, "refused: not_allowed"),
        (.conflictingSubmission, "refused: conflicting_submission"),
        (.foreignAdminCancels, "refused: forbidden"),
        (.systemKills, "killed → killed"),
    ])
    func caseOutsideTheTable(_ situation: OffTable, _ expected: String) throws {
        let running = try #require(try Fixture.job(in: .running))
        let now = Fixture.duringLease
        let job: Job
        let command: JobCommand
        var time = now
        switch situation {
        case .staleAttempt:
            // The lease runs out, the sweeper puts the job back, the same worker claims attempt 2.
            let expired = try #require(JobDecider.decide(running, .expireLease, now: Fixture.afterLease).acceptedEvents)
            let pending = try #require(Fixture.fold(expired, onto: running, at: Fixture.afterLease))
            time = Fixture.afterLease.addingTimeInterval(10)
            let claimed = try #require(JobDecider.decide(pending, .claim(worker: Fixture.worker, lease: 30), now: time).acceptedEvents)
            job = try #require(Fixture.fold(claimed, onto: pending, at: time))
            try #require(job.attempt == 2 && job.worker == Fixture.worker)
            command = .complete(worker: Fixture.worker, attempt: 1, result: nil)
        case .otherWorker:
            job = running
            command = .renewLease(worker: "w2", attempt: 1, lease: 30)
        case .retryableFailOnLastAttempt:
            job = try #require(Fixture.fold(try Fixture.history(for: .running, maxAttempts: 1)))
            command = .fail(worker: Fixture.worker, attempt: 1, error: "flaky", retryable: true)
        case .leaseExpiredOnLastAttempt:
            job = try #require(Fixture.fold(try Fixture.history(for: .running, maxAttempts: 1)))
            command = .expireLease
            time = Fixture.afterLease
        case .claimDuringBackoff:
            let retrying = try #require(JobDecider.decide(running, try Fixture.command(.failRetryable), now: now).acceptedEvents)
            job = try #require(Fixture.fold(retrying, onto: running, at: now))
            command = .claim(worker: Fixture.worker, lease: 30)
        case .expireWhileLeaseRuns:
            job = running
            command = .expireLease
        case .conflictingSubmission:
            job = running
            command = .submit(try Fixture.submission(type: "other"))
        case .foreignAdminCancels:
            job = running
            command = .cancel(actor: Fixture.foreignAdmin, reason: "not theirs")
        case .systemKills:
            job = running
            command = .kill(actor: .system, reason: "maintenance")
        }
        let decision = JobDecider.decide(job, command, now: time)
        let actual = try Fixture.cell(decision, before: job, at: time)
        #expect(actual == expected)
    }

    @Test func backoffDoublesFromTheBaseDelayUpToTheCap() {
        let policy = RetryPolicy(baseDelay: 2, maxDelay: 20)
        #expect((1...6).map { policy.delay(afterAttempt: $0) } == [2, 4, 8, 16, 20, 20])
        #expect(RetryPolicy().delay(afterAttempt: 1) == 1)
    }

    // MARK: Reading the page

    /// The package root: the nearest folder above this file holding Package.swift.
    static func packageRoot(from file: String = #filePath) throws -> URL {
        var folder = URL(fileURLWithPath: file).deletingLastPathComponent()
        while folder.path != "/" {
            if FileManager.default.fileExists(atPath: folder.appending(path: "Package.swift").path) { return folder }
            folder.deleteLastPathComponent()
        }
        throw TableError.packageRootNotFound(file)
    }

    /// The first Markdown table after `heading`: its header cells and its rows
    /// (first cell, remaining cells), with backticks and padding removed.
    static func markdownTable(after heading: String, in text: String) -> (header: [String], rows: [(first: String, cells: [String])])? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard let start = lines.firstIndex(of: heading) else { return nil }
        let tableLines = lines[(start + 1)...].drop { !$0.hasPrefix("|") }.prefix { $0.hasPrefix("|") }
        let parsed = tableLines.map { line -> [String] in
            var inner = line.dropFirst()
            if inner.hasSuffix("|") { inner = inner.dropLast() }
            return inner.split(separator: "|", omittingEmptySubsequences: false).map {
                $0.replacingOccurrences(of: "`", with: "").trimmingCharacters(in: .whitespaces)
            }
        }
        guard parsed.count >= 2, let header = parsed.first else { return nil }
        let body = parsed.dropFirst().filter { cells in !cells.allSatisfy { $0.allSatisfy { "-: ".contains($0) } } }
        return (header, body.map { ($0.first ?? "", Array($0.dropFirst())) })
    }

    enum TableError: Error {
        case packageRootNotFound(String)
        case unexpectedDecision(String)
    }
}

// MARK: - Fixtures

extension JobDecision {
    /// The events of an accepted decision; `nil` when refused.
    fileprivate var acceptedEvents: [JobEvent]? {
        if case .accepted(let events, _) = self { return events }
        return nil
    }
}

/// Jobs built by folding events, and the commands of the table's columns.
private enum Fixture {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)
    /// The history's events are one second apart; the lease ends 30 s after the start.
    static let leaseEnd = start.addingTimeInterval(30)
    static let duringLease = start.addingTimeInterval(10)
    static let afterLease = start.addingTimeInterval(60)

    static let jobID = "table-job"
    static let worker = "w1"
    static let owner = Actor(id: "owner", role: .user, organisation: "acme")
    static let stranger = Actor(id: "stranger", role: .user, organisation: "acme")
    static let admin = Actor(id: "acme-admin", role: .admin, organisation: "acme")
    static let foreignAdmin = Actor(id: "other-admin", role: .admin, organisation: "globex")

    // The event payloads have no public initialisers, but they are Codable.
    static func decoded<T: Decodable>(_ json: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return try decoder.decode(T.self, from: Data(json.utf8))
    }

    static func submission(type: String = "email", maxAttempts: Int = 3) throws -> JobEvent.Submitted {
        try decoded("""
            {"id": "\(jobID)", "type": "\(type)", "owner": "\(owner.id)", "organisation": "\(owner.organisation)",
             "payload": "{}", "priority": 0, "maxAttempts": \(maxAttempts)}
            """)
    }

    static func stop(by actor: String, _ reason: String) throws -> JobEvent.Stop {
        try decoded(#"{"actor": "\#(actor)", "reason": "\#(reason)"}"#)
    }

    /// The events that lead to the row's state.
    static func history(for row: TransitionTableTests.Row, maxAttempts: Int = 3) throws -> [JobEvent] {
        if row == .noJob { return [] }
        let submitted = JobEvent.submitted(try submission(maxAttempts: maxAttempts))
        let claimed = JobEvent.claimed(try decoded(
            #"{"worker": "\#(worker)", "attempt": 1, "leaseUntil": \#(leaseEnd.timeIntervalSince1970)}"#))
        let running = [submitted, claimed]
        let requested = running + [.cancelRequested(try stop(by: owner.id, "not needed"))]
        switch row {
        case .noJob:
            return []
        case .pending:
            return [submitted]
        case .running:
            return running
        case .cancelRequested:
            return requested
        case .completed:
            return running + [.completed(try decoded(#"{"worker": "\#(worker)", "attempt": 1, "result": "{}"}"#))]
        case .failed:
            return running + [.failed(try decoded(
                #"{"worker": "\#(worker)", "attempt": 1, "error": "bad input", "cause": "notRetryable"}"#))]
        case .cancelled:
            return requested + [.cancelled(try stop(by: worker, "not needed"))]
        case .killed:
            return running + [.killed(try stop(by: admin.id, "runaway"))]
        }
    }

    /// Folds `events` onto `job`, the first at `time` and each next one a second later.
    static func fold(_ events: [JobEvent], onto job: Job? = nil, at time: Date = start) -> Job? {
        var job = job
        let base = job?.version ?? 0
        for (index, event) in events.enumerated() {
            let version = base + UInt64(index) + 1
            job = JobEvolver.evolve(
                job, event,
                context: EventContext(
                    position: version, version: version, recordedAt: time.addingTimeInterval(Double(index))))
        }
        return job
    }

    static func job(in row: TransitionTableTests.Row) throws -> Job? {
        let events = try history(for: row)
        let job = fold(events)
        if !events.isEmpty && job == nil {
            throw TransitionTableTests.TableError.unexpectedDecision("the history of \(row.rawValue) does not fold")
        }
        return job
    }

    static func command(_ column: TransitionTableTests.Column) throws -> JobCommand {
        switch column {
        case .submit: return .submit(try submission())
        case .claim: return .claim(worker: worker, lease: 30)
        case .renewLease: return .renewLease(worker: worker, attempt: 1, lease: 30)
        case .complete: return .complete(worker: worker, attempt: 1, result: "{}")
        case .failRetryable: return .fail(worker: worker, attempt: 1, error: "flaky", retryable: true)
        case .failFinal: return .fail(worker: worker, attempt: 1, error: "bad input", retryable: false)
        case .cancelByOwner: return .cancel(actor: owner, reason: "not needed")
        case .cancelByStranger: return .cancel(actor: stranger, reason: "not mine")
        case .acknowledgeCancel: return .acknowledgeCancel(worker: worker, attempt: 1)
        case .killByAdmin: return .kill(actor: admin, reason: "runaway")
        case .killByOwner: return .kill(actor: owner, reason: "runaway")
        case .retryByOwner: return .retry(actor: owner)
        case .expireLease: return .expireLease
        }
    }

    /// A decision written the way the table writes it.
    static func cell(_ decision: JobDecision, before job: Job?, at time: Date) throws -> String {
        switch decision {
        case .refused(let refusal):
            return "refused: \(refusal.outcome.rawValue)"
        case .accepted(let events, let outcome) where events.isEmpty:
            return "\(outcome.rawValue) (no event)"
        case .accepted(let events, let outcome):
            guard let after = fold(events, onto: job, at: time) else {
                throw TransitionTableTests.TableError.unexpectedDecision("\(events) do not fold onto \(String(describing: job))")
            }
            return "\(outcome.rawValue) → \(after.state.rawValue)"
        }
    }
}
