import EventStore
import Foundation

/// Jobs counted by state, type and where pending jobs wait, read from the
/// projection's tallies in one snapshot: exact, whatever the ledger's size.
public struct JobCounts: Sendable, Hashable {
    /// Jobs in each state.
    public var byState: [JobState: Int] = [:]
    /// Jobs of each type, by state.
    public var byType: [String: [JobState: Int]] = [:]
    /// Pending jobs of each type, by where they wait.
    public var pendingByType: [String: [PendingPlace: Int]] = [:]

    /// Creates empty counts.
    public init() {}
}

/// The finishing events of one minute.
public struct FinishedMinute: Sendable, Hashable {
    /// The start of the minute.
    public var minute: Date
    /// `JobCompleted` events.
    public var completed = 0
    /// `JobFailed` events (a failure that is retried counts too).
    public var failed = 0
    /// `JobCancelled` events.
    public var cancelled = 0
    /// `JobKilled` events.
    public var killed = 0

    /// Creates a minute with no events.
    public init(minute: Date) { self.minute = minute }
}

extension JobLedger {
    /// The counts of every job, or of one organisation's jobs: a read of
    /// the tallies (a row per organisation, type and state), not of the jobs.
    public func jobCounts(organisation: String? = nil) throws(JobLedgerError) -> JobCounts {
        do {
            return try store.readProjections { tables in
                var counts = JobCounts()
                let org = organisation.map(JobIndexes.text) ?? []
                // After the prefix: organisation (unless given), type, state or place.
                let parts = organisation == nil ? 3 : 2
                try tables.scan(JobTallies.table, prefix: Array("j".utf8) + [0] + org) { key, value in
                    let fields = Self.tallyParts(key)
                    guard fields.count == parts, let state = JobState(rawValue: fields[parts - 1]) else { return true }
                    let count = Int(clamping: JobIndexes.readBigEndian(value[...]))
                    counts.byState[state, default: 0] += count
                    counts.byType[fields[parts - 2], default: [:]][state, default: 0] += count
                    return true
                }
                try tables.scan(JobTallies.table, prefix: Array("p".utf8) + [0] + org) { key, value in
                    let fields = Self.tallyParts(key)
                    guard fields.count == parts, let place = PendingPlace(rawValue: fields[parts - 1]) else { return true }
                    let count = Int(clamping: JobIndexes.readBigEndian(value[...]))
                    counts.pendingByType[fields[parts - 2], default: [:]][place, default: 0] += count
                    return true
                }
                return counts
            }
        } catch {
            throw Self.wrap(error)
        }
    }

    /// The finishing events of each minute of `[since, until)`, oldest
    /// first, for minutes within the last day of `until` (the tallies keep
    /// a day): a read of at most 5,760 rows.
    public func finishedPerMinute(since: Date, until: Date) throws(JobLedgerError) -> [FinishedMinute] {
        let first = max(JobTallies.minute(of: since), JobTallies.minute(of: until) - Int64(JobTallies.slotsPerDay) + 1)
        let last = JobTallies.minute(of: until.addingTimeInterval(-0.000_001))
        guard first <= last else { return [] }
        var minutes = (first...last).map { FinishedMinute(minute: Date(timeIntervalSince1970: Double($0) * 60)) }
        do {
            try store.readProjections { tables in
                try tables.scan(JobTallies.table, prefix: Array("f".utf8) + [0]) { key, value in
                    guard let slot = JobTallies.decodeSlot(value), slot.minute >= first, slot.minute <= last,
                          key.count > 3
                    else { return true }
                    let index = Int(slot.minute - first)
                    switch String(decoding: key.dropFirst(2).dropLast(), as: UTF8.self) {
                    case "JobCompleted": minutes[index].completed += slot.count
                    case "JobFailed": minutes[index].failed += slot.count
                    case "JobCancelled": minutes[index].cancelled += slot.count
                    case "JobKilled": minutes[index].killed += slot.count
                    default: break
                    }
                    return true
                }
            }
        } catch {
            throw Self.wrap(error)
        }
        return minutes
    }

    /// The 0x00-terminated parts of a tally key after its kind.
    static func tallyParts(_ key: ArraySlice<UInt8>) -> [String] {
        key.split(separator: 0, omittingEmptySubsequences: false).dropLast().map { String(decoding: $0, as: UTF8.self) }
    }
}
