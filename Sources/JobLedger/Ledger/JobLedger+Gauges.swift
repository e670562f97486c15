import EventStore

/// Counts for monitoring, read from the projection's tallies in one snapshot.
public struct JobGauges: Sendable, Hashable {
    /// Jobs in each state.
    public var byState: [JobState: Int] = [:]
    /// Pending jobs of each type in the queue: claimable since they were
    /// queued (not those scheduled to run later, waiting out a retry
    /// delay, or waiting for other jobs).
    public var pendingByType: [String: Int] = [:]
    /// False when a read stopped at its limit of tally rows: the counts are
    /// then lower bounds.
    public var complete = true
}

extension JobLedger {
    /// Jobs by state and queued jobs by type, read from the tallies (a row
    /// per organisation, type and state, and per organisation, type and
    /// place of the pending jobs), so a scrape costs the same for ten jobs
    /// as for ten million. At most `scanLimit` rows of each kind are read,
    /// which bounds a scrape of a ledger with a great many organisations
    /// and types; within it the counts are exact.
    public func gauges(scanLimit: Int = 1_000_000) throws(JobLedgerError) -> JobGauges {
        do {
            return try store.readProjections { tables in
                var gauges = JobGauges()
                var scanned = 0
                // Keys: kind 0x00 organisation 0x00 type 0x00 state-or-place 0x00.
                try tables.scan(JobTallies.table, prefix: Array("j".utf8) + [0]) { key, value in
                    scanned += 1
                    let fields = Self.tallyParts(key)
                    if fields.count == 3, let state = JobState(rawValue: fields[2]) {
                        gauges.byState[state, default: 0] += Int(clamping: JobIndexes.readBigEndian(value[...]))
                    }
                    return scanned < scanLimit
                }
                if scanned >= scanLimit { gauges.complete = false }
                scanned = 0
                try tables.scan(JobTallies.table, prefix: Array("p".utf8) + [0]) { key, value in
                    scanned += 1
                    let fields = Self.tallyParts(key)
                    if fields.count == 3, fields[2] == PendingPlace.queued.rawValue {
                        gauges.pendingByType[fields[1], default: 0] += Int(clamping: JobIndexes.readBigEndian(value[...]))
                    }
                    return scanned < scanLimit
                }
                if scanned >= scanLimit { gauges.complete = false }
                return gauges
            }
        } catch {
            throw Self.wrap(error)
        }
    }
}
