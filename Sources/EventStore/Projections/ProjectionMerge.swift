/// A change to a counter row that a backend may apply without reading the
/// row first: on a backend whose reads are round trips (PostgreSQL), a
/// projection that only adds to a counter then costs nothing until the
/// statement that ends the append, however many transactions share the
/// counter.
///
/// Counters are 8 bytes big-endian. A stored value is read the way
/// ``storedCount(_:)`` reads it, so a damaged counter never stops an append.
public enum ProjectionMerge: Sendable, Hashable {
    /// Adds the amount to a count (an absent row is 0). The result is
    /// clamped at 0 and a row that falls to 0 is removed; an addition that
    /// would overflow leaves the row as it is.
    case add(Int64)
    /// Adds `count` to a count kept per window (a value of 16 bytes: the
    /// window's number, then the count): a row of the same window gains
    /// `count`, a row of an earlier window (or a missing or damaged row)
    /// starts again at `window` and `count`, and a row of a later window
    /// is left alone.
    case addInWindow(window: Int64, count: Int64)

    /// What a merge does to a row.
    public enum Outcome: Sendable, Hashable {
        /// The row stays as it is.
        case unchanged
        /// The row is stored with these bytes.
        case store([UInt8])
        /// The row is removed.
        case remove
    }

    /// What this merge does to a row holding `stored` (`nil`: no row).
    public func outcome(on stored: [UInt8]?) -> Outcome {
        switch self {
        case .add(let amount):
            return Self.countOutcome(on: stored, floor: 0, delta: amount)
        case .addInWindow(let window, let count):
            let held = stored.flatMap(Self.windowCount)
            let merged = Self.merge(held, window: window, count: count)
            if let held, held == merged { return .unchanged }
            return .store(Self.windowValue(window: merged.window, count: merged.count))
        }
    }

    /// What adding `delta` to a stored count does when the result is
    /// kept at `floor` or above: `floor` 0 is ``add(_:)``; a backend that
    /// gathers several additions into one says them with a higher floor
    /// (each clamped at 0 in turn: `max(floor, count + delta)`).
    package static func countOutcome(on stored: [UInt8]?, floor: Int64, delta: Int64) -> Outcome {
        let count = stored.map(storedCount) ?? 0
        let (sum, overflow) = count.addingReportingOverflow(delta)
        let result = overflow ? count : max(floor, sum)
        // A row that ends at 0 goes, whatever it held: so the rule gives the
        // same row for a run of additions made one by one or as one.
        if result == 0 { return stored != nil ? .remove : .unchanged }
        return .store(bigEndian(result))
    }

    /// A stored count: its first 8 bytes big-endian (fewer bytes as they
    /// are), clamped to `Int64.max`.
    public static func storedCount(_ bytes: [UInt8]) -> Int64 {
        Int64(clamping: readBigEndian(bytes.prefix(8)))
    }

    /// A stored window count, or `nil` when the value is not 16 bytes.
    public static func windowCount(_ bytes: [UInt8]) -> (window: Int64, count: Int64)? {
        guard bytes.count == 16 else { return nil }
        return (Int64(bitPattern: readBigEndian(bytes[0..<8])), Int64(clamping: readBigEndian(bytes[8..<16])))
    }

    private static func readBigEndian(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reduce(0) { ($0 << 8) | UInt64($1) }
    }

    /// The window count after `count` events of `window` are added to `held`.
    public static func merge(_ held: (window: Int64, count: Int64)?, window: Int64, count: Int64) -> (window: Int64, count: Int64) {
        guard let held else { return (window, count) }
        if held.window == window {
            let (sum, overflow) = held.count.addingReportingOverflow(count)
            return (window, overflow ? held.count : sum)
        }
        return held.window < window ? (window, count) : held
    }

    /// The 16 bytes of a window count: window, then count, big-endian.
    public static func windowValue(window: Int64, count: Int64) -> [UInt8] {
        bigEndian(window) + bigEndian(count)
    }

    /// The 8 bytes of a stored count, big-endian.
    public static func bigEndian(_ value: Int64) -> [UInt8] {
        withUnsafeBytes(of: UInt64(bitPattern: value).bigEndian) { Array($0) }
    }
}

extension ProjectionTableWriting {
    /// Applies `merge` to `key` by reading the row and writing the result:
    /// for backends whose reads cost no round trip.
    public func merge(_ table: ProjectionTable, _ key: [UInt8], _ merge: ProjectionMerge) throws {
        switch merge.outcome(on: try get(table, key)) {
        case .unchanged: break
        case .store(let value): try put(table, key, value)
        case .remove: try remove(table, key)
        }
    }
}
