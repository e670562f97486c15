import Foundation

/// One event of the log in the export's JSON Lines shape: the form of the
/// event pages, of the event stream's `data` and of `export`.
public struct LedgerEvent: Sendable, Hashable, Codable {
    /// Position in the whole log, from 1.
    public var position: UInt64
    /// The stream the event belongs to (`job-<id>`, `audit-<id>`, ...).
    public var stream: String
    /// The event's version within its stream, from 1.
    public var version: UInt64
    /// The event's unique id.
    public var eventId: String
    /// The event's type (`JobSubmitted`, `JobClaimed`, ...).
    public var type: String
    /// When the event was committed, to the microsecond.
    public var recordedAt: Date
    /// Who caused it.
    public var actor: String?
    /// The request the event belongs to.
    public var correlationId: String?
    /// The event that caused it.
    public var causationId: String?
    /// The event's payload.
    public var data: JSONValue?

    /// Decodes one export line.
    public init(line: String) throws {
        self = try LedgerJSON.decoder().decode(LedgerEvent.self, from: Data(line.utf8))
    }
}

/// A page of the event log.
public struct EventPage: Sendable, Hashable, Decodable {
    /// The events of the page, in log order.
    public var events: [LedgerEvent]
    /// The position to pass as `after` for the next page; `nil` when the
    /// page reached the end of the log.
    public var next: UInt64?
    /// The last position of the log when the page was read.
    public var lastPosition: UInt64
}

/// The export formats of `GET /v1/export`.
public enum ExportFormat: String, Sendable, Hashable, CaseIterable {
    /// JSON Lines: one ``LedgerEvent`` per line.
    case jsonLines = "jsonl"
    /// CSV with a header row; the same columns.
    case csv
}
