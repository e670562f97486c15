import EventStore
import Foundation

extension JobLedger {
    /// Restores events from an export, all or nothing: the import of a
    /// valid ledger.
    ///
    /// On top of what ``EventStore/importEvents(lines:dryRun:)`` checks (each
    /// line, the digest chain, the closing line, versions and event ids),
    /// every job stream must be a history the ledger's commands could have
    /// written, audit entries included (``JobHistoryValidator``). A file that
    /// continues a stream the ledger holds is checked from the stored state.
    ///
    /// - Throws: ``ImportError`` naming the first line that cannot be
    ///   imported; nothing is written then.
    @discardableResult
    public func importEvents(jsonLines data: Data, dryRun: Bool = false) throws(ImportError) -> ImportReport {
        let batch = try EventStore.readImport(jsonLines: data, limits: options.store.limits)
        let store = self.store
        var validator = JobHistoryValidator(policy: options.retryPolicy) { stream, beforeVersion in
            try store.readStream(stream, limit: Int(clamping: beforeVersion - 1))
        }
        try validator.validate(batch.lines)
        return try store.importEvents(batch, dryRun: dryRun)
    }

    /// Restores the export file at `path`. See ``importEvents(jsonLines:dryRun:)``.
    @discardableResult
    public func importEvents(fromFile path: String, dryRun: Bool = false) throws(ImportError) -> ImportReport {
        try importEvents(jsonLines: EventStore.importData(fromFile: path), dryRun: dryRun)
    }

    /// Restores an export read from `handle` to its end, such as standard
    /// input. See ``importEvents(jsonLines:dryRun:)``.
    @discardableResult
    public func importEvents(from handle: FileHandle, dryRun: Bool = false) throws(ImportError) -> ImportReport {
        try importEvents(jsonLines: EventStore.importData(from: handle), dryRun: dryRun)
    }
}
