import EventStore
import Testing

/// Every expected version against a missing stream and a stream at version 2.
@Suite struct ExpectedVersionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let expected: ExpectedVersion
        let streamVersionBefore: UInt64
        let succeeds: Bool
        var testDescription: String { "\(expected) on a stream at \(streamVersionBefore): \(succeeds ? "ok" : "conflict")" }
    }

    static let matrix: [Case] = [
        Case(expected: .any, streamVersionBefore: 0, succeeds: true),
        Case(expected: .any, streamVersionBefore: 2, succeeds: true),
        Case(expected: .noStream, streamVersionBefore: 0, succeeds: true),
        Case(expected: .noStream, streamVersionBefore: 2, succeeds: false),
        Case(expected: .streamExists, streamVersionBefore: 0, succeeds: false),
        Case(expected: .streamExists, streamVersionBefore: 2, succeeds: true),
        Case(expected: .exact(0), streamVersionBefore: 0, succeeds: true),
        Case(expected: .exact(0), streamVersionBefore: 2, succeeds: false),
        Case(expected: .exact(1), streamVersionBefore: 0, succeeds: false),
        Case(expected: .exact(1), streamVersionBefore: 2, succeeds: false),
        Case(expected: .exact(2), streamVersionBefore: 2, succeeds: true),
        Case(expected: .exact(3), streamVersionBefore: 2, succeeds: false),
    ]

    @Test("expected version decides whether an append lands", arguments: matrix)
    func expectedVersionMatrix(_ testCase: Case) async throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        if testCase.streamVersionBefore > 0 {
            _ = try await store.append(
                to: "s", expectedVersion: .noStream,
                events: (1...testCase.streamVersionBefore).map { sampleEvent("\($0)") })
        }
        let before = try store.lastPosition()
        do {
            let result = try await store.append(to: "s", expectedVersion: testCase.expected, events: [sampleEvent()])
            #expect(testCase.succeeds)
            #expect(result.streams[0].version == testCase.streamVersionBefore + 1)
            #expect(result.streams[0].positions == [before + 1])
        } catch let error {
            #expect(!testCase.succeeds)
            #expect(error == .wrongExpectedVersion(
                stream: "s", expected: testCase.expected, actual: testCase.streamVersionBefore))
            #expect(try store.lastPosition() == before)
            #expect(try store.streamVersion("s") == testCase.streamVersionBefore)
        }
    }

    @Test func multiStreamAppendIsAllOrNothing() async throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        _ = try await store.append(to: "b", expectedVersion: .noStream, events: [sampleEvent()])
        await #expect(throws: EventStoreError.wrongExpectedVersion(stream: "b", expected: .noStream, actual: 1)) {
            try await store.append([
                StreamAppend(streamID: "a", expectedVersion: .noStream, events: [sampleEvent(), sampleEvent()]),
                StreamAppend(streamID: "b", expectedVersion: .noStream, events: [sampleEvent()]),
            ])
        }
        #expect(try store.streamVersion("a") == 0)
        #expect(try store.lastPosition() == 1)
        let result = try await store.append([
            StreamAppend(streamID: "a", expectedVersion: .noStream, events: [sampleEvent(), sampleEvent()]),
            StreamAppend(streamID: "b", expectedVersion: .exact(1), events: [sampleEvent()]),
        ])
        #expect(result.streams.map(\.positions) == [[2, 3], [4]])
        #expect(try store.readAll().events.map(\.position) == [1, 2, 3, 4])
    }
}

@Suite struct CommutingExpectationTests {
    @Test func exactIgnoringAcceptsAStreamThatOnlyGainedCommutingEvents() async throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        _ = try await store.append(to: "job", expectedVersion: .noStream, events: [sampleEvent(type: "Claimed")])
        _ = try await store.append(to: "job", expectedVersion: .exact(1), events: [sampleEvent(type: "Heartbeat")])
        _ = try await store.append(to: "job", expectedVersion: .exact(2), events: [sampleEvent(type: "Heartbeat")])
        let killed = try await store.append(
            to: "job", expectedVersion: .exactIgnoring(1, commuting: ["Heartbeat"]), events: [sampleEvent(type: "Killed")])
        #expect(killed.streams[0].version == 4)
        #expect(try store.readStream("job").map(\.type) == ["Claimed", "Heartbeat", "Heartbeat", "Killed"])
    }

    @Test func exactIgnoringStillConflictsWithAnyOtherEvent() async throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        _ = try await store.append(to: "job", expectedVersion: .noStream, events: [sampleEvent(type: "Claimed")])
        _ = try await store.append(to: "job", expectedVersion: .exact(1), events: [sampleEvent(type: "Heartbeat")])
        _ = try await store.append(to: "job", expectedVersion: .exact(2), events: [sampleEvent(type: "Completed")])
        let expected = ExpectedVersion.exactIgnoring(1, commuting: ["Heartbeat"])
        await #expect(throws: EventStoreError.wrongExpectedVersion(stream: "job", expected: expected, actual: 3)) {
            try await store.append(to: "job", expectedVersion: expected, events: [sampleEvent(type: "Killed")])
        }
        #expect(try store.streamVersion("job") == 3)
    }
}
