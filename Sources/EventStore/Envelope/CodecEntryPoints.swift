import Foundation

/// The store's byte-level decoders and encoders, for the package's fuzzers
/// and for backends other than LMDB, which store the same envelopes.
///
/// Each entry point runs exactly the code the store runs on the same bytes
/// (reads, export, the first pass of an import), without widening the
/// internal types behind it.
package enum EnvelopeCodec {
    /// Decodes stored envelope bytes as the reads do for the event stored
    /// under `position`, and renders the export's JSON line and CSV record.
    ///
    /// - Throws: ``EventStoreError/corruptEvent(position:reason:)`` when the
    ///   bytes are not an envelope of that position.
    package static func decode(_ bytes: UnsafeRawBufferPointer, position: UInt64) throws(EventStoreError) -> DecodedEnvelope {
        // The checksum is reported in `checksumMatches` rather than refused,
        // so that mutated bytes still reach the renderers; the reads refuse it.
        let view = try EventStore.view(bytes, position: position, verifyingChecksum: false)
        var renderer = ExportRenderer(capacity: bytes.count * 2 + 512)
        renderer.appendJSONLine(view)
        let jsonLine = renderer.output
        renderer.output.removeAll(keepingCapacity: true)
        renderer.appendCSVRecord(view)
        return DecodedEnvelope(
            event: view.recordedEvent, recordedAtMicros: view.recordedAtMicros,
            checksumMatches: view.checksumMatches, streamBytes: Array(view.stream), typeBytes: Array(view.type),
            actorBytes: Array(view.actor), jsonLine: jsonLine, csvRecord: renderer.output)
    }

    /// The envelope the store writes for `event` (whose `recordedAt` is
    /// ignored) at `position`.
    package static func encode(
        _ event: EventData, streamID: String, position: UInt64, streamVersion: UInt64, recordedAtMicros: Int64
    ) -> [UInt8] {
        var encoder = EnvelopeEncoder()
        encoder.encode(
            event, streamID: streamID, position: position, streamVersion: streamVersion,
            recordedAtMicros: recordedAtMicros)
        return encoder.buffer
    }

    /// The CRC-32C the envelope stores after its other bytes.
    package static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        CRC32C.checksum(bytes)
    }

    /// Whether `bytes` is well-formed UTF-8, by the rule the export uses.
    package static func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        UTF8Check.isValid(bytes)
    }
}

/// A stored envelope as the reads see it, with what the export makes of it.
package struct DecodedEnvelope: Sendable {
    /// The event as ``EventStore/event(at:)`` returns it.
    package let event: RecordedEvent
    /// The recorded time as stored, in microseconds since 1970.
    package let recordedAtMicros: Int64
    /// Whether the trailing CRC-32C matches the bytes before it.
    package let checksumMatches: Bool
    /// The stream id as stored; it need not be UTF-8.
    package let streamBytes: [UInt8]
    /// The event type as stored; it need not be UTF-8.
    package let typeBytes: [UInt8]
    /// The actor as stored; it need not be UTF-8.
    package let actorBytes: [UInt8]
    /// The JSON Lines export of the event, ending in a line feed.
    package let jsonLine: [UInt8]
    /// The CSV export record of the event, ending in CRLF.
    package let csvRecord: [UInt8]
}

/// The first pass of an import: reading and checking lines before anything
/// touches the ledger.
package enum ImportParsing {
    /// Reads JSON Lines text exactly as ``EventStore/importEvents(jsonLines:dryRun:)``
    /// does before it opens a write transaction.
    ///
    /// - Returns: The events with their line numbers, or the error that
    ///   the import would throw.
    package static func parse(
        _ text: UnsafeRawBufferPointer, limits: EventLimits = EventLimits()
    ) -> Result<[ImportedLine], ImportError> {
        var reader = ImportReader(limits: limits)
        if let error = reader.addLines(of: text) { return .failure(error) }
        return .success(reader.events.map { ImportedLine(number: $0.number, $0.event) })
    }

    /// Reads one export line (without its line feed) as line 1, without
    /// checking the event against the ledger's limits.
    package static func parseLine(_ line: UnsafeRawBufferPointer) -> Result<ImportedLine, ImportError> {
        do {
            return .success(ImportedLine(number: 1, try ExportedEvent.parse(line)))
        } catch {
            return .failure(.malformedLine(line: 1, reason: error.reason))
        }
    }
}

/// One event read from an import line.
package struct ImportedLine: Sendable, Hashable {
    /// The 1-based line number.
    package let number: Int
    /// The line's `position`, which only orders the lines.
    package let position: UInt64
    /// The stream the event goes to.
    package let streamID: String
    /// The event's version in its stream.
    package let version: UInt64
    /// The recorded time, in microseconds since 1970.
    package let recordedAtMicros: Int64
    /// The event, with `recordedAt` left `nil`.
    package let event: EventData

    init(number: Int, _ event: ExportedEvent) {
        self.number = number
        position = event.position
        streamID = event.streamID
        version = event.version
        recordedAtMicros = event.recordedAtMicros
        self.event = event.event
    }
}

/// Adds the digest chain to export lines written without it, for the
/// package's tests and fuzzers that build import text by hand.
package enum ExportSealing {
    /// Each line that ends in `}` gets its `digest` field, chained as the
    /// export chains them; other lines (blank, cut or not objects) are left
    /// as they are and stay out of the chain. A closing line follows when
    /// `closing` is true.
    package static func seal(_ lines: [String], closing: Bool = true) -> [String] {
        var chain = ExportDigestChain()
        var sealed: [String] = []
        for line in lines {
            guard line.hasSuffix("}"), !line.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) else {
                sealed.append(line)
                continue
            }
            let content = Array(line.utf8.dropLast())
            content.withUnsafeBytes { chain.add($0) }
            sealed.append(String(decoding: content, as: UTF8.self) + #","digest":""# + chain.hex + #""}"#)
        }
        if closing {
            var bytes: [UInt8] = []
            chain.appendClosingLine(to: &bytes)
            sealed.append(String(decoding: bytes.dropLast(), as: UTF8.self))
        }
        return sealed
    }

    /// Seals text again after it was changed: drops closing lines and the
    /// digests the lines carry, then seals what is left, so that a fuzzer's
    /// mutations reach past the chain to the checks behind it.
    package static func reseal(text: [UInt8]) -> [UInt8] {
        var lines = text.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        if lines.last?.isEmpty == true { lines.removeLast() }
        let kept = lines.filter { !$0.starts(with: ExportDigestChain.closingPrefix) }.map { line -> String in
            let end = line.withUnsafeBytes { ExportDigestChain.contentEnd(of: $0) }
            guard let end else { return String(decoding: line, as: UTF8.self) }
            return String(decoding: line[..<end], as: UTF8.self) + "}"
        }
        return Array(seal(kept).map { $0 + "\n" }.joined().utf8)
    }

    /// Seals JSON Lines text: see ``seal(_:closing:)``. Lines end in line feeds.
    package static func seal(text: [UInt8], closing: Bool = true) -> [UInt8] {
        var lines = text.split(separator: 0x0A, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        if lines.last == "" { lines.removeLast() }
        return Array(seal(lines, closing: closing).map { $0 + "\n" }.joined().utf8)
    }
}
