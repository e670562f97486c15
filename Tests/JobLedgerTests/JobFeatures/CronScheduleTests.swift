import EventStore
import Foundation
@testable import JobLedger
import Testing

/// Schedules set by a cron expression in a time zone, fired by the sweeper
/// on a test clock; what setting one refuses; how they are stored; and the
/// schedules read by one ledger after another changed them.
@Suite struct CronScheduleTests {
    static func at(_ text: String) -> Date {
        guard let date = ISO8601DateFormatter().date(from: text) else { fatalError("bad time in a test: \(text)") }
        return date
    }

    @Test func aCronScheduleInParisFiresOneJobADayAcrossSpringForwardOnATestClock() async throws {
        let ledger = TemporaryJobLedger()
        let clock = TestClock(Self.at("2026-03-27T12:00:00Z"))
        let jobs = try ledger.open(clock: clock)
        let set = try await jobs.setSchedule(
            RecurringSchedule(name: "night", type: "backup", cron: "30 2 * * *", timeZone: "Europe/Paris", start: clock.current),
            by: acmeAdmin)
        #expect(set.cron == "30 2 * * *" && set.timeZone == "Europe/Paris" && set.everySeconds == 0)
        #expect(set.nextOccurrence(after: clock.current) == Self.at("2026-03-28T01:30:00Z"))
        var fired: [String] = []
        // Fire every ten minutes for four days, as the sweeper would (more often changes nothing).
        for _ in 0..<(4 * 24 * 6) {
            clock.advance(600)
            fired += try await jobs.fireDueSchedules()
        }
        // 02:30 CET, the skipped 02:30 at 03:00 CEST, then 02:30 CEST.
        #expect(fired == ["night.20260328T013000Z", "night.20260329T010000Z", "night.20260330T003000Z", "night.20260331T003000Z"])
        let job = try #require(try jobs.job("night.20260329T010000Z"))
        #expect(job.type == "backup" && job.owner == "root" && job.runAt == Self.at("2026-03-29T01:00:00Z"))
    }

    @Test func everyFifteenMinutesWithEachMakesUpWhatWasMissedAndPauseHoldsItBack() async throws {
        let ledger = TemporaryJobLedger()
        let clock = TestClock(Self.at("2026-05-04T09:58:20Z"))
        let jobs = try ledger.open(clock: clock)
        try await jobs.setSchedule(
            RecurringSchedule(name: "q", type: "t", cron: "*/15 9-10 * * MON-FRI", start: clock.current, missed: .each), by: acmeAdmin)
        #expect(try await jobs.fireDueSchedules().isEmpty)
        // Nothing fires until 10:50: 10:00, 10:15, 10:30 and 10:45 are made up, oldest first.
        clock.advance(52 * 60)
        #expect(try await jobs.fireDueSchedules() == ["q.20260504T100000Z", "q.20260504T101500Z", "q.20260504T103000Z", "q.20260504T104500Z"])
        #expect(try await jobs.fireDueSchedules().isEmpty)
        #expect(try await jobs.pauseSchedule("q", by: acmeAdmin)?.paused == true)
        // Past the hours it names: the next is tomorrow at 09:00.
        clock.advance(3600)
        #expect(try await jobs.fireDueSchedules().isEmpty)
        #expect(try jobs.schedules()[0].nextOccurrence(after: clock.current) == Self.at("2026-05-05T09:00:00Z"))
        try await jobs.resumeSchedule("q", by: acmeAdmin)
        #expect(try await jobs.fireDueSchedules().isEmpty)
        // The next morning at 09:05: 09:00 is due; the evening before was all submitted.
        clock.advance(21 * 3600 + 15 * 60)
        #expect(try await jobs.fireDueSchedules() == ["q.20260505T090000Z"])
    }

    @Test func badCronSchedulesAreRefusedNamingWhatIsWrongAndNothingIsAppended() async throws {
        let ledger = TemporaryJobLedger()
        let clock = TestClock()
        let jobs = try ledger.open(clock: clock)
        let good = RecurringSchedule(name: "c", type: "t", cron: "0 * * * *", start: clock.current)
        var cases: [(RecurringSchedule, String, String)] = []
        for (expression, fault) in [
            ("61 * * * *", "minute field"), ("0 25 * * *", "hour field"), ("0 0 0 * *", "day-of-month field"),
            ("0 0 * 0 *", "month field"), ("0 0 * * 9", "day-of-week field"), ("0 0 * *", "4 fields"),
            ("@often", "not a known macro"), ("0 0 30 2 *", "never fires"), ("0 0 31 4,6,9,11 *", "never fires"),
        ] {
            var schedule = good
            schedule.cron = expression
            cases.append((schedule, "cron", fault))
        }
        var schedule = good
        schedule.timeZone = "Mars/Olympus"
        cases.append((schedule, "timeZone", "Mars/Olympus"))
        schedule = good
        schedule.everySeconds = 60
        cases.append((schedule, "every", "not both"))
        schedule = RecurringSchedule(name: "p", type: "t", everySeconds: 60, start: clock.current)
        schedule.timeZone = "Europe/Paris"
        cases.append((schedule, "timeZone", "only"))
        for (bad, field, fault) in cases {
            do {
                try await jobs.setSchedule(bad, by: acmeAdmin)
                Issue.record("accepted \(bad.cron ?? "-") in \(bad.timeZone ?? "-")")
            } catch {
                #expect(error.code == .invalidInput, "\(error)")
                #expect("\(error)".contains(field) && "\(error)".contains(fault), "\(error)")
            }
        }
        #expect(try jobs.store.readStream("schedules").isEmpty)
        // Feb 29 is allowed: it comes round.
        var leap = good
        leap.cron = "0 0 29 2 *"
        #expect(try await jobs.setSchedule(leap, by: acmeAdmin).timeZone == "UTC")
    }

