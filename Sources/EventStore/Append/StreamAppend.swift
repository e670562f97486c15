/// The events for one stream within an append, with the version they were
/// decided on.
public struct StreamAppend: Sendable, Hashable {
    /// The stream to append to.
    public var streamID: String
    /// The version the caller saw when deciding these events.
    public var expectedVersion: ExpectedVersion
    /// The events, in order; at least one.
    public var events: [EventData]

    /// Creates the part of an append that targets one stream.
    public init(streamID: String, expectedVersion: ExpectedVersion, events: [EventData]) {
        self.streamID = streamID
        self.expectedVersion = expectedVersion
        self.events = events
    }
}

/// What an append did to each stream.
public struct AppendResult: Sendable, Hashable {
    /// One entry per stream, in the order they were given.
    public let streams: [StreamResult]
    /// True when every event was already stored (a safe retry) and nothing was written.
    public let wasAlreadyStored: Bool

    /// An append's outcome; a backend makes it.
    package init(streams: [StreamResult], wasAlreadyStored: Bool) {
        self.streams = streams
        self.wasAlreadyStored = wasAlreadyStored
    }

    /// What an append did to one stream.
    public struct StreamResult: Sendable, Hashable {
        /// The stream.
        public let streamID: String
        /// The stream's version after the append: the version to expect next.
        public let version: UInt64
        /// The global position of each event, in the order given.
        public let positions: [UInt64]
        /// What the projections folded for this stream in the append's
        /// transaction (``ProjectionWriter/report(_:)``), such as the state
        /// after the append's events and any that landed before them; `nil`
        /// when no projection reported one or nothing was written (an
        /// append already stored). Not part of equality or hashing.
        public let projected: (any Sendable)?

        package init(streamID: String, version: UInt64, positions: [UInt64], projected: (any Sendable)? = nil) {
            self.streamID = streamID
            self.version = version
            self.positions = positions
            self.projected = projected
        }

        /// Equal when stream, version and positions are; ``projected`` does not count.
        public static func == (lhs: StreamResult, rhs: StreamResult) -> Bool {
            lhs.streamID == rhs.streamID && lhs.version == rhs.version && lhs.positions == rhs.positions
        }

        /// Hashes stream, version and positions; ``projected`` does not count.
        public func hash(into hasher: inout Hasher) {
            hasher.combine(streamID)
            hasher.combine(version)
            hasher.combine(positions)
        }
    }

    /// The highest position among the appended events.
    public var lastPosition: UInt64 { streams.compactMap { $0.positions.last }.max() ?? 0 }
    /// The lowest position among the appended events.
    public var firstPosition: UInt64 { streams.compactMap { $0.positions.first }.min() ?? 0 }
}
