import EventStore
import Foundation
import LMDB
import Testing

@Suite struct ArchivingTests {
    /// Appends `count` events to `stream`, one append each.
    private func fill(_ store: EventStore, _ stream: String, _ count: Int) async throws {
        for index in 0..<count {
            _ = try await store.append(to: stream, expectedVersion: .any, events: [sampleEvent("\(stream)-\(index)")])
        }
    }

    @Test func removedEventsLeaveTheirPositionsRecordedAndTheLogVerifies() async throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        // Interleave two streams: a: 1,3,5 ; b: 2,4,6
        for index in 0..<3 {
            _ = try await store.append(to: "a", expectedVersion: .any, events: [sampleEvent("a\(index)")])
            _ = try await store.append(to: "b", expectedVersion: .any, events: [sampleEvent("b\(index)")])
        }
        let result = try store.removeStreamPrefixes(
            [StreamPrefixRemoval(streamID: "a", throughVersion: 2, expectedVersion: 3)],
            appending: [StreamAppend(streamID: "a", expectedVersion: .exact(3), events: [sampleEvent("snapshot")])])
        #expect(result.streams[0].positions == [7])
        #expect(result.streams[0].version == 4)

        let a = try store.readStream("a")
        #expect(a.map(\.streamVersion) == [3, 4])
        #expect(a.map(\.position) == [5, 7])
        let backwards = try store.readStream("a", from: .max, direction: .backwards, limit: 10)
        #expect(backwards.map(\.streamVersion) == [4, 3])
        #expect(try store.readStream("a", from: 1, limit: 1).map(\.streamVersion) == [3])
        #expect(try store.readStream("b").count == 3)
        #expect(try store.streamVersion("a") == 4)

        #expect(try store.event(at: 1) == nil)
        #expect(try store.archivedPosition(1) == ArchivedPosition(position: 1, streamID: "a", streamVersion: 1))
        #expect(try store.archivedPosition(3) == ArchivedPosition(position: 3, streamID: "a", streamVersion: 2))
        #expect(try store.archivedPosition(2) == nil)
        #expect(try store.archivedPositionCount() == 2)

        let page = try store.readAll(from: 1)
        #expect(page.events.map(\.position) == [2, 4, 5, 6, 7])
        let report = try store.verifyLog()
        #expect(report.isClean, "\(report.problems)")
        #expect(report.events == 5)

        // The removed events' ids are free: the store no longer knows them.
        var lines: [String] = []
        try store.exportEvents(format: .jsonLines, selection: .all) { lines.append(String(decoding: $0, as: UTF8.self)) }
        #expect(!lines.joined().contains("\"a0\""))
    }

    @Test func removingTheLastEventOfTheLogNeverGivesItsPositionAgain() async throws {
        let ledger = TemporaryLedger()
        do {
            let store = try ledger.open()
            try await fill(store, "other", 2)
            try await fill(store, "tail", 2)  // positions 3 and 4, the end of the log
            let result = try store.removeStreamPrefixes(
                [StreamPrefixRemoval(streamID: "tail", throughVersion: 2, expectedVersion: 2)],
                appending: [StreamAppend(streamID: "record", expectedVersion: .noStream, events: [sampleEvent("r")])])
            #expect(result.streams[0].positions == [5])
        }
        let store = try ledger.open()
        let next = try await store.append(to: "tail", expectedVersion: .exact(2), events: [sampleEvent("again")])
        #expect(next.streams[0].positions == [6])
        #expect(try store.readStream("tail").map(\.streamVersion) == [3])
        #expect(try store.verifyLog().isClean)
    }

    @Test func aRemovalDecidedOnAnOlderVersionChangesNothing() async throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        try await fill(store, "a", 3)
        let before = try store.readAll(from: 1).events
        #expect(throws: EventStoreError.self) {
            try store.removeStreamPrefixes(
                [StreamPrefixRemoval(streamID: "a", throughVersion: 2, expectedVersion: 2)],
                appending: [StreamAppend(streamID: "s", expectedVersion: .any, events: [sampleEvent("s")])])
        }
        let beyond = #expect(throws: EventStoreError.self) {
            try store.removeStreamPrefixes(
                [StreamPrefixRemoval(streamID: "a", throughVersion: 9, expectedVersion: 3)],
                appending: [StreamAppend(streamID: "s", expectedVersion: .any, events: [sampleEvent("s")])])
        }
        #expect(beyond?.description.contains("through version 9") == true)
        #expect(throws: EventStoreError.self) {
            try store.removeStreamPrefixes(
                [StreamPrefixRemoval(streamID: "a", throughVersion: 1, expectedVersion: 3)], appending: [])
        }
        #expect(try store.readAll(from: 1).events == before)
        #expect(try store.archivedPositionCount() == 0)
        #expect(try store.verifyLog().isClean)
    }

    @Test func removalWhileEightThreadsAppendLosesNoAcknowledgedEvent() async throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        try await fill(store, "old", 200)
        let appended = try await withThrowingTaskGroup(of: Int.self) { group in
            for thread in 0..<8 {
                group.addTask {
                    for index in 0..<50 {
                        _ = try await store.append(
                            to: "live-\(thread)", expectedVersion: .any, events: [sampleEvent("\(thread)-\(index)")])
                    }
                    return 50
                }
            }
            group.addTask {
                try store.removeStreamPrefixes(
                    [StreamPrefixRemoval(streamID: "old", throughVersion: 199, expectedVersion: 200)],
                    appending: [StreamAppend(streamID: "old", expectedVersion: .exact(200), events: [sampleEvent("snap")])])
                return 0
            }
            return try await group.reduce(0, +)
        }
        #expect(appended == 400)
        for thread in 0..<8 { #expect(try store.readStream("live-\(thread)").count == 50) }
        #expect(try store.readStream("old").map(\.streamVersion) == [200, 201])
        #expect(try store.archivedPositionCount() == 199)
        let report = try store.verifyLog()
        #expect(report.isClean, "\(report.problems.prefix(3))")
        #expect(report.events == 200 + 400 + 1 - 199)
    }
}
