import LMDB

extension EventStore {
    /// The current version of a stream: the number of events in it, 0 when it
    /// does not exist.
    public func streamVersion(_ streamID: String) throws(EventStoreError) -> UInt64 {
        try reading { txn in try Self.record(streamID, in: txn, layout: layout)?.version ?? 0 }
    }

    /// The position of the last event in the log, 0 when it is empty.
    public func lastPosition() throws(EventStoreError) -> UInt64 {
        try reading { txn in
            try txn.withCursor(on: layout.events) { cursor in
                try cursor.last().map { $0.key.loadBigEndianUInt64(at: 0) } ?? 0
            }
        }
    }

    /// The event at `position`, or `nil` past the end of the log.
    public func event(at position: UInt64) throws(EventStoreError) -> RecordedEvent? {
        try reading { txn in try decodeEvent(at: position, in: txn) }
    }

    /// Reads up to `limit` events of one stream, starting at version `from`
    /// (inclusive). Reading backwards from `UInt64.max` starts at the newest.
    public func readStream(
        _ streamID: String, from version: UInt64 = 1, direction: ReadDirection = .forwards, limit: Int = .max
    ) throws(EventStoreError) -> [RecordedEvent] {
        try AppendValidation.validateStreamID(streamID, limits: options.limits)
        return try reading { txn in
            guard limit > 0, let record = try Self.record(streamID, in: txn, layout: layout) else { return [] }
            var events: [RecordedEvent] = []
            // A cursor over the stream's index entries, not a lookup per
            // version: versions whose events were archived have no entry.
            try txn.withCursor(on: layout.streamIndex) { cursor in
                switch direction {
                case .forwards:
                    var entry = try withBigEndianBytes(of: record.number, max(version, 1)) { try cursor.seek(atLeast: $0) }
                    while let current = entry, events.count < limit,
                          let streamVersion = Self.version(of: current.key, inStream: record.number) {
                        events.append(try eventOfStream(record.number, version: streamVersion, at: current.value, in: txn))
                        entry = try cursor.next()
                    }
                case .backwards:
                    var entry = try withBigEndianBytes(of: record.number, min(version, record.version)) {
                        try cursor.seek(atMost: $0)
                    }
                    while let current = entry, events.count < limit,
                          let streamVersion = Self.version(of: current.key, inStream: record.number) {
                        events.append(try eventOfStream(record.number, version: streamVersion, at: current.value, in: txn))
                        entry = try cursor.previous()
                    }
                }
            }
            return events
        }
    }

    /// Reads a page of the whole log from `position` (inclusive), keeping the
    /// events that pass `filter`.
    ///
    /// At most `limit` events are returned and at most `scanLimit` examined,
    /// so a selective filter still answers quickly; continue from
    /// ``ReadAllPage/nextPosition``.
    public func readAll(
        from position: UInt64 = 1, filter: EventFilter = .all, limit: Int = 1000, scanLimit: Int = 100_000
    ) throws(EventStoreError) -> ReadAllPage {
        var touched: (low: UnsafeRawPointer, high: UnsafeRawPointer)? = nil
        return try readPage(from: position, filter: filter, limit: limit, scanLimit: scanLimit, touched: &touched)
    }

    /// A page of the log, also noting the range of map addresses it read.
    func readPage(
        from position: UInt64, filter: EventFilter, limit: Int, scanLimit: Int,
        touched: inout (low: UnsafeRawPointer, high: UnsafeRawPointer)?
    ) throws(EventStoreError) -> ReadAllPage {
        let matcher = EventFilter.Matcher(filter)
        var low: UnsafeRawPointer? = nil
        var high: UnsafeRawPointer? = nil
        defer {
            if let low, let high { touched = (low, high) }
        }
        return try reading { txn in
            var events: [RecordedEvent] = []
            var next = max(position, 1)
            var scanned = 0
            var reachedEnd = false
            try txn.withCursor(on: layout.events) { cursor in
                var entry = try withBigEndianBytes(of: next) { key in try cursor.seek(atLeast: key) }
                while events.count < limit && scanned < scanLimit {
                    guard let current = entry else {
                        reachedEnd = true
                        break
                    }
                    let eventPosition = current.key.loadBigEndianUInt64(at: 0)
                    if let base = current.value.baseAddress {
                        if low == nil || base < low! { low = base }
                        let end = base + max(0, current.value.count - 1)
                        if high == nil || end > high! { high = end }
                    }
                    let view = try Self.view(current.value, position: eventPosition)
                    if matcher.matches(view) { events.append(view.recordedEvent) }
                    next = eventPosition + 1
                    scanned += 1
                    entry = try cursor.next()
                }
                if entry == nil { reachedEnd = true }
            }
            return ReadAllPage(events: events, nextPosition: next, reachedEnd: reachedEnd)
        }
    }

