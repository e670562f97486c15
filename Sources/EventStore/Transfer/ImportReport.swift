import Foundation

/// What an import did, or (for a dry run) would do.
public struct ImportReport: Sendable, Hashable {
    /// Events written.
    public let imported: Int
    /// Events skipped because the ledger already holds them: same id,
    /// stream, version, type, time, actor, correlation and causation ids,
    /// and payload.
    public let skipped: Int
    /// The ledger's last position after the import.
    public let lastPosition: UInt64
    /// True when nothing was written because the import was a dry run.
    public let dryRun: Bool

    /// Creates a report; ``EventStore/importEvents(lines:dryRun:)`` does this.
    public init(imported: Int, skipped: Int, lastPosition: UInt64, dryRun: Bool) {
        self.imported = imported
        self.skipped = skipped
        self.lastPosition = lastPosition
        self.dryRun = dryRun
    }
}
