/// What a one-event commit of the `pages` workload writes, side by side:
/// raw LMDB variants that each add one of the store's databases to the
/// previous one, and the store itself.
enum CommitPagesSide: String, CaseIterable, Codable, Sendable {
    /// The envelope appended to `events` under its position: raw LMDB's
    /// single put.
    case events = "a"
    /// And `(stream number, version) -> position` in `streamIndex`.
    case streamIndex = "b"
    /// And `event id -> position` in `eventIDs` (a time-ordered id, as
    /// `EventData` makes by default), looked up before it is put.
    case eventIDs = "c"
    /// And `stream id -> (number, version)` in `streams`, read before it
    /// is written.
    case streams = "d"
    /// And the `meta` records every appending commit keeps: the commit
    /// clock and the size samples, and `nextStream` for a new stream.
    case meta = "e"
    /// `EventStore.append`, durable, one event.
    case store = "store"

    /// The raw LMDB variants, in the order each adds a database.
    static let rawVariants: [CommitPagesSide] = [.events, .streamIndex, .eventIDs, .streams, .meta]

    /// Whether a raw variant writes what `other` adds (every variant
    /// writes what the ones before it write).
    func includes(_ other: CommitPagesSide) -> Bool {
        guard let own = Self.rawVariants.firstIndex(of: self), let theirs = Self.rawVariants.firstIndex(of: other) else {
            return false
        }
        return theirs <= own
    }

    /// The side as the table names it.
    var label: String {
        switch self {
        case .events: return "(a) raw: events"
        case .streamIndex: return "(b) raw: + streamIndex"
        case .eventIDs: return "(c) raw: + eventIDs"
        case .streams: return "(d) raw: + streams"
        case .meta: return "(e) raw: + meta"
        case .store: return "EventStore append"
        }
    }
}

/// Which stream a measured commit's event goes to.
enum CommitPagesStream: String, CaseIterable, Codable, Sendable {
    /// A stream no commit wrote before, as a job's first event.
    case new
    /// A stream of the prefilled log, chosen at random.
    case existing
}
