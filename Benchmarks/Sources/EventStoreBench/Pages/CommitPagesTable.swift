import Foundation

/// Renders the `pages` workload: pages and kernel calls per one-event
/// commit by side, the databases' depths, and what leaving a database's
/// write out of the commit would save.
enum CommitPagesTable {
    /// The tables, or nothing when the workload did not run.
    static func render(_ report: CommitPagesReport?) -> [String] {
        guard let report else { return [] }
        var lines = [
            "",
            "one-event durable commits on a log of \(ReportTable.grouped(report.logEvents)) events "
                + "(pages: wchar / \(report.pageSize) B, rounded down, per commit; +pages: over the row above):",
        ]
        let header = [
            "stream", "side", "commits", "pages", "+pages", "min-max", "writes", "KB handed", "KB to storage",
            "flushes", "ms/commit", "commits/s",
        ]
        var rows: [[String]] = []
        for stream in CommitPagesStream.allCases {
            var previous: Double?
            for side in CommitPagesSide.rawVariants + [.store] {
                guard let figures = report.figures(side, stream) else { continue }
                let pages = figures.perCommit(figures.pages)
                let added = side == .store ? nil : previous.map { pages - $0 }
                if side != .store { previous = pages }
                let range = figures.pageRange
                rows.append([
                    stream.rawValue, figures.side.label, ReportTable.grouped(figures.commits), String(format: "%.2f", pages),
                    added.map { String(format: "%+.2f", $0) } ?? "-", "\(range.0)-\(range.1)",
                    String(format: "%.2f", figures.perCommit(figures.writeCalls)),
                    String(format: "%.1f", figures.perCommit(figures.bytesHanded) / 1024),
                    String(format: "%.1f", figures.perCommit(figures.storageBytes) / 1024),
                    String(format: "%.2f", figures.perCommit(figures.flushes)),
                    String(format: "%.3f", figures.secondsPerCommit * 1000), ReportTable.grouped(Int(figures.rate.rounded())),
                ])
            }
        }
        lines += ReportTable.align([header] + rows, rightAligned: Set(2..<header.count))
        let remainders = Set(report.sides.flatMap(\.remainders)).sorted()
        lines.append(
            "bytes beyond whole pages handed per commit (LMDB's meta write): "
                + remainders.map { ReportTable.grouped($0) }.joined(separator: ", ")
                + (remainders.count > 1 ? " (more than one: something else wrote, the page counts may be off)" : ""))

        lines.append("")
        lines.append("B-tree depth after the prefill (mdb_stat):")
        let depthHeader = ["database", "raw entries", "raw depth", "raw pages", "store entries", "store depth", "store pages"]
        var depthRows: [[String]] = []
        let stored = Dictionary(report.storePrefilled.databases.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for database in report.rawPrefilled.databases {
            let other = stored[database.name]
            depthRows.append([
                database.name, ReportTable.grouped(database.entries), "\(database.depth)", ReportTable.grouped(database.pages),
                other.map { ReportTable.grouped($0.entries) } ?? "-", other.map { "\($0.depth)" } ?? "-",
                other.map { ReportTable.grouped($0.pages) } ?? "-",
            ])
        }
        lines += ReportTable.align([depthHeader] + depthRows, rightAligned: Set(1..<depthHeader.count))

        guard let fit = report.fit else { return lines }
        lines.append("")
        lines.append(String(
            format: "commit time against pages, least squares over the raw sides: %.3f ms + %.4f ms per page",
            fit.intercept * 1000, fit.slope * 1000))
        lines.append("the store without a database's write (its pages from the raw rows, its time at the fitted cost per page):")
        let savingsHeader = ["stream", "left out", "pages saved", "store pages", "est. commits/s", "est. ratio to (a)"]
        var savingsRows: [[String]] = []
        for stream in CommitPagesStream.allCases {
            guard let store = report.figures(.store, stream), let baseline = report.figures(.events, stream) else { continue }
            func pages(_ side: CommitPagesSide) -> Double {
                report.figures(side, stream).map { $0.perCommit($0.pages) } ?? 0
            }
            let savings: [(String, Double)] = [
                ("nothing (measured)", 0),
                ("streams record", pages(.streams) - pages(.eventIDs)),
                ("eventIDs record", pages(.eventIDs) - pages(.streamIndex)),
                ("meta records", pages(.meta) - pages(.streams)),
                ("all three", pages(.meta) - pages(.streamIndex)),
            ]
            for (name, saved) in savings {
                let seconds = max(store.secondsPerCommit - fit.slope * saved, 1e-9)
                savingsRows.append([
                    stream.rawValue, name, String(format: "%.2f", saved),
                    String(format: "%.2f", store.perCommit(store.pages) - saved),
                    ReportTable.grouped(Int((1 / seconds).rounded())), ReportTable.ratio((1 / seconds) / baseline.rate),
                ])
            }
        }
        lines += ReportTable.align([savingsHeader] + savingsRows, rightAligned: Set(2..<savingsHeader.count))
        return lines
    }
}
