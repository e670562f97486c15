import EventStore

/// A projection that counts the events of each stream, of a version the
/// test chooses: two processes opening one ledger with different versions
/// stand for an older and a newer build of the same projection.
public struct VersionedCountProjection: Projection {
    /// The table of counts: stream id -> count (8 bytes, big-endian).
    public static let counts = ProjectionTable("versionedcounts")

    /// The version the projection claims.
    public let version: Int

    /// A projection claiming `version`.
    public init(version: Int) {
        self.version = version
    }

    /// The table of counts.
    public var tables: [ProjectionTable] { [Self.counts] }

    /// Every stream.
    public var streamPrefix: String? { nil }

    /// Adds one to the count of the event's stream.
    public func apply(_ event: RecordedEvent, to tables: borrowing ProjectionWriter) throws {
        let key = Array(event.streamID.utf8)
        let count = try tables.get(Self.counts, key).map(Self.decode) ?? 0
        try tables.put(Self.counts, key, Self.encode(count + 1))
    }

    /// The count stored for `stream` in `value`'s bytes.
    public static func decode(_ value: [UInt8]) -> UInt64 {
        value.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    static func encode(_ count: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: count >> (8 * (7 - $0))) }
    }
}
