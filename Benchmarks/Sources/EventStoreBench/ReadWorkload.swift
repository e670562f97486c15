import EventStore
import Foundation

/// Workload 5: a scan of the whole log with `forEachEvent`, compared with a
/// raw LMDB cursor scan of as many values, and the peak memory of each.
///
/// Peak RSS is process-wide, so this workload is meant to run in a process
/// of its own (see ``ReadChildProcess``). Inside that process the peak is
/// also reset just before each scan, so neither scan's figure includes the
/// writing that prepared it; the raw scan runs first and its environment is
/// closed before the ledger is opened.
enum ReadWorkload {
    /// Measures both scans and returns their figures.
    static func run(scratch: ScratchDirectory, counts: BenchCounts) async throws -> BenchReport {
        var report = BenchReport(
            machine: .current(directory: scratch.path), counts: counts)
        let count = counts.readEvents
        let megabyte = 1_048_576.0  // "MB" in the report: 2^20 bytes, as /proc counts in KiB

        Progress.note("read: raw LMDB cursor scan of \(count) values")
        let scanPath = scratch.directory(for: "raw-scan")
        let scan = try await DedicatedThread.run("jobledger-bench.raw-scan") {
            try RawScanBaseline.run(at: scanPath, count: count, valueBytes: counts.payloadBytes)
        }
        report.figures.append(Figure(
            id: "scan", workload: "raw LMDB cursor scan, \(ReportTable.grouped(count)) x \(counts.payloadBytes) B",
            value: scan.entriesPerSecond, unit: "values/s"))
        if let peak = scan.peakResidentBytes {
            report.figures.append(Figure(
                id: "scan-rss", workload: "raw LMDB cursor scan: peak RSS (VmHWM)",
                value: Double(peak) / megabyte, unit: "MB"))
        }

        Progress.note("read: filling a ledger with \(count) events, \(counts.fillEventsPerAppend) per append, no fsync")
        let store = try EventStore.open(at: scratch.directory(for: "read-ledger"), options: .noSync)
        let events = BenchEvents(payloadBytes: counts.payloadBytes)
        let fillBefore = store.groupCommitStatistics
        var written = 0
        var streamNumber = 0
        while written < count {
            let batch = min(counts.fillEventsPerAppend, count - written)
            streamNumber += 1
            _ = try await store.append(
                to: "job-fill-\(streamNumber)", expectedVersion: .noStream, events: events.make(count: batch))
            written += batch
        }
        try store.sync()  // so that writing the fill back does not overlap the timed reads
        report.groupCommit.append(BatchFigures(
            workload: "read fill (no fsync)", before: fillBefore, after: store.groupCommitStatistics))

        Progress.note("read: forEachEvent over \(count) events")
        let resetWorked = PeakMemory.resetPeak()
        let residentBefore = PeakMemory.resident ?? 0
        let sampler = AnonymousMemorySampler()
        let (delivered, seconds) = try await DedicatedThread.run("jobledger-bench.read") {
            var checksum: UInt64 = 0
            let stopwatch = Stopwatch()
            let delivered = try store.forEachEvent { event in
                checksum &+= event.position &+ UInt64(event.payload.count)
                return true
            }
            let seconds = stopwatch.elapsedSeconds
            guard checksum != 0 else { throw BenchError.verification("empty scan") }
            return (delivered, seconds)
        }
        let anonymousPeak = sampler.stop()
        let peak = PeakMemory.peakResident
        let fileResident = PeakMemory.fileResident ?? 0
        guard delivered == count else {
            throw BenchError.verification("forEachEvent delivered \(delivered) of \(count) events")
        }

        report.figures.append(Figure(
            id: "read", workload: "EventStore forEachEvent, \(ReportTable.grouped(count)) events",
            value: Double(count) / max(seconds, 1e-9), unit: "events/s", baselineID: "scan",
            target: Target(subject: .value, comparison: .atLeast, threshold: 1_000_000)))
        if let peak {
            report.figures.append(Figure(
                id: "read-rss", workload: "EventStore forEachEvent: peak RSS (VmHWM)",
                value: Double(peak) / megabyte, unit: "MB", baselineID: "scan-rss",
                target: Target(subject: .value, comparison: .below, threshold: 100)))
        }
        report.figures.append(Figure(
            id: "read-anon", workload: "EventStore forEachEvent: peak anonymous RSS (sampled)",
            value: Double(anonymousPeak) / megabyte, unit: "MB"))

        let ledgerInfo = store.environmentInfo
        let ledgerBytes = (ledgerInfo.lastPageNumber + 1) * ledgerInfo.pageSize
        let format = { (bytes: Int) in String(format: "%.0f MB", Double(bytes) / megabyte) }
        report.notes.append(
            "read: peak RSS \(resetWorked ? "was reset" : "could NOT be reset (kernel refused)") just before each scan; "
                + "RSS then: \(format(scan.residentBeforeBytes)) (raw), \(format(residentBefore)) (ledger); "
                + "file-backed RSS after the ledger scan \(format(fileResident)); "
                + "data: ledger \(format(ledgerBytes)), raw environment \(format(scan.dataBytes))")
        return report
    }
}
