/// Checks an append against the limits before it reaches the writer, so bad
/// input is refused without touching the ledger.
package enum AppendValidation {
    package static func validate(_ appends: [StreamAppend], limits: EventLimits) throws(EventStoreError) {
        guard !appends.isEmpty else { throw .invalidAppend(reason: "no streams given") }
        var seenStreams = Set<String>()
        var seenIDs = Set<UUIDKey>()
        for append in appends {
            try validateStreamID(append.streamID, limits: limits)
            guard seenStreams.insert(append.streamID).inserted else {
                throw .invalidAppend(reason: "stream '\(append.streamID)' appears twice in one append")
            }
            guard !append.events.isEmpty else {
                throw .invalidAppend(reason: "no events for stream '\(append.streamID)'")
            }
            for event in append.events {
                if let reason = textProblem(event.type, limit: limits.maxTypeBytes, allowEmpty: false) {
                    throw .invalidEventType(event.type, stream: append.streamID, reason: reason)
                }
                if let reason = textProblem(event.actor, limit: limits.maxActorBytes, allowEmpty: true) {
                    throw .invalidActor(event.actor, stream: append.streamID, reason: reason)
                }
                if event.payload.count > limits.maxPayloadBytes {
                    throw .payloadTooLarge(
                        stream: append.streamID, eventID: event.id, size: event.payload.count,
                        limit: limits.maxPayloadBytes)
                }
                if let recordedAt = event.recordedAt, recordedAt.exactMicrosecondsSince1970 == nil {
                    throw .invalidAppend(
                        reason: "event \(event.id) of stream '\(append.streamID)': recordedAt \(recordedAt) is beyond "
                            + "the times the ledger stores (microseconds since 1970 in 64 bits)")
                }
                guard seenIDs.insert(UUIDKey(event.id)).inserted else {
                    throw .eventIDConflict(
                        eventID: event.id, stream: append.streamID, reason: "the id appears twice in one append")
                }
            }
        }
    }

    /// Throws when `id` cannot name a stream.
    package static func validateStreamID(_ id: String, limits: EventLimits) throws(EventStoreError) {
        if let reason = textProblem(id, limit: limits.maxStreamIDBytes, allowEmpty: false) {
            throw .invalidStreamID(id, reason: reason)
        }
    }

    /// Why `text` is not acceptable, or `nil` when it is.
    ///
    /// Swift strings are always valid Unicode, so bytes that were not valid
    /// UTF-8 show up as U+FFFD replacement characters; those are refused.
    static func textProblem(_ text: String, limit: Int, allowEmpty: Bool) -> String? {
        let count = text.utf8.count
        if count == 0 && !allowEmpty { return "must not be empty" }
        if count > limit { return "is \(count) bytes long; the limit is \(limit)" }
        // Fast path: printable ASCII needs no Unicode property lookups.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return nil }
        for scalar in text.unicodeScalars {
            if scalar == "\u{FFFD}" { return "is not valid UTF-8 (holds U+FFFD)" }
            if scalar.properties.generalCategory == .control { return "holds a control character" }
        }
        return nil
    }
}

import Foundation

/// A hashable wrapper so UUIDs can go into sets without bridging costs.
struct UUIDKey: Hashable {
    let high: UInt64
    let low: UInt64

    init(_ id: UUID) {
        let bytes = id.uuid
        high = withUnsafeBytes(of: bytes) { $0.loadUnaligned(fromByteOffset: 0, as: UInt64.self) }
        low = withUnsafeBytes(of: bytes) { $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self) }
    }
}
