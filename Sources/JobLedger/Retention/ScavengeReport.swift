import Foundation

/// What one `scavenge` did.
public struct ScavengeReport: Sendable, Hashable {
    /// The archive written; `nil` when no job was due and nothing was written.
    public let archivePath: String?
    /// Jobs archived.
    public let jobs: Int
    /// Events moved into the archive (job events and audit entries).
    public let events: Int
    /// The digest of the archive's closing line, also recorded in the
    /// ledger's `retention` stream.
    public let archiveDigest: String?
    /// The position of the `RetentionScavenged` record in the ledger.
    public let recordPosition: UInt64?
    /// True when more jobs were due than one scavenge takes: run it again.
    public let moreDue: Bool
    /// The retention policy of each job type that has one, in seconds.
    public let policies: [String: Int]
}

/// The record of one scavenge, the payload of `RetentionScavenged` in the
/// `retention` stream: the live ledger's proof of what it gave away.
public struct ScavengeRecord: Sendable, Hashable, Codable {
    /// The archive file's name, without its directory.
    public var archive: String
    /// The digest of the archive's closing line.
    public var digest: String
    /// Event lines in the archive.
    public var events: Int
    /// Jobs archived.
    public var jobs: Int
    /// The lowest and highest position archived.
    public var firstPosition: UInt64
    public var lastPosition: UInt64
    /// Who ran it.
    public var actor: String

    /// The stream of scavenge records.
    public static let stream = "retention"
    /// Their event type.
    public static let eventType = "RetentionScavenged"
}
