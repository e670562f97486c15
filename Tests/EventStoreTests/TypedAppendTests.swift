import EventStore
import Foundation
import Testing

/// An appender may hand its events already decoded; the projections see that
/// value inside the append and may hand back what they folded, which the
/// append's result carries. Nothing of either is stored.
@Suite struct TypedAppendTests {
    /// What ``Folder`` folded for a stream: how many events, and the decoded
    /// value of the last one as the projection saw it.
    struct Folded: Sendable, Equatable {
        var count: Int
        var lastDecoded: String?
    }

    /// Counts the events of each stream and reports the count with the
    /// decoded value the last event carried.
    struct Folder: Projection {
        static let counts = ProjectionTable("counts")
        var tables: [ProjectionTable] { [Self.counts] }
        var version: Int { 1 }
        func apply(_ event: RecordedEvent, to tables: borrowing ProjectionWriter) throws {
            let key = Array(event.streamID.utf8)
            let count = (try tables.get(Self.counts, key)?.count ?? 0) + 1
            try tables.put(Self.counts, key, [UInt8](repeating: 0, count: count))
            tables.report(Folded(count: count, lastDecoded: event.decoded as? String))
        }
    }

    static func event(_ label: String, decoded: String?, id: UUID = UUID()) -> EventData {
        EventData(id: id, type: "Sample", payload: Array(#"{"label":"\#(label)"}"#.utf8), decoded: decoded)
    }

    @Test func theProjectionSeesTheDecodedValueAndTheResultCarriesWhatItFolded() throws {
        let ledger = TemporaryLedger()
        var options = EventStoreOptions.noSync
        options.projections = [Folder()]
        let store = try ledger.open(options)
        let first = try store.append(to: "s", expectedVersion: .noStream, events: [Self.event("a", decoded: "A")])
        #expect(first.streams[0].projected as? Folded == Folded(count: 1, lastDecoded: "A"))

        let events = [Self.event("b", decoded: "B"), Self.event("c", decoded: nil)]
        let second = try store.append([
            StreamAppend(streamID: "s", expectedVersion: .exact(1), events: events),
            StreamAppend(streamID: "t", expectedVersion: .noStream, events: [Self.event("d", decoded: "D")]),
        ])
        #expect(second.streams[0].projected as? Folded == Folded(count: 3, lastDecoded: nil))
        #expect(second.streams[1].projected as? Folded == Folded(count: 1, lastDecoded: "D"))

        // A retry of a stored append writes nothing, so nothing was folded.
        let retry = try store.append([StreamAppend(streamID: "s", expectedVersion: .exact(1), events: events)])
        #expect(retry.wasAlreadyStored)
        #expect(retry.streams[0].projected == nil)
        // Equal all the same: what was folded is no part of the result's equality.
        #expect(retry.streams == [second.streams[0]])

        // Reads decode nothing: the value was never stored.
        #expect(try store.readStream("s").allSatisfy { $0.decoded == nil })
    }

    @Test func theDecodedValueIsNoPartOfAnEventsEquality() {
        let id = UUID()
        #expect(Self.event("a", decoded: "A", id: id) == Self.event("a", decoded: "other", id: id))
        #expect(Self.event("a", decoded: "A", id: id).hashValue == Self.event("a", decoded: nil, id: id).hashValue)
    }
}
