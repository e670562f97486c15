/// Measures two workloads in alternating rounds (A B, B A, A B, ...), so
/// that slow drifts of the disk's fsync latency, which are large on shared
/// virtual machines, hit both figures alike and the ratio stays meaningful.
enum InterleavedRounds {
    /// The totals of one side.
    struct Totals: Sendable {
        /// Operations done.
        var operations = 0
        /// Seconds spent doing them.
        var seconds = 0.0
        /// Operations per second over all rounds.
        var rate: Double { Double(operations) / max(seconds, 1e-9) }
    }

    /// Runs `total` operations of each side in `rounds` rounds; each side's
    /// closure does the given number of operations and returns the seconds
    /// it took. `second` may be `nil` to measure `first` alone.
    static func run(
        total: Int, rounds: Int,
        first: (Int) throws -> Double, second: ((Int) throws -> Double)?
    ) throws -> (Totals, Totals) {
        var a = Totals()
        var b = Totals()
        let rounds = max(1, min(rounds, total))
        for round in 0..<rounds {
            let count = total / rounds + (round < total % rounds ? 1 : 0)
            let firstGoesFirst = round % 2 == 0 || second == nil
            if firstGoesFirst {
                a.seconds += try first(count)
                a.operations += count
            }
            if let second {
                b.seconds += try second(count)
                b.operations += count
            }
            if !firstGoesFirst {
                a.seconds += try first(count)
                a.operations += count
            }
        }
        return (a, b)
    }
}
