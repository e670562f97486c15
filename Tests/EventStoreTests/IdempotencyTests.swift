import EventStore
import Foundation
import Testing

@Suite struct IdempotencyTests {
    @Test func retryingAnAppendWithTheSameEventIDsReturnsTheOriginalPositions() async throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        let events = [sampleEvent("a"), sampleEvent("b")]
        let first = try await store.append(to: "s", expectedVersion: .noStream, events: events)
        _ = try await store.append(to: "other", expectedVersion: .any, events: [sampleEvent()])
        let retry = try await store.append(to: "s", expectedVersion: .noStream, events: events)
        #expect(!first.wasAlreadyStored)
        #expect(retry.wasAlreadyStored)
        #expect(retry.streams[0].positions == first.streams[0].positions)
        #expect(retry.streams[0].version == 2)
        #expect(try store.lastPosition() == 3)
    }

    @Test func sameEventIDWithOtherContentIsAConflict() async throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        let id = UUID()
        _ = try await store.append(to: "s", expectedVersion: .any, events: [sampleEvent("a", id: id)])
        await #expect {
            try await store.append(to: "s", expectedVersion: .any, events: [sampleEvent("changed", id: id)])
        } throws: { error in
            guard let error = error as? EventStoreError, error.code == .eventIDConflict, error.stream == "s" else { return false }
            return error.eventID == id && error.reason?.contains("other content") == true
        }
        #expect(try store.lastPosition() == 1)
    }

    @Test func sameEventIDInAnotherStreamIsAConflict() async throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        let event = sampleEvent("a")
        _ = try await store.append(to: "s", expectedVersion: .any, events: [event])
        await #expect(throws: EventStoreError.self) {
            try await store.append(to: "t", expectedVersion: .any, events: [event])
        }
        #expect(try store.streamVersion("t") == 0)
    }

    @Test func partlyStoredEventIDsAreAConflictAndWriteNothing() async throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        let stored = sampleEvent("a")
        _ = try await store.append(to: "s", expectedVersion: .any, events: [stored])
        await #expect(throws: EventStoreError.self) {
            try await store.append(to: "s", expectedVersion: .any, events: [stored, sampleEvent("new")])
        }
        #expect(try store.lastPosition() == 1)
    }

    @Test func reorderedRetryIsAConflict() async throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        let a = sampleEvent("a")
        let b = sampleEvent("b")
        _ = try await store.append(to: "s", expectedVersion: .any, events: [a, b])
        await #expect(throws: EventStoreError.self) {
            try await store.append(to: "s", expectedVersion: .any, events: [b, a])
        }
        #expect(try store.lastPosition() == 2)
    }

    @Test func idempotencySurvivesReopening() async throws {
        let ledger = TemporaryLedger()
        let events = [sampleEvent("a")]
        do {
            let store = try ledger.open()
            _ = try await store.append(to: "s", expectedVersion: .noStream, events: events)
        }
        let store = try ledger.open()
        let retry = try await store.append(to: "s", expectedVersion: .noStream, events: events)
        #expect(retry.wasAlreadyStored)
        #expect(retry.streams[0].positions == [1])
    }
}
