import Foundation

/// Renders a ``BenchReport`` as aligned text tables.
enum ReportTable {
    /// The figures table, the group-commit table and the notes.
    static func render(_ report: BenchReport) -> String {
        var lines: [String] = []
        lines.append("jobledger-bench: \(report.machine.processors) CPUs, ledgers on \(report.machine.fileSystem)")
        lines.append("")
        let header = ["workload", "figure", "unit", "baseline", "ratio", "target", "result"]
        let rows = report.figures.map { figure -> [String] in
            [
                figure.workload,
                number(figure.value, unit: figure.unit),
                figure.unit,
                baseline(figure),
                figure.ratio.map(ratio) ?? "-",
                figure.target.map { target($0, unit: figure.unit) } ?? "-",
                figure.passed.map { $0 ? "pass" : "FAIL" } ?? "-",
            ]
        }
        lines += align([header] + rows, rightAligned: [1, 4])

        if !report.comparisons.isEmpty {
            lines.append("")
            lines.append("raw LMDB, SQLite and jobledger in the same run (vs: how many times faster jobledger is):")
            let header = [
                "#", "workload", "unit", "raw LMDB", "SQLite", "jobledger", "vs SQLite", "vs raw", "target", "result",
                "peak RSS MB raw/SQLite/jl", "conflicts SQLite/jl",
            ]
            let rows = report.comparisons.map { row -> [String] in
                func value(_ side: Comparison.Side) -> String {
                    side.value.map { number($0, unit: row.unit) } ?? "-"
                }
                func ratio(_ value: Double?) -> String { value.map(Self.ratio) ?? "-" }
                let peaks = [row.raw, row.sqlite, row.jobledger].map { $0.peakMB.map { String(format: "%.0f", $0) } ?? "-" }
                let conflicts = [row.sqlite, row.jobledger].map { $0.conflicts.map(grouped) ?? "-" }
                return [
                    "\(row.number)", row.workload, row.unit, value(row.raw), value(row.sqlite), value(row.jobledger),
                    ratio(row.versusSQLite), ratio(row.versusRaw),
                    row.target.map { String(format: ">= %.0fx SQLite", $0) } ?? "-",
                    row.passed.map { $0 ? "pass" : "FAIL" } ?? "-", peaks.joined(separator: " / "),
                    conflicts.joined(separator: " / "),
                ]
            }
            lines += align([header] + rows, rightAligned: [0, 3, 4, 5, 6, 7])
            lines.append("raw LMDB figures: " + report.comparisons.map { "\($0.number): \($0.rawNote)" }.joined(separator: "; "))
        }

        if !report.sweep.isEmpty {
            lines.append("")
            lines.append("durable appends per second against clients (each client its own stream):")
            let header = ["clients", "appends", "SQLite", "jobledger", "jobledger / SQLite"]
            let rows = report.sweep.map { point -> [String] in
                [
                    "\(point.clients)", grouped(point.appends), grouped(Int(point.sqlite.rounded())),
                    grouped(Int(point.jobledger.rounded())), String(format: "%.2fx", point.jobledger / max(point.sqlite, 1e-9)),
                ]
            }
            lines += align([header] + rows, rightAligned: [0, 1, 2, 3, 4])
        }

        if !report.groupCommit.isEmpty {
            lines.append("")
            lines.append("group commit batch sizes (appends per write transaction):")
            let batchHeader = ["workload", "commits", "appends", "events", "average", "largest"]
            let batchRows = report.groupCommit.map { batch -> [String] in
                [
                    batch.workload, grouped(batch.commits), grouped(batch.appends), grouped(batch.events),
                    String(format: "%.2f", batch.averageAppendsPerCommit), grouped(batch.largestAppendsPerCommit),
                ]
            }
            lines += align([batchHeader] + batchRows, rightAligned: [1, 2, 3, 4, 5])
        }
        lines += WriteCostTable.render(report.writeCosts)
        lines += CommitPagesTable.render(report.commitPages)
        if !report.notes.isEmpty {
            lines.append("")
            lines += report.notes.map { "note: \($0)" }
        }
        return lines.joined(separator: "\n")
    }

    /// A ratio such as `0.79x`, with three decimals below 0.1.
    static func ratio(_ value: Double) -> String {
        String(format: value < 0.1 ? "%.3fx" : "%.2fx", value)
    }

    /// Pads every column to its widest cell; a rule follows the header.
    static func align(_ rows: [[String]], rightAligned: Set<Int>) -> [String] {
        guard let columns = rows.first?.count else { return [] }
        let widths = (0..<columns).map { column in rows.map { $0[column].count }.max() ?? 0 }
        var lines = rows.map { row in
            row.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return rightAligned.contains(column) ? padding + cell : cell + padding
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
        lines.insert(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "), at: 1)
        return lines
    }

    private static func baseline(_ figure: Figure) -> String {
        guard let id = figure.baselineID else { return "-" }
        guard let value = figure.baselineValue, let unit = figure.baselineUnit else { return "\(id): not run" }
        return "\(id): \(number(value, unit: unit)) \(unit)"
    }

    private static func target(_ target: Target, unit: String) -> String {
        let comparison = target.comparison == .atLeast ? ">=" : "<"
        switch target.subject {
        case .ratio: return "ratio \(comparison) \(String(format: "%.2f", target.threshold))"
        case .value: return "\(comparison) \(number(target.threshold, unit: unit)) \(unit)"
        }
    }

    /// Rates and counts as grouped integers; sizes in MB with one decimal;
    /// times and small fractions with enough decimals to be read.
    static func number(_ value: Double, unit: String) -> String {
        if unit == "MB" { return String(format: "%.1f", value) }
        if unit == "ms" || unit == "s" || (value.magnitude < 100 && value != value.rounded()) {
            return String(format: value.magnitude < 10 ? "%.3f" : "%.1f", value)
        }
        return grouped(Int(value.rounded()))
    }

    /// An integer with thousands separators, such as `1,234,567`.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return value < 0 ? "-" + result : result
    }
}

extension String {
    /// The string without trailing spaces.
    fileprivate func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
