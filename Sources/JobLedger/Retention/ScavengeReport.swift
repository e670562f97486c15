import Foundation

/// What one `scavenge` did.
public struct ScavengeReport: Sendable, Hashable {
    /// The archive written; `nil` when no job was due and nothing was written.
    public let archivePath: String?
    /// Jobs archived.
    public let jobs: Int
    /// Events taken out of the live ledger (job events and audit entries).
    public let events: Int
    /// Event lines in the archive: ``events``, and the events of jobs that
    /// moved before their part committed and stayed live.
    public let archiveEvents: Int
    /// Write transactions the removal took.
    public let parts: Int
    /// Jobs written to the archive that moved (a retry, say) before their
    /// part committed, and stayed live.
    public let jobsLeftLive: Int
    /// Due jobs left live because their payload alone is too large for the
    /// snapshot that would stand in for their events.
    public let jobsTooLarge: Int
    /// The digest of the archive's closing line, also recorded in the
    /// ledger's `retention` stream.
    public let archiveDigest: String?
    /// The position of the last `RetentionScavenged` record in the ledger.
    public let recordPosition: UInt64?
    /// True when more jobs were due than one scavenge takes: run it again.
    public let moreDue: Bool
    /// The retention policy of each job type that has one, in seconds.
    public let policies: [String: Int]
}

/// The record of one part of a scavenge, the payload of
/// `RetentionScavenged` in the `retention` stream: the live ledger's proof
/// of what it gave away. A scavenge commits in parts; each names the
/// archive by its digest and says how many of its events it removed.
public struct ScavengeRecord: Sendable, Hashable, Codable {
    /// The archive file's name, without its directory.
    public var archive: String
    /// The digest of the archive's closing line.
    public var digest: String
    /// Event lines in the whole archive.
    public var archiveEvents: Int
    /// Events this part removed from the live ledger.
    public var events: Int
    /// Jobs this part archived.
    public var jobs: Int
    /// The lowest position this part removed.
    public var firstPosition: UInt64
    /// The highest position this part removed.
    public var lastPosition: UInt64
    /// Who ran it.
    public var actor: String

    /// The stream of scavenge records.
    public static let stream = "retention"
    /// Their event type.
    public static let eventType = "RetentionScavenged"
}
