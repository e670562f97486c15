import EventStore
import Foundation
import JobLedger
import Synchronization

/// What retention costs and gives back: a ledger of ended jobs, a whole-log
/// export of it (the baseline: the archive is the same text for the same
/// events), then a scavenge of every job, and compacting copies of the
/// ledger before and after, all in the same run.
enum RetentionWorkload {
    /// Jobs submitted, claimed and completed before the scavenge.
    struct Counts: Sendable {
        var jobs: Int

        static func make(quick: Bool) -> Counts { Counts(jobs: quick ? 5_000 : 50_000) }
    }

    static func run(directory: String, counts: Counts) throws -> (figures: [Figure], note: String) {
        let ledgerPath = directory + "/ledger"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var options = JobLedgerOptions()
        options.store = .noSync
        let jobs = try JobLedger(path: ledgerPath, options: options)
        let owner = Actor(id: "user", role: .user, organisation: "acme")
        let admin = Actor(id: "root", role: .admin, organisation: "acme")
        for index in 0..<counts.jobs {
            _ = try jobs.submit(
                JobSubmission(id: "job-\(index)", type: "report", payload: #"{"account":\#(index),"pages":[1,2,3]}"#),
                by: owner)
            guard let claimed = try jobs.claim(worker: "w", types: ["report"], lease: 60) else {
                throw BenchError.verification("job-\(index) was not claimable")
            }
            _ = try jobs.complete(claimed.id, worker: "w", attempt: claimed.attempt, result: #"{"sent":true}"#)
        }
        try jobs.setRetention(1, forType: "report", by: admin)
        guard let store = jobs.embeddedStore else { throw BenchError.verification("not an embedded ledger") }
        let events = try store.lastPosition()

        // The baseline: a whole-log export of the same events to a file.
        let exportPath = directory + "/export.jsonl"
        let exportWatch = Stopwatch()
        let exported = try writeExport(store, to: exportPath)
        let exportSeconds = exportWatch.elapsedSeconds

        let before = try store.backup(to: directory + "/compact-before", compact: true)

        // The scavenge, seen from a clock a day on, so every job is due.
        var later = options
        later.clock = { Date().addingTimeInterval(86_400) }
        let scavenger = try JobLedger(path: ledgerPath, options: later)
        let archivePath = directory + "/archive.jsonl"
        // Meanwhile a client submits other jobs, one at a time: the longest
        // submit is how long the scavenge's write transaction held writers up.
        let stop = Mutex(false)
        let stalls = Mutex<(longest: Double, submits: Int)>((0, 0))
        let client = Thread {
            var index = 0
            while !stop.withLock({ $0 }) {
                let watch = Stopwatch()
                _ = try? jobs.submit(JobSubmission(id: "live-\(index)", type: "live"), by: owner)
                let seconds = watch.elapsedSeconds
                stalls.withLock { $0 = (max($0.longest, seconds), $0.submits + 1) }
                index += 1
            }
        }
        client.start()
        let scavengeWatch = Stopwatch()
        let scavenged = Result { try scavenger.scavenge(archivePath: archivePath, by: admin, limit: counts.jobs) }
        let scavengeSeconds = scavengeWatch.elapsedSeconds
        stop.withLock { $0 = true }
        while !client.isFinished { usleep(1000) }
        let report = try scavenged.get()
        let (longestSubmit, liveSubmits) = stalls.withLock { $0 }
        guard report.jobs == counts.jobs else {
            throw BenchError.verification("scavenge archived \(report.jobs) of \(counts.jobs) jobs")
        }
        let archiveBytes = try fileSize(archivePath)
        // Again, with every job archived already: what a scavenge that finds
        // nothing new costs on a ledger of archived jobs.
        let againWatch = Stopwatch()
        let again = try scavenger.scavenge(archivePath: directory + "/archive-2.jsonl", by: admin, limit: counts.jobs)
        let againSeconds = againWatch.elapsedSeconds
        guard again.jobs == 0 else { throw BenchError.verification("a second scavenge archived \(again.jobs) jobs") }
        let after = try store.backup(to: directory + "/compact-after", compact: true)
        guard try store.verifyLog(limit: 1).isClean else { throw BenchError.verification("the log does not verify after the scavenge") }

        let figures = [
            Figure(
                id: "retention-export", workload: "export of the whole log to a file (the archive's baseline)",
                value: Double(exported) / exportSeconds, unit: "events/s"),
            Figure(
                id: "retention-scavenge",
                workload: "scavenge: archive written and flushed, events removed and snapshots appended 256 jobs a transaction",
                value: Double(report.events) / scavengeSeconds, unit: "events/s", baselineID: "retention-export"),
            Figure(
                id: "retention-longest-submit", workload: "longest submit of a client running beside the scavenge",
                value: longestSubmit * 1000, unit: "ms"),
            Figure(
                id: "retention-nothing-new", workload: "scavenge again with every job archived already",
                value: againSeconds * 1000, unit: "ms"),
            Figure(
                id: "retention-size-before", workload: "compacted ledger before the scavenge",
                value: Double(before.bytes) / 1_048_576, unit: "MB"),
            Figure(
                id: "retention-size-after", workload: "compacted ledger after the scavenge (snapshots and archived positions)",
                value: Double(after.bytes) / 1_048_576, unit: "MB", baselineID: "retention-size-before"),
        ]
        let note = String(
            format: "retention: %d jobs, %llu events in the log; scavenge moved %d events in %.2f s while a client "
                + "submitted %d jobs; archive %.0f bytes an event (%.1f MB); compacted ledger %.1f MB before, %.1f MB after",
            counts.jobs, events, report.events, scavengeSeconds, liveSubmits,
            Double(archiveBytes) / Double(max(report.events, 1)),
            Double(archiveBytes) / 1_048_576, Double(before.bytes) / 1_048_576, Double(after.bytes) / 1_048_576)
        return (figures, note)
    }

    private static func writeExport(_ store: EventStore, to path: String) throws -> Int {
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let handle = FileHandle(forWritingAtPath: path)
        else { throw BenchError.verification("cannot write \(path)") }
        defer { try? handle.close() }
        let count = try store.exportEvents(format: .chainedJSONLines, selection: .all) { bytes in
            handle.write(Data(bytes))
        }
        try handle.synchronize()
        return count
    }

    private static func fileSize(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }
}
