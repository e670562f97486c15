import EventStore
import Foundation

/// Which jobs to list. Every filter is optional; given filters must all match.
public struct JobQuery: Sendable, Hashable {
    /// Only jobs in this state.
    public var state: JobState?
    /// Only jobs of this type.
    public var type: String?
    /// Only jobs of this owner.
    public var owner: String?
    /// Only jobs of this organisation.
    public var organisation: String?
    /// Only jobs of this batch.
    public var batch: String?
    /// Only jobs submitted at or after this time.
    public var submittedFrom: Date?
    /// Only jobs submitted before this time.
    public var submittedBefore: Date?
    /// `true`: only jobs scheduled to run later that are not due yet by the
    /// ledger's clock (``Job/isScheduled(at:)``); `false`: every job but those.
    public var scheduled: Bool?
    /// Only jobs carrying this tag.
    public var tag: String?

    /// Creates a query.
    public init(
        state: JobState? = nil, type: String? = nil, owner: String? = nil, organisation: String? = nil,
        batch: String? = nil, submittedFrom: Date? = nil, submittedBefore: Date? = nil, scheduled: Bool? = nil,
        tag: String? = nil
    ) {
        self.tag = tag
        self.scheduled = scheduled
        self.state = state
        self.type = type
        self.owner = owner
        self.organisation = organisation
        self.batch = batch
        self.submittedFrom = submittedFrom
        self.submittedBefore = submittedBefore
    }

    /// Whether `job` passes every filter; names compare as bytes, as the
    /// indexes compare them (``NameRule``).
    public func matches(_ job: Job, now: Date) -> Bool {
        if let state, job.state != state { return false }
        if let scheduled, job.isScheduled(at: now) != scheduled { return false }
        if let tag, !job.tags.contains(where: { NameRule.same($0, tag) }) { return false }
        if let type, !NameRule.same(job.type, type) { return false }
        if let owner, !NameRule.same(job.owner, owner) { return false }
        if let organisation, !NameRule.same(job.organisation, organisation) { return false }
        if let batch, !NameRule.same(job.batch, batch) { return false }
        if let submittedFrom, job.submittedAt < submittedFrom { return false }
        if let submittedBefore, job.submittedAt >= submittedBefore { return false }
        return true
    }

    /// The query with every name in its stored form (``NameRule``), so that
    /// it finds what commands stored whichever spelling the caller used.
    func normalized() throws(JobLedgerError) -> JobQuery {
        var query = self
        // Scheduled jobs are pending: the listing walks only those.
        if query.scheduled == true, query.state == nil { query.state = .pending }
        query.type = try type.map { name throws(JobLedgerError) in try NameRule.name(name, field: "type") }
        query.owner = try owner.map { name throws(JobLedgerError) in try NameRule.name(name, field: "owner") }
        query.organisation = try organisation.map { name throws(JobLedgerError) in
            try NameRule.name(name, field: "organisation")
        }
        query.batch = try batch.map { id throws(JobLedgerError) in try NameRule.id(id, field: "batch") }
        query.tag = try tag.map { name throws(JobLedgerError) in try NameRule.name(name, field: "tag") }
        return query
    }
}

/// One page of a listing.
public struct JobPage: Sendable, Hashable {
    /// The jobs, in submission order within the index used.
    public let jobs: [Job]
    /// Pass to the next call to continue; `nil` on the last page.
    public let next: String?
}

/// The index a query walks, and the key range within it.
struct IndexPlan {
    let table: ProjectionTable
    /// Keys of interest start with this.
    let prefix: [UInt8]
    /// True when the bytes after `prefix` are submission time + id, so a
    /// time range can be sought directly.
    let timeFollowsPrefix: Bool

    init(_ query: JobQuery) {
        let state = query.state.map { JobIndexes.text($0.rawValue) }
        if let batch = query.batch {
            (table, prefix, timeFollowsPrefix) = (JobTables.batches, JobIndexes.batchPrefix(batch), false)
        } else if let tag = query.tag {
            (table, prefix, timeFollowsPrefix) = (JobTables.byTag, JobIndexes.text(tag), true)
        } else if let owner = query.owner {
            (table, prefix) = (JobTables.byOwnerState, JobIndexes.text(owner) + (state ?? []))
            timeFollowsPrefix = state != nil
        } else if let organisation = query.organisation {
            (table, prefix) = (JobTables.byOrgState, JobIndexes.text(organisation) + (state ?? []))
            timeFollowsPrefix = state != nil
        } else if let type = query.type {
            (table, prefix) = (JobTables.byTypeState, JobIndexes.text(type) + (state ?? []))
            timeFollowsPrefix = state != nil
        } else if let state {
            (table, prefix, timeFollowsPrefix) = (JobTables.byState, state, true)
        } else {
            (table, prefix, timeFollowsPrefix) = (JobTables.bySubmitted, [], true)
        }
    }

