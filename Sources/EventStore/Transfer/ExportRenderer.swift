import Foundation

/// The column names of the export formats, in their fixed order.
enum ExportColumns {
    static let names = [
        "position", "stream", "version", "eventId", "type", "recordedAt", "actor", "correlationId",
        "causationId", "data",
    ]
    static let nameBytes: [[UInt8]] = names.map { Array($0.utf8) }

    /// The JSON Lines keys with their quotes, colons and separators.
    static let jsonKeys: [[UInt8]] = names.enumerated().map { index, name in
        Array(((index == 0 ? "{" : ",") + "\"\(name)\":").utf8)
    }

    /// The CSV header row.
    static let csvHeader: [UInt8] = Array((names.joined(separator: ",") + "\r\n").utf8)

    /// The prefix of the object that carries a payload that is not UTF-8.
    static let base64Prefix: [UInt8] = Array(#"{"$base64":"#.utf8)
}

/// Renders stored envelopes as export lines into a buffer it reuses.
struct ExportRenderer {
    /// The rendered bytes, waiting to be written out.
    var output: [UInt8] = []
    private var scratch: [UInt8] = []
    private static let null: [UInt8] = Array("null".utf8)

    init(capacity: Int) {
        output.reserveCapacity(capacity)
        scratch.reserveCapacity(1024)
    }

    /// Appends `view` as one JSON object and a line feed.
    mutating func appendJSONLine(_ view: EnvelopeView) {
        let keys = ExportColumns.jsonKeys
        output.append(contentsOf: keys[0])
        JSONText.appendDecimal(view.position, to: &output)
        output.append(contentsOf: keys[1])
        JSONText.appendString(view.stream, to: &output)
        output.append(contentsOf: keys[2])
        JSONText.appendDecimal(view.streamVersion, to: &output)
        output.append(contentsOf: keys[3])
        appendQuotedUUID(view.bytes, at: view.idOffset)
        output.append(contentsOf: keys[4])
        JSONText.appendString(view.type, to: &output)
        output.append(contentsOf: keys[5])
        output.append(0x22)
        UTCTimestamp.append(micros: view.recordedAtMicros, to: &output)
        output.append(0x22)
        output.append(contentsOf: keys[6])
        JSONText.appendString(view.actor, to: &output)
        output.append(contentsOf: keys[7])
        if view.hasCorrelation { appendQuotedUUID(view.bytes, at: view.correlationOffset) } else { output.append(contentsOf: Self.null) }
        output.append(contentsOf: keys[8])
        if view.hasCausation { appendQuotedUUID(view.bytes, at: view.causationOffset) } else { output.append(contentsOf: Self.null) }
        output.append(contentsOf: keys[9])
        Self.appendData(view.payload, to: &output)
        output.append(0x7D)
        output.append(0x0A)
    }

    /// Appends `view` as one JSON object whose last field is its digest in
    /// `chain`, and a line feed; adds the line to `chain`.
    mutating func appendChainedJSONLine(_ view: EnvelopeView, chain: inout ExportDigestChain) {
        let start = output.count
        appendJSONLine(view)
        output.removeLast(2)  // the closing brace and the line feed
        output.withUnsafeBytes { chain.add(UnsafeRawBufferPointer(rebasing: $0[start...])) }
        output.append(contentsOf: ExportDigestChain.digestKey)
        chain.appendHex(to: &output)
        output.append(0x22)
        output.append(0x7D)
        output.append(0x0A)
    }

    /// Appends `view` as one CSV record ending in CRLF.
    mutating func appendCSVRecord(_ view: EnvelopeView) {
        JSONText.appendDecimal(view.position, to: &output)
        output.append(0x2C)
        CSVField.append(view.stream, to: &output)
        output.append(0x2C)
        JSONText.appendDecimal(view.streamVersion, to: &output)
        output.append(0x2C)
        UUIDText.append(view.bytes, at: view.idOffset, to: &output)
        output.append(0x2C)
        CSVField.append(view.type, to: &output)
        output.append(0x2C)
        UTCTimestamp.append(micros: view.recordedAtMicros, to: &output)
        output.append(0x2C)
        CSVField.append(view.actor, to: &output)
        output.append(0x2C)
        if view.hasCorrelation { UUIDText.append(view.bytes, at: view.correlationOffset, to: &output) }
        output.append(0x2C)
        if view.hasCausation { UUIDText.append(view.bytes, at: view.causationOffset, to: &output) }
        output.append(0x2C)
        scratch.removeAll(keepingCapacity: true)
        Self.appendData(view.payload, to: &scratch)
        scratch.withUnsafeBytes { CSVField.append($0, to: &output) }
        output.append(0x0D)
        output.append(0x0A)
    }

    private mutating func appendQuotedUUID(_ bytes: UnsafeRawBufferPointer, at offset: Int) {
        output.append(0x22)
        UUIDText.append(bytes, at: offset, to: &output)
        output.append(0x22)
    }

    /// Appends the `data` value for a payload:
    ///
    /// - the payload itself when it is one JSON value that is not a string,
    ///   with no whitespace around it and no line break in it, and does not
    ///   begin like the base64 wrapper below;
    /// - otherwise, when the payload is UTF-8, a JSON string of its text;
    /// - otherwise `{"$base64":"…"}` holding the payload in base64.
    ///
    /// Each form reads back to exactly the payload's bytes.
    static func appendData(_ payload: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        if canEmbed(payload) {
            output.append(contentsOf: payload)
        } else if UTF8Check.isValid(payload) {
            JSONText.appendString(payload, to: &output)
        } else {
            output.append(contentsOf: ExportColumns.base64Prefix)
            output.append(0x22)
            output.append(contentsOf: Data(payload).base64EncodedString().utf8)
            output.append(0x22)
            output.append(0x7D)
        }
    }

    /// Whether the payload can go into a line as JSON, exactly as stored.
    static func canEmbed(_ payload: UnsafeRawBufferPointer) -> Bool {
        guard let first = payload.first else { return false }
        switch first {
        case 0x7B, 0x5B, 0x74, 0x66, 0x6E, 0x2D, 0x30...0x39: break
        default: return false  // strings, whitespace and anything that is not JSON
        }
        if payload.contains(where: { $0 == 0x0A || $0 == 0x0D }) { return false }
        var scanner = JSONScanner(payload)
        if scanner.hasPrefix(ExportColumns.base64Prefix) { return false }
        do {
            try scanner.skipValue()
        } catch {
            return false
        }
        return scanner.isAtEnd
    }
}
