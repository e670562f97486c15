/// The rules for an append whose event ids are already stored, shared by
/// every backend: the same append again is answered with its first
/// positions; anything else is a conflict of ids.
package enum StoredAppendCheck {
    /// Why the event stored at `position` under one of the append's ids is
    /// not the `index`th event of that same append, or `nil` when it is.
    /// `firstVersion` is the stored version of the append's first event.
    package static func problem(
        position: UInt64, storedStream: String, streamMatches: Bool, contentMatches: Bool, storedVersion: UInt64,
        index: Int, firstVersion: UInt64
    ) -> String? {
        if !streamMatches { return "it is already stored in stream '\(storedStream)' at position \(position)" }
        if !contentMatches { return "it is already stored at position \(position) with other content" }
        if storedVersion != firstVersion + UInt64(index) {
            return "it is already stored at position \(position) but not in the same order"
        }
        return nil
    }

    /// The answer to an append given, per stream, the positions its events
    /// are stored at (`nil` when none is): the first positions when every
    /// stream's events are stored, a conflict when only some streams' are,
    /// and `nil` when none is, so that the append goes ahead.
    package static func answer(
        _ appends: [StreamAppend], stored: [[UInt64]?], versions: (Int) -> UInt64
    ) -> Result<AppendResult, EventStoreError>? {
        let storedCount = stored.lazy.filter { $0 != nil }.count
        if storedCount == 0 { return nil }
        if storedCount == appends.count {
            return .success(AppendResult(
                streams: appends.indices.map { index in
                    .init(streamID: appends[index].streamID, version: versions(index), positions: stored[index]!)
                },
                wasAlreadyStored: true))
        }
        let index = stored.firstIndex { $0 != nil }!
        return .failure(.eventIDConflict(
            eventID: appends[index].events[0].id, stream: appends[index].streamID,
            reason: "the events of this stream are already stored but those of other streams in the append are not"))
    }
}