    /// True when `key` has the layout of this plan's index keys: a cursor
    /// is a key the listing handed out, so anything else (hex that merely
    /// decodes) is refused instead of silently starting somewhere.
    func isWellFormed(_ key: [UInt8]) -> Bool {
        // A job id is never empty, holds no control characters and is valid
        // UTF-8 (jobID(fromKey:) would have replaced bad bytes with U+FFFD).
        guard let id = jobID(fromKey: key), !id.isEmpty,
              !id.unicodeScalars.contains(where: { $0.value < 0x20 || $0 == "\u{FFFD}" }) else { return false }
        guard table == JobTables.byOwnerState || table == JobTables.byOrgState || table == JobTables.byTypeState
        else { return true }
        // The state component after the first text one must name a state.
        guard let first = key.firstIndex(of: 0), let second = key[(first + 1)...].firstIndex(of: 0),
              let state = String(validating: key[(first + 1)..<second], as: UTF8.self)
        else { return false }
        return JobState(rawValue: state) != nil
    }

    /// The job id at the end of an index key.
    func jobID(fromKey key: [UInt8]) -> String? {
        if table == JobTables.batches {
            return String(decoding: key[prefix.count...], as: UTF8.self)
        }
        // Skip the text components (each ends in 0x00), then the 8-byte time.
        let components = switch table {
        case JobTables.bySubmitted: 0
        case JobTables.byState, JobTables.byTag: 1
        default: 2
        }
        var start = 0
        for _ in 0..<components {
            guard let terminator = key[start...].firstIndex(of: 0) else { return nil }
            start = terminator + 1
        }
        guard key.count >= start + 8 else { return nil }
        return String(decoding: key[(start + 8)...], as: UTF8.self)
    }
}

extension JobLedger {
    /// Lists jobs matching `query`, `limit` at a time, through the index that
    /// fits the filters best (batch, owner, organisation, type, state, or
    /// submission time); never a scan of every job. Pass the page's `next`
    /// as `after` for the following page.
    ///
    /// Jobs come in submission order within a state. A listing by owner,
    /// organisation or type without a state comes grouped by state (those
    /// indexes are keyed field, state, time), then in submission order.
    public func list(_ query: JobQuery = JobQuery(), limit: Int = 50, after cursor: String? = nil) throws(JobLedgerError) -> JobPage {
        guard (1...JobLimits.maxPageSize).contains(limit) else {
            throw .invalidInput(field: "limit", reason: "must be 1 to \(JobLimits.maxPageSize), got \(limit)")
        }
        if let from = query.submittedFrom { try LedgerInstant.check(from, field: "submittedFrom") }
        if let before = query.submittedBefore { try LedgerInstant.check(before, field: "submittedBefore") }
        let query = try query.normalized()
        let plan = IndexPlan(query)
        let now = JSONCoding.truncated(options.clock())
        var start = plan.prefix
        if let cursor {
            guard let key = Self.decodeCursor(cursor), key.starts(with: plan.prefix), plan.isWellFormed(key) else {
                throw .invalidInput(field: "cursor", reason: "'\(cursor)' does not continue this listing")
            }
            start = key + [0]  // the smallest key after the cursor's
        } else if plan.timeFollowsPrefix, let from = query.submittedFrom {
            start = plan.prefix + JobIndexes.timeKey(from)
        }
        let before = plan.timeFollowsPrefix ? query.submittedBefore.map { plan.prefix + JobIndexes.timeKey($0) } : nil
        let page: JobPage
        do {
            page = try store.readProjections { tables in
                var jobs: [Job] = []
                var lastKey: [UInt8]? = nil
                var more = false
                try tables.scan(plan.table, from: start) { key, _ in
                    guard key.starts(with: plan.prefix) else { return false }
                    if let before, !key.lexicographicallyPrecedes(before) { return false }
                    if jobs.count == limit {
                        more = true
                        return false
                    }
                    lastKey = key
                    guard let id = plan.jobID(fromKey: key),
                          let bytes = try tables.get(JobTables.jobs, Array(id.utf8)) else { return true }
                    let job = try JobRecord.decode(bytes)
                    if query.matches(job, now: now) { jobs.append(job) }
                    return true
                }
                return JobPage(jobs: jobs, next: more ? lastKey.map(Self.encodeCursor) : nil)
            }
        } catch {
            throw Self.wrap(error)
        }
        // Revealed outside the snapshot: a key is read in a read of its own.
        var revealedJobs: [Job] = []
        for job in page.jobs { revealedJobs.append(try revealed(job)) }
        return JobPage(jobs: revealedJobs, next: page.next)
    }

    static func encodeCursor(_ key: [UInt8]) -> String {
        key.map { String(format: "%02x", $0) }.joined()
    }

    static func decodeCursor(_ text: String) -> [UInt8]? {
        // Only the lowercase hex that encodeCursor writes: `UInt8(_:radix:)`
        // alone would also take a sign ("+f") or a character made of
        // several scalars.
        guard text.utf8.count % 2 == 0, !text.isEmpty,
              text.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else { return nil }
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}
