import EventStore
import NIOCore

/// Counter changes (``ProjectionMerge``) of one append transaction on rows
/// it has not read, one waiting change a row, sent with the statement that
/// ends the append, which applies them on the server to what the rows hold
/// then (``PostgresMergeSQL``). With two servers taking turns on the head
/// row, neither remembers the other's counters, so reading each one under
/// the lock would cost a round trip a row.
struct PostgresPendingMerges {
    /// What waits for one row.
    enum Change {
        /// The count becomes `max(floor, count + delta)`: any run of
        /// ``ProjectionMerge/add(_:)`` (each clamped at 0) says this.
        case add(floor: Int64, delta: Int64)
        /// A window count merge; of several, the latest window's (or their
        /// sum, for one window) says them all.
        case addInWindow(window: Int64, count: Int64)

        init(_ merge: ProjectionMerge) {
            switch merge {
            case .add(let amount): self = .add(floor: 0, delta: amount)
            case .addInWindow(let window, let count): self = .addInWindow(window: window, count: count)
            }
        }

        /// This change followed by `merge`, when one change says both;
        /// `nil` when not (an overflow, or a mix of kinds).
        func then(_ merge: ProjectionMerge) -> Change? {
            switch (self, merge) {
            case (.add(let floor, let delta), .add(let amount)):
                // max(0, max(floor, c + delta) + amount)
                //   = max(max(0, floor + amount), c + delta + amount)
                let (raised, overflowFloor) = floor.addingReportingOverflow(amount)
                let (sum, overflowDelta) = delta.addingReportingOverflow(amount)
                return overflowFloor || overflowDelta ? nil : .add(floor: max(0, raised), delta: sum)
            case (.addInWindow(let window, let count), .addInWindow(let next, let nextCount)):
                if window < next { return .addInWindow(window: next, count: nextCount) }
                if window > next { return self }
                let (sum, overflow) = count.addingReportingOverflow(nextCount)
                return overflow ? nil : .addInWindow(window: window, count: sum)
            default:
                return nil
            }
        }
    }

    private var changes: [ProjectionTable: [[UInt8]: Change]] = [:]

    /// Whether a change waits for `key` of `table`.
    func has(_ table: ProjectionTable, _ key: [UInt8]) -> Bool { changes[table]?[key] != nil }

    /// The keys of `table` with a change waiting.
    func keys(of table: ProjectionTable) -> [[UInt8]] { changes[table].map { Array($0.keys) } ?? [] }

    /// Adds `merge` after the change waiting for the row, if any; false
    /// when the two cannot be said as one (the caller then reads the row).
    mutating func add(_ table: ProjectionTable, _ key: [UInt8], _ merge: ProjectionMerge) -> Bool {
        guard let waiting = changes[table]?[key] else {
            changes[table, default: [:]][key] = Change(merge)
            return true
        }
        guard let combined = waiting.then(merge) else { return false }
        changes[table]![key] = combined
        return true
    }

    /// Takes the change waiting for the row away, if any.
    mutating func take(_ table: ProjectionTable, _ key: [UInt8]) -> Change? {
        changes[table]?.removeValue(forKey: key)
    }

    /// Every waiting change as columns for the ending statement, and
    /// forgets them.
    mutating func takeColumns() -> PostgresMergeColumns {
        var columns = PostgresMergeColumns()
        for (table, rows) in changes {
            for (key, change) in rows {
                switch change {
                case .add(let floor, let delta):
                    columns.addTables.append(table.name)
                    columns.addKeys.append(ByteBuffer(bytes: key))
                    columns.addFloors.append(floor)
                    columns.addDeltas.append(delta)
                case .addInWindow(let window, let count):
                    columns.windowTables.append(table.name)
                    columns.windowKeys.append(ByteBuffer(bytes: key))
                    columns.windows.append(window)
                    columns.windowCounts.append(count)
                }
            }
        }
        changes.removeAll()
        return columns
    }
}

extension PostgresPendingMerges.Change {
    /// What the change does to a row holding `stored`, as the merges it
    /// stands for would do one by one (``ProjectionMerge/outcome(on:)``).
    func outcome(on stored: [UInt8]?) -> ProjectionMerge.Outcome {
        switch self {
        case .add(let floor, let delta):
            return ProjectionMerge.countOutcome(on: stored, floor: floor, delta: delta)
        case .addInWindow(let window, let count):
            return ProjectionMerge.addInWindow(window: window, count: count).outcome(on: stored)
        }
    }
}

/// The changes of a transaction as arrays, one statement parameter each.
struct PostgresMergeColumns {
    var addTables: [String] = []
    var addKeys: [ByteBuffer] = []
    var addFloors: [Int64] = []
    var addDeltas: [Int64] = []
    var windowTables: [String] = []
    var windowKeys: [ByteBuffer] = []
    var windows: [Int64] = []
    var windowCounts: [Int64] = []
}

/// SQL that reads stored counters as ``ProjectionMerge`` reads them.
enum PostgresMergeSQL {
    /// The count a stored value `column` holds: its first 8 bytes
    /// big-endian (fewer as they are), clamped to the largest `bigint`.
    static func count(_ column: String) -> String {
        let raw = "('x' || lpad(encode(substring(\(column) from 1 for 8), 'hex'), 16, '0'))::bit(64)::bigint"
        return "(CASE WHEN \(raw) < 0 THEN 9223372036854775807 ELSE \(raw) END)"
    }

    /// The window of a window count in `column` (16 bytes).
    static func window(_ column: String) -> String {
        "('x' || encode(substring(\(column) from 1 for 8), 'hex'))::bit(64)::bigint"
    }

    /// The count of a window count in `column` (16 bytes), clamped.
    static func windowCount(_ column: String) -> String {
        count("substring(\(column) from 9 for 8)")
    }
}
