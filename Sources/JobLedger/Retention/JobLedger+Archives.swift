import EventStore
import Foundation

/// What `verify --archive` found: the ledger's record of the archive.
public struct ArchiveCheck: Sendable, Hashable {
    /// The record of the scavenge that wrote the archive.
    public let record: ScavengeRecord
    /// Its position in the ledger.
    public let recordPosition: UInt64
    /// Event lines checked.
    public let events: Int
}

extension JobLedger {
    /// Reads an archive file written by ``scavenge(archivePath:by:limit:)``,
    /// checking every line and its digest chain.
    public static func readArchive(at path: String) throws(JobLedgerError) -> ImportBatch {
        do {
            return try EventStore.readImport(jsonLines: EventStore.importData(fromFile: path))
        } catch {
            throw .invalidInput(field: "archive", reason: "'\(path)': \(error)")
        }
    }

    /// The history of a job with the events of the given archives put back:
    /// what ``history(_:)`` showed before the job was archived, followed by
    /// its snapshot and anything since.
    public func history(_ jobID: String, archives: [ImportBatch]) throws(JobLedgerError) -> [HistoryEntry] {
        try history(jobID, archived: archives.flatMap(\.recordedEvents))
    }

    /// Proves an archive against the live ledger: its chain is whole (read
    /// by ``readArchive(at:)``), the `retention` stream records a scavenge
    /// with its digest and number of events, and every position it holds
    /// is one the ledger archived, with the same stream and version.
    ///
    /// - Throws: ``JobLedgerError/Code/invalidInput`` naming what does not match.
    public func verifyArchive(_ archive: ImportBatch) throws(JobLedgerError) -> ArchiveCheck {
        let records: [RecordedEvent]
        do {
            records = try store.readStream(ScavengeRecord.stream)
        } catch {
            throw .store(error)
        }
        var found: (ScavengeRecord, UInt64)? = nil
        for event in records where event.type == ScavengeRecord.eventType {
            if let record = try? JSONCoding.decoder.decode(ScavengeRecord.self, from: Data(event.payload)),
               record.digest == archive.digest {
                found = (record, event.position)
            }
        }
        guard let (record, position) = found else {
            throw .invalidInput(
                field: "archive", reason: "no scavenge of this ledger recorded an archive with digest \(archive.digest)")
        }
        guard record.events == archive.count else {
            throw .invalidInput(
                field: "archive", reason: "the ledger recorded \(record.events) events for this archive; it holds \(archive.count)")
        }
        for event in archive.recordedEvents {
            let stored: ArchivedPosition?
            do {
                stored = try store.archivedPosition(event.position)
            } catch {
                throw .store(error)
            }
            guard stored == ArchivedPosition(position: event.position, streamID: event.streamID, streamVersion: event.streamVersion) else {
                throw .invalidInput(
                    field: "archive",
                    reason: "position \(event.position) (\(event.streamID) version \(event.streamVersion)) is not one the ledger archived")
            }
        }
        return ArchiveCheck(record: record, recordPosition: position, events: archive.count)
    }
}
