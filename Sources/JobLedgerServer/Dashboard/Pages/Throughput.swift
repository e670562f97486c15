import Foundation
import JobLedger

/// Finishing events in equal buckets of a window (the last hour by the
/// minute, the last day by the quarter hour), from the projection's
/// per-minute tallies, drawn as an SVG bar chart with the failure rate.
struct Throughput: Sendable {
    struct Bucket: Sendable {
        var start: Date
        var completed = 0
        var failed = 0
        /// Cancelled and killed.
        var stopped = 0
        /// Failed among completed and failed, when any finished.
        var failureRate: Double? { completed + failed == 0 ? nil : Double(failed) / Double(completed + failed) }
    }

    let title: String
    /// What one bucket is, for the text ("minute", "quarter hour").
    let unit: String
    /// The label of the oldest end of the chart.
    let from: String
    var buckets: [Bucket]

    /// The minutes of `minutes` that fall in the last `count` buckets of
    /// `size` minutes before `now`.
    static func make(
        _ minutes: [FinishedMinute], now: Date, count: Int, size: Int, title: String, unit: String, from: String
    ) -> Throughput {
        let end = (now.timeIntervalSince1970 / 60).rounded(.down) + 1
        let start = end - Double(count * size)
        var buckets = (0..<count).map { Bucket(start: Date(timeIntervalSince1970: (start + Double($0 * size)) * 60)) }
        for minute in minutes {
            let offset = minute.minute.timeIntervalSince1970 / 60 - start
            guard offset >= 0 else { continue }
            let index = Int(offset) / size
            guard index < count else { continue }
            buckets[index].completed += minute.completed
            buckets[index].failed += minute.failed
            buckets[index].stopped += minute.cancelled + minute.killed
        }
        return Throughput(title: title, unit: unit, from: from, buckets: buckets)
    }

    var completed: Int { buckets.reduce(0) { $0 + $1.completed } }
    var failed: Int { buckets.reduce(0) { $0 + $1.failed } }
    var stopped: Int { buckets.reduce(0) { $0 + $1.stopped } }

    /// The window's failure rate as text ("12.5 %", or "none finished").
    var failureRateText: String {
        guard completed + failed > 0 else { return "no job completed or failed" }
        return String(format: "%.1f %%", Double(failed) * 100 / Double(completed + failed))
    }

    /// A stacked bar chart in SVG (completed, failed, cancelled or killed)
    /// with the failure rate of each bucket as a line over it, scaled to
    /// the chart's height, and a text summary for screen readers.
    func chart(id: String) -> HTML {
        let width = 600, height = 160
        let slot = width / max(1, buckets.count)
        let peak = max(1, buckets.map { $0.completed + $0.failed + $0.stopped }.max() ?? 1)
        let usable = height - 20
        var bars: [HTML] = []
        var rate: [String] = []
        for (index, bucket) in buckets.enumerated() {
            let x = index * slot
            var top = height
            for (count, kind, label) in [
                (bucket.completed, "done", "completed"), (bucket.failed, "failed", "failed"),
                (bucket.stopped, "stopped", "cancelled or killed"),
            ] where count > 0 {
                let size = max(1, count * usable / peak)
                top -= size
                bars.append("<rect class=\"\(kind)\" x=\"\(x)\" y=\"\(top)\" width=\"\(max(1, slot - 2))\" height=\"\(size)\"><title>\(count) \(label)</title></rect>")
            }
            if let value = bucket.failureRate {
                rate.append("\(x + slot / 2),\(height - Int(value * Double(usable)))")
            }
        }
        let line: HTML = rate.count > 1
            ? "<polyline class=\"rate\" points=\"\(rate.joined(separator: " "))\"></polyline>" : .empty
        let summary = "\(completed) jobs completed, \(failed) failed and \(stopped) cancelled or killed \(title.lowercased()); "
            + "failure rate \(failureRateText); at most \(peak) in one \(unit)."
        return """
            <figure class="chart">
            <svg viewBox="0 0 \(width) \(height)" role="img" aria-labelledby="\(id)-caption" preserveAspectRatio="none">
            <line class="axis" x1="0" y1="\(height)" x2="\(width)" y2="\(height)"></line>
            \(bars)
            \(line)
            </svg>
            <div class="chart-axis" aria-hidden="true"><span>\(from)</span><span>top: \(peak) a \(unit); line: failure rate, top 100 %</span><span>now</span></div>
            <figcaption id="\(id)-caption">\(summary) Bars: one a \(unit), oldest on the left; <span class="key done">completed</span>, <span class="key failed">failed</span>, <span class="key stopped">cancelled or killed</span>; <span class="key rate">the line</span>: failed among completed and failed.</figcaption>
            </figure>
            """
    }
}
