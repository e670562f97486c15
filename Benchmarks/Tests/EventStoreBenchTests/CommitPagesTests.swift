import EventStore
import Foundation
import Testing

@testable import EventStoreBench

/// The page counts of the `pages` workload, on real durable environments:
/// what a one-event commit writes follows from the B-tree depths, and the
/// raw store-shaped commit writes what the store's append writes.
///
/// Serialized: the counters are the whole process's.
@Suite(.serialized)
struct CommitPagesTests {
    private static let events = 20_000

    @Test func aRawSinglePutWritesTheEventsPathPlusTheCatalogueAndFreeListPages() throws {
        let directory = try TemporaryDirectory()
        let log = try RawStoreLog(at: directory.path("raw"), events: Self.events, envelopeBytes: 314)
        try log.prefill(Self.events, eventsPerCommit: 1_000)
        let depth = try depths(log.pageSnapshot())["events"]
        let figures = try measure(20, side: .events, pageSize: log.pageSize) { try log.commitOne(.events, to: .new) }

        #expect(depth.map { $0 + 2 } == mostCommon(figures))
        #expect(figures.remainders.count == 1, "every commit hands whole pages and one meta write of a fixed size")
        #expect(figures.perCommit(figures.writeCalls) >= 2, "the pages and the meta page are separate writes")
    }

    @Test func eachDatabaseAddedToACommitCostsItsDepthInPages() throws {
        let directory = try TemporaryDirectory()
        let log = try RawStoreLog(at: directory.path("raw"), events: Self.events, envelopeBytes: 314)
        try log.prefill(Self.events, eventsPerCommit: 1_000)
        let depth = try depths(log.pageSnapshot())
        var pages: [CommitPagesSide: Int] = [:]
        for side in CommitPagesSide.rawVariants {
            let figures = try measure(20, side: side, pageSize: log.pageSize) { try log.commitOne(side, to: .existing) }
            pages[side] = mostCommon(figures)
        }

        let counts = CommitPagesSide.rawVariants.map { pages[$0] ?? 0 }
        #expect(counts[1] - counts[0] == depth["streamIndex"])
        #expect(counts[2] - counts[1] == depth["eventIDs"])
        #expect(counts[3] - counts[2] == depth["streams"])
        #expect(counts[4] - counts[3] == depth["meta"])
    }

    @Test func theStoresOneEventAppendWritesThePagesOfTheRawStoreShapedCommit() throws {
        let directory = try TemporaryDirectory()
        let log = try RawStoreLog(at: directory.path("raw"), events: Self.events, envelopeBytes: 314)
        try log.prefill(Self.events, eventsPerCommit: 1_000)
        let store = try StoreCommitPages(
            at: directory.path("ledger"), events: BenchEvents(payloadBytes: 200), expected: Self.events)
        try store.prefill(Self.events, eventsPerCommit: 1_000)
        let rawDepths = try depths(log.pageSnapshot())
        let storeDepths = try depths(store.pageSnapshot()).filter { rawDepths[$0.key] != nil }
        try #require(rawDepths == storeDepths, "both logs are filled alike")

        for stream in CommitPagesStream.allCases {
            let raw = try measure(20, side: .meta, pageSize: log.pageSize) { try log.commitOne(.meta, to: stream) }
            let ledger = try measure(20, side: .store, pageSize: store.pageSize) { try store.appendOne(to: stream) }
            #expect(mostCommon(raw) == mostCommon(ledger), "\(stream.rawValue) stream")
        }
        try store.verify()
    }

    private func measure(
        _ count: Int, side: CommitPagesSide, pageSize: Int, _ commit: () throws -> Void
    ) throws -> CommitPagesFigures {
        let meter = CommitPagesMeter(side: side, stream: .new, pageSize: pageSize)
        _ = try meter.measure(count, commit: commit)
        return meter.figures
    }

    /// The pages most commits wrote (a page split adds one now and then).
    private func mostCommon(_ figures: CommitPagesFigures) -> Int? {
        figures.commitsByPages.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key
    }

    private func depths(_ snapshot: PageSnapshot) -> [String: Int] {
        Dictionary(snapshot.databases.map { ($0.name, $0.depth) }, uniquingKeysWith: { first, _ in first })
    }
}

/// A directory of its own for one test, removed when the value is dropped.
final class TemporaryDirectory {
    let root: String

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("bench-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    /// A path inside the directory.
    func path(_ name: String) -> String { root + "/" + name }

    deinit { try? FileManager.default.removeItem(atPath: root) }
}
