/// The rules for an append whose event ids are already stored, shared by
/// every backend: the same append again is answered with its first
/// positions; anything else is a conflict of ids.
package enum StoredAppendCheck {
    /// Checks an append some of whose event ids are stored, at
    /// `positions` (those found, in the append's order): `nil` when none
    /// is; the positions when every event is stored as this same append
    /// (same stream, type and payload, in the same order); a conflict of
    /// ids otherwise. `withEnvelope` hands over the envelope stored at a
    /// position (`nil` when none is). Damage to a stored event throws.
    package static func check(
        _ append: StreamAppend, positions: [UInt64],
        withEnvelope: (UInt64, (UnsafeRawBufferPointer?) throws -> String?) throws -> String?
    ) throws -> Result<[UInt64]?, EventStoreError> {
        if positions.isEmpty { return .success(nil) }
        guard positions.count == append.events.count else {
            return .failure(.eventIDConflict(
                eventID: append.events[0].id, stream: append.streamID,
                reason: "only \(positions.count) of the \(append.events.count) events of this append are stored"))
        }
        var firstVersion: UInt64 = 0
        for (index, (event, position)) in zip(append.events, positions).enumerated() {
            let problem = try withEnvelope(position) { bytes in
                guard let bytes else { return "its index names position \(position), which holds no event" }
                let view: EnvelopeView
                do {
                    view = try EventStore.view(bytes, position: position)
                } catch let error as EventStoreError {
                    // Damage is its own error, not a conflict of ids.
                    if error.code == .checksumMismatch { throw error }
                    return "the event at position \(position) is unreadable: \(error)"
                }
                if index == 0 { firstVersion = view.streamVersion }
                if !view.stream.elementsEqual(append.streamID.utf8) {
                    return "it is already stored in stream '\(view.streamID)' at position \(position)"
                }
                if !view.type.elementsEqual(event.type.utf8) || !view.payload.elementsEqual(event.payload) {
                    return "it is already stored at position \(position) with other content"
                }
                if view.streamVersion != firstVersion + UInt64(index) {
                    return "it is already stored at position \(position) but not in the same order"
                }
                return nil
            }
            if let problem {
                return .failure(.eventIDConflict(eventID: event.id, stream: append.streamID, reason: problem))
            }
        }
        return .success(positions)
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