    @Test func aPeriodicScheduleIsStoredExactlyAsBeforeAndACronOneWithItsTwoFields() throws {
        var periodic = RecurringSchedule(
            name: "p", type: "t", everySeconds: 60, start: Date(timeIntervalSince1970: 1_800_000_000), owner: "root", organisation: "acme")
        let old = #"{"everySeconds":60,"maxAttempts":3,"missed":"latest","name":"p","organisation":"acme","owner":"root","paused":false,"payload":"{}","priority":0,"role":"admin","start":"2027-01-15T08:00:00.000Z","type":"t"}"#
        #expect(String(decoding: try JSONCoding.encoder.encode(periodic), as: UTF8.self) == old)
        #expect(try JSONCoding.decoder.decode(RecurringSchedule.self, from: Data(old.utf8)) == periodic)
        // Written before pauses, missed policies and cron: periodic, running, latest.
        let older = #"{"everySeconds":60,"maxAttempts":3,"name":"p","organisation":"acme","owner":"root","payload":"{}","priority":0,"role":"admin","start":"2027-01-15T08:00:00.000Z","type":"t"}"#
        #expect(try JSONCoding.decoder.decode(RecurringSchedule.self, from: Data(older.utf8)) == periodic)

        periodic.everySeconds = 0
        periodic.cron = "30 2 * * *"
        periodic.timeZone = "Europe/Paris"
        let new = #"{"cron":"30 2 * * *","everySeconds":0,"maxAttempts":3,"missed":"latest","name":"p","organisation":"acme","owner":"root","paused":false,"payload":"{}","priority":0,"role":"admin","start":"2027-01-15T08:00:00.000Z","timeZone":"Europe/Paris","type":"t"}"#
        #expect(String(decoding: try JSONCoding.encoder.encode(periodic), as: UTF8.self) == new)
        #expect(try JSONCoding.decoder.decode(RecurringSchedule.self, from: Data(new.utf8)) == periodic)
    }

    @Test func changesMadeByAnotherLedgerOnTheSameFilesAreSeenByTheSweeper() async throws {
        let ledger = TemporaryJobLedger()
        let clock = TestClock(Self.at("2026-05-04T10:00:30Z"))
        let sweeper = try ledger.open(clock: clock)
        let other = try ledger.open(clock: clock)
        #expect(try sweeper.schedules().isEmpty)
        try await other.setSchedule(RecurringSchedule(name: "a", type: "t", cron: "* * * * *", start: clock.current), by: acmeAdmin)
        clock.advance(60)
        #expect(try sweeper.schedules().map(\.name) == ["a"])
        #expect(try await sweeper.fireDueSchedules() == ["a.20260504T100100Z"])
        // Changed, paused, resumed and removed elsewhere: each seen at the next firing.
        try await other.setSchedule(RecurringSchedule(name: "a", type: "u", cron: "*/2 * * * *", start: clock.current), by: acmeAdmin)
        clock.advance(60)
        #expect(try await sweeper.fireDueSchedules() == ["a.20260504T100200Z"])
        #expect(try sweeper.job("a.20260504T100200Z")?.type == "u")
        try await other.pauseSchedule("a", by: acmeAdmin)
        clock.advance(120)
        #expect(try await sweeper.fireDueSchedules().isEmpty)
        try await other.resumeSchedule("a", by: acmeAdmin)
        #expect(try await sweeper.fireDueSchedules() == ["a.20260504T100400Z"])
        try await other.removeSchedule("a", by: acmeAdmin)
        clock.advance(120)
        #expect(try await sweeper.fireDueSchedules().isEmpty)
        #expect(try sweeper.schedules().isEmpty)
        // The sweeper's own changes fold on top of what it read.
        try await sweeper.setSchedule(RecurringSchedule(name: "b", type: "t", everySeconds: 60, start: clock.current), by: acmeAdmin)
        #expect(try other.schedules().map(\.name) == ["b"])
        #expect(try sweeper.schedules().map(\.name) == ["b"])
        #expect(try sweeper.store.readStream("schedules").count == 6)
    }
}
