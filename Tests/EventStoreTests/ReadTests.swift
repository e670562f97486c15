import EventStore
import Foundation
import Testing

@Suite struct ReadTests {
    /// Appends 10 events to "a" and 5 to "b", interleaved: a1 b1 a2 b2 ...
    static func interleavedStore(_ ledger: TemporaryLedger) async throws -> EventStore {
        let store = try ledger.open()
        for index in 1...10 {
            _ = try await store.append(to: "a", expectedVersion: .any, events: [sampleEvent("a\(index)", type: "TypeA")])
            if index <= 5 {
                _ = try await store.append(to: "b", expectedVersion: .any, events: [sampleEvent("b\(index)", type: "TypeB")])
            }
        }
        return store
    }

    @Test func streamReadsForwardsAndBackwardsFromAVersionWithALimit() async throws {
        let ledger = TemporaryLedger()
        let store = try await Self.interleavedStore(ledger)
        #expect(try store.readStream("a").map(\.streamVersion) == Array(1...10))
        #expect(try store.readStream("a", from: 4, limit: 3).map(\.streamVersion) == [4, 5, 6])
        #expect(try store.readStream("a", from: .max, direction: .backwards, limit: 2).map(\.streamVersion) == [10, 9])
        #expect(try store.readStream("b", from: 3, direction: .backwards).map(\.streamVersion) == [3, 2, 1])
        #expect(try store.readStream("missing").isEmpty)
        #expect(try store.readStream("a", from: 11).isEmpty)
        let b2 = try #require(try store.readStream("b", from: 2, limit: 1).first)
        #expect(b2.payloadString == #"{"label":"b2"}"#)
        #expect(b2.type == "TypeB")
        #expect(b2.actor == "tester")
        #expect(b2.position == 4)
    }

    @Test func wholeLogReadsFilterByTypeAndStreamPrefix() async throws {
        let ledger = TemporaryLedger()
        let store = try await Self.interleavedStore(ledger)
        #expect(try store.lastPosition() == 15)
        let all = try store.readAll()
        #expect(all.events.map(\.position) == Array(1...15))
        #expect(all.reachedEnd)
        let fromSeven = try store.readAll(from: 7, limit: 3)
        #expect(fromSeven.events.map(\.position) == [7, 8, 9])
        #expect(fromSeven.nextPosition == 10)
        let onlyB = try store.readAll(filter: EventFilter(types: ["TypeB"]))
        #expect(onlyB.events.map(\.streamID) == Array(repeating: "b", count: 5))
        let prefix = try store.readAll(filter: EventFilter(streamPrefix: "a"))
        #expect(prefix.events.count == 10)
        #expect(try store.readAll(filter: EventFilter(types: ["Nope"])).events.isEmpty)
    }

    @Test func recordedEventsKeepEveryEnvelopeField() async throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        let when = Date(timeIntervalSince1970: 1_700_000_000.123456)
        let event = EventData(
            type: "Full", payload: Array(#"{"k":1}"#.utf8), actor: "alice", correlationID: UUID(),
            causationID: UUID(), recordedAt: when)
        _ = try await store.append(to: "full", expectedVersion: .noStream, events: [event])
        let read = try #require(try store.event(at: 1))
        #expect(read.id == event.id)
        #expect(read.correlationID == event.correlationID)
        #expect(read.causationID == event.causationID)
        #expect(read.actor == "alice")
        #expect(abs(read.recordedAt.timeIntervalSince(when)) < 0.000_001)
        #expect(read.payload == event.payload)
        #expect(try store.event(at: 2) == nil)
    }

    @Test func subscriptionDeliversStoredThenLiveEventsOnceInOrder() async throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        for index in 0..<50 {
            _ = try await store.append(to: "s-\(index % 3)", expectedVersion: .any, events: [sampleEvent()])
        }
        let writer = Task {
            for index in 0..<150 {
                _ = try await store.append(to: "s-\(index % 3)", expectedVersion: .any, events: [sampleEvent()])
            }
        }
        var seen: [UInt64] = []
        for try await event in store.subscribe(after: 0) {
            seen.append(event.position)
            if seen.count == 200 { break }
        }
        try await writer.value
        #expect(seen == Array(1...200))
    }

    @Test func subscriptionResumesAfterAnExclusiveCheckpoint() async throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        for _ in 0..<20 { _ = try await store.append(to: "s", expectedVersion: .any, events: [sampleEvent()]) }
        var seen: [UInt64] = []
        for try await event in store.subscribe(after: 12, filter: EventFilter(streamPrefix: "s")) {
            seen.append(event.position)
            if event.position == 20 { break }
        }
        #expect(seen == Array(13...20))
    }
}
