import Synchronization

/// How often commands of this ledger lost a race: appends refused for a
/// version conflict, and the back-offs that followed. Counted only on those
/// paths, so an uncontended command pays nothing.
package final class CommandCounters: Sendable {
    private let conflicts = Atomic<Int>(0)
    private let backOffs = Atomic<Int>(0)

    init() {}

    /// Appends refused because a stream moved on since the command read it.
    package var conflictCount: Int { conflicts.load(ordering: .relaxed) }
    /// Waits before a new try (a claim that lost one job tries the next
    /// without waiting, so there are fewer of these than conflicts).
    package var backOffCount: Int { backOffs.load(ordering: .relaxed) }

    func conflicted() { conflicts.add(1, ordering: .relaxed) }
    func backedOff() { backOffs.add(1, ordering: .relaxed) }
}
