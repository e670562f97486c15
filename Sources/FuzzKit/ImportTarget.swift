import EventStore

/// JSON Lines import text, read as an import reads it before it touches
/// the ledger; a sample also goes through a real import.
///
/// Properties: the text either reads in full or gives a typed
/// ``ImportError`` naming a line that exists (or, for a missing closing
/// line, the line after the last); read lines keep their order, their
/// positions increase, every line that is not blank but the closing line
/// gives one event;
/// each event, stored and exported again, reads back the same.
struct ImportTarget: FuzzTarget {
    let name = "import"
    let maxInputLength = 32 << 10
    /// Checks a sample of the inputs on a real ledger.
    let ledger: LedgerImportCheck?

    /// Words of the format for the mutator: field names, the base64 key,
    /// event types and stream names.
    static let dictionary: [[UInt8]] = [
        "position", "stream", "version", "eventId", "type", "recordedAt", "actor", "correlationId", "causationId",
        "data", "$base64", "JobSubmitted", "JobClaimed", "JobCompleted", "LeaseRenewed", "job-1", "job-2",
        "audit-1", "Position", "data ",
    ].map { Array($0.utf8) }

    init(ledger: LedgerImportCheck?) { self.ledger = ledger }

    func mutate(_ input: inout [UInt8], corpus: [[UInt8]], using random: inout FuzzRandom) {
        if random.oneIn(4) {
            // A few consecutive lines: short inputs get further before the
            // first bad line stops them.
            let lines = input.split(separator: 0x0A, omittingEmptySubsequences: false)
            let start = random.below(lines.count)
            let count = 1 + random.smallLength(lines.count - start - 1)
            input = Array(lines[start..<start + count].joined(separator: [0x0A]))
            if !random.oneIn(4) { input.append(0x0A) }
        } else if random.oneIn(5) {
            ByteMutator.mutate(&input, others: corpus, maxLength: maxInputLength, using: &random)
        } else {
            JSONMutator.mutate(&input, dictionary: Self.dictionary, others: corpus, maxLength: maxInputLength, using: &random)
        }
        // Most mutations would only break the digest chain: chain most
        // inputs afresh so that they reach the checks behind it.
        if !random.oneIn(4) {
            let sealed = ExportSealing.reseal(text: input)
            if sealed.count <= maxInputLength { input = sealed }
        }
    }

    func run(_ input: [UInt8]) throws(PropertyViolation) -> FuzzOutcome {
        let lines = Self.lines(of: input)
        let parsed = input.withUnsafeBytes { ImportParsing.parse($0) }
        let outcome: FuzzOutcome
        switch parsed {
        case .failure(let error):
            // A missing closing line is named where it should have been.
            let lastLine = lines.count + (error == .missingClosingLine(line: lines.count + 1) ? 1 : 0)
            guard let line = error.line, line >= 1, line <= lastLine else {
                throw PropertyViolation("the import error names no line of the \(lines.count): \(error)")
            }
            switch error {
            case .malformedLine, .invalidEvent, .brokenChain, .missingClosingLine: break
            default: throw PropertyViolation("reading the lines gave an error only the ledger can give: \(error)")
            }
            outcome = .refused(kind: Self.kind(of: error))
        case .success(let events):
            try Self.checkEvents(events, lines: lines)
            outcome = .accepted
        }
        try ledger?.check(input, parsed: parsed)
        return outcome
    }

    /// The kind of an import error: its case and its reason's kind.
    static func kind(of error: ImportError) -> String {
        switch error {
        case let .malformedLine(_, reason): return "malformed line: " + ErrorKind.normalize(reason)
        case let .invalidEvent(_, error): return "invalid event: " + ErrorKind.normalize(error.description)
        case .versionGap: return "version gap"
        case .eventIDConflict(_, _, let reason): return "event id conflict: " + ErrorKind.normalize(reason)
        case .brokenChain(_, let reason): return "broken chain: " + ErrorKind.normalize(reason)
        case .missingClosingLine: return "missing closing line"
        case .invalidHistory(_, let reason): return "invalid history: " + ErrorKind.normalize(reason)
        case .unreadableInput: return "unreadable input"
        case .storage(let error): return "storage: " + ErrorKind.normalize(error.description)
        }
    }

    /// The lines as the import numbers them: split at line feeds, a
    /// carriage return before one dropped, a last line without one counted.
    static func lines(of input: [UInt8]) -> [ArraySlice<UInt8>] {
        var lines = input.split(separator: 0x0A, omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        return lines.map { $0.last == 0x0D ? $0.dropLast() : $0 }
    }

    static func isBlank(_ line: ArraySlice<UInt8>) -> Bool {
        line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }

    private static func checkEvents(_ events: [ImportedLine], lines: [ArraySlice<UInt8>]) throws(PropertyViolation) {
        // Every line that is not blank is an event, but the closing line.
        let expected = lines.indices.filter { !isBlank(lines[$0]) }.map { $0 + 1 }.dropLast()
        guard events.map(\.number) == Array(expected) else {
            throw PropertyViolation(
                "read events from lines \(events.map(\.number)), not from every line that is not blank but the closing line")
        }
        for (previous, next) in zip(events, events.dropFirst()) where next.position <= previous.position {
            throw PropertyViolation("line \(next.number) was read although its position does not increase")
        }
        for line in events {
            try checkRoundTrip(line)
        }
    }

    /// Stores the event (as an envelope), exports it and reads it again.
    private static func checkRoundTrip(_ line: ImportedLine) throws(PropertyViolation) {
        let envelope = EnvelopeCodec.encode(
            line.event, streamID: line.streamID, position: line.position, streamVersion: line.version,
            recordedAtMicros: line.recordedAtMicros)
        let decoded: DecodedEnvelope
        switch EnvelopeTarget.decode(envelope, position: line.position) {
        case .success(let envelope): decoded = envelope
        case .failure(let error):
            throw PropertyViolation("line \(line.number) stored as an envelope does not decode: \(error)")
        }
        guard decoded.checksumMatches else { throw PropertyViolation("line \(line.number): a fresh envelope fails its checksum") }
        switch decoded.jsonLine.dropLast().withUnsafeBytes({ ImportParsing.parseLine($0) }) {
        case .success(let again):
            guard again.position == line.position, again.streamID == line.streamID, again.version == line.version,
                  again.recordedAtMicros == line.recordedAtMicros, again.event == line.event
            else {
                throw PropertyViolation("line \(line.number) exported again reads back as another event")
            }
        case .failure(let error):
            throw PropertyViolation("line \(line.number) exported again does not read back: \(error)")
        }
    }
}
