import EventStore
import Foundation
import JobLedger
import LMDB
import Testing

/// A stored job record that no longer decodes is unreadable data, named by
/// the job the read was for, rather than a projection failure of an empty
/// stream at position 0 (no projection ran, and no event is concerned).
@Suite(TestBackend.onLMDBOnly) struct UnreadableDataTests {
    /// A ledger whose record of job `garbled` holds bytes no record decodes
    /// from, written with raw LMDB while the ledger is closed.
    static func ledgerWithGarbledRecord() throws -> TemporaryJobLedger {
        let ledger = TemporaryJobLedger()
        do {
            let jobs = try ledger.open()
            _ = try jobs.submit(JobSubmission(id: "garbled", type: "t"), by: alice)
        }
        do {
            let environment = try Environment(path: ledger.path)
            let table = try environment.openDatabase("table.jobs", flags: [])
            try environment.write { txn in try txn.put(Array("garbled".utf8), [0xFF, 0x00, 0x13], in: table) }
        }
        return ledger
    }

    @Test func readingAJobWhoseRecordDoesNotDecodeNamesTheJob() throws {
        let jobs = try Self.ledgerWithGarbledRecord().open()
        #expect {
            _ = try jobs.job("garbled")
        } throws: { error in
            guard let error = error as? JobLedgerError else { return false }
            return error.code == .unreadableData && error.jobID == "garbled" && error.storeCode == nil
                && error.description.hasPrefix("could not read job 'garbled': ")
        }
    }

    @Test func listingOverARecordThatDoesNotDecodeNamesNoStreamOrPosition() throws {
        let jobs = try Self.ledgerWithGarbledRecord().open()
        #expect {
            _ = try jobs.list()
        } throws: { error in
            guard let error = error as? JobLedgerError else { return false }
            return error.code == .unreadableData && error.jobID == nil && error.underlying == nil
                && error.description.hasPrefix("could not read the ledger's job data: ")
        }
    }
}
