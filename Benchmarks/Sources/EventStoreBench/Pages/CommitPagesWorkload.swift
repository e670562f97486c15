import Foundation

/// Everything the `pages` workload measured: per side and stream the
/// pages and kernel calls of one-event durable commits, and the depth of
/// every database of both logs once prefilled.
struct CommitPagesReport: Codable, Sendable {
    /// Events in each log before the measured commits.
    var logEvents: Int
    /// Bytes per page.
    var pageSize: Int
    /// The raw log's databases after the prefill.
    var rawPrefilled: PageSnapshot
    /// The ledger's databases after the prefill.
    var storePrefilled: PageSnapshot
    /// Seconds the raw and the store prefill took.
    var prefillSeconds: [Double]
    /// Each side's figures, raw variants first, for new then existing streams.
    var sides: [CommitPagesFigures]

    /// The figures of one side and stream.
    func figures(_ side: CommitPagesSide, _ stream: CommitPagesStream) -> CommitPagesFigures? {
        sides.first { $0.side == side && $0.stream == stream }
    }

    /// Seconds per commit against pages per commit, fitted by least squares
    /// over the raw variants: (seconds at no page, seconds per page).
    var fit: (intercept: Double, slope: Double)? {
        let points = sides.filter { $0.side != .store && $0.commits > 0 }.map {
            (x: $0.perCommit($0.pages), y: $0.secondsPerCommit)
        }
        guard points.count >= 2 else { return nil }
        let count = Double(points.count)
        let meanX = points.map(\.x).reduce(0, +) / count
        let meanY = points.map(\.y).reduce(0, +) / count
        let spread = points.map { ($0.x - meanX) * ($0.x - meanX) }.reduce(0, +)
        guard spread > 0 else { return nil }
        let slope = points.map { ($0.x - meanX) * ($0.y - meanY) }.reduce(0, +) / spread
        return (meanY - slope * meanX, slope)
    }
}

/// The `pages` workload: what each of the store's databases adds to a
/// durable commit of one event on a log of many events, in pages, write
/// calls and bytes, and how deep each database's B-tree is.
///
/// Both logs are prefilled (durable, commits of about a thousand events,
/// whole streams of ten events each, not measured); then every side makes
/// its commits in alternating rounds, so drifts of the disk hit all alike.
enum CommitPagesWorkload {
    /// Events per prefill commit.
    static let prefillEventsPerCommit = 1_000

    /// Runs the workload on a raw log at `rawPath` and a ledger at `storePath`.
    static func run(rawPath: String, storePath: String, counts: BenchCounts) throws -> CommitPagesReport {
        let events = BenchEvents(payloadBytes: counts.payloadBytes)
        let envelopeBytes = events.envelopeBytes(streamID: StreamNames.make())
        let expected = counts.pagesLogEvents + counts.pagesCommits * 12
        let raw = try RawStoreLog(at: rawPath, events: expected, envelopeBytes: envelopeBytes)
        let store = try StoreCommitPages(at: storePath, events: events, expected: expected)

        var stopwatch = Stopwatch()
        try raw.prefill(counts.pagesLogEvents, eventsPerCommit: prefillEventsPerCommit)
        let rawSeconds = stopwatch.elapsedSeconds
        Progress.note(String(format: "pages: raw log prefilled in %.1f s", rawSeconds))
        stopwatch = Stopwatch()
        try store.prefill(counts.pagesLogEvents, eventsPerCommit: prefillEventsPerCommit)
        let storeSeconds = stopwatch.elapsedSeconds
        Progress.note(String(format: "pages: ledger prefilled in %.1f s; measuring", storeSeconds))
        let rawPrefilled = try raw.pageSnapshot()
        let storePrefilled = try store.pageSnapshot()
        guard raw.pageSize == store.pageSize else {
            throw BenchError.verification("pages: page sizes differ (\(raw.pageSize), \(store.pageSize))")
        }

        var meters: [CommitPagesMeter] = []
        var sides: [InterleavedRounds.Side] = []
        for stream in CommitPagesStream.allCases {
            for side in CommitPagesSide.rawVariants + [.store] {
                let meter = CommitPagesMeter(side: side, stream: stream, pageSize: raw.pageSize)
                meters.append(meter)
                sides.append(.init(total: counts.pagesCommits) { count in
                    try meter.measure(count) {
                        if side == .store {
                            try store.appendOne(to: stream)
                        } else {
                            try raw.commitOne(side, to: stream)
                        }
                    }
                })
            }
        }
        _ = try InterleavedRounds.run(rounds: counts.pagesRounds, sides: sides)
        try store.verify()
        return CommitPagesReport(
            logEvents: counts.pagesLogEvents, pageSize: raw.pageSize, rawPrefilled: rawPrefilled,
            storePrefilled: storePrefilled, prefillSeconds: [rawSeconds, storeSeconds], sides: meters.map(\.figures))
    }

    /// The rates of raw LMDB's single put and of the store, with their
    /// ratio, and the pages per commit, as figures of the main table.
    static func figures(_ report: CommitPagesReport) -> [Figure] {
        var figures: [Figure] = []
        let size = ReportTable.grouped(report.logEvents)
        for stream in CommitPagesStream.allCases {
            guard let rawSide = report.figures(.events, stream), let storeSide = report.figures(.store, stream) else {
                continue
            }
            let place = "\(stream.rawValue) stream, log of \(size)"
            figures.append(Figure(
                id: "pages-a-\(stream.rawValue)", workload: "raw LMDB 1 put per durable commit, \(place)",
                value: rawSide.rate, unit: "commits/s"))
            figures.append(Figure(
                id: "pages-store-\(stream.rawValue)", workload: "EventStore 1 event per durable append, \(place)",
                value: storeSide.rate, unit: "commits/s", baselineID: "pages-a-\(stream.rawValue)"))
            figures.append(Figure(
                id: "pages-a-\(stream.rawValue)-pages", workload: "raw LMDB 1 put: pages per commit, \(place)",
                value: rawSide.perCommit(rawSide.pages), unit: "pages"))
            figures.append(Figure(
                id: "pages-store-\(stream.rawValue)-pages", workload: "EventStore 1 event: pages per commit, \(place)",
                value: storeSide.perCommit(storeSide.pages), unit: "pages",
                baselineID: "pages-a-\(stream.rawValue)-pages"))
        }
        return figures
    }
}
