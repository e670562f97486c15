import Foundation

/// The digest of a ledger's head: the digest chain of a whole-log export,
/// up to and including one position.
public struct LedgerDigest: Sendable, Hashable {
    /// The last position the digest covers.
    public let position: UInt64
    /// The events it covers: every event from position 1 to ``position``.
    public let events: UInt64
    /// The SHA-256 digest, 64 lowercase hexadecimal digits: the `digest`
    /// field of that position's line in a whole-log export (32 zero bytes,
    /// in hex, when it covers no event).
    public let digest: String

    /// A digest of the log up to `position`; a backend makes it.
    package init(position: UInt64, events: UInt64, digest: String) {
        self.position = position
        self.events = events
        self.digest = digest
    }
}

extension EventStore {
    /// The digest chain over every event up to `position` (the last
    /// position when `nil`), computed exactly as a whole-log export computes
    /// it, with constant memory.
    ///
    /// Someone who keeps this digest can later check that nothing up to the
    /// position was changed: a whole-log export's line for the position must
    /// carry the same digest, and the import checks every digest of the file.
    ///
    /// - Returns: The digest, or `nil` when `position` is beyond the last
    ///   position (no digest can be promised for events not yet written).
    /// - Throws: ``EventStoreError`` when the log cannot be read.
    public func digest(at position: UInt64? = nil) throws(EventStoreError) -> LedgerDigest? {
        let last = try lastPosition()
        let end = position ?? last
        guard end <= last else { return nil }
        do {
            let chain = try exportChain(
                format: .chainedJSONLines, selection: ExportSelection(toPosition: end), write: { _ in })
            return LedgerDigest(position: end, events: chain.count, digest: chain.hex)
        } catch {
            throw EventStoreError.wrap(error)
        }
    }
}
