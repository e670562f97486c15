import Foundation

/// The import's walk over its lines, inside one transaction of whichever
/// backend: each line is appended at the version it names, with its own
/// time; a line already stored is skipped when it is the same event in
/// every field, and anything else ends the import with the line's number.
package enum ImportRun {
    /// Appends each event of `batch` through `append` (given the stream's
    /// append and the line's time in microseconds), reading stored events
    /// through `envelopeAt` to compare them with their lines. Returns how
    /// many events were written and how many skipped.
    package static func apply(
        _ batch: ImportBatch,
        append: (StreamAppend, Int64) throws -> Result<AppendResult, EventStoreError>,
        envelopeAt: (UInt64) throws -> [UInt8]?
    ) throws -> (imported: Int, skipped: Int) {
        try apply(batch.readLines, append: append, envelopeAt: envelopeAt)
    }

    static func apply(
        _ lines: [ImportReader.Line],
        append: (StreamAppend, Int64) throws -> Result<AppendResult, EventStoreError>,
        envelopeAt: (UInt64) throws -> [UInt8]?
    ) throws -> (imported: Int, skipped: Int) {
        var imported = 0
        var skipped = 0
        for line in lines {
            let item = line.event
            let streamAppend = StreamAppend(
                streamID: item.streamID, expectedVersion: .exact(item.version - 1), events: [item.event])
            let outcome: Result<AppendResult, EventStoreError>
            do {
                // The event carries no `recordedAt`, so the backend stamps
                // it with the "now" given: the line's time, to the
                // microsecond, without a round trip through Date.
                outcome = try append(streamAppend, item.recordedAtMicros)
            } catch let error as EventStoreError {
                throw ImportError.invalidEvent(line: line.number, error: error)
            }
            switch outcome {
            case .success(let result) where result.wasAlreadyStored:
                let position = result.streams[0].positions[0]
                guard let bytes = try envelopeAt(position) else {
                    throw ImportError.eventIDConflict(
                        line: line.number, eventID: item.event.id,
                        reason: "its id names position \(position), which holds no event")
                }
                if let problem = try bytes.withUnsafeBytes({ bytes throws(EventStoreError) in
                    try storedDifference(item, storedAt: position, envelope: bytes)
                }) {
                    throw ImportError.eventIDConflict(line: line.number, eventID: item.event.id, reason: problem)
                }
                skipped += 1
            case .success:
                imported += 1
            case .failure(let error) where error.code == .wrongExpectedVersion:
                throw ImportError.versionGap(
                    line: line.number, stream: error.stream ?? item.streamID, expected: (error.actualVersion ?? 0) + 1,
                    found: item.version)
            case .failure(let error) where error.code == .eventIDConflict:
                throw ImportError.eventIDConflict(
                    line: line.number, eventID: error.eventID ?? item.event.id, reason: error.reason ?? "")
            case .failure(let error):
                throw ImportError.invalidEvent(line: line.number, error: error)
            }
        }
        return (imported, skipped)
    }

    /// How the stored event at `position`, which has the line's id, stream,
    /// type and payload, differs from the line in its other fields; `nil`
    /// when it does not.
    private static func storedDifference(
        _ item: ExportedEvent, storedAt position: UInt64, envelope bytes: UnsafeRawBufferPointer
    ) throws(EventStoreError) -> String? {
        let view = try EventStore.view(bytes, position: position)
        var differences: [String] = []
        if view.streamVersion != item.version {
            differences.append("version \(view.streamVersion), not \(item.version)")
        }
        if view.recordedAtMicros != item.recordedAtMicros {
            differences.append(
                "recordedAt \(timestamp(view.recordedAtMicros)), not \(timestamp(item.recordedAtMicros))")
        }
        if !view.actor.elementsEqual(item.event.actor.utf8) {
            differences.append("actor '\(String(decoding: view.actor, as: UTF8.self))', not '\(item.event.actor)'")
        }
        if view.correlationID != item.event.correlationID { differences.append("another correlationId") }
        if view.causationID != item.event.causationID { differences.append("another causationId") }
        if differences.isEmpty { return nil }
        return "it is already stored at position \(position) with \(differences.joined(separator: ", "))"
    }

    private static func timestamp(_ micros: Int64) -> String {
        var bytes: [UInt8] = []
        UTCTimestamp.append(micros: micros, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
