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

/// The figures of `jobledger report` (Docs/Jobs.md).
public struct LedgerReport: Sendable, Hashable, Decodable {
    /// The start of the period, if one was given.
    public var from: Date?
    /// The end of the period, if one was given.
    public var to: Date?
    /// Jobs per state.
    public var byState: [String: Int]
    /// Jobs per type.
    public var byType: [String: Int]
    /// Jobs per organisation.
    public var byOrganisation: [String: Int]
    /// Jobs per batch.
    public var byBatch: [String: Int]
    /// Seconds from submission (or retry) to claim, per type.
    public var queueWait: [String: Percentiles]
    /// Seconds from claim to completion, per type.
    public var runTime: [String: Percentiles]
    /// Cancellations by actor and reason.
    public var cancellations: [CancellationRow]
    /// The most frequent failure messages.
    public var topFailureReasons: [CountRow]
    /// Finished jobs per number of attempts taken.
    public var attemptsPerJob: [String: Int]
    /// Jobs whose lease ran out.
    public var stuck: [StuckJob]
    /// Events per hour.
    public var throughput: [HourRow]

    /// Percentiles of a set of durations, in seconds.
    public struct Percentiles: Sendable, Hashable, Decodable {
        /// How many durations.
        public var count: Int
        /// The median.
        public var p50: Double
        /// The 95th percentile.
        public var p95: Double
        /// The 99th percentile.
        public var p99: Double
    }

    /// Cancellations by one actor for one reason.
    public struct CancellationRow: Sendable, Hashable, Decodable {
        /// Who cancelled.
        public var actor: String
        /// Why.
        public var reason: String
        /// How many jobs.
        public var count: Int
        /// Median seconds from the request to the cancelled state.
        public var medianSecondsToCancelled: Double
    }

    /// A label and how often it occurred.
    public struct CountRow: Sendable, Hashable, Decodable {
        /// The label.
        public var label: String
        /// How often.
        public var count: Int
    }

    /// A job whose lease ran out without being swept.
    public struct StuckJob: Sendable, Hashable, Decodable {
        /// The job.
        public var id: String
        /// Its state.
        public var state: LedgerJob.State
        /// The worker that held it.
        public var worker: String?
        /// When the lease ended.
        public var leaseUntil: Date
    }

    /// The changes of one hour.
    public struct HourRow: Sendable, Hashable, Decodable {
        /// Start of the hour.
        public var hour: Date
        /// Jobs submitted.
        public var submitted: Int
        /// Jobs completed.
        public var completed: Int
        /// Jobs failed for good.
        public var failed: Int
        /// Jobs cancelled.
        public var cancelled: Int
        /// Jobs killed.
        public var killed: Int
    }
}
