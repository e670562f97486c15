import Foundation

/// What one side of the `pages` workload measured, commit by commit.
///
/// Pages are counted exactly from `wchar`: LMDB hands each dirty page to
/// `pwrite`/`writev` whole (overflow pages included), then writes the
/// changed tail of its meta page, less than a page, through its `O_DSYNC`
/// descriptor. So for every commit `wchar / pageSize` (rounded down) is the
/// number of pages the commit wrote, and the remainder is the meta write.
struct CommitPagesFigures: Codable, Sendable {
    /// The side.
    var side: CommitPagesSide
    /// The stream each commit's event went to.
    var stream: CommitPagesStream
    /// Durable commits measured.
    var commits = 0
    /// Seconds the commits took, the counter reads around them excluded.
    var seconds = 0.0
    /// Pages written, over all commits.
    var pages = 0
    /// Commits by the pages they wrote.
    var commitsByPages: [Int: Int] = [:]
    /// `write`-family calls.
    var writeCalls = 0
    /// Bytes handed to them (`wchar`).
    var bytesHanded = 0
    /// Bytes the kernel accounted as sent to storage (`write_bytes`).
    var storageBytes = 0
    /// `fdatasync`/`fsync` calls.
    var flushes = 0
    /// The distinct byte counts beyond whole pages that commits handed to
    /// the kernel: LMDB's meta write, one value when nothing else wrote.
    var remainders: Set<Int> = []

    /// A total per commit, 0 without commits.
    func perCommit(_ value: Int) -> Double { commits == 0 ? 0 : Double(value) / Double(commits) }

    /// Commits per second.
    var rate: Double { Double(commits) / max(seconds, 1e-9) }

    /// Seconds per commit.
    var secondsPerCommit: Double { commits == 0 ? 0 : seconds / Double(commits) }

    /// Fewest and most pages one commit wrote.
    var pageRange: (Int, Int) { (commitsByPages.keys.min() ?? 0, commitsByPages.keys.max() ?? 0) }
}

/// Counts the pages and kernel calls of each commit of one side.
final class CommitPagesMeter {
    private(set) var figures: CommitPagesFigures
    private let pageSize: Int

    /// A meter with nothing measured yet.
    init(side: CommitPagesSide, stream: CommitPagesStream, pageSize: Int) {
        figures = CommitPagesFigures(side: side, stream: stream)
        self.pageSize = pageSize
    }

    /// Runs `count` commits, counting each on its own, and returns the
    /// seconds they took.
    func measure(_ count: Int, commit: () throws -> Void) throws -> Double {
        var seconds = 0.0
        for _ in 0..<count {
            let start = ProcessIO.now()
            let stopwatch = Stopwatch()
            try commit()
            let elapsed = stopwatch.elapsedSeconds
            let io = ProcessIO.now().since(start)
            seconds += elapsed
            let pages = io.bytesHanded / pageSize
            figures.commits += 1
            figures.pages += pages
            figures.commitsByPages[pages, default: 0] += 1
            figures.writeCalls += io.writeCalls
            figures.bytesHanded += io.bytesHanded
            figures.storageBytes += io.storageBytes
            figures.flushes += io.flushes
            figures.remainders.insert(io.bytesHanded % pageSize)
        }
        figures.seconds += seconds
        return seconds
    }
}
