import EventStore
import Foundation
import JobLedgerTestSupport
import Testing

/// A process of an older build still appending after a newer build, in
/// another process, rebuilt the projections by its newer rules.
@Suite struct ProjectionsRebuiltElsewhereTests {
    static func version(_ number: Int) -> String {
        EventStore.projectionVersion(of: [VersionedCountProjection(version: number)])
    }

    /// The blocking door, whose caller may lead the commit itself.
    static func appendBlocking(_ store: EventStore, _ append: StreamAppend) throws(EventStoreError) -> AppendResult {
        try store.append([append])
    }

    @Test("after a newer build rebuilt the projections in another process, this store's appends are refused naming the restart, and store nothing")
    func appendAfterANewerRebuildIsRefused() async throws {
        let ledger = TemporaryLedger()
        var options = EventStoreOptions.noSync
        options.projections = [VersionedCountProjection(version: 1)]
        let store = try EventStore.open(at: ledger.path, options: options)
        _ = try await store.append(to: "older", expectedVersion: .any, events: [sampleEvent("1")])

        // Another process of the same projection version appends: nothing is rebuilt, nothing refused.
        let same = try ChildProcess(probe: ["rebuild-projections", ledger.path, "1"], name: "same build")
        #expect(await same.nextLine(timeout: .seconds(60)) == .line("rebuilt \(Self.version(1))"), "\(same.errorText)")
        _ = await same.waitForExit(timeout: .seconds(30))
        _ = try await store.append(to: "older", expectedVersion: .exact(1), events: [sampleEvent("2")])

        // A newer build opens the ledger and rebuilds the tables by its rules.
        let newer = try ChildProcess(probe: ["rebuild-projections", ledger.path, "2"], name: "newer build")
        #expect(await newer.nextLine(timeout: .seconds(60)) == .line("rebuilt \(Self.version(2))"), "\(newer.errorText)")
        _ = await newer.waitForExit(timeout: .seconds(30))

        let lastBefore = try store.lastPosition()
        var refusal: EventStoreError?
        do {
            _ = try Self.appendBlocking(store, StreamAppend(streamID: "older", expectedVersion: .exact(2), events: [sampleEvent("3")]))
        } catch {
            refusal = error
        }
        let error = try #require(refusal)
        #expect(error.code == .projectionsRebuilt)
        #expect(error.path == ledger.path)
        #expect(error.description.contains("rebuilt by a newer build (projection version \(Self.version(2)))"))
        #expect(error.description.contains("must be restarted"))
        // The asynchronous door meets the same refusal.
        do {
            _ = try await store.append(to: "another", expectedVersion: .any, events: [sampleEvent("4")])
            Issue.record("the asynchronous append was not refused")
        } catch {
            #expect(error.code == .projectionsRebuilt)
        }
        #expect(try store.lastPosition() == lastBefore)
        #expect(try store.streamVersion("older") == 2)
        #expect(try store.streamVersion("another") == 0)
        #expect(try store.projectionVersions().stored == Self.version(2))
    }
}
