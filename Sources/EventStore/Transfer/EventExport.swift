import Foundation
import LMDB

/// The text formats events can be exported in.
///
/// Both carry the same columns, in this order: `position`, `stream`,
/// `version`, `eventId`, `type`, `recordedAt`, `actor`, `correlationId`,
/// `causationId`, `data`.
///
/// - Ids are lowercase 8-4-4-4-12 UUIDs.
/// - `recordedAt` is ISO-8601 UTC with exactly six fractional digits, such
///   as `2026-11-23T12:00:00.123456Z`: the store keeps microseconds, so the
///   time reads back exactly.
/// - `data` is the payload. A payload that is one JSON value other than a
///   string, with no surrounding whitespace and no line break, is embedded
///   as it is, byte for byte. Any other UTF-8 payload (plain text, a JSON
///   string, pretty-printed JSON, the empty payload) is a JSON string of its
///   text. A payload that is not UTF-8 is `{"$base64":"…"}`; a JSON payload
///   that itself begins with `{"$base64":` is therefore written as a string.
///   Every form reads back to exactly the stored bytes.
public enum ExportFormat: String, Sendable, Hashable, CaseIterable {
    /// JSON Lines: one JSON object per event, keys in the fixed order, each
    /// line ending in a line feed; no digests and no closing line. For
    /// reading and following events, not for restoring them: the import
    /// refuses it.
    case jsonLines
    /// The export format: JSON Lines as in ``jsonLines``, each line with an
    /// eleventh field, `digest`, and a closing line
    /// `{"count":N,"digest":"…"}` after the last event. Each digest is the
    /// SHA-256 of the digest before it (32 zero bytes before the first line)
    /// followed by the line's bytes before `,"digest":`.
    /// ``EventStore/importEvents(lines:dryRun:)`` reads it back and checks
    /// every digest, the count and the closing line.
    case chainedJSONLines
    /// CSV (RFC 4180): a header row, then one record per event, each ending
    /// in CRLF. For spreadsheets, not for restoring: it carries no digests
    /// and the import does not read it. Absent ids are empty fields; `data` holds the same JSON text
    /// as in JSON Lines. Fields holding a comma, a quote or a line break are
    /// quoted, with quotes doubled; a field that a spreadsheet would read as
    /// a formula gets an apostrophe in front (``CSVField`` says which, and
    /// how to read the exact text back).
    case csv
}

/// Which events an export includes. Every condition given must hold; the
/// default selects the whole log.
public struct ExportSelection: Sendable, Hashable {
    /// The first position to include.
    public var fromPosition: UInt64
    /// The last position to include (inclusive); `nil` for the end of the
    /// log as it was when the export began.
    public var toPosition: UInt64?
    /// Only the events of this stream; `nil` for every stream.
    public var streamID: String?
    /// Only events of these types; `nil` for every type.
    public var types: Set<String>?
    /// Only events recorded at or after this instant.
    public var since: Date?
    /// Only events recorded before this instant (exclusive), so that
    /// consecutive windows neither overlap nor leave gaps.
    public var until: Date?

    /// Creates a selection; with no arguments it selects every event.
    public init(
        fromPosition: UInt64 = 1, toPosition: UInt64? = nil, streamID: String? = nil, types: Set<String>? = nil,
        since: Date? = nil, until: Date? = nil
    ) {
        self.fromPosition = fromPosition
        self.toPosition = toPosition
        self.streamID = streamID
        self.types = types
        self.since = since
        self.until = until
    }

    /// Every event of the log.
    public static let all = ExportSelection()
}

extension EventStore {
    /// Bytes gathered before they are handed to the writer.
    static let exportFlushBytes = 256 << 10
    /// Events examined per read snapshot.
    static let exportChunkEvents = 4096

