import EventStore
import Foundation
import JobLedger
import Testing

/// Recurring schedules: one job per occurrence, owned by whoever set the
/// schedule, on the ledger's clock; set and removed by admins and the
/// system only.
@Suite struct RecurringScheduleTests {
    static let every = 60

    @Test func aScheduleSubmitsOneJobPerOccurrenceOwnedByItsSetterAndMakesUpNoMissedOnes() async throws {
        let ledger = TemporaryJobLedger()
        let clock = TestClock()
        let jobs = try ledger.open(clock: clock)
        let start = clock.current + 10
        let set = try await jobs.setSchedule(
            RecurringSchedule(name: "digest", type: "mail", payload: #"{"kind":"daily"}"#, everySeconds: Self.every, start: start, priority: 3),
            by: acmeAdmin)
        #expect(set.owner == "root" && set.organisation == "acme" && set.role == .admin)
        #expect(try await jobs.fireDueSchedules().isEmpty)

        clock.advance(10)
        let first = try await jobs.fireDueSchedules()
        #expect(first == [set.jobID(for: start)])
        let job = try #require(try jobs.job(first[0]))
        #expect(job.type == "mail" && job.owner == "root" && job.organisation == "acme" && job.priority == 3)
        #expect(job.payload == #"{"kind":"daily"}"# && job.runAt == start && job.state == .pending)
        // Within the same occurrence, firing again submits nothing.
        clock.advance(30)
        #expect(try await jobs.fireDueSchedules().isEmpty)

        // Three periods later: the occurrences in between were missed, only the last is submitted.
        clock.advance(Double(3 * Self.every))
        let later = try await jobs.fireDueSchedules()
        #expect(later == [set.jobID(for: start + Double(3 * Self.every))])
        #expect(try jobs.list(JobQuery(type: "mail"), limit: 10).jobs.count == 2)
        #expect(try await jobs.claim(worker: "w1", lease: 30)?.id == first[0])
    }

    @Test func onlyAdminsAndTheSystemSetSchedulesAndBadSchedulesAreRefusedChangingNothing() async throws {
        let ledger = TemporaryJobLedger()
        let clock = TestClock()
        let jobs = try ledger.open(clock: clock)
        let good = RecurringSchedule(name: "s", type: "t", everySeconds: 60, start: clock.current)
        await #expect { try await jobs.setSchedule(good, by: alice) } throws: { error in
            (error as? JobLedgerError)?.code == .forbidden
        }
        var cases: [(RecurringSchedule, String)] = []
        var schedule = good
        schedule.everySeconds = 0
        cases.append((schedule, "every"))
        schedule = good
        schedule.everySeconds = RecurringSchedule.maxEverySeconds + 1
        cases.append((schedule, "every"))
        schedule = good
        schedule.name = String(repeating: "n", count: RecurringSchedule.maxNameBytes + 1)
        cases.append((schedule, "name"))
        schedule = good
        schedule.name = "no spaces"
        cases.append((schedule, "name"))
        schedule = good
        schedule.payload = "{"
        cases.append((schedule, "payload"))
        schedule = good
        schedule.start = Date(timeIntervalSince1970: 1e15)
        cases.append((schedule, "start"))
        schedule = good
        schedule.maxAttempts = 0
        cases.append((schedule, "maxAttempts"))
        for (bad, field) in cases {
            do {
                try await jobs.setSchedule(bad, by: acmeAdmin)
                Issue.record("accepted a bad \(field)")
            } catch {
                #expect(error.code == .invalidInput, "\(field): \(error)")
                #expect("\(error)".localizedCaseInsensitiveContains(field == "maxAttempts" ? "attempt" : field), "\(error)")
            }
        }
        #expect(try jobs.schedules().isEmpty)
        #expect(try jobs.store.readStream("schedules").isEmpty)
        let system = Actor(id: "ledger", role: .system, organisation: "ops")
        #expect(try await jobs.setSchedule(good, by: system).owner == "ledger")
    }

    @Test func aRemovedScheduleFiresNoMoreAndItsJobsStay() async throws {
        let ledger = TemporaryJobLedger()
        let clock = TestClock()
        let jobs = try ledger.open(clock: clock)
        try await jobs.setSchedule(RecurringSchedule(name: "a", type: "t", everySeconds: 5, start: clock.current), by: acmeAdmin)
        try await jobs.setSchedule(RecurringSchedule(name: "b", type: "t", everySeconds: 7, start: clock.current), by: acmeAdmin)
        #expect(try await jobs.fireDueSchedules().count == 2)
        await #expect { try await jobs.removeSchedule("a", by: bob) } throws: { error in
            (error as? JobLedgerError)?.code == .forbidden
        }
        #expect(try await jobs.removeSchedule("a", by: acmeAdmin, reason: "done"))
        #expect(try await jobs.removeSchedule("a", by: acmeAdmin) == false)
        #expect(try jobs.schedules().map(\.name) == ["b"])
        clock.advance(35)
        #expect(try await jobs.fireDueSchedules().map { $0.hasPrefix("b.") } == [true])
        #expect(try jobs.list(JobQuery(type: "t"), limit: 10).jobs.count == 3)
        // Replacing a schedule keeps its name: the stream holds every change.
        try await jobs.setSchedule(RecurringSchedule(name: "b", type: "u", everySeconds: 3600, start: clock.current), by: acmeAdmin)
        #expect(try jobs.schedules().first?.type == "u")
        #expect(try jobs.store.readStream("schedules").map(\.type) == ["ScheduleSet", "ScheduleSet", "ScheduleRemoved", "ScheduleSet"])
    }
}
