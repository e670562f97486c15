import EventStore
import Foundation

extension PostgresEventStore {
    /// Checks every event of the log (checksums, dense positions, stream
    /// versions); lists at most `limit` problems.
    public func verifyLog(limit: Int) throws(EventStoreError) -> LogVerificationReport {
        try withSession("verifying the log") { session in
            var checker = LogChecker()
            try Self.forEachEnvelope(session, from: 1, through: UInt64(Int64.max)) { position, bytes in
                checker.check(bytes, storedAt: position)
                return checker.report.problems.count < limit
            }
            return checker.report
        }
    }

    /// The digest of the log up to `position` (the last one when `nil`), or
    /// `nil` when `position` lies beyond the log.
    public func digest(at position: UInt64?) throws(EventStoreError) -> LedgerDigest? {
        let last = try lastPosition()
        let end = position ?? last
        guard end <= last else { return nil }
        do {
            let chain = try exportChain(
                format: .chainedJSONLines, selection: ExportSelection(toPosition: end), from: 1, through: end,
                header: false, write: { _ in })
            return LedgerDigest(position: end, events: chain.count, digest: chain.hex)
        } catch let error as EventStoreError {
            throw error
        } catch {
            throw .database("computing the digest: \(error)")
        }
    }

    /// Writes the selected events as text; returns how many were written.
    /// The export ends at the last position committed when it began.
    @discardableResult
    public func exportEvents(
        format: ExportFormat, selection: ExportSelection, write: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> Int {
        let end = min(selection.toPosition ?? .max, try lastPosition())
        return Int(try exportChain(
            format: format, selection: selection, from: selection.fromPosition, through: end, header: format == .csv,
            write: write).count)
    }

    /// Writes the selected events, then the ones committed later by any
    /// process, until the task is cancelled or the selection's end is written.
    @discardableResult
    public func followEvents(
        format: ExportFormat, selection: ExportSelection, pollInterval: Duration,
        write: (UnsafeRawBufferPointer) throws -> Void
    ) async throws -> Int {
        try await EventStore.follow(
            format: format, selection: selection, pollInterval: pollInterval, notifier: notifier,
            lastPosition: { () throws(EventStoreError) in try lastPosition() }
        ) { first, end, header in
            Int(try exportChain(
                format: format, selection: selection, from: first, through: end, header: header, write: write).count)
        }
    }

    /// Appends an exported log, checked first, in one transaction: nothing
    /// is written when any line is refused, or when `dryRun` is set.
    @discardableResult
    public func importEvents(_ batch: ImportBatch, dryRun: Bool) throws(ImportError) -> ImportReport {
        if let appendRefusal { throw .storage(appendRefusal) }
        let projections = options.projections
        let report: ImportReport
        do {
            report = try pool.withSession { session in
                try session.transaction {
                    var appender = try PostgresAppender.begin(
                        on: session, projections: projections, location: locationDescription)
                    let (imported, skipped) = try ImportRun.apply(batch) { append, nowMicros in
                        try appender.apply([append], nowMicros: nowMicros)
                    } envelopeAt: { position in
                        try appender.envelope(at: position)
                    }
                    let report = ImportReport(
                        imported: imported, skipped: skipped, lastPosition: appender.nextPosition - 1, dryRun: dryRun)
                    if dryRun { throw DryRunRollback(report: report) }
                    try appender.finish()
                    return report
                }
            }
        } catch let error as ImportError {
            throw error
        } catch let rollback as DryRunRollback {
            return rollback.report
        } catch let error as EventStoreError {
            throw .storage(error)
        } catch {
            throw .storage(.database("importing: \(PostgresSession.message(error))"))
        }
        if report.imported > 0 { notifier.notify() }
        return report
    }

    /// The export of positions `first` through `end`, in pieces of about
    /// 256 KiB; returns the digest chain over the lines written.
    private func exportChain(
        format: ExportFormat, selection: ExportSelection, from first: UInt64, through end: UInt64, header: Bool,
        write: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> ExportDigestChain {
        if let streamID = selection.streamID { try AppendValidation.validateStreamID(streamID, limits: options.limits) }
        var export = EnvelopeExport(format: format, selection: selection, header: header, flushBytes: 256 << 10)
        if first <= end {
            try withSession("exporting") { session in
                try Self.forEachEnvelope(session, from: first, through: end, stream: selection.streamID) { position, bytes in
                    try export.render(envelope: bytes, position: position)
                    if export.isFull { try export.flush(write) }
                    return true
                }
            }
        }
        return try export.finish(write)
    }
}

/// Ends a dry run's transaction without committing it.
private struct DryRunRollback: Error {
    let report: ImportReport
}
