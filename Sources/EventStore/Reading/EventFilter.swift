/// Selects events of the whole log by type and stream.
public struct EventFilter: Sendable, Hashable {
    /// Only events of these types; `nil` for all types.
    public var types: Set<String>?
    /// Only events of streams whose id starts with this; `nil` for all streams.
    public var streamPrefix: String?

    /// Creates a filter; with no arguments it lets every event through.
    public init(types: Set<String>? = nil, streamPrefix: String? = nil) {
        self.types = types
        self.streamPrefix = streamPrefix
    }

    /// Lets every event through.
    public static let all = EventFilter()

    var isAll: Bool { types == nil && streamPrefix == nil }

    /// Compiled byte forms, so matching needs no decoding.
    struct Matcher {
        let types: [[UInt8]]?
        let prefix: [UInt8]?

        init(_ filter: EventFilter) {
            types = filter.types.map { $0.map { Array($0.utf8) } }
            prefix = filter.streamPrefix.map { Array($0.utf8) }
        }

        func matches(_ view: EnvelopeView) -> Bool {
            if let prefix {
                guard view.stream.count >= prefix.count,
                      view.stream.prefix(prefix.count).elementsEqual(prefix) else { return false }
            }
            if let types {
                guard types.contains(where: { view.type.elementsEqual($0) }) else { return false }
            }
            return true
        }
    }
}

/// Which way a stream is read.
public enum ReadDirection: Sendable, Hashable {
    /// From older to newer versions.
    case forwards
    /// From newer to older versions.
    case backwards
}

/// One page of the whole log.
public struct ReadAllPage: Sendable, Hashable {
    /// The matching events, in position order.
    public let events: [RecordedEvent]
    /// Where the next page starts: one past the last position examined.
    public let nextPosition: UInt64
    /// True when the page reached the end of the log as it was when read.
    public let reachedEnd: Bool

    /// A page of the log; a backend makes it.
    package init(events: [RecordedEvent], nextPosition: UInt64, reachedEnd: Bool) {
        self.events = events
        self.nextPosition = nextPosition
        self.reachedEnd = reachedEnd
    }
}
