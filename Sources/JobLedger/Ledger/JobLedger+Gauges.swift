import EventStore

/// Counts for monitoring, read from the indexes in one snapshot.
public struct JobGauges: Sendable, Hashable {
    /// Jobs in each state.
    public var byState: [JobState: Int] = [:]
    /// Pending jobs of each type (claimable now or later).
    public var pendingByType: [String: Int] = [:]
    /// False when a scan stopped at its limit: the counts are then lower bounds.
    public var complete = true
}

extension JobLedger {
    /// Jobs by state and pending jobs by type, scanning at most `scanLimit`
    /// index entries for each, so a scrape of a huge ledger stays bounded.
    public func gauges(scanLimit: Int = 1_000_000) throws(JobLedgerError) -> JobGauges {
        do {
            return try store.readProjections { tables in
                var gauges = JobGauges()
                var scanned = 0
                try tables.scan(JobTables.byState) { key, _ in
                    scanned += 1
                    if let end = key.firstIndex(of: 0), let state = JobState(rawValue: String(decoding: key[..<end], as: UTF8.self)) {
                        gauges.byState[state, default: 0] += 1
                    }
                    return scanned < scanLimit
                }
                if scanned >= scanLimit { gauges.complete = false }
                scanned = 0
                try tables.scan(JobTables.queue) { _, value in
                    scanned += 1
                    if let entry = JobIndexes.queueEntry(value) { gauges.pendingByType[entry.type, default: 0] += 1 }
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
