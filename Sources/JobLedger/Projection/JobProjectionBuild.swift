/// What one version of ``JobProjection`` writes, as far as this code still
/// reads tables of that version as they are: where a pending job waiting
/// out a retry delay is indexed, and whether the tallies are kept.
///
/// A writable open always rebuilds to ``current``; a read-only open of a
/// ledger built by an older version reads (and verifies) its tables with
/// that version's build, and only a read of the tallies, which such a
/// ledger lacks, is refused.
struct JobProjectionBuild: Sendable, Hashable {
    /// Where a waiting retry goes.
    var placement: RetryPlacement
    /// Whether the `tallies` table is written.
    var keepsTallies: Bool

    /// Version 7: retries waiting in `scheduled`, tallies kept.
    static let current = JobProjectionBuild(placement: .scheduled, keepsTallies: true)

    /// The projection version these tables carry.
    var version: Int {
        switch (placement, keepsTallies) {
        case (.scheduled, true): 7
        case (.scheduled, false): 6
        case (.queue, _): 5
        }
    }

    /// The build of `version`, when this code still reads its tables.
    static func of(version: Int) -> JobProjectionBuild? {
        switch version {
        case 7: .current
        case 6: JobProjectionBuild(placement: .scheduled, keepsTallies: false)
        case 5: JobProjectionBuild(placement: .queue, keepsTallies: false)
        default: nil
        }
    }
}

/// Where the indexes keep a pending job that waits to retry.
enum RetryPlacement: Sendable, Hashable {
    /// In `scheduled`, by the time it may run again (versions 6 and 7).
    case scheduled
    /// In the queue, passed over by claims until then (version 5).
    case queue
}