    /// Calls `body` with every event from `position` on that passes `filter`,
    /// in order, until the end of the log or until `body` returns false.
    ///
    /// Memory stays constant: the log is read in short snapshots of
    /// `chunkSize` events, so a long walk never holds a reader for long.
    /// Returns the number of events passed to `body`.
    @discardableResult
    public func forEachEvent(
        from position: UInt64 = 1, filter: EventFilter = .all, chunkSize: Int = 4096,
        _ body: (RecordedEvent) throws -> Bool
    ) throws -> Int {
        var next = max(position, 1)
        var delivered = 0
        while true {
            var touched: (low: UnsafeRawPointer, high: UnsafeRawPointer)? = nil
            let page = try readPage(from: next, filter: filter, limit: chunkSize, scanLimit: chunkSize, touched: &touched)
            if let touched { environment.releaseMappedPages(from: touched.low, through: touched.high) }
            for event in page.events {
                delivered += 1
                if try !body(event) { return delivered }
            }
            next = page.nextPosition
            if page.reachedEnd { return delivered }
        }
    }

    // MARK: Helpers

    func reading<R>(_ body: (borrowing ReadTransaction) throws -> R) throws(EventStoreError) -> R {
        do {
            return try environment.read(body)
        } catch {
            throw EventStoreError.wrap(error)
        }
    }

    static func record(_ streamID: String, in txn: borrowing ReadTransaction, layout: StoreLayout) throws -> StreamRecord? {
        var id = streamID
        return try id.withUTF8 { key in
            StreamRecord(try txn.get(UnsafeRawBufferPointer(key), in: layout.streams))
        }
    }

    /// Parses the envelope stored under `position` and, unless told not to,
    /// checks its CRC-32C: every read of an event goes through here, so a
    /// damaged event is refused with its position instead of being answered.
    /// Only the fuzzers' decoder and the benchmark's unchecked baseline skip
    /// the check; `verifyLog` parses envelopes itself, to list every
    /// damaged event rather than stop at the first.
    static func view(
        _ bytes: UnsafeRawBufferPointer, position: UInt64, verifyingChecksum: Bool = true
    ) throws(EventStoreError) -> EnvelopeView {
        do {
            let view = try EnvelopeView(bytes)
            if verifyingChecksum {
                let stored = view.storedChecksum
                let computed = view.computedChecksum
                guard stored == computed else {
                    throw EventStoreError.checksumMismatch(
                        position: position, stream: view.streamID, stored: stored, computed: computed)
                }
            }
            guard view.position == position else {
                throw EventStoreError.corruptEvent(
                    position: position, reason: "its envelope says position \(view.position)")
            }
            return view
        } catch let error as EnvelopeDecodingError {
            throw .corruptEvent(position: position, reason: error.description)
        } catch {
            throw EventStoreError.wrap(error)
        }
    }

    func decodeEvent(at position: UInt64, in txn: borrowing ReadTransaction) throws -> RecordedEvent? {
        try withBigEndianBytes(of: position) { key in
            guard let bytes = try txn.get(key, in: layout.events) else { return nil }
            return try Self.view(bytes, position: position).recordedEvent
        }
    }

    /// The version an index key names when it belongs to stream `number`.
    private static func version(of key: UnsafeRawBufferPointer, inStream number: UInt64) -> UInt64? {
        guard key.count == 16, key.loadBigEndianUInt64(at: 0) == number else { return nil }
        return key.loadBigEndianUInt64(at: 8)
    }

    private func eventOfStream(
        _ number: UInt64, version: UInt64, at positionBytes: UnsafeRawBufferPointer, in txn: borrowing ReadTransaction
    ) throws -> RecordedEvent {
        let position = positionBytes.count == 8 ? positionBytes.loadBigEndianUInt64(at: 0) : nil
        guard let position, let event = try decodeEvent(at: position, in: txn) else {
            throw EventStoreError.corruptEvent(
                position: position ?? 0, reason: "stream number \(number) version \(version) is missing from the log")
        }
        return event
    }
}
