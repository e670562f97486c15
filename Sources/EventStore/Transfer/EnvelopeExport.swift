/// The text of an export as it is built: stored envelopes in, rendered
/// lines out, with the selection's time and type filters and the digest
/// chain. Each backend walks its log its own way and hands every envelope
/// it finds here, so that every backend writes the same bytes.
package struct EnvelopeExport {
    private let format: ExportFormat
    private let typeMatcher: EventFilter.Matcher
    private let since: Int64
    private let until: Int64
    private let flushBytes: Int
    private var renderer: ExportRenderer
    private var chain = ExportDigestChain()

    /// Starts an export of `selection` in `format`; `header` writes the CSV
    /// header first. Text is handed out once about `flushBytes` gathered.
    package init(format: ExportFormat, selection: ExportSelection, header: Bool, flushBytes: Int) {
        self.format = format
        typeMatcher = EventFilter.Matcher(EventFilter(types: selection.types))
        since = selection.since?.microsecondsSince1970 ?? .min
        until = selection.until?.microsecondsSince1970 ?? .max
        self.flushBytes = flushBytes
        renderer = ExportRenderer(capacity: flushBytes + flushBytes / 4)
        if header { renderer.output.append(contentsOf: ExportColumns.csvHeader) }
    }

    /// Whether enough text is gathered to hand it out.
    package var isFull: Bool { renderer.output.count >= flushBytes }

    /// Renders the envelope stored under `position`, checking it as every
    /// read does (``EventStoreError/checksumMismatch(position:stream:stored:computed:)``
    /// for damage) unless `verifyingChecksum` is false.
    package mutating func render(
        envelope bytes: UnsafeRawBufferPointer, position: UInt64, verifyingChecksum: Bool = true
    ) throws(EventStoreError) {
        render(try EventStore.view(bytes, position: position, verifyingChecksum: verifyingChecksum))
    }

    mutating func render(_ view: EnvelopeView) {
        guard view.recordedAtMicros >= since, view.recordedAtMicros < until, typeMatcher.matches(view) else { return }
        switch format {
        case .jsonLines:
            renderer.appendJSONLine(view)
            chain.countWithoutDigest()
        case .chainedJSONLines: renderer.appendChainedJSONLine(view, chain: &chain)
        case .csv:
            renderer.appendCSVRecord(view)
            chain.countWithoutDigest()
        }
    }

    /// Hands the gathered text to `write` and starts gathering anew.
    package mutating func flush(_ write: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard !renderer.output.isEmpty else { return }
        try renderer.output.withUnsafeBytes { try write($0) }
        renderer.output.removeAll(keepingCapacity: true)
    }

    /// Writes the closing line of a chained export and the rest of the
    /// text; returns the digest chain over the lines written, with their count.
    package mutating func finish(_ write: (UnsafeRawBufferPointer) throws -> Void) throws -> ExportDigestChain {
        if format == .chainedJSONLines { chain.appendClosingLine(to: &renderer.output) }
        try flush(write)
        return chain
    }
}
