import EventStore
import Foundation
import JobLedger
import LMDB
import Testing

@Suite struct ProjectionTests {
    /// Runs a mixed concurrent workload: workers, cancels, kills, failures.
    static func runWorkload(_ jobs: JobLedger) async throws {
        for index in 0..<60 {
            _ = try await jobs.submit(
                JobSubmission(id: "p\(index)", type: index % 2 == 0 ? "even" : "odd", priority: index % 3,
                              maxAttempts: 2, batch: "b\(index % 4)"),
                by: index % 5 == 0 ? bob : alice)
        }
        let workers = (0..<3).map { number in
            Worker(ledger: jobs, id: "w\(number)", concurrency: 2, lease: 5, idleWait: .milliseconds(2)) { context in
                if context.job.id.hasSuffix("7") { throw PermanentJobFailure("seven") }
                try context.checkCancellation()
                return #"{"n":\#(context.attempt)}"#
            }
        }
        await withTaskGroup(of: Void.self) { group in
            for worker in workers { group.addTask { await worker.runUntilIdle() } }
            group.addTask {
                for index in stride(from: 0, to: 60, by: 6) {
                    _ = try? await jobs.cancel("p\(index)", by: acmeAdmin, reason: "report \(index)")
                }
                _ = try? await jobs.killBatch("b3", by: acmeAdmin, reason: "cleanup")
            }
        }
    }

    static func dump(_ jobs: JobLedger) throws -> [String: [[UInt8]]] {
        try jobs.store.readProjections { tables in
            var dump: [String: [[UInt8]]] = [:]
            for table in JobProjection().tables {
                var entries: [[UInt8]] = []
                try tables.scan(table) { key, value in
                    entries.append(key + [0xFF] + value)
                    return true
                }
                dump[table.name] = entries
            }
            return dump
        }
    }

