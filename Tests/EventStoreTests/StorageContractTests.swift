import EventStore
import JobLedgerTestSupport
import PostgresEventStore
import Foundation
import Testing

/// The backends the contract suite runs against. Each test opens a fresh,
/// empty store through ``open(projections:)`` and uses it only through
/// ``EventStorage``: a second backend adds a case and passes the same tests.
enum StorageBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case lmdb
    case postgres

    var testDescription: String { rawValue }

    /// A fresh store with `projections`; `keep` holds whatever must outlive it.
    func open(projections: [any Projection] = []) throws -> (store: any EventStorage, keep: AnyObject) {
        switch self {
        case .lmdb:
            let ledger = TemporaryLedger()
            var options = EventStoreOptions.noSync
            options.projections = projections
            return (try ledger.open(options), ledger)
        case .postgres:
            var options = EventStoreOptions()
            options.projections = projections
            let store = try PostgresEventStore.open(url: try PostgresTestCluster.shared.freshLedgerURL(), options: options)
            return (store, store)
        }
    }
}

/// Counts events per stream in one table, to see what a projection is handed.
struct StreamCountProjection: Projection {
    static let table = ProjectionTable("contractCounts")
    var tables: [ProjectionTable] { [Self.table] }
    var version: Int { 1 }
    var streamPrefix: String? { nil }

    func apply(_ event: RecordedEvent, to tables: borrowing ProjectionWriter) throws {
        let key = Array(event.streamID.utf8)
        let count = try tables.get(Self.table, key).map { UInt64(String(decoding: $0, as: UTF8.self)) ?? 0 } ?? 0
        try tables.put(Self.table, key, Array(String(count + 1).utf8))
    }

    static func count(_ stream: String, in store: any EventStorage) throws -> UInt64 {
        try store.readProjections { tables in
            try tables.get(table, Array(stream.utf8)).map { UInt64(String(decoding: $0, as: UTF8.self)) ?? 0 } ?? 0
        }
    }
}

