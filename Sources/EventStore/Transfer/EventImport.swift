import Foundation
import LMDB

extension EventStore {
    /// Imports events from JSON Lines export lines, all or nothing, in one
    /// write transaction.
    ///
    /// Each line is one event, applied in file order as its own append to
    /// its stream, expecting the stream at the line's version minus one,
    /// with the line's event id and recorded time (to the microsecond).
    /// Events land at the next free positions, so the file's order becomes
    /// the ledger's order: a whole-log export imported into an empty ledger
    /// gets its positions back and exports again to the same bytes. The
    /// `position` field only orders the lines: it must increase from line to
    /// line. Blank lines are ignored.
    ///
    /// Events the ledger already holds, identical in every field, are
    /// skipped, so importing the same file twice changes nothing the second
    /// time. The whole input is read and checked before the write
    /// transaction starts; memory grows with the input.
    ///
    /// - Parameters:
    ///   - lines: The lines, without their line feeds.
    ///   - dryRun: Check everything, including against the ledger, then
    ///     roll back; the report says what would have happened.
    /// - Throws: ``ImportError`` naming the first line that cannot be
    ///   imported; nothing is written then.
    @discardableResult
    public func importEvents(lines: some Sequence<String>, dryRun: Bool = false) throws(ImportError) -> ImportReport {
        var reader = ImportReader(limits: options.limits)
        for line in lines {
            var line = line
            if let error = line.withUTF8({ reader.add(UnsafeRawBufferPointer($0)) }) { throw error }
        }
        if let error = reader.finish() { throw error }
        return try applyImport(reader.events, dryRun: dryRun)
    }

    /// Imports the JSON Lines file at `path`. See ``importEvents(lines:dryRun:)``.
    @discardableResult
    public func importEvents(fromFile path: String, dryRun: Bool = false) throws(ImportError) -> ImportReport {
        try importEvents(jsonLines: Self.importData(fromFile: path), dryRun: dryRun)
    }

    /// Imports JSON Lines read from `handle` to its end, such as standard
    /// input. See ``importEvents(lines:dryRun:)``.
    @discardableResult
    public func importEvents(from handle: FileHandle, dryRun: Bool = false) throws(ImportError) -> ImportReport {
        let data: Data
        do {
            data = try handle.readToEnd() ?? Data()
        } catch {
            throw .unreadableInput(reason: error.localizedDescription)
        }
        return try importEvents(jsonLines: data, dryRun: dryRun)
    }

    /// Reads and checks import text (every line, digest, the count and the
    /// closing line, the ledger's `limits`) without touching any ledger, so
    /// that a domain can check the events before they are imported with
    /// ``importEvents(_:dryRun:)``.
    public static func readImport(jsonLines data: Data, limits: EventLimits = EventLimits()) throws(ImportError) -> ImportBatch {
        var reader = ImportReader(limits: limits)
        if let error = data.withUnsafeBytes({ reader.addLines(of: $0) }) { throw error }
        return ImportBatch(lines: reader.events)
    }

    /// The bytes of the file at `path`, for ``readImport(jsonLines:limits:)``.
    public static func importData(fromFile path: String) throws(ImportError) -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadableInput(reason: "'\(path)': \(error.localizedDescription)")
        }
    }

    /// The bytes read from `handle` to its end, for ``readImport(jsonLines:limits:)``.
    public static func importData(from handle: FileHandle) throws(ImportError) -> Data {
        do {
            return try handle.readToEnd() ?? Data()
        } catch {
            throw .unreadableInput(reason: error.localizedDescription)
        }
    }

    /// Imports events read by ``readImport(jsonLines:limits:)``, all or
    /// nothing. See ``importEvents(lines:dryRun:)``.
    @discardableResult
    public func importEvents(_ batch: ImportBatch, dryRun: Bool = false) throws(ImportError) -> ImportReport {
        try applyImport(batch.readLines, dryRun: dryRun)
    }

    private func applyImport(_ lines: [ImportReader.Line], dryRun: Bool) throws(ImportError) -> ImportReport {
        if let appendRefusal { throw .storage(appendRefusal) }
        let layout = self.layout
        let projections = options.projections
        let tables = projectionTables
        let report: ImportReport
        do {
            report = try environment.write { txn in
                // May run again after the map grows: start from scratch.
                var applier = AppendApplier(layout: layout, projections: projections, tables: tables)
                var next = try applier.lastPosition(in: txn) + 1
                var imported = 0
                var skipped = 0
                for line in lines {
                    let item = line.event
                    let append = StreamAppend(
                        streamID: item.streamID, expectedVersion: .exact(item.version - 1), events: [item.event])
                    let outcome: Result<AppendResult, EventStoreError>
                    do {
                        // The event carries no `recordedAt`, so the applier
                        // stamps it with the "now" given: the line's time, to
                        // the microsecond, without a round trip through Date.
                        outcome = try applier.apply(
                            [append], in: txn, nextPosition: &next, nowMicros: item.recordedAtMicros)
                    } catch let error as EventStoreError {
                        throw ImportError.invalidEvent(line: line.number, error: error)
                    }
                    switch outcome {
                    case .success(let result) where result.wasAlreadyStored:
                        let position = result.streams[0].positions[0]
                        if let problem = try Self.storedDifference(item, at: position, in: txn, layout: layout) {
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
                let report = ImportReport(imported: imported, skipped: skipped, lastPosition: next - 1, dryRun: dryRun)
                if dryRun { throw DryRunRollback(report: report) }
                if imported > 0 {
                    try CommitClock.record(micros: Date().microsecondsSince1970, in: txn, meta: layout.meta)
                }
                return report
            }
        } catch let error as ImportError {
            throw error
        } catch let rollback as DryRunRollback {
            return rollback.report
        } catch {
            throw .storage(EventStoreError.wrap(error))
        }
        if report.imported > 0 { notifier.notify() }
        return report
    }

    /// How the stored event at `position`, which has the line's id, stream,
    /// type and payload, differs from the line in its other fields; `nil`
    /// when it does not.
    private static func storedDifference(
        _ item: ExportedEvent, at position: UInt64, in txn: borrowing WriteTransaction, layout: StoreLayout
    ) throws -> String? {
        try withBigEndianBytes(of: position) { key in
            guard let bytes = try txn.get(key, in: layout.events) else {
                return "its id names position \(position), which holds no event"
            }
            let view = try Self.view(bytes, position: position)
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
    }

    private static func timestamp(_ micros: Int64) -> String {
        var bytes: [UInt8] = []
        UTCTimestamp.append(micros: micros, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Ends a dry run's write transaction without committing it.
private struct DryRunRollback: Error {
    let report: ImportReport
}
