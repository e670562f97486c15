import Foundation
import JobLedger
import Testing

/// The table of the system's commands of timeouts and dependencies in
/// Docs/Jobs.md, checked cell by cell against the decider and the evolver,
/// and against the page.
@Suite struct SystemCommandTableTests {
    typealias Row = TransitionTableTests.Row

    enum Column: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case timeOutPastDeadline = "timeOut(deadline passed)"
        case timeOutBeforeDeadline = "timeOut(before deadline)"
        case dependencyCompleted = "resolveDependency(completed)"
        case dependencyFailed = "resolveDependency(failed)"

        var testDescription: String { rawValue }
    }

    static let notAllowed = Array(repeating: "refused: not_allowed", count: 4)
    static let expected: [Row: [String]] = [
        .noJob: Array(repeating: "refused: not_found", count: 4),
        .pending: ["refused: not_allowed", "refused: not_allowed", "dependency_met → pending", "cancelled → cancelled"],
        .running: ["timed_out → pending", "refused: not_allowed", "refused: not_allowed", "refused: not_allowed"],
        .cancelRequested: ["timed_out → cancelled", "refused: not_allowed", "refused: not_allowed", "refused: not_allowed"],
        .completed: notAllowed, .failed: notAllowed, .cancelled: notAllowed, .killed: notAllowed,
    ]

    static let start = Date(timeIntervalSince1970: 1_800_000_000)
    /// Events are a second apart: the claim is the third, at start + 2.
    static let claimedAt = start + 2

    static func history(_ row: Row) -> [JobEvent] {
        let submitted = JobEvent.submitted(.init(
            id: "j", type: "t", owner: "owner", organisation: "acme", payload: "{}", priority: 0, maxAttempts: 3,
            timeoutMillis: 10_000, after: ["d"]))
        let running: [JobEvent] = [
            submitted, .dependencyMet(.init(dependency: "d")),
            .claimed(.init(worker: "w1", attempt: 1, leaseUntil: start + 600)),
        ]
        let requested = running + [.cancelRequested(.init(actor: "owner", reason: "stop"))]
        switch row {
        case .noJob: return []
        case .pending: return [submitted]
        case .running: return running
        case .cancelRequested: return requested
        case .completed: return running + [.completed(.init(worker: "w1", attempt: 1))]
        case .failed: return running + [.failed(.init(worker: "w1", attempt: 1, error: "bad", retryable: false))]
        case .cancelled: return requested + [.cancelled(.init(actor: "w1", reason: "stop"))]
        case .killed: return running + [.killed(.init(actor: "root", reason: "runaway"))]
        }
    }

    static func fold(_ events: [JobEvent], onto job: Job? = nil, at time: Date = start) -> Job? {
        var job = job
        let base = job?.version ?? 0
        for (index, event) in events.enumerated() {
            let version = base + UInt64(index) + 1
            job = JobEvolver.evolve(
                job, event, context: EventContext(position: version, version: version, recordedAt: time + Double(index)))
        }
        return job
    }

    static func cell(_ row: Row, _ column: Column) -> String {
        let job = fold(history(row))
        let command: JobCommand
        let now: Date
        switch column {
        case .timeOutPastDeadline: (command, now) = (.timeOut, claimedAt + 10)
        case .timeOutBeforeDeadline: (command, now) = (.timeOut, claimedAt + 5)
        case .dependencyCompleted: (command, now) = (.resolveDependency(dependency: "d", state: .completed), claimedAt + 5)
        case .dependencyFailed: (command, now) = (.resolveDependency(dependency: "d", state: .failed), claimedAt + 5)
        }
        switch JobDecider.decide(job, command, now: now) {
        case .refused(let refusal): return "refused: \(refusal.outcome.rawValue)"
        case .accepted(let events, let outcome) where events.isEmpty: return "\(outcome.rawValue) (no event)"
        case .accepted(let events, let outcome):
            return "\(outcome.rawValue) → \(fold(events, onto: job, at: now)?.state.rawValue ?? "nothing")"
        }
    }

    @Test(arguments: Row.allCases, Column.allCases)
    func cellMatchesTheDecider(_ row: Row, _ column: Column) throws {
        let expectedRow = try #require(Self.expected[row])
        let index = try #require(Column.allCases.firstIndex(of: column))
        #expect(Self.cell(row, column) == expectedRow[index])
    }

    @Test func documentShowsTheSameTable() throws {
        let text = try String(
            contentsOf: TransitionTableTests.packageRoot().appending(path: "Docs/Jobs.md"), encoding: .utf8)
        let table = try #require(
            TransitionTableTests.markdownTable(after: "### The system's commands of timeouts and dependencies", in: text))
        #expect(table.header == ["state"] + Column.allCases.map(\.rawValue))
        #expect(table.rows.map(\.first) == Row.allCases.map(\.rawValue))
        for (row, cells) in table.rows {
            guard let known = Row(rawValue: row) else { continue }
            #expect(cells == Self.expected[known], "row \(row)")
        }
    }

    @Test func aTimeoutOnTheLastAttemptFailsTheJob() {
        var events = Self.history(.running)
        events[0] = .submitted(.init(
            id: "j", type: "t", owner: "owner", organisation: "acme", payload: "{}", priority: 0, maxAttempts: 1,
            timeoutMillis: 10_000, after: ["d"]))
        let job = Self.fold(events)
        guard case .accepted(let decided, .timedOut) = JobDecider.decide(job, .timeOut, now: Self.claimedAt + 10) else {
            Issue.record("not timed out")
            return
        }
        let after = Self.fold(decided, onto: job, at: Self.claimedAt + 10)
        #expect(after?.state == .failed)
        #expect(after?.error == "attempt 1 timed out after 10 s")
    }

    @Test func aJobStillWaitingCannotBeClaimed() {
        let job = Self.fold(Self.history(.pending))
        #expect(JobDecider.decide(job, .claim(worker: "w1", lease: 30), now: Self.start + 60) == .refused(.invalidTransition(from: .pending)))
    }
}