/// The promises of ``EventStorage``, checked through the protocol alone.
@Suite struct StorageContractTests {
    @Test("concurrent appenders get dense positions, in commit order, each event once", arguments: StorageBackend.allCases)
    func positionsStayDenseUnderConcurrentAppenders(_ backend: StorageBackend) async throws {
        let (store, keep) = try backend.open()
        defer { withExtendedLifetime(keep) {} }
        let writers = 8
        let appendsEach = 40
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    var version: UInt64 = 0
                    for index in 0..<appendsEach {
                        // Two streams per append: the writer's own and a shared one.
                        let result = try await store.append([
                            StreamAppend(
                                streamID: "w\(writer)", expectedVersion: version == 0 ? .noStream : .exact(version),
                                events: [sampleEvent("\(writer)-\(index)")]),
                            StreamAppend(streamID: "shared", expectedVersion: .any, events: [sampleEvent()]),
                        ])
                        version = result.streams[0].version
                    }
                }
            }
            try await group.waitForAll()
        }
        let total = UInt64(writers * appendsEach * 2)
        #expect(try store.lastPosition() == total)
        var expected: UInt64 = 1
        var perStream: [String: UInt64] = [:]
        try store.forEachEvent(from: 1) { event in
            #expect(event.position == expected)
            expected += 1
            perStream[event.streamID, default: 0] += 1
            #expect(event.streamVersion == perStream[event.streamID])
            return true
        }
        #expect(expected == total + 1)
        for writer in 0..<writers {
            #expect(try store.readStream("w\(writer)").map(\.payloadString)
                == (0..<appendsEach).map { #"{"label":"\#(writer)-\#($0)"}"# })
        }
    }

    @Test("a stream that moved on refuses the whole append, other streams included", arguments: StorageBackend.allCases)
    func conflictWritesNothing(_ backend: StorageBackend) async throws {
        let (store, keep) = try backend.open(projections: [StreamCountProjection()])
        defer { withExtendedLifetime(keep) {} }
        _ = try await store.append(to: "a", expectedVersion: .noStream, events: [sampleEvent(), sampleEvent()])
        do {
            _ = try await store.append([
                StreamAppend(streamID: "b", expectedVersion: .noStream, events: [sampleEvent()]),
                StreamAppend(streamID: "a", expectedVersion: .exact(1), events: [sampleEvent()]),
            ])
            Issue.record("an append decided on version 1 of a stream at 2 was stored")
        } catch {
            guard error.code == .wrongExpectedVersion else { throw error }
            #expect(error.stream == "a" && error.expectedVersion == .exact(1) && error.actualVersion == 2)
        }
        #expect(try store.lastPosition() == 2)
        #expect(try store.streamVersion("b") == 0)
        #expect(try StreamCountProjection.count("b", in: store) == 0)
    }

    @Test("an expectation that ignores commuting types accepts only those in between", arguments: StorageBackend.allCases)
    func commutingEventsDoNotConflict(_ backend: StorageBackend) async throws {
        let (store, keep) = try backend.open()
        defer { withExtendedLifetime(keep) {} }
        _ = try await store.append(to: "s", expectedVersion: .noStream, events: [sampleEvent(type: "Start")])
        _ = try await store.append(to: "s", expectedVersion: .any, events: [sampleEvent(type: "Beat"), sampleEvent(type: "Beat")])
        let ignoring = ExpectedVersion.exactIgnoring(1, commuting: ["Beat"])
        let result = try await store.append(to: "s", expectedVersion: ignoring, events: [sampleEvent(type: "Stop")])
        #expect(result.streams[0].version == 4)
        await #expect(throws: EventStoreError.self) {
            _ = try await store.append(to: "s", expectedVersion: ignoring, events: [sampleEvent(type: "Stop")])
        }
        #expect(try store.streamVersion("s") == 4)
    }

    @Test("a bounded commuting expectation accepts up to its bound of commuting events and no more", arguments: StorageBackend.allCases)
    func boundedCommutingEventsConflictPastTheBound(_ backend: StorageBackend) async throws {
        let (store, keep) = try backend.open()
        defer { withExtendedLifetime(keep) {} }
        _ = try await store.append(to: "q", expectedVersion: .noStream, events: [sampleEvent(type: "Settings")])
        // Eight appends decided at version 1 at once, each allowing two
        // others before it: three land, whatever the order, and the rest
        // conflict.
        let expected = ExpectedVersion.exactIgnoringAtMost(1, commuting: ["Taken"], atMost: 2)
        let landed = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    (try? await store.append(to: "q", expectedVersion: expected, events: [sampleEvent(type: "Taken")])) != nil
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(landed == 3)
        #expect(try store.streamVersion("q") == 4)
        // An event outside the commuting types conflicts even within the bound.
        _ = try await store.append(to: "q", expectedVersion: .exact(4), events: [sampleEvent(type: "Settings")])
        await #expect(throws: EventStoreError.self) {
            _ = try await store.append(
                to: "q", expectedVersion: .exactIgnoringAtMost(4, commuting: ["Taken"], atMost: 5),
                events: [sampleEvent(type: "Taken")])
        }
        #expect(try store.streamVersion("q") == 5)
    }

    @Test("appending stored event ids again answers the first positions and writes nothing", arguments: StorageBackend.allCases)
    func appendsAreIdempotentOnEventIDs(_ backend: StorageBackend) throws {
        let (store, keep) = try backend.open()
        defer { withExtendedLifetime(keep) {} }
        let events = [sampleEvent("1"), sampleEvent("2")]
        let first = try store.append(to: "s", expectedVersion: .noStream, events: events)
        let again = try store.append(to: "s", expectedVersion: .noStream, events: events)
        #expect(again.wasAlreadyStored)
        #expect(again.streams[0].positions == first.streams[0].positions)
        #expect(try store.lastPosition() == 2)
    }

    @Test("projections see each append in its transaction, and rebuild and verify from the log", arguments: StorageBackend.allCases)
    func projectionsFollowTheLog(_ backend: StorageBackend) async throws {
        let (store, keep) = try backend.open(projections: [StreamCountProjection()])
        defer { withExtendedLifetime(keep) {} }
        for index in 1...5 {
            _ = try await store.append(to: "p", expectedVersion: .any, events: [sampleEvent("\(index)")])
            #expect(try StreamCountProjection.count("p", in: store) == UInt64(index))
        }
        #expect(try store.verifyProjections().isEmpty)
        let report = try store.rebuildProjections()
        #expect(report.events == 5)
        #expect(try StreamCountProjection.count("p", in: store) == 5)
    }

    @Test("a subscription delivers every event after its checkpoint once, in order, live ones included", arguments: StorageBackend.allCases)
    func subscriptionsResumeWithoutGapsOrRepeats(_ backend: StorageBackend) async throws {
        let (store, keep) = try backend.open()
        defer { withExtendedLifetime(keep) {} }
        for index in 1...3 { _ = try await store.append(to: "s", expectedVersion: .any, events: [sampleEvent("\(index)")]) }
        let received = Task {
            var positions: [UInt64] = []
            for try await event in store.subscribe(after: 1) {
                positions.append(event.position)
                if positions.count == 5 { break }
            }
            return positions
        }
        for index in 4...6 { _ = try await store.append(to: "s", expectedVersion: .any, events: [sampleEvent("\(index)")]) }
        #expect(try await received.value == [2, 3, 4, 5, 6])
    }
}
