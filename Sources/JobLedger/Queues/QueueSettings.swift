import EventStore
import Foundation

/// What holds for every job of one type: a limit on how many run at once
/// across all workers and processes, and whether claims of the type are
/// paused.
public struct QueueSettings: Sendable, Hashable, Codable {
    /// At most this many jobs of the type running (or cancel-requested) at
    /// once; `nil` for no limit.
    public var concurrency: Int?
    /// True while no job of the type may be claimed.
    public var paused: Bool
    /// At most this many claims of the type in any window of ``ratePeriod``
    /// seconds; `nil` for no rate limit.
    public var rate: Int?
    /// The window of ``rate``, in seconds.
    public var ratePeriod: Double?
    /// The retention policy: `jobledger scavenge` archives the events of
    /// jobs of the type that ended more than this many seconds ago; `nil`
    /// keeps them in the live ledger for ever.
    public var retentionSeconds: Int?

    /// Creates settings; the default limits nothing and keeps everything.
    public init(
        concurrency: Int? = nil, paused: Bool = false, rate: Int? = nil, ratePeriod: Double? = nil,
        retentionSeconds: Int? = nil
    ) {
        self.concurrency = concurrency
        self.paused = paused
        self.rate = rate
        self.ratePeriod = ratePeriod
        self.retentionSeconds = retentionSeconds
    }

    /// Whether these settings hold back any claim at all.
    var limitsClaims: Bool { paused || concurrency != nil || rate != nil }
}

/// The events of a type's queue stream, `queue-<type>`.
///
/// Every event carries the settings in force after it, so the stream's last
/// event alone tells a claim what holds, whatever the stream's length.
enum QueueEvents {
    /// The settings were changed (a limit set or lifted, a pause, a resume),
    /// by `actor`.
    static let settingsChanged = "QueueSettingsChanged"
    /// A claim of a job of the type while the type had settings: the
    /// append that makes every claim of a limited type expect this
    /// stream's version.
    static let slotTaken = "QueueSlotTaken"
    /// Both kinds.
    static let typeNames: Set<String> = [settingsChanged, slotTaken]

    /// The stream of a type's settings and limited claims.
    static func stream(_ type: String) -> String { "queue-" + type }

    /// The payload of a settings change.
    struct Change: Codable {
        var concurrency: Int?
        var paused: Bool
        var rate: Int?
        var ratePeriod: Double?
        var retentionSeconds: Int?
        var action: String
        var actor: String
        var reason: String?
    }

    /// The payload of a limited claim.
    struct Slot: Codable {
        var concurrency: Int?
        var paused: Bool
        var rate: Int?
        var ratePeriod: Double?
        var retentionSeconds: Int?
        var job: String
        var attempt: Int
        var worker: String
    }

    static func payload<T: Encodable>(_ value: T) throws -> [UInt8] {
        Array(try JSONCoding.encoder.encode(value))
    }

    /// The settings a stored queue event carries.
    static func settings(of event: RecordedEvent) throws -> QueueSettings {
        try JSONCoding.decoder.decode(QueueSettings.self, from: Data(event.payload))
    }
}
