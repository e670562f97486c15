extension EventStorage {
    /// Backends that keep no archive refuse to remove events; see
    /// ``EventStore/removeStreamPrefixes(_:appending:)`` for the one that does.
    public func removeStreamPrefixes(
        _ removals: [StreamPrefixRemoval], appending appends: [StreamAppend]
    ) throws(EventStoreError) -> AppendResult {
        throw .invalidAppend(reason: "the ledger at \(locationDescription) cannot archive events: retention runs on the embedded LMDB ledger")
    }

    /// Backends that never archive have no archived positions.
    public func archivedPosition(_ position: UInt64) throws(EventStoreError) -> ArchivedPosition? { nil }
}
