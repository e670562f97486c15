/// What a backup (or restore) wrote and what the check of the copy found.
public struct BackupReport: Sendable, Hashable {
    /// The directory holding the copy.
    public let path: String
    /// Size of the copy's data file in bytes.
    public let bytes: Int
    /// Whether free pages were left out of the copy.
    public let compacted: Bool
    /// The copy's events, all checked: every envelope decodes, matches its
    /// checksum and sits under its position, positions and stream versions
    /// are dense.
    public let events: Int
    /// The digest chain of the copy's whole log, up to its last position:
    /// equal to the digest the ledger had at that position.
    public let digest: LedgerDigest

    /// Creates a report; ``EventStore/backup(to:compact:progress:)`` makes it.
    public init(path: String, bytes: Int, compacted: Bool, events: Int, digest: LedgerDigest) {
        self.path = path
        self.bytes = bytes
        self.compacted = compacted
        self.events = events
        self.digest = digest
    }
}

/// How far a running copy has come, handed to a backup's progress callback
/// a few times a second.
public struct BackupProgress: Sendable, Hashable {
    /// Bytes written to the copy so far.
    public let bytesWritten: Int
    /// The bytes the ledger's pages take now: what a plain copy will write,
    /// an upper bound for a compacting one.
    public let bytesExpected: Int

    /// Creates a progress figure.
    public init(bytesWritten: Int, bytesExpected: Int) {
        self.bytesWritten = bytesWritten
        self.bytesExpected = bytesExpected
    }
}
