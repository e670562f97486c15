import EventStore
import Foundation

/// What `verify --archive` found: the ledger's record of the archive.
public struct ArchiveCheck: Sendable, Hashable {
    /// The archive's digest, as the ledger recorded it.
    public let digest: String
    /// The parts of the scavenge that wrote it, each a `RetentionScavenged` record.
    public let parts: Int
    /// The position of the last part's record.
    public let recordPosition: UInt64
    /// Jobs its parts archived.
    public let jobs: Int
    /// Lines whose events the ledger archived.
    public let archivedEvents: Int
    /// Lines whose events are still live (their job moved before its part
    /// committed), checked event id for event id.
    public let liveEvents: Int
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
    /// by ``readArchive(at:)``), the `retention` stream records the parts
    /// of a scavenge with its digest and number of lines, and every line is
    /// either a position the ledger archived, with the same stream and
    /// version, or an event the ledger still holds, with the same id; the
    /// archived ones are as many as the parts say they removed.
    ///
    /// - Throws: ``JobLedgerError/Code/invalidInput`` naming what does not match.
    public func verifyArchive(_ archive: ImportBatch) throws(JobLedgerError) -> ArchiveCheck {
        let records: [RecordedEvent]
        do {
            records = try store.readStream(ScavengeRecord.stream)
        } catch {
            throw .store(error)
        }
        var parts: [ScavengeRecord] = []
        var lastPosition: UInt64 = 0
        for event in records where event.type == ScavengeRecord.eventType {
            if let record = try? JSONCoding.decoder.decode(ScavengeRecord.self, from: Data(event.payload)),
               record.digest == archive.digest {
                parts.append(record)
                lastPosition = event.position
            }
        }
        guard !parts.isEmpty else {
            throw .invalidInput(
                field: "archive", reason: "no scavenge of this ledger recorded an archive with digest \(archive.digest)")
        }
        guard parts.allSatisfy({ $0.archiveEvents == archive.count }) else {
            throw .invalidInput(
                field: "archive",
                reason: "the ledger recorded \(parts[0].archiveEvents) events for this archive; it holds \(archive.count)")
        }
        var archived = 0
        var live = 0
        for event in archive.recordedEvents {
            do {
                let expected = ArchivedPosition(position: event.position, streamID: event.streamID, streamVersion: event.streamVersion)
                if try store.archivedPosition(event.position) == expected {
                    archived += 1
                } else if let stored = try store.event(at: event.position), stored.id == event.id {
                    live += 1
                } else {
                    throw JobLedgerError.invalidInput(
                        field: "archive",
                        reason: "position \(event.position) (\(event.streamID) version \(event.streamVersion)) is neither one the ledger archived nor the event it holds")
                }
            } catch let error as JobLedgerError {
                throw error
            } catch {
                throw Self.wrap(error)
            }
        }
        let removed = parts.reduce(0) { $0 + $1.events }
        guard archived == removed else {
            throw .invalidInput(
                field: "archive", reason: "the ledger recorded \(removed) events removed for this archive; \(archived) of its lines are archived")
        }
        return ArchiveCheck(
            digest: archive.digest, parts: parts.count, recordPosition: lastPosition,
            jobs: parts.reduce(0) { $0 + $1.jobs }, archivedEvents: archived, liveEvents: live)
    }
}
