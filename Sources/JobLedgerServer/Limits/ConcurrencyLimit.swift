import Synchronization

/// Counts requests of one kind in flight (waiting claims, event streams)
/// and refuses those over the cap, so slow clients cannot pile up.
final class ConcurrencyLimit: Sendable {
    let name: String
    let maximum: Int
    private let current = Atomic<Int>(0)

    init(name: String, maximum: Int) {
        self.name = name
        self.maximum = maximum
    }

    /// Takes a slot; false when all are taken.
    func acquire() -> Bool {
        while true {
            let now = current.load(ordering: .relaxed)
            guard now < maximum else { return false }
            if current.compareExchange(expected: now, desired: now + 1, ordering: .acquiringAndReleasing).exchanged {
                return true
            }
        }
    }

    /// Gives a slot back.
    func release() {
        current.subtract(1, ordering: .acquiringAndReleasing)
    }

    /// Slots taken now.
    var inUse: Int { current.load(ordering: .relaxed) }
}
