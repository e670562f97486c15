/// The stored form of events for backends other than LMDB: they keep the
/// same envelope bytes (``EnvelopeCodec/encode(_:streamID:position:streamVersion:recordedAtMicros:)``),
/// checksum included, so that every read checks it and every export is the
/// same text.
package enum StoredEnvelope {
    /// The event stored as `bytes` under `position`, checked as every read
    /// checks it: ``EventStoreError/checksumMismatch(position:stream:stored:computed:)``
    /// for damage, ``EventStoreError/corruptEvent(position:reason:)`` for
    /// bytes that are no envelope of that position.
    package static func event(_ bytes: UnsafeRawBufferPointer, position: UInt64) throws(EventStoreError) -> RecordedEvent {
        try EventStore.view(bytes, position: position).recordedEvent
    }

    /// Whether `event` passes `filter`.
    package static func matches(_ event: RecordedEvent, _ filter: EventFilter) -> Bool {
        if let prefix = filter.streamPrefix, !event.streamID.utf8.starts(with: prefix.utf8) { return false }
        if let types = filter.types, !types.contains(event.type) { return false }
        return true
    }
}
