import LMDB

/// What a walk over the whole log found.
public struct LogVerificationReport: Sendable, Hashable {
    /// Events examined.
    public var events = 0
    /// Problems, one per damaged event or index entry, with its position.
    public var problems: [LogProblem] = []

    /// True when nothing was found.
    public var isClean: Bool { problems.isEmpty }
}

/// One damaged place in the log.
public struct LogProblem: Sendable, Hashable, CustomStringConvertible {
    /// The position of the event (0 for problems not tied to one event).
    public let position: UInt64
    /// What is wrong.
    public let reason: String

    /// Creates a problem record.
    public init(position: UInt64, reason: String) {
        self.position = position
        self.reason = reason
    }

    /// `position 42: checksum mismatch`.
    public var description: String { "position \(position): \(reason)" }
}

extension EventStore {
    /// Walks the whole log and checks every event: its envelope decodes,
    /// its CRC-32C matches, its position is the one it is stored under,
    /// positions are dense, and each stream's versions are dense, counting
    /// archived positions (``archivedPosition(_:)``) in their place. Reads
    /// in short snapshots, so writers are never held up.
    public func verifyLog(limit: Int = 1000) throws(EventStoreError) -> LogVerificationReport {
        var checker = LogChecker()
        var done = false
        while !done && checker.report.problems.count < limit {
            try reading { txn in
                try txn.withCursor(on: layout.events) { cursor in
                    var entry = try withBigEndianBytes(of: checker.expectedPosition) { try cursor.seek(atLeast: $0) }
                    var seen = 0
                    while let current = entry, seen < 4096 {
                        let position = current.key.count == 8 ? current.key.loadBigEndianUInt64(at: 0) : 0
                        try accountForArchived(before: position, checker: &checker, in: txn)
                        checker.check(current.value, storedAt: position)
                        seen += 1
                        entry = try cursor.next()
                    }
                    if entry == nil { done = true }
                }
            }
        }
        return checker.report
    }

    /// Passes the checker the archived positions from the one it expects
    /// up to `position`, the next stored one.
    private func accountForArchived(
        before position: UInt64, checker: inout LogChecker, in txn: borrowing ReadTransaction
    ) throws {
        guard let archived = layout.archived else { return }
        while checker.expectedPosition < position {
            let expected = checker.expectedPosition
            let entry = try withBigEndianBytes(of: expected) { key in
                try txn.get(key, in: archived).flatMap { ArchivedPosition(position: expected, storedValue: $0) }
            }
            guard let entry else { return }
            checker.checkArchived(entry)
        }
    }
}

/// The checks of ``EventStore/verifyLog(limit:)`` on one event after
/// another, in position order, for any backend's walk of its log.
package struct LogChecker {
    /// What was found so far.
    package private(set) var report = LogVerificationReport()
    /// The position the next event should be stored under.
    package private(set) var expectedPosition: UInt64 = 1
    private var versions: [String: UInt64] = [:]

    /// Starts at position 1.
    package init() {}

    /// Checks the envelope `bytes` stored under `position`, the next one
    /// the walk found.
    package mutating func check(_ bytes: UnsafeRawBufferPointer, storedAt position: UInt64) {
        if position != expectedPosition {
            report.problems.append(LogProblem(
                position: expectedPosition, reason: "missing; the next stored position is \(position)"))
        }
        report.events += 1
        expectedPosition = position + 1
        let view: EnvelopeView
        do {
            view = try EnvelopeView(bytes)
        } catch {
            report.problems.append(LogProblem(position: position, reason: "envelope unreadable: \(error)"))
            return
        }
        if !view.checksumMatches {
            report.problems.append(LogProblem(position: position, reason: "checksum mismatch"))
        }
        if view.position != position {
            report.problems.append(LogProblem(position: position, reason: "envelope says position \(view.position)"))
        }
        let stream = view.streamID
        let expected = versions[stream, default: 0] + 1
        if view.streamVersion != expected {
            report.problems.append(LogProblem(
                position: position, reason: "stream '\(stream)' version \(view.streamVersion), expected \(expected)"))
        }
        versions[stream] = view.streamVersion
    }

    /// Accounts for a position whose event was archived: it takes the place
    /// of the event in the walk, and its stream's version must follow on.
    package mutating func checkArchived(_ entry: ArchivedPosition) {
        expectedPosition = entry.position + 1
        let expected = versions[entry.streamID, default: 0] + 1
        if entry.streamVersion != expected {
            report.problems.append(LogProblem(
                position: entry.position,
                reason: "archived event of stream '\(entry.streamID)' version \(entry.streamVersion), expected \(expected)"))
        }
        versions[entry.streamID] = entry.streamVersion
    }
}
