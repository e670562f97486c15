import EventStore
import Foundation

/// Stored envelopes, decoded as the reads decode them and rendered as the
/// export renders them.
///
/// Properties: the bytes either decode or give a typed ``EventStoreError``
/// naming the position; a decoded envelope whose texts are UTF-8 encodes
/// back to the same bytes (with a fresh checksum, which matches exactly
/// when the stored one did); its JSON line is one line that reads back to
/// the same event; its CSV record has ten fields holding the same texts
/// (once the apostrophe that guards a formula-like field is dropped).
struct EnvelopeTarget: FuzzTarget {
    let name = "envelope"
    let maxInputLength = 16 << 10

    func mutate(_ input: inout [UInt8], corpus: [[UInt8]], using random: inout FuzzRandom) {
        EnvelopeMutator.mutate(&input, others: corpus, maxLength: maxInputLength, using: &random)
    }

    func run(_ input: [UInt8]) throws(PropertyViolation) -> FuzzOutcome {
        // The reads look an envelope up by the position it was stored
        // under; use the one the bytes claim, so decoding goes past that check.
        var position: UInt64 = 0
        for byte in input.dropFirst().prefix(8) { position = position << 8 | UInt64(byte) }
        let decoded: DecodedEnvelope
        switch EnvelopeTarget.decode(input, position: position) {
        case .success(let envelope): decoded = envelope
        case .failure(let error):
            guard error.code == .corruptEvent, error.position == position, let reason = error.reason else {
                throw PropertyViolation("decoding threw \(error), not a corrupt-event error for position \(position)")
            }
            return .refused(kind: ErrorKind.normalize(reason))
        }
        try checkReencoding(decoded, input)
        try checkJSONLine(decoded)
        try checkCSVRecord(decoded)
        return .accepted
    }

    /// Decodes `bytes` as the reads do for the event stored under `position`.
    static func decode(_ bytes: [UInt8], position: UInt64) -> Result<DecodedEnvelope, EventStoreError> {
        bytes.withUnsafeBytes { raw in
            Result { () throws(EventStoreError) in try EnvelopeCodec.decode(raw, position: position) }
        }
    }

    private static func isUTF8(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { EnvelopeCodec.isValidUTF8($0) }
    }

    private func textsAreUTF8(_ decoded: DecodedEnvelope) -> Bool {
        Self.isUTF8(decoded.streamBytes) && Self.isUTF8(decoded.typeBytes) && Self.isUTF8(decoded.actorBytes)
    }

    private func checkReencoding(_ decoded: DecodedEnvelope, _ input: [UInt8]) throws(PropertyViolation) {
        let body = input.dropLast(4)
        let storedCRC = input.suffix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let crc = body.withUnsafeBytes { EnvelopeCodec.checksum($0) }
        guard decoded.checksumMatches == (crc == storedCRC) else {
            throw PropertyViolation("checksumMatches is \(decoded.checksumMatches) but the CRC-32C is \(crc), stored \(storedCRC)")
        }
        guard textsAreUTF8(decoded) else { return }
        let event = decoded.event
        let reencoded = EnvelopeCodec.encode(
            EventData(
                id: event.id, type: event.type, payload: event.payload, actor: event.actor,
                correlationID: event.correlationID, causationID: event.causationID),
            streamID: event.streamID, position: event.position, streamVersion: event.streamVersion,
            recordedAtMicros: decoded.recordedAtMicros)
        guard reencoded.dropLast(4).elementsEqual(body) else {
            throw PropertyViolation("re-encoding the decoded event gives other bytes")
        }
        guard (reencoded == input) == decoded.checksumMatches else {
            throw PropertyViolation("re-encoding gives the stored bytes but the checksum did not match, or the reverse")
        }
    }

    private func checkJSONLine(_ decoded: DecodedEnvelope) throws(PropertyViolation) {
        let line = decoded.jsonLine
        guard line.last == 0x0A, line.firstIndex(of: 0x0A) == line.count - 1 else {
            throw PropertyViolation("the JSON export of the event is not exactly one line")
        }
        let event = decoded.event
        // Imports refuse position and version 0, and texts that are not
        // UTF-8 are copied as they are (the store never writes such texts).
        guard event.position > 0, event.streamVersion > 0, textsAreUTF8(decoded) else { return }
        let parsed: ImportedLine
        switch line.dropLast().withUnsafeBytes({ ImportParsing.parseLine($0) }) {
        case .success(let line): parsed = line
        case .failure(let error):
            throw PropertyViolation("the JSON export of the event does not read back: \(error)")
        }
        guard parsed.position == event.position, parsed.streamID == event.streamID,
              parsed.version == event.streamVersion, parsed.recordedAtMicros == decoded.recordedAtMicros,
              parsed.event.id == event.id, parsed.event.type == event.type, parsed.event.actor == event.actor,
              parsed.event.correlationID == event.correlationID, parsed.event.causationID == event.causationID,
              parsed.event.payload == event.payload
        else {
            throw PropertyViolation("the JSON export of the event reads back as another event: \(parsed)")
        }
    }

    private func checkCSVRecord(_ decoded: DecodedEnvelope) throws(PropertyViolation) {
        let record = decoded.csvRecord
        guard record.suffix(2).elementsEqual([0x0D, 0x0A]) else {
            throw PropertyViolation("the CSV record does not end in CRLF")
        }
        guard let fields = CSVRecord.fields(of: record.dropLast(2)), fields.count == 10 else {
            throw PropertyViolation("the CSV record does not split into ten fields")
        }
        // A field that could pass for a spreadsheet formula carries one
        // leading apostrophe more than the text it holds.
        let texts = fields.map(CSVField.original(of:))
        guard texts[1] == decoded.streamBytes, texts[4] == decoded.typeBytes, texts[6] == decoded.actorBytes else {
            throw PropertyViolation("the CSV record's stream, type or actor field differs from the envelope's")
        }
    }
}
