import EventStore
import Foundation
import Testing

@Suite struct InputValidationTests {
    static func expectRefusedAndNothingWritten(
        _ appends: [StreamAppend], matching check: @escaping @Sendable (EventStoreError) -> Bool
    ) async throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        _ = try await store.append(to: "existing", expectedVersion: .noStream, events: [sampleEvent()])
        await #expect {
            try await store.append(appends)
        } throws: { error in
            guard let error = error as? EventStoreError else { return false }
            return check(error)
        }
        #expect(try store.lastPosition() == 1)
        #expect(try store.streamVersion("existing") == 1)
    }

    @Test func emptyStreamIDIsRefused() async throws {
        try await Self.expectRefusedAndNothingWritten(
            [StreamAppend(streamID: "", expectedVersion: .any, events: [sampleEvent()])]
        ) { if case .invalidStreamID("", _) = $0 { true } else { false } }
    }

    @Test func oversizeStreamIDIsRefused() async throws {
        let long = String(repeating: "s", count: 201)
        try await Self.expectRefusedAndNothingWritten(
            [StreamAppend(streamID: long, expectedVersion: .any, events: [sampleEvent()])]
        ) { if case .invalidStreamID(_, let reason) = $0 { reason.contains("201 bytes") } else { false } }
    }

    @Test func invalidUTF8EventTypeIsRefused() async throws {
        let broken = String(decoding: [0x4A, 0xFF, 0xFE, 0x62], as: UTF8.self)
        try await Self.expectRefusedAndNothingWritten(
            [StreamAppend(streamID: "s", expectedVersion: .any, events: [sampleEvent(type: broken)])]
        ) { if case .invalidEventType(_, "s", let reason) = $0 { reason.contains("UTF-8") } else { false } }
    }

    @Test func controlCharactersInStreamIDAreRefused() async throws {
        try await Self.expectRefusedAndNothingWritten(
            [StreamAppend(streamID: "job-\n1", expectedVersion: .any, events: [sampleEvent()])]
        ) { if case .invalidStreamID = $0 { true } else { false } }
    }

    @Test func emptyEventTypeIsRefused() async throws {
        try await Self.expectRefusedAndNothingWritten(
            [StreamAppend(streamID: "s", expectedVersion: .any, events: [sampleEvent(type: "")])]
        ) { if case .invalidEventType = $0 { true } else { false } }
    }

    @Test func recordedTimeBeyondWhatTheLedgerStoresIsRefused() async throws {
        var event = sampleEvent()
        event.recordedAt = Date(timeIntervalSince1970: 1e15)  // some 31 million years ahead
        try await Self.expectRefusedAndNothingWritten(
            [StreamAppend(streamID: "s", expectedVersion: .any, events: [event])]
        ) { if case .invalidAppend(let reason) = $0 { reason.contains("recordedAt") } else { false } }
    }

    @Test func oversizePayloadIsRefused() async throws {
        let big = EventData(type: "Big", payload: [UInt8](repeating: 0x20, count: (1 << 20) + 1))
        try await Self.expectRefusedAndNothingWritten(
            [StreamAppend(streamID: "s", expectedVersion: .any, events: [big])]
        ) { if case .payloadTooLarge(_, _, (1 << 20) + 1, 1 << 20) = $0 { true } else { false } }
    }

    @Test func badStreamInAMultiStreamAppendRefusesTheWholeAppend() async throws {
        try await Self.expectRefusedAndNothingWritten([
            StreamAppend(streamID: "fine", expectedVersion: .any, events: [sampleEvent()]),
            StreamAppend(streamID: "", expectedVersion: .any, events: [sampleEvent()]),
        ]) { if case .invalidStreamID = $0 { true } else { false } }
    }

    @Test func emptyAppendsAndDuplicateStreamsAreRefused() async throws {
        try await Self.expectRefusedAndNothingWritten([]) {
            if case .invalidAppend = $0 { true } else { false }
        }
        try await Self.expectRefusedAndNothingWritten(
            [StreamAppend(streamID: "s", expectedVersion: .any, events: [])]
        ) { if case .invalidAppend = $0 { true } else { false } }
        try await Self.expectRefusedAndNothingWritten([
            StreamAppend(streamID: "s", expectedVersion: .any, events: [sampleEvent()]),
            StreamAppend(streamID: "s", expectedVersion: .any, events: [sampleEvent()]),
        ]) { if case .invalidAppend = $0 { true } else { false } }
    }
}
