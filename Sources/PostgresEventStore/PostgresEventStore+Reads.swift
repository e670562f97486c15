import EventStore
import NIOCore
import PostgresNIO

extension PostgresEventStore {
    /// The version of `streamID`: its number of events, 0 when it does not exist.
    public func streamVersion(_ streamID: String) throws(EventStoreError) -> UInt64 {
        try withSession("reading a stream's version") { session in
            let rows = try session.query("SELECT version FROM jobledger_streams WHERE stream = \(streamID)")
            return UInt64(max(0, try rows.first?.decode(Int64.self) ?? 0))
        }
    }

    /// The position of the last committed event, 0 for an empty log.
    public func lastPosition() throws(EventStoreError) -> UInt64 {
        try withSession("reading the last position") { session in try Self.lastPosition(session) }
    }

    static func lastPosition(_ session: PostgresSession) throws -> UInt64 {
        let rows = try session.query("SELECT last_position FROM jobledger_head WHERE id = 1")
        return UInt64(max(0, try rows.first?.decode(Int64.self) ?? 0))
    }

    /// The event at `position`, or `nil` when there is none.
    public func event(at position: UInt64) throws(EventStoreError) -> RecordedEvent? {
        guard position > 0, position <= UInt64(Int64.max) else { return nil }
        return try withSession("reading an event") { session in
            try Self.envelopes(session, "WHERE position = \(Int64(position))").first
        }
    }

    /// Up to `limit` events of `streamID` from version `version`; reading
    /// backwards from `UInt64.max` starts at the newest.
    public func readStream(
        _ streamID: String, from version: UInt64, direction: ReadDirection, limit: Int
    ) throws(EventStoreError) -> [RecordedEvent] {
        try AppendValidation.validateStreamID(streamID, limits: options.limits)
        guard limit > 0 else { return [] }
        let from = Int64(clamping: version)
        let count = Int64(clamping: limit)
        return try withSession("reading a stream") { session in
            switch direction {
            case .forwards:
                return try Self.envelopes(session, """
                    WHERE stream = \(streamID) AND stream_version >= \(from) ORDER BY stream_version LIMIT \(count)
                    """)
            case .backwards:
                return try Self.envelopes(session, """
                    WHERE stream = \(streamID) AND stream_version <= \(from) ORDER BY stream_version DESC LIMIT \(count)
                    """)
            }
        }
    }

    /// One page of the whole log from `position` on: up to `limit` events
    /// that pass `filter`, looking at no more than `scanLimit` events.
    public func readAll(
        from position: UInt64, filter: EventFilter, limit: Int, scanLimit: Int
    ) throws(EventStoreError) -> ReadAllPage {
        try withSession("reading the log") { session in
            var events: [RecordedEvent] = []
            var next = max(position, 1)
            var scanned = 0
            while events.count < limit && scanned < scanLimit && next <= UInt64(Int64.max) {
                let chunk = min(1024, scanLimit - scanned)
                let rows = try Self.envelopes(
                    session, "WHERE position >= \(Int64(next)) ORDER BY position LIMIT \(Int64(chunk))")
                var consumed = 0
                for event in rows {
                    if events.count >= limit { break }
                    if StoredEnvelope.matches(event, filter) { events.append(event) }
                    next = event.position + 1
                    scanned += 1
                    consumed += 1
                }
                if rows.count < chunk && consumed == rows.count {
                    return ReadAllPage(events: events, nextPosition: next, reachedEnd: true)
                }
            }
            // Stopped by a limit: the end is reached when nothing follows.
            let reachedEnd = try next > UInt64(Int64.max) || Self.lastPosition(session) < next
            return ReadAllPage(events: events, nextPosition: next, reachedEnd: reachedEnd)
        }
    }

    /// Calls `body` with each event from `position` on that passes `filter`,
    /// in position order, while it returns true; reads `chunkSize` events
    /// per statement. Returns the number of events passed to `body`.
    @discardableResult
    public func forEachEvent(
        from position: UInt64, filter: EventFilter, chunkSize: Int, _ body: (RecordedEvent) throws -> Bool
    ) throws -> Int {
        var next = max(position, 1)
        var delivered = 0
        while true {
            let page = try readAll(from: next, filter: filter, limit: max(1, chunkSize), scanLimit: max(1, chunkSize))
            for event in page.events {
                delivered += 1
                if try !body(event) { return delivered }
            }
            next = page.nextPosition
            if page.reachedEnd { return delivered }
        }
    }

    /// The events of `jobledger_events` that `clause` selects, each checked
    /// as every read checks it.
    static func envelopes(_ session: PostgresSession, _ clause: PostgresQuery) throws -> [RecordedEvent] {
        var query = PostgresQuery(unsafeSQL: "SELECT position, envelope FROM jobledger_events ")
        query.sql += clause.sql
        query.binds = clause.binds
        return try session.query(query).map { row in
            let (position, buffer) = try row.decode((Int64, ByteBuffer).self)
            return try buffer.withUnsafeReadableBytes { bytes throws(EventStoreError) in
                try StoredEnvelope.event(bytes, position: UInt64(max(0, position)))
            }
        }
    }
}
