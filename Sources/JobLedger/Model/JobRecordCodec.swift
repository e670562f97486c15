import EventStore
import Foundation

/// The stored job record and what the ledger derives from a stored job,
/// for the package's fuzzers: exactly the code the projection and the
/// commands run on a job read back from the `jobs` table.
package enum JobRecordCodec {
    /// Decodes a stored job record as every read does.
    package static func decode(_ bytes: [UInt8]) throws -> Job {
        try JobRecord.decode(bytes)
    }

    /// The record the projection stores for `job`.
    package static func encode(_ job: Job) throws -> [UInt8] {
        try JobRecord.encode(job)
    }

    /// The index keys and values the projection stores for `job`.
    package static func indexEntries(of job: Job) -> [(table: ProjectionTable, key: [UInt8], value: [UInt8])] {
        JobIndexes.entries(of: job).map { ($0.0, $0.1, JobIndexes.value(of: job, in: $0.0)) }
    }

    /// Whether `date` lies inside the ledger's range of instants.
    package static func isStorable(_ date: Date) -> Bool {
        LedgerInstant.isAccepted(date)
    }
}