    /// Jobs held in memory by a rebuild: all of them, a few at a time (so
    /// later events start from records written by an earlier batch), one.
    @Test(arguments: [JobProjection.defaultRebuildJobsInMemory, 7, 1])
    func projectionsAfterAConcurrentWorkloadEqualAReplayAndRebuildIsByteIdentical(jobsInMemory: Int) async throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open { $0.rebuildJobsInMemory = jobsInMemory }
        try await Self.runWorkload(jobs)
        #expect(try jobs.verifyProjections() == [])
        let before = try Self.dump(jobs)
        #expect(before["jobs"]?.count == 60)
        let report = try jobs.rebuildProjections()
        #expect(report.events == Int(try jobs.store.lastPosition()))
        #expect(try Self.dump(jobs) == before)
        #expect(try jobs.verifyProjections() == [])
    }

    /// LMDB maps the larger of the configured size and the bytes in use, so
    /// a ledger reopened with a small configured map has no room to spare,
    /// and a rebuild would fill it, grow it and run again from the start.
    @Test(TestBackend.onLMDBOnly) func reopenedLedgerMapsTwiceWhatItUsesSoARebuildRunsOnceWithoutGrowingTheMap() throws {
        let ledger = TemporaryJobLedger()
        let payload = #"{"text":"\#(String(repeating: "x", count: 200))"}"#
        do {
            let jobs = try ledger.open { $0.store.initialMapSize = 1 << 20 }
            for index in 0..<3_000 {
                _ = try jobs.submit(JobSubmission(id: "m\(index)", type: "fill", payload: payload), by: alice)
            }
            #expect(try #require(jobs.embeddedStore).mapGrowths > 0, "the fill was meant to outgrow the first map")
        }
        let jobs = try ledger.open { $0.store.initialMapSize = 1 << 20 }
        let info = try #require(jobs.embeddedStore).environmentInfo
        #expect(info.mapSize >= 2 * (info.lastPageNumber + 1) * info.pageSize)
        let before = try Self.dump(jobs)
        _ = try jobs.rebuildProjections()
        #expect(try #require(jobs.embeddedStore).mapGrowths == 0)
        #expect(try Self.dump(jobs) == before)
    }

    @Test(TestBackend.onLMDBOnly) func verifyReportsARecordChangedBehindTheLedgersBack() throws {
        let ledger = TemporaryJobLedger()
        try Self.completeAndTamper(ledger)
        let jobs = try ledger.open()
        #expect(try jobs.job("tampered")?.result == #"{"rows":"lost"}"#)
        let mismatches = try jobs.verifyProjections()
        #expect(mismatches.map(\.jobID) == ["tampered"])
        #expect(mismatches.map(\.field) == ["result"])
        #expect(mismatches.first?.live?.contains("lost") == true)
        #expect(mismatches.first?.replayed?.contains("done") == true)
        try jobs.rebuildProjections()
        #expect(try jobs.verifyProjections() == [])
        #expect(try jobs.job("tampered")?.result == #"{"rows":"done"}"#)
    }

    @Test(TestBackend.onLMDBOnly) func aReadOnlyVerifyReportsTheSameDifferenceAndWritesNothing() throws {
        let ledger = TemporaryJobLedger()
        try Self.completeAndTamper(ledger)
        let dataFile = URL(fileURLWithPath: ledger.path + "/data.mdb")
        let before = try Data(contentsOf: dataFile)
        do {
            let jobs = try ledger.open { $0.store.readOnly = true }
            let mismatches = try jobs.verifyProjections()
            #expect(mismatches.map(\.jobID) == ["tampered"])
            #expect(mismatches.map(\.field) == ["result"])
            #expect(mismatches.first?.live?.contains("lost") == true)
            #expect(mismatches.first?.replayed?.contains("done") == true)
            #expect(throws: JobLedgerError.self) { try jobs.rebuildProjections() }
        }
        #expect(try Data(contentsOf: dataFile) == before)
    }

    /// Completes a job, closes the ledger, and changes the job's stored
    /// result in the projection with raw LMDB, leaving the log as it was.
    static func completeAndTamper(_ ledger: TemporaryJobLedger) throws {
        do {
            let jobs = try ledger.open()
            _ = try jobs.submit(JobSubmission(id: "tampered", type: "t"), by: alice)
            let job = try #require(try jobs.claim(worker: "w", lease: 30))
            _ = try jobs.complete(job.id, worker: "w", attempt: job.attempt, result: #"{"rows":"done"}"#)
        }
        // The ledger is closed; edit its projection with raw LMDB.
        do {
            let environment = try Environment(path: ledger.path)
            let table = try environment.openDatabase("table.jobs", flags: [])
            try environment.write { txn in
                let key = Array("tampered".utf8)
                var record = try #require(try txn.get(key, in: table))
                let done = Array("done".utf8)
                let at = try #require((0...(record.count - done.count)).first { record[$0..<$0 + done.count].elementsEqual(done) })
                record.replaceSubrange(at..<at + done.count, with: Array("lost".utf8))
                try txn.put(key, record, in: table)
            }
        }
    }

    @Test(TestBackend.onLMDBOnly) func openingWithAnotherProjectionVersionRebuildsFromTheLog() throws {
        let ledger = TemporaryJobLedger()
        do {
            let jobs = try ledger.open()
            _ = try jobs.submit(JobSubmission(id: "v", type: "t"), by: alice)
        }
        do {
            let environment = try Environment(path: ledger.path)
            let table = try environment.openDatabase("table.jobs", flags: [])
            let meta = try environment.openDatabase("meta", flags: [])
            try environment.write { txn in
                try txn.delete(Array("v".utf8), in: table)
                try txn.put(Array("projectionVersion".utf8), Array("JobProjection:0".utf8), in: meta)  // not the code's
            }
        }
        let jobs = try ledger.open()
        #expect(try jobs.job("v")?.state == .pending)
        #expect(try jobs.store.projectionVersions().stored == jobs.store.projectionVersions().current)
    }

    /// A rebuild decodes and folds job events in batches, after the store
    /// has moved past them: the failure must still name the broken event.
    @Test func rebuildFailureNamesTheStreamAndPositionOfTheBrokenEvent() throws {
        let ledger = TemporaryJobLedger()
        do {
            // Written by a plain store, so no projection checks the events.
            let store = try ledger.openPlainStore()
            let submitted = #"{"id":"a","type":"t","owner":"alice","organisation":"acme","batch":null,"#
                + #""payload":"{}","priority":0,"maxAttempts":3}"#
            _ = try store.append(to: "job-a", expectedVersion: .noStream, events: [
                EventData(type: "JobSubmitted", json: submitted),
                EventData(type: "JobClaimed", json: #"{"worker":"w1"}"#),  // no attempt or lease: broken
            ])
            for index in 0..<5 {
                _ = try store.append(to: "other-\(index)", expectedVersion: .noStream, events: [EventData(type: "Note", json: "{}")])
            }
        }
        #expect {
            _ = try ledger.open()  // the projections were never built: opening rebuilds them
        } throws: { error in
            guard let error = error as? JobLedgerError, error.storeCode == .projectionFailed else { return false }
            return error.underlying?.stream == "job-a" && error.underlying?.position == 2
        }
    }

    @Test func plainEventStoreRefusesToAppendToALedgerWithProjections() throws {
        let ledger = TemporaryJobLedger()
        do {
            let jobs = try ledger.open()
            _ = try jobs.submit(JobSubmission(id: "x", type: "t"), by: alice)
        }
        let store = try ledger.openPlainStore()
        #expect(throws: EventStoreError.self) {
            try store.append(to: "job-y", expectedVersion: .any, events: [EventData(type: "JobSubmitted")])
        }
        #expect(try store.lastPosition() == 2)
        #expect(try store.readStream("job-x").count == 1)
    }
}