    /// Writes the selected events in position order, handing the text to
    /// `write` in pieces of about 256 KiB.
    ///
    /// Memory stays constant whatever the size of the log: events are read
    /// in short snapshots of a few thousand, rendered straight from their
    /// stored bytes, and `write` is called between snapshots, never while
    /// one is open. The export ends at the last position stored when it
    /// began, so appends made meanwhile are not included. Each piece is
    /// whole UTF-8 text ending at a line boundary.
    ///
    /// - Returns: The number of events written.
    /// - Throws: ``EventStoreError`` when the log cannot be read or the
    ///   selection names an invalid stream id
    ///   (``EventStoreError/checksumMismatch(position:stream:stored:computed:)``
    ///   for a damaged event: an export never copies damage into a file that
    ///   an import would store with a fresh checksum), and whatever `write`
    ///   throws.
    @discardableResult
    public func exportEvents(
        format: ExportFormat = .chainedJSONLines, selection: ExportSelection = .all,
        write: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> Int {
        Int(try exportChain(format: format, selection: selection, write: write).count)
    }

    /// The export behind ``exportEvents(format:selection:write:)``; returns
    /// the digest chain over the lines written (for any format: the chain of
    /// the lines the chained format would write) and their count.
    func exportChain(
        format: ExportFormat, selection: ExportSelection, write: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> ExportDigestChain {
        let end = min(selection.toPosition ?? .max, try lastPosition())
        return try exportEvents(
            format: format, selection: selection, from: selection.fromPosition, through: end, header: format == .csv,
            verifyingChecksums: true, write: write)
    }

    /// Writes the selected events from `first` through `end` (both
    /// inclusive), which must already be stored: a follower reads `end`
    /// first, so that every position up to it is in each later snapshot.
    /// `header` writes the CSV header first. Without `verifyingChecksums`
    /// damaged events are written as they are; only the benchmark turns it
    /// off, to measure what the check costs. Returns the digest chain over
    /// the lines written, with their count.
    package func exportEvents(
        format: ExportFormat, selection: ExportSelection, from first: UInt64, through end: UInt64, header: Bool,
        verifyingChecksums: Bool, write: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> ExportDigestChain {
        let start = max(first, 1)
        let flushBytes = Self.exportFlushBytes
        let chunkEvents = Self.exportChunkEvents
        let layout = self.layout

        var export = EnvelopeExport(format: format, selection: selection, header: header, flushBytes: flushBytes)
        func render(_ view: EnvelopeView) { export.render(view) }
        func flush() throws { try export.flush(write) }

        var done = start > end
        if let streamID = selection.streamID {
            // Walk the stream's index instead of the whole log.
            try AppendValidation.validateStreamID(streamID, limits: options.limits)
            var nextVersion: UInt64 = 1
            while !done {
                try reading { txn in
                    guard let record = try Self.record(streamID, in: txn, layout: layout) else {
                        done = true
                        return
                    }
                    try txn.withCursor(on: layout.streamIndex) { cursor in
                        var entry = try withBigEndianBytes(of: record.number, nextVersion) { key in
                            try cursor.seek(atLeast: key)
                        }
                        var examined = 0
                        while examined < chunkEvents && !export.isFull {
                            guard let current = entry, current.key.count == 16,
                                  current.key.loadBigEndianUInt64(at: 0) == record.number
                            else {
                                done = true
                                return
                            }
                            let position = current.value.loadBigEndianUInt64(at: 0)
                            if position > end {
                                done = true
                                return
                            }
                            nextVersion = current.key.loadBigEndianUInt64(at: 8) + 1
                            examined += 1
                            if position >= start {
                                let bytes = try withBigEndianBytes(of: position) { key in try txn.get(key, in: layout.events) }
                                guard let bytes else {
                                    throw EventStoreError.corruptEvent(
                                        position: position,
                                        reason: "stream '\(streamID)' names this position in its index, which holds no event")
                                }
                                render(try Self.view(bytes, position: position, verifyingChecksum: verifyingChecksums))
                            }
                            entry = try cursor.next()
                        }
                    }
                }
                try flush()
            }
        } else {
            var next = start
            while !done {
                var low: UnsafeRawPointer? = nil
                var high: UnsafeRawPointer? = nil
                defer {
                    // Keep resident memory flat: drop the map pages this snapshot read.
                    if let low, let high { environment.releaseMappedPages(from: low, through: high) }
                }
                try reading { txn in
                    try txn.withCursor(on: layout.events) { cursor in
                        var entry = try withBigEndianBytes(of: next) { key in try cursor.seek(atLeast: key) }
                        var examined = 0
                        while examined < chunkEvents && !export.isFull {
                            guard let current = entry else {
                                done = true
                                return
                            }
                            let position = current.key.loadBigEndianUInt64(at: 0)
                            if position > end {
                                done = true
                                return
                            }
                            if let base = current.value.baseAddress {
                                if low == nil || base < low! { low = base }
                                if high == nil || base > high! { high = base + max(0, current.value.count - 1) }
                            }
                            render(try Self.view(current.value, position: position, verifyingChecksum: verifyingChecksums))
                            examined += 1
                            if position == end {
                                done = true
                                return
                            }
                            next = position + 1
                            entry = try cursor.next()
                        }
                    }
                }
                try flush()
            }
        }
        return try export.finish(write)
    }
}
