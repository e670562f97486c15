import EventStore
import Foundation
@testable import JobLedger
import Testing

/// Refused changes of a type's settings are audited as refused job
/// commands are, and change nothing else.
@Suite struct SettingsRefusalAuditTests {
    @Test func aUsersPauseResumeLimitAndRateAreRefusedAndAuditedWithoutChangingTheType() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        try jobs.setConcurrencyLimit(4, forType: "mail", by: acmeAdmin)
        let settings = try jobs.queueSettings("mail")
        let queueVersion = try jobs.store.streamVersion("queue-mail")
        let attempts: [(String, () throws -> Void)] = [
            ("pause", { try jobs.pauseQueue("mail", by: alice, reason: "mine") }),
            ("resume", { try jobs.resumeQueue("mail", by: alice) }),
            ("limit", { try jobs.setConcurrencyLimit(1, forType: "mail", by: alice, reason: "slower") }),
            ("rate", { try jobs.setRateLimit(5, per: 1, forType: "mail", by: alice) }),
        ]
        for (action, attempt) in attempts {
            #expect(throws: JobLedgerError.self, "\(action)") { try attempt() }
        }
        #expect(try jobs.queueSettings("mail") == settings)
        #expect(try jobs.store.streamVersion("queue-mail") == queueVersion)
        let refusals = try jobs.settingsRefusals()
        #expect(refusals.map(\.action) == ["pause", "resume", "limit", "rate"])
        for entry in refusals {
            #expect(entry.jobID == "queue-mail")
            #expect(entry.actor == "alice" && entry.role == .user && entry.organisation == "acme")
            #expect(entry.outcome == .forbidden)
            #expect(entry.detail == "only an admin or the system may change the settings of a job type")
        }
        #expect(refusals[0].reason == "mine" && refusals[2].reason == "slower")
        // The stored events carry the actor and request of the entry.
        let events = try jobs.store.readStream(SettingsAudit.stream)
        #expect(zip(events, refusals).allSatisfy { $0.actor == $1.actor && $0.correlationID == $1.requestID })
    }

    @Test func aUsersChangesOfSchedulesAreRefusedAndAuditedWithoutChangingThem() async throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        let nightly = RecurringSchedule(name: "nightly", type: "report", everySeconds: 86_400, start: Date(timeIntervalSince1970: 2_000_000_000))
        _ = try await jobs.setSchedule(nightly, by: acmeAdmin)
        let version = try jobs.store.streamVersion(ScheduleEvents.stream)
        #expect(throws: JobLedgerError.self) { try jobs.setSchedule(nightly, by: alice) }
        #expect(throws: JobLedgerError.self) { try jobs.setSchedulePaused(true, name: "nightly", by: alice) }
        await #expect(throws: JobLedgerError.self) { try await jobs.removeSchedule("nightly", by: alice, reason: "mine now") }
        #expect(try jobs.store.streamVersion(ScheduleEvents.stream) == version)
        #expect(try jobs.schedules().map(\.paused) == [false])
        let refusals = try jobs.settingsRefusals()
        #expect(refusals.map(\.action) == ["set a schedule", "pause a schedule", "remove a schedule"])
        #expect(refusals.allSatisfy { $0.jobID == ScheduleEvents.stream && $0.actor == "alice" && $0.outcome == .forbidden })
        #expect(refusals.last?.reason == "mine now")
    }

    @Test func anAsyncRefusalIsAuditedToo() async throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        let worker = Actor(id: "w1", role: .worker, organisation: "acme")
        await #expect(throws: JobLedgerError.self) { try await jobs.pauseQueue("mail", by: worker, reason: "stop") }
        let refusals = try jobs.settingsRefusals()
        #expect(refusals.map(\.actor) == ["w1"] && refusals.first?.role == .worker)
        #expect(try jobs.store.streamVersion("queue-mail") == 0)
    }

    @Test func badInputIsRefusedBeforeAnythingIsAudited() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        #expect(throws: JobLedgerError.self) { try jobs.pauseQueue(" bad", by: alice, reason: "x") }
        #expect(try jobs.store.lastPosition() == 0)
    }

    @Test func refusalsSurviveExportAndImport() throws {
        let source = TemporaryJobLedger()
        let jobs = try source.open()
        _ = try? jobs.pauseQueue("mail", by: alice, reason: "mine")
        var text = ""
        try jobs.store.exportEvents(to: &text)
        let target = TemporaryJobLedger()
        let restored = try target.open()
        _ = try restored.importEvents(jsonLines: Data(text.utf8))
        #expect(try restored.settingsRefusals() == jobs.settingsRefusals())
    }
}
