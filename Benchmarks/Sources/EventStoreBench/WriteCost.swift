import EventStore
import LMDB

/// Entries and pages of one LMDB database at one moment.
struct PageCount: Codable, Sendable {
    /// The database's name.
    var name: String
    /// Key/value pairs.
    var entries: Int
    /// Depth of its B-tree.
    var depth: Int
    /// Branch, leaf and overflow pages.
    var pages: Int
}

/// The pages of an environment's file and of each of its databases.
struct PageSnapshot: Codable, Sendable {
    /// Pages up to the highest one ever written.
    var filePages = 0
    /// Bytes per page.
    var pageSize = 4096
    /// Each database's pages.
    var databases: [PageCount] = []
}

extension EventStore {
    /// The ledger's pages, database by database.
    func pageSnapshot() throws -> PageSnapshot {
        let info = environmentInfo
        return PageSnapshot(
            filePages: info.lastPageNumber + 1, pageSize: info.pageSize,
            databases: try databaseUsage().map {
                PageCount(name: $0.name, entries: $0.entries, depth: $0.depth, pages: $0.pages)
            })
    }
}

extension Environment {
    /// The environment's pages, for the named databases.
    func pageSnapshot(_ databases: [Database]) throws -> PageSnapshot {
        let info = info()
        return PageSnapshot(
            filePages: info.lastPageNumber + 1, pageSize: info.pageSize,
            databases: try read { txn in
                try databases.map { database in
                    let statistics = try txn.statistics(of: database)
                    return PageCount(
                        name: database.name, entries: statistics.entries, depth: statistics.depth,
                        pages: statistics.pages)
                }
            })
    }
}

/// What one side of a durable write workload asked of the kernel and the
/// disk over its timed rounds, and how its file grew.
struct WriteCostFigures: Codable, Sendable {
    /// The side, as the figures table names it.
    var workload: String
    /// Write transactions committed.
    var commits = 0
    /// Appends answered (for raw LMDB: the logical records per commit).
    var appends = 0
    /// Events (records) written.
    var events = 0
    /// Commits by the number of appends they carried.
    var commitsByAppends: [Int: Int] = [:]
    /// Kernel counters over the timed rounds only.
    var flushes = 0
    /// `write`-family calls.
    var writeCalls = 0
    /// Bytes passed to `write`-family calls.
    var bytesHanded = 0
    /// Bytes accounted as sent to storage.
    var storageBytes = 0
    /// Pages before the first round.
    var before = PageSnapshot()
    /// Pages after the last round.
    var after = PageSnapshot()

    /// A count per commit, 0 without commits.
    func perCommit(_ value: Int) -> Double { commits == 0 ? 0 : Double(value) / Double(commits) }

    /// A count per event, 0 without events.
    func perEvent(_ value: Int) -> Double { events == 0 ? 0 : Double(value) / Double(events) }

    /// The appends per commit below which `share` of the commits fall.
    func appendsPerCommit(atShare share: Double) -> Int {
        let wanted = Double(commits) * share
        var seen = 0
        for (appends, count) in commitsByAppends.sorted(by: { $0.key < $1.key }) {
            seen += count
            if Double(seen) >= wanted { return appends }
        }
        return 0
    }
}

/// Adds up a side's write costs round by round: the kernel counters around
/// each round, and its commits from the store's statistics or, for raw
/// LMDB, from the round's size.
final class WriteCostMeter {
    private(set) var figures: WriteCostFigures

    /// A meter with nothing measured yet.
    init(workload: String) {
        figures = WriteCostFigures(workload: workload)
    }

    /// Records the pages before the first round.
    func start(_ pages: PageSnapshot) { figures.before = pages }

    /// Records the pages after the last round.
    func finish(_ pages: PageSnapshot) { figures.after = pages }

    /// Runs a round of raw LMDB commits, each of `records` records.
    func measure(commits: Int, records: Int, _ body: () throws -> Double) rethrows -> Double {
        let seconds = try counted(body)
        figures.commits += commits
        figures.appends += commits * records
        figures.events += commits * records
        figures.commitsByAppends[records, default: 0] += commits
        return seconds
    }

    /// Runs a round of store appends; `statistics` reads the store's.
    func measure(statistics: () -> GroupCommitStatistics, _ body: () throws -> Double) rethrows -> Double {
        let before = statistics()
        let seconds = try counted(body)
        let after = statistics()
        figures.commits += after.commits - before.commits
        figures.appends += after.appends - before.appends
        figures.events += after.events - before.events
        for (appends, count) in after.commitsByAppends {
            let added = count - (before.commitsByAppends[appends] ?? 0)
            if added > 0 { figures.commitsByAppends[appends, default: 0] += added }
        }
        return seconds
    }

    private func counted(_ body: () throws -> Double) rethrows -> Double {
        let start = ProcessIO.now()
        let seconds = try body()
        let io = ProcessIO.now().since(start)
        figures.flushes += io.flushes
        figures.writeCalls += io.writeCalls
        figures.bytesHanded += io.bytesHanded
        figures.storageBytes += io.storageBytes
        return seconds
    }
}
