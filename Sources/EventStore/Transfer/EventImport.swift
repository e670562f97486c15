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
        return ImportBatch(lines: reader.events, digest: reader.digestHex)
    }

    /// The bytes of the file at `path`, for ``readImport(jsonLines:limits:)``.
    public static func importData(fromFile path: String) throws(ImportError) -> Data {
        // Named before reading: a directory or a device (`/dev/zero` never
        // ends) is not an export, and Foundation's messages for them name
        // neither the cause nor the file kind.
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw .unreadableInput(reason: "'\(path)': \(String(cString: strerror(errno)))")
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG, S_IFIFO, S_IFSOCK:
            break
        case S_IFDIR:
            throw .unreadableInput(reason: "'\(path)' is a directory, not a file of exported events")
        default:
            throw .unreadableInput(reason: "'\(path)' is a device, not a file of exported events")
        }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            var reason = error.localizedDescription
            if let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
                reason = String(cString: strerror(Int32(truncatingIfNeeded: underlying.code)))
            }
            throw .unreadableInput(reason: "'\(path)': \(reason)")
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
        let versionGuard = ProjectionVersionGuard(path: path, projections: projections, meta: layout.meta)
        let report: ImportReport
        do {
            report = try environment.write { txn in
                try versionGuard?.check(in: txn)
                // May run again after the map grows: start from scratch.
                var applier = AppendApplier(layout: layout, projections: projections, tables: tables)
                var next = try applier.lastPosition(in: txn) + 1
                let (imported, skipped) = try ImportRun.apply(lines) { append, nowMicros in
                    try applier.apply([append], in: txn, nextPosition: &next, nowMicros: nowMicros)
                } envelopeAt: { position in
                    try withBigEndianBytes(of: position) { key in try txn.get(key, in: layout.events).map(Array.init) }
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
}

/// Ends a dry run's write transaction without committing it.
private struct DryRunRollback: Error {
    let report: ImportReport
}
