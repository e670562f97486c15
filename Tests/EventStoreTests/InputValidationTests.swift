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
        ) { $0.code == .invalidStreamID && $0.stream == "" }
    }

    @Test func oversizeStreamIDIsRefused() async throws {
        let long = String(repeating: "s", count: 201)
        try await Self.expectRefusedAndNothingWritten(
            [StreamAppend(streamID: long, expectedVersion: .any, events: [sampleEvent()])]
        ) { $0.code == .invalidStreamID && $0.reason?.contains("201 bytes") == true }
    }

    @Test func invalidUTF8EventTypeIsRefused() async throws {
        let broken = String(decoding: [0x4A, 0xFF, 0xFE, 0x62], as: UTF8.self)
        try await Self.expectRefusedAndNothingWritten(
            [StreamAppend(streamID: "s", expectedVersion: .any, events: [sampleEvent(type: broken)])]
        ) { $0.code == .invalidEventType && $0.stream == "s" && $0.reason?.contains("UTF-8") == true }
    }

    @Test func controlCharactersInStreamIDAreRefused() async throws {
        try await Self.expectRefusedAndNothingWritten(
            [StreamAppend(streamID: "job-\n1", expectedVersion: .any, events: [sampleEvent()])]
        ) { $0.code == .invalidStreamID }
    }

    @Test func emptyEventTypeIsRefused() async throws {
        try await Self.expectRefusedAndNothingWritten(
            [StreamAppend(streamID: "s", expectedVersion: .any, events: [sampleEvent(type: "")])]
        ) { $0.code == .invalidEventType }
    }

    @Test func recordedTimeBeyondWhatTheLedgerStoresIsRefused() async throws {
        var event = sampleEvent()
        event.recordedAt = Date(timeIntervalSince1970: 1e15)  // some 31 million years ahead
        try await Self.expectRefusedAndNothingWritten(
            [StreamAppend(streamID: "s", expectedVersion: .any, events: [event])]
        ) { $0.code == .invalidAppend && $0.reason?.contains("recordedAt") == true }
    }

    @Test func oversizePayloadIsRefused() async throws {
        let big = EventData(type: "Big", payload: [UInt8](repeating: 0x20, count: (1 << 20) + 1))
        try await Self.expectRefusedAndNothingWritten(
            [StreamAppend(streamID: "s", expectedVersion: .any, events: [big])]
        ) { $0.code == .payloadTooLarge && $0.payloadSize == (1 << 20) + 1 && $0.payloadLimit == 1 << 20 }
    }

    @Test func badStreamInAMultiStreamAppendRefusesTheWholeAppend() async throws {
        try await Self.expectRefusedAndNothingWritten([
            StreamAppend(streamID: "fine", expectedVersion: .any, events: [sampleEvent()]),
            StreamAppend(streamID: "", expectedVersion: .any, events: [sampleEvent()]),
        ]) { $0.code == .invalidStreamID }
    }

    @Test func emptyAppendsAndDuplicateStreamsAreRefused() async throws {
        try await Self.expectRefusedAndNothingWritten([]) {
            $0.code == .invalidAppend
        }
        try await Self.expectRefusedAndNothingWritten(
            [StreamAppend(streamID: "s", expectedVersion: .any, events: [])]
        ) { $0.code == .invalidAppend }
        try await Self.expectRefusedAndNothingWritten([
            StreamAppend(streamID: "s", expectedVersion: .any, events: [sampleEvent()]),
            StreamAppend(streamID: "s", expectedVersion: .any, events: [sampleEvent()]),
        ]) { $0.code == .invalidAppend }
    }
}
