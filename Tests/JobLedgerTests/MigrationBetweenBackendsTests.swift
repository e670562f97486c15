import EventStore
import Foundation
import JobLedger
import JobLedgerTestSupport
import PostgresEventStore
import Testing

/// A ledger moves between LMDB and PostgreSQL through its export: every
/// event arrives with its id, stream, version, time and actor, so that the
/// export of the new ledger is the old one's, byte for byte.
@Suite struct MigrationBetweenBackendsTests {
    @Test("an export moves a ledger from LMDB to PostgreSQL and back, and each re-export is the same bytes")
    func exportAndImportRoundTripAcrossBackends() async throws {
        let directory = TemporaryJobLedger()
        var options = JobLedgerOptions()
        options.store = .noSync
        let original = try JobLedger(path: directory.path + "-lmdb", options: options)
        defer { try? FileManager.default.removeItem(atPath: directory.path + "-lmdb") }
        try await ProjectionTests.runWorkload(original)
        let exported = try Self.export(original)
        let events = try original.store.lastPosition()
        #expect(events > 100)

        let url = try PostgresTestCluster.shared.freshLedgerURL()
        let shared = try JobLedger(options: options) { (storeOptions) throws(EventStoreError) in
            try PostgresEventStore.open(url: url, options: storeOptions)
        }
        let report = try shared.importEvents(jsonLines: Data(exported.utf8))
        #expect(report.imported == Int(events) && report.skipped == 0)
        #expect(try Self.export(shared) == exported)
        #expect(try shared.store.digest() == original.store.digest())
        #expect(try shared.verifyProjections().isEmpty)
        #expect(try shared.store.verifyLog().isClean)
        for index in [0, 7, 59] {
            #expect(try shared.job("p\(index)") == original.job("p\(index)"))
        }
        // Importing the same file again skips every event and changes nothing.
        let again = try shared.importEvents(jsonLines: Data(exported.utf8))
        #expect(again.imported == 0 && again.skipped == Int(events))

        let back = try JobLedger(path: directory.path + "-back", options: options)
        defer { try? FileManager.default.removeItem(atPath: directory.path + "-back") }
        _ = try back.importEvents(jsonLines: Data(try Self.export(shared).utf8))
        #expect(try Self.export(back) == exported)
    }

    private static func export(_ jobs: JobLedger) throws -> String {
        var text = ""
        try jobs.store.exportEvents(to: &text)
        return text
    }
}
