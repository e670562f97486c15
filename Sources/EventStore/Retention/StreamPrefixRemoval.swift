/// The oldest events of one stream to take out of the live log, as part of
/// ``EventStore/removeStreamPrefixes(_:appending:)``.
///
/// Versions `1...throughVersion` are removed (those already removed are
/// skipped); the stream keeps its number, its version and every later
/// event, so appends to it go on at the next version.
public struct StreamPrefixRemoval: Sendable, Hashable {
    /// The stream whose oldest events go.
    public var streamID: String
    /// The last version removed.
    public var throughVersion: UInt64
    /// The stream's version the caller decided on; the removal is refused,
    /// with everything else in the call, when the stream moved since.
    /// `nil` accepts any version from `throughVersion` on: events appended
    /// after the ones removed stay, as for a log of entries that only grows.
    public var expectedVersion: UInt64?

    /// Creates a removal of versions `1...throughVersion` of `streamID`,
    /// expecting the stream at `expectedVersion` (`nil`: at any version).
    public init(streamID: String, throughVersion: UInt64, expectedVersion: UInt64?) {
        self.streamID = streamID
        self.throughVersion = throughVersion
        self.expectedVersion = expectedVersion
    }
}

/// A position whose event was moved out of the live log: which stream and
/// version it held. Positions are never reused, so a reader that meets a
/// gap in the log can ask what was there.
public struct ArchivedPosition: Sendable, Hashable {
    /// The position.
    public let position: UInt64
    /// The stream the event belonged to.
    public let streamID: String
    /// Its version in that stream.
    public let streamVersion: UInt64

    /// Creates the record of one removed event.
    public init(position: UInt64, streamID: String, streamVersion: UInt64) {
        self.position = position
        self.streamID = streamID
        self.streamVersion = streamVersion
    }

    /// The stored value: the version (8 bytes big-endian), then the stream id.
    var storedValue: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + streamID.utf8.count)
        withUnsafeBytes(of: streamVersion.bigEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: streamID.utf8)
        return bytes
    }

    /// Reads a stored value; `nil` when it is too short to be one.
    init?(position: UInt64, storedValue bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 8 else { return nil }
        self.position = position
        streamVersion = bytes.loadBigEndianUInt64(at: 0)
        streamID = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[8...]), as: UTF8.self)
    }
}
