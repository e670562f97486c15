import EventStore
import Foundation
import Synchronization
import Testing

@Suite struct ConcurrentAppendTests {
    @Test func exactlyOneOfThirtyTwoRacingAppendsWins() async throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        let n: UInt64 = 5
        _ = try await store.append(
            to: "contended", expectedVersion: .noStream, events: (1...n).map { sampleEvent("\($0)") })

        let outcomes = await withTaskGroup(of: Result<AppendResult, EventStoreError>.self) { group in
            for racer in 0..<32 {
                group.addTask {
                    do throws(EventStoreError) {
                        return .success(try await store.append(
                            to: "contended", expectedVersion: .exact(n), events: [sampleEvent("racer-\(racer)")]))
                    } catch {
                        return .failure(error)
                    }
                }
            }
            var all: [Result<AppendResult, EventStoreError>] = []
            for await outcome in group { all.append(outcome) }
            return all
        }

        let winners = outcomes.compactMap { try? $0.get() }
        #expect(winners.count == 1)
        #expect(winners.first?.streams[0].version == n + 1)
        for case .failure(let error) in outcomes {
            #expect(error == .wrongExpectedVersion(stream: "contended", expected: .exact(n), actual: n + 1))
        }
        #expect(try store.streamVersion("contended") == n + 1)
        #expect(try store.lastPosition() == n + 1)
    }

    @Test func threadsAppendingToOwnStreamsGetDensePositions() throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        let threads = 16
        let perThread = 200
        #expect(appendFromThreads(to: store, threads: threads, perThread: perThread, prefix: "own") == [])
        var positions: [UInt64] = []
        var versions: [String: UInt64] = [:]
        try store.forEachEvent { event in
            positions.append(event.position)
            let previous = versions[event.streamID, default: 0]
            #expect(event.streamVersion == previous + 1)
            versions[event.streamID] = event.streamVersion
            return true
        }
        #expect(positions == Array(1...UInt64(threads * perThread)))
        #expect(versions.count == threads)
        #expect(versions.values.allSatisfy { $0 == UInt64(perThread) })
    }

    @Test func groupCommitGathersConcurrentAppendsIntoSharedCommits() async throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open(EventStoreOptions())  // durable: each commit pays an fsync
        let clients = 32
        let perClient = 20
        await withTaskGroup(of: Void.self) { group in
            for client in 0..<clients {
                group.addTask {
                    for version in 0..<perClient {
                        _ = try? await store.append(
                            to: "client-\(client)", expectedVersion: .exact(UInt64(version)), events: [sampleEvent()])
                    }
                }
            }
        }
        let stats = store.groupCommitStatistics
        #expect(stats.events == clients * perClient)
        #expect(stats.commits < stats.appends)
        #expect(stats.largestCommitAppends > 1)
    }
}
