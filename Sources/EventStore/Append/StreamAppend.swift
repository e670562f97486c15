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

    /// What an append did to one stream.
    public struct StreamResult: Sendable, Hashable {
        /// The stream.
        public let streamID: String
        /// The stream's version after the append: the version to expect next.
        public let version: UInt64
        /// The global position of each event, in the order given.
        public let positions: [UInt64]
    }

    /// The highest position among the appended events.
    public var lastPosition: UInt64 { streams.compactMap { $0.positions.last }.max() ?? 0 }
    /// The lowest position among the appended events.
    public var firstPosition: UInt64 { streams.compactMap { $0.positions.first }.min() ?? 0 }
}
