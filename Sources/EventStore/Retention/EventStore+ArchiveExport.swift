import Foundation
import LMDB

/// What an archive holds: how many event lines and the digest of its
/// closing line.
public struct ArchiveSummary: Sendable, Hashable {
    /// Event lines written.
    public let events: Int
    /// The digest of the last line, as the closing line carries it (64
    /// lowercase hexadecimal digits).
    public let digest: String

    /// Creates a summary.
    public init(events: Int, digest: String) {
        self.events = events
        self.digest = digest
    }
}

extension EventStore {
    /// Writes the events at `positions` (in ascending order, each stored) in
    /// the chained JSON Lines export format, closing line included: the
    /// archive of a scavenge, which an import, `verify --archive` and
    /// `history --archive` read back. Reads in short snapshots, as the export
    /// does: a snapshot held for a whole large archive would hold up a map
    /// growth, and with it every writer.
    ///
    /// - Throws: ``EventStoreError/Code/corruptEvent`` when a position holds
    ///   no event or the positions do not ascend; whatever `write` throws.
    public func exportArchive(
        positions: [UInt64], write: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> ArchiveSummary {
        let layout = self.layout
        var export = EnvelopeExport(
            format: .chainedJSONLines, selection: .all, header: false, flushBytes: Self.exportFlushBytes)
        var previous: UInt64 = 0
        var next = 0
        while next < positions.count {
            let end = min(next + Self.exportChunkEvents, positions.count)
            try reading { txn in
                for position in positions[next..<end] {
                    guard position > previous else {
                        throw EventStoreError.corruptEvent(position: position, reason: "archive positions must ascend")
                    }
                    previous = position
                    let bytes = try withBigEndianBytes(of: position) { key in try txn.get(key, in: layout.events) }
                    guard let bytes else {
                        throw EventStoreError.corruptEvent(position: position, reason: "no event is stored at this position")
                    }
                    export.render(try Self.view(bytes, position: position))
                }
            }
            try export.flush(write)
            next = end
        }
        let chain = try export.finish(write)
        return ArchiveSummary(events: Int(chain.count), digest: chain.hex)
    }
}

extension EventStorage {
    /// Backends that keep no archive write none.
    public func exportArchive(
        positions: [UInt64], write: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> ArchiveSummary {
        throw EventStoreError.invalidAppend(
            reason: "the ledger at \(locationDescription) cannot archive events: retention runs on the embedded LMDB ledger")
    }
}

extension ImportBatch {
    /// The events as they were stored, in file order: what `history
    /// --archive` shows of an archived job.
    public var recordedEvents: [RecordedEvent] {
        readLines.map { line in
            let item = line.event
            return RecordedEvent(
                position: item.position, streamID: item.streamID, streamVersion: item.version, id: item.event.id,
                type: item.event.type, recordedAt: Date(microsecondsSince1970: item.recordedAtMicros),
                actor: item.event.actor, correlationID: item.event.correlationID,
                causationID: item.event.causationID, payload: item.event.payload)
        }
    }
}
