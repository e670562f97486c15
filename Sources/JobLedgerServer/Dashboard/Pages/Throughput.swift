import EventStore
import Foundation
import JobLedger

/// Jobs that finished in each minute of the last hour, read from the log's
/// tail: the first event of the hour is found by a binary search on
/// positions (the log is in time order), then the hour is read forward,
/// at most `maxEvents` positions of it, so a busy hour costs a bounded read.
struct Throughput: Sendable {
    /// Finished jobs per minute, oldest first (60 buckets).
    var completed: [Int] = Array(repeating: 0, count: 60)
    /// Failed, cancelled and killed jobs per minute.
    var stopped: [Int] = Array(repeating: 0, count: 60)
    /// False when the hour held more events than were read.
    var complete = true

    static let maxEvents = 200_000
    /// The events that finish a job.
    static let finishing = EventFilter(types: ["JobCompleted", "JobFailed", "JobCancelled", "JobKilled"], streamPrefix: JobStreams.jobPrefix)

    static func lastHour(_ store: any EventStorage, now: Date) throws -> Throughput {
        var result = Throughput()
        let start = now.addingTimeInterval(-3600)
        let last = try store.lastPosition()
        guard last > 0 else { return result }
        var low: UInt64 = 1, high = last + 1
        while low < high {
            let middle = low + (high - low) / 2
            if let event = try store.event(at: middle), event.recordedAt < start { low = middle + 1 } else { high = middle }
        }
        var position = low
        while position <= last {
            let page = try store.readAll(from: position, filter: Self.finishing, limit: 1000)
            for event in page.events {
                let minute = Int(event.recordedAt.timeIntervalSince(start) / 60)
                guard (0..<60).contains(minute) else { continue }
                switch event.type {
                case "JobCompleted": result.completed[minute] += 1
                case "JobFailed", "JobCancelled", "JobKilled": result.stopped[minute] += 1
                default: break
                }
            }
            if page.reachedEnd || page.events.isEmpty { break }
            if page.nextPosition - low >= UInt64(maxEvents) {
                result.complete = false
                break
            }
            position = page.nextPosition
        }
        return result
    }

    /// A bar chart in SVG, with a text summary for screen readers.
    func chart() -> HTML {
        let peak = max(1, zip(completed, stopped).map { $0 + $1 }.max() ?? 1)
        let width = 600, height = 160, bar = 10
        var bars: [HTML] = []
        for minute in 0..<60 {
            let done = completed[minute] * (height - 20) / peak
            let other = stopped[minute] * (height - 20) / peak
            let x = minute * bar
            if done > 0 {
                bars.append("<rect class=\"done\" x=\"\(x)\" y=\"\(height - done)\" width=\"\(bar - 2)\" height=\"\(done)\"><title>\(completed[minute]) completed</title></rect>")
            }
            if other > 0 {
                bars.append("<rect class=\"stopped\" x=\"\(x)\" y=\"\(height - done - other)\" width=\"\(bar - 2)\" height=\"\(other)\"><title>\(stopped[minute]) failed, cancelled or killed</title></rect>")
            }
        }
        let total = completed.reduce(0, +), failed = stopped.reduce(0, +)
        let summary = "\(total) jobs completed and \(failed) failed, cancelled or killed in the last hour; at most \(peak) in one minute\(complete ? "" : " (the hour was only partly read)")."
        return """
            <figure class="chart">
            <svg viewBox="0 0 \(width) \(height)" role="img" aria-labelledby="chart-caption" preserveAspectRatio="none">
            <line class="axis" x1="0" y1="\(height)" x2="\(width)" y2="\(height)"></line>
            \(bars)
            </svg>
            <div class="chart-axis" aria-hidden="true"><span>60 minutes ago</span><span>top of the chart: \(peak) a minute</span><span>now</span></div>
            <figcaption id="chart-caption">\(summary) Bars: one a minute, oldest on the left; <span class="key done">completed</span>, <span class="key stopped">failed, cancelled or killed</span>.</figcaption>
            </figure>
            """
    }
}
