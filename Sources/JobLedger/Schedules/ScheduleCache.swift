import EventStore
import Synchronization

/// The schedules in force as of a version of the `schedules` stream, caught
/// up from the log when the stream moved on: the sweeper asks every second,
/// and a check when nothing changed costs one stream-version read. Changes
/// made by any process or server are seen, since the version is read from
/// the store each time.
final class ScheduleCache: Sendable {
    private struct Folded {
        var version: UInt64 = 0
        var schedules: [String: RecurringSchedule] = [:]
    }

    private let folded = Mutex(Folded())

    /// The schedules in force and the stream's version they were folded at.
    func current(in store: any EventStorage) throws -> (schedules: [String: RecurringSchedule], version: UInt64) {
        let latest = try store.streamVersion(ScheduleEvents.stream)
        var known = folded.withLock { $0 }
        if known.version == latest { return (known.schedules, known.version) }
        // A stream shorter than the one folded (a ledger restored under the
        // same files) is folded again from its start.
        if known.version > latest { known = Folded() }
        // The store is read outside the lock; whoever folds further keeps theirs.
        let newer = try store.readStream(ScheduleEvents.stream, from: known.version + 1)
        for event in newer { try ScheduleEvents.apply(type: event.type, payload: event.payload, to: &known.schedules) }
        known.version = newer.last?.streamVersion ?? known.version
        let result = known
        folded.withLock { cached in
            if result.version > cached.version || latest < cached.version { cached = result }
        }
        return (result.schedules, result.version)
    }
}
