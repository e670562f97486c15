import Foundation
import Synchronization

/// Reads this process's memory figures from `/proc/self/status` (Linux).
///
/// `VmHWM` is the peak resident set size. It counts every resident page,
/// including file-backed pages of memory maps such as LMDB's, and it only
/// ever grows, except that Linux lets a process reset it to the current
/// resident size (``resetPeak()``).
enum PeakMemory {
    /// The value of one `kB` field of `/proc/self/status`, in bytes.
    static func field(_ name: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
            let digits = line.dropFirst(name.count + 1).filter(\.isNumber)
            return Int(digits).map { $0 * 1024 }
        }
        return nil
    }

    /// Peak resident set size (`VmHWM`), in bytes.
    static var peakResident: Int? { field("VmHWM") }
    /// Current resident set size (`VmRSS`), in bytes.
    static var resident: Int? { field("VmRSS") }
    /// Current anonymous resident memory (`RssAnon`): heap and stacks.
    static var anonymousResident: Int? { field("RssAnon") }
    /// Current file-backed resident memory (`RssFile`), such as mapped ledger pages.
    static var fileResident: Int? { field("RssFile") }

    /// Resets `VmHWM` to the current resident size by writing `5` to
    /// `/proc/self/clear_refs` (Linux 4.0 and later). Returns false when the
    /// kernel refuses, in which case the peak covers the whole process life.
    @discardableResult
    static func resetPeak() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        do {
            try handle.write(contentsOf: Data("5".utf8))
            return true
        } catch {
            return false
        }
    }
}

/// Samples anonymous resident memory on a background thread and keeps the
/// largest value seen, since the kernel keeps no peak for it.
final class AnonymousMemorySampler: Sendable {
    private let state = Mutex<(peak: Int, running: Bool)>((0, true))
    private let finished = DispatchSemaphore(value: 0)

    /// Starts sampling every `interval` seconds.
    init(interval: Double = 0.01) {
        let first = PeakMemory.anonymousResident ?? 0
        state.withLock { $0.peak = first }
        let thread = Thread { [self] in
            while true {
                let sample = PeakMemory.anonymousResident ?? 0
                let running = state.withLock { state in
                    state.peak = max(state.peak, sample)
                    return state.running
                }
                if !running { break }
                Thread.sleep(forTimeInterval: interval)
            }
            finished.signal()
        }
        thread.name = "jobledger-bench.rss-sampler"
        thread.start()
    }

    /// Stops sampling (after one last sample) and returns the peak in bytes.
    func stop() -> Int {
        state.withLock { $0.running = false }
        finished.wait()
        return state.withLock { $0.peak }
    }
}

/// The largest `VmHWM` over several timed parts of one side of a workload
/// run in this process, with the peak reset just before each part. Each
/// value includes everything resident in the process at the time (its
/// libraries, the other sides' heaps and mapped pages), so it is an upper
/// bound on the side's own memory, not a measurement of it alone.
final class PeakTracker {
    private(set) var peakBytes = 0

    /// Runs `body` with the peak reset just before it.
    func measure<T>(_ body: () throws -> T) rethrows -> T {
        PeakMemory.resetPeak()
        defer { peakBytes = max(peakBytes, PeakMemory.peakResident ?? 0) }
        return try body()
    }

    /// The peak in MB (2^20 bytes).
    var megabytes: Double { Double(peakBytes) / 1_048_576 }
}
