import Foundation
import Synchronization

/// The probe's standard output: one line per fact, written whole and
/// unbuffered so that the process reading it sees each line as it happens.
enum ProbeOutput {
    private static let lock = Mutex(())

    static func line(_ text: String) {
        lock.withLock { _ in FileHandle.standardOutput.write(Data((text + "\n").utf8)) }
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}

/// Latencies of one kind of request, for the summary line.
struct LatencySamples: Sendable {
    private(set) var microseconds: [Int64] = []

    mutating func add(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        microseconds.append(seconds * 1_000_000 + attoseconds / 1_000_000_000_000)
    }

    /// `{"count", "p50Ms", "p99Ms"}` of the samples.
    func summary() -> [String: Any] {
        let sorted = microseconds.sorted()
        func percentile(_ p: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            let index = min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)
            return Double(sorted[max(0, index)]) / 1000
        }
        return ["count": sorted.count, "p50Ms": percentile(0.5), "p99Ms": percentile(0.99)]
    }
}
