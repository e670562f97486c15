import EventStore
import Foundation
import JobLedgerTestSupport
import PostgresEventStore
import Testing

/// What only the PostgreSQL backend has: its URL, its schema, its server.
@Suite struct PostgresStoreTests {
    @Test("a URL that names no user, no database, a bad port or an unknown parameter is refused naming the problem",
          arguments: [
            ("mysql://u@h/db", "postgresql://"), ("postgresql://h/db", "no user"), ("postgresql://u@h/", "no database"),
            ("postgresql://u@h:99999/db", "port"), ("postgresql://u@/db?host=/tmp&sslmode=require", "sslmode"),
            ("postgresql://u@/db", "no host"), ("postgresql://u@/db?host=/tmp&schema=Drop;Table", "schema"),
          ])
    func badURLsAreRefusedNamingTheProblem(url: String, named: String) {
        #expect {
            _ = try PostgresLocation(url: url)
        } throws: { error in
            guard let error = error as? EventStoreError, error.code == .notALedger else { return false }
            return error.description.contains(named)
        }
    }

    @Test("a password in the URL is never shown")
    func thePasswordIsNeverShown() throws {
        let location = try PostgresLocation(url: "postgresql://ops:s3cret@db.internal:6543/jobs")
        #expect(location.password == "s3cret" && location.port == 6543 && location.host == "db.internal")
        #expect(!location.description.contains("s3cret"))
        #expect {
            _ = try PostgresLocation(url: "postgresql://ops:s3cret@db.internal/jobs?nope=1")
        } throws: { error in !String(describing: error).contains("s3cret") }
    }

    @Test("after a newer build rebuilt the projections of the database, an older store's appends are refused and store nothing")
    func appendAfterANewerRebuildIsRefused() async throws {
        let url = try PostgresTestCluster.shared.freshLedgerURL()
        var older = EventStoreOptions()
        older.durability = .noSyncForTestsAndBenchmarks
        older.projections = [VersionedCountProjection(version: 1)]
        let store = try PostgresEventStore.open(url: url, options: older)
        _ = try await store.append(to: "older", expectedVersion: .any, events: [sampleEvent("1")])

        var newer = older
        newer.projections = [VersionedCountProjection(version: 2)]
        let rebuilt = try PostgresEventStore.open(url: url, options: newer)
        _ = try await rebuilt.append(to: "newer", expectedVersion: .any, events: [sampleEvent("2")])
        let newerVersion = EventStore.projectionVersion(of: newer.projections)

        let last = try store.lastPosition()
        do {
            _ = try await store.append(to: "older", expectedVersion: .exact(1), events: [sampleEvent("3")])
            Issue.record("the older store's append was not refused")
        } catch {
            #expect(error.code == .projectionsRebuilt)
            #expect(error.description.contains("projection version \(newerVersion)"))
            #expect(error.description.contains("must be restarted"))
        }
        #expect(try store.lastPosition() == last)
        #expect(try store.streamVersion("older") == 1)
        _ = try await rebuilt.append(to: "newer", expectedVersion: .exact(1), events: [sampleEvent("4")])
        #expect(try rebuilt.lastPosition() == last + 1)
    }

    @Test("two ledgers in schemas of one database are apart: positions, streams and notifications")
    func ledgersInSchemasOfOneDatabaseAreApart() async throws {
        let first = try PostgresEventStore.open(url: try PostgresTestCluster.shared.freshLedgerURL())
        let secondURL = try PostgresTestCluster.shared.freshLedgerURL()
        let second = try PostgresEventStore.open(url: secondURL)
        _ = try await first.append(to: "s", expectedVersion: .noStream, events: [sampleEvent(), sampleEvent()])
        _ = try await second.append(to: "s", expectedVersion: .noStream, events: [sampleEvent()])
        #expect(try first.lastPosition() == 2 && second.lastPosition() == 1)
        #expect(try first.streamVersion("s") == 2 && second.streamVersion("s") == 1)
        // A second process's view of the second ledger hears its commits only.
        let watcher = try PostgresEventStore.open(url: secondURL)
        let generation = watcher.commitGeneration
        _ = try await first.append(to: "t", expectedVersion: .noStream, events: [sampleEvent()])
        await watcher.waitForCommit(after: generation, timeout: .milliseconds(300))
        #expect(watcher.commitGeneration == generation)
        _ = try await second.append(to: "t", expectedVersion: .noStream, events: [sampleEvent()])
        await watcher.waitForCommit(after: generation, timeout: .seconds(10))
        #expect(watcher.commitGeneration != generation)
    }

    @Test("two writers on one ledger, taking turns, each fold the other's events into the projection: nothing remembered goes stale")
    func writersTakingTurnsNeverFoldFromStaleRows() async throws {
        let url = try PostgresTestCluster.shared.freshLedgerURL()
        var options = EventStoreOptions()
        options.projections = [StreamCountProjection()]
        let first = try PostgresEventStore.open(url: url, options: options)
        let second = try PostgresEventStore.open(url: url, options: options)
        for round in 0..<30 {
            let writer = round % 3 == 0 ? second : first
            _ = try await writer.append(to: "counted", expectedVersion: .any, events: [sampleEvent()])
            if round == 17 { _ = try first.rebuildProjections() }
        }
        #expect(try StreamCountProjection.count("counted", in: first) == 30)
        #expect(try StreamCountProjection.count("counted", in: second) == 30)
        #expect(try first.verifyProjections().isEmpty)
    }

    @Test("a store opened without the ledger's projections refuses appends and imports alike, writing nothing")
    func aStoreWithoutTheProjectionsRefusesAppendsAndImports() throws {
        let url = try PostgresTestCluster.shared.freshLedgerURL()
        var options = EventStoreOptions()
        options.projections = [StreamCountProjection()]
        let keeper = try PostgresEventStore.open(url: url, options: options)
        _ = try keeper.append(to: "s", expectedVersion: .noStream, events: [sampleEvent()])
        let elsewhere = try PostgresEventStore.open(url: try PostgresTestCluster.shared.freshLedgerURL())
        _ = try elsewhere.append(to: "moved", expectedVersion: .noStream, events: [sampleEvent()])
        var exported = ""
        try elsewhere.exportEvents(to: &exported)
        let plain = try PostgresEventStore.open(url: url)
        #expect(throws: EventStoreError.self) {
            try plain.append(to: "t", expectedVersion: .noStream, events: [sampleEvent()])
        }
        #expect(throws: ImportError.self) {
            try plain.importEvents(jsonLines: Data(exported.utf8))
        }
        #expect(try keeper.lastPosition() == 1)
    }

    @Test("a server that cannot be reached is a database error naming where, not a crash")
    func anUnreachableServerIsADatabaseError() {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("no-server-\(UUID())").path
        #expect {
            _ = try PostgresEventStore.open(url: "postgresql://nobody@/nothing?host=\(directory)")
        } throws: { error in
            guard let error = error as? EventStoreError, error.code == .database else { return false }
            return error.description.contains(directory)
        }
    }

    @Test("a ledger whose schema is newer than the program's is refused, and nothing is changed")
    func aNewerSchemaIsRefused() throws {
        let url = try PostgresTestCluster.shared.freshLedgerURL()
        do {
            let store = try PostgresEventStore.open(url: url)
            _ = try store.append(to: "s", expectedVersion: .noStream, events: [sampleEvent()])
        }
        let cluster = try PostgresTestCluster.shared
        _ = try cluster.psql("UPDATE jobledger_meta SET value = '99' WHERE name = 'schema_version'", database: url)
        #expect {
            _ = try PostgresEventStore.open(url: url)
        } throws: { error in
            guard let error = error as? EventStoreError, error.code == .notALedger else { return false }
            return error.description.contains("schema version 99")
        }
        _ = try cluster.psql("UPDATE jobledger_meta SET value = '1' WHERE name = 'schema_version'", database: url)
        #expect(try PostgresEventStore.open(url: url).lastPosition() == 1)
    }

    @Test("an event whose stored bytes were changed fails its checksum on every read")
    func aChangedEventFailsItsChecksum() throws {
        let url = try PostgresTestCluster.shared.freshLedgerURL()
        let store = try PostgresEventStore.open(url: url)
        _ = try store.append(to: "s", expectedVersion: .noStream, events: [sampleEvent("first"), sampleEvent("second")])
        // Flip one byte of the second event's payload behind the store's back.
        _ = try PostgresTestCluster.shared.psql(
            "UPDATE jobledger_events SET envelope = set_byte(envelope, length(envelope) - 6, 33) WHERE position = 2",
            database: url)
        #expect(throws: EventStoreError.self) { _ = try store.event(at: 2) }
        #expect(try store.event(at: 1) != nil)
        let report = try store.verifyLog()
        #expect(report.problems.map(\.position) == [2])
        #expect(throws: EventStoreError.self) { try store.exportEvents { _ in } }
    }
}
