import EventStore
import Foundation

/// Counters the job projection keeps beside its indexes, in the `tallies`
/// table, so that "how many" is a read of a few rows instead of a walk of
/// an index. Each value is a count, 8 bytes big-endian; a counter that
/// falls to zero is removed.
///
/// - `j` 0x00 organisation 0x00 type 0x00 state 0x00: the jobs of an
///   organisation and type in a state;
/// - `p` 0x00 organisation 0x00 type 0x00 kind 0x00: pending jobs of an
///   organisation and type by where they wait, `queued` (in the queue,
///   claimable since they were queued), `scheduled` (submitted to run
///   later and not yet run, or waiting out a retry delay) or `waiting` (for
///   other jobs to complete), the same membership as the `queue`,
///   `scheduled` and `waiting` indexes;
/// - `f` 0x00 slot (2 bytes) event type 0x00 -> minute key (8 bytes) and
///   count (8 bytes): the finishing events (`JobCompleted`, `JobFailed`,
///   `JobCancelled`, `JobKilled`) recorded in one minute. The slot is the
///   minute of the day, so the table keeps the last day only, 1,440 slots
///   of each type: an event of a later minute than its slot holds starts
///   the slot again, and an event of an earlier one (a clock that went
///   back a day) leaves it alone. Applied in log order, on every path;
///   retention's snapshot of an archived job counts the event that ended
///   the job when a rebuild meets it first (the events before it removed),
///   so that a rebuild after a scavenge counts what the appends counted.
enum JobTallies {
    static let table = ProjectionTable("tallies")
    /// The event types counted per minute.
    static let finishingTypes: Set<String> = ["JobCompleted", "JobFailed", "JobCancelled", "JobKilled"]
    static let slotsPerDay = 1_440

    /// The counter keys a job adds to: its state, and where it waits when pending.
    static func keys(of job: Job) -> [[UInt8]] {
        let head = JobIndexes.text(job.organisation) + JobIndexes.text(job.type)
        var keys = [Array("j".utf8) + [0] + head + JobIndexes.text(job.state.rawValue)]
        if let place = JobIndexes.pendingPlace(of: job) {
            keys.append(Array("p".utf8) + [0] + head + JobIndexes.text(place.rawValue))
        }
        return keys
    }

    /// Moves the counters of a job from `old` to `new`.
    static func move(
        from old: [[UInt8]], to new: [[UInt8]], in tables: borrowing ProjectionWriter
    ) throws {
        for key in old where !new.contains(key) { try add(-1, to: key, in: tables) }
        for key in new where !old.contains(key) { try add(1, to: key, in: tables) }
    }

    /// Adds `amount` to a counter, without reading it (``ProjectionMerge/add(_:)``:
    /// stored bytes are read with clamping and added without trapping, so
    /// a damaged counter never stops an append).
    static func add(_ amount: Int, to key: [UInt8], in tables: borrowing ProjectionWriter) throws {
        try tables.merge(table, key, .add(Int64(amount)))
    }

    // MARK: Finishing events per minute

    /// A minute's slot and its counter key for an event of `type` recorded at `date`.
    static func minute(of date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 / 60).rounded(.down))
    }

    static func slotKey(minute: Int64, type: String) -> [UInt8] {
        let slot = Int(((minute % Int64(slotsPerDay)) + Int64(slotsPerDay)) % Int64(slotsPerDay))
        return Array("f".utf8) + [0, UInt8(slot >> 8), UInt8(slot & 0xFF)] + JobIndexes.text(type)
    }

    /// A slot's minute and count, or `nil` when the value is not a slot's.
    static func decodeSlot(_ value: [UInt8]) -> (minute: Int64, count: Int)? {
        ProjectionMerge.windowCount(value).map { ($0.window, Int($0.count)) }
    }

    /// The finishing event that `event` counts, if any: itself, or for
    /// retention's snapshot of an archived job that opens its stream (a
    /// rebuild after a scavenge, which removed the events before it), the
    /// event that ended the job, at the time it did. Where the job was
    /// known already, that event was counted when it was appended.
    static func finishing(_ event: RecordedEvent, _ decoded: JobEvent, firstOfStream: Bool) -> (minute: Int64, type: String)? {
        if finishingTypes.contains(event.type) { return (minute(of: event.recordedAt), event.type) }
        guard firstOfStream, case .archived(let snapshot) = decoded, finishingTypes.contains(snapshot.endedBy),
              let job = snapshot.job
        else { return nil }
        return (minute(of: job.updatedAt), snapshot.endedBy)
    }

    /// Counts a finishing event in its minute's slot.
    static func countFinishing(
        _ event: RecordedEvent, _ decoded: JobEvent, firstOfStream: Bool, in tables: borrowing ProjectionWriter
    ) throws {
        guard let (minute, type) = finishing(event, decoded, firstOfStream: firstOfStream) else { return }
        try addToSlot(minute: minute, type: type, count: 1, in: tables)
    }

    static func addToSlot(minute: Int64, type: String, count: Int, in tables: borrowing ProjectionWriter) throws {
        try tables.merge(table, slotKey(minute: minute, type: type), .addInWindow(window: minute, count: Int64(count)))
    }
}

/// Where a pending job waits: the index that holds it.
public enum PendingPlace: String, Sendable, Hashable, CaseIterable {
    /// In the queue: due now, or waiting out a retry delay.
    case queued
    /// Submitted to run later and not run yet.
    case scheduled
    /// Waiting for other jobs to complete.
    case waiting
}

/// Finishing events folded in memory by a rebuild, by slot, with the same
/// rule as ``JobTallies/addToSlot(minute:type:count:in:)``, and written
/// over the stored slots when the rebuild writes its jobs.
struct FinishingSlots {
    private var slots: [[UInt8]: (minute: Int64, type: String, count: Int)] = [:]

    mutating func add(_ event: RecordedEvent, _ decoded: JobEvent, firstOfStream: Bool) {
        guard let (minute, type) = JobTallies.finishing(event, decoded, firstOfStream: firstOfStream) else { return }
        let key = JobTallies.slotKey(minute: minute, type: type)
        let held = slots[key].map { (window: $0.minute, count: Int64($0.count)) }
        let merged = ProjectionMerge.merge(held, window: minute, count: 1)
        slots[key] = (merged.window, type, Int(merged.count))
    }

    /// Writes the folded slots (merged with the stored ones) and forgets them.
    mutating func write(into tables: borrowing ProjectionWriter) throws {
        for (_, slot) in slots {
            try JobTallies.addToSlot(minute: slot.minute, type: slot.type, count: slot.count, in: tables)
        }
        slots.removeAll(keepingCapacity: true)
    }
}

extension Job {
    /// Where the job waits while pending (the index that holds it), or
    /// `nil` in any other state.
    public var pendingPlace: PendingPlace? { JobIndexes.pendingPlace(of: self) }
}
