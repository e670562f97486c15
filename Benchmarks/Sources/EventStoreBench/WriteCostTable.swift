import Foundation

/// Renders the write costs of the durable append workloads: per commit, per
/// event, and the pages each database grew by.
enum WriteCostTable {
    /// The two tables, or nothing when no write costs were measured.
    static func render(_ costs: [WriteCostFigures]) -> [String] {
        guard !costs.isEmpty else { return [] }
        var lines = ["", "disk work of durable appends (timed rounds; flushes: fdatasync calls, plus LMDB's O_DSYNC meta write):"]
        let header = [
            "side", "commits", "appends/commit", "p10/p50/p90", "flushes/commit", "writes/commit", "KB handed/commit",
            "KB to storage/commit", "B handed/event", "file B/event",
        ]
        let rows = costs.map { cost -> [String] in
            let grown = (cost.after.filePages - cost.before.filePages) * cost.after.pageSize
            return [
                cost.workload, ReportTable.grouped(cost.commits), String(format: "%.2f", cost.perCommit(cost.appends)),
                [0.1, 0.5, 0.9].map { String(cost.appendsPerCommit(atShare: $0)) }.joined(separator: "/"),
                String(format: "%.2f", cost.perCommit(cost.flushes)), String(format: "%.1f", cost.perCommit(cost.writeCalls)),
                String(format: "%.1f", cost.perCommit(cost.bytesHanded) / 1024),
                String(format: "%.1f", cost.perCommit(cost.storageBytes) / 1024),
                String(format: "%.0f", cost.perEvent(cost.bytesHanded)), String(format: "%.0f", cost.perEvent(grown)),
            ]
        }
        lines += ReportTable.align([header] + rows, rightAligned: Set(1..<header.count))
        lines.append("")
        lines.append("pages by database (before the first timed round, after the last):")
        let pageHeader = ["side", "database", "entries", "depth", "pages before", "pages after", "pages per 1k events"]
        var pageRows: [[String]] = []
        for cost in costs {
            let before = Dictionary(cost.before.databases.map { ($0.name, $0.pages) }, uniquingKeysWith: { first, _ in first })
            for database in cost.after.databases {
                let grown = database.pages - (before[database.name] ?? 0)
                pageRows.append([
                    cost.workload, database.name, ReportTable.grouped(database.entries), "\(database.depth)",
                    ReportTable.grouped(before[database.name] ?? 0), ReportTable.grouped(database.pages),
                    String(format: "%.1f", cost.perEvent(grown * 1000)),
                ])
            }
            pageRows.append([
                cost.workload, "(file)", "-", "-", ReportTable.grouped(cost.before.filePages),
                ReportTable.grouped(cost.after.filePages),
                String(format: "%.1f", cost.perEvent((cost.after.filePages - cost.before.filePages) * 1000)),
            ])
        }
        lines += ReportTable.align([pageHeader] + pageRows, rightAligned: [2, 3, 4, 5, 6])
        return lines
    }
}
