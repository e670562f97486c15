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

    /// One side of a multi-sided run: its total operations and the closure
    /// that does a given number of them and returns the seconds it took.
    struct Side {
        /// Operations over all rounds.
        var total: Int
        /// Does the given number of operations; returns seconds.
        var body: (Int) throws -> Double
    }

    /// Runs any number of sides in `rounds` rounds, in the given order in
    /// even rounds and in reverse order in odd rounds, so drifts hit every
    /// side alike. Each side spreads its own total over the rounds.
    static func run(rounds: Int, sides: [Side]) throws -> [Totals] {
        var totals = Array(repeating: Totals(), count: sides.count)
        let smallest = sides.map(\.total).min() ?? 1
        let rounds = max(1, min(rounds, smallest))
        for round in 0..<rounds {
            let order = round % 2 == 0 ? Array(sides.indices) : Array(sides.indices.reversed())
            for index in order {
                let total = sides[index].total
                let count = total / rounds + (round < total % rounds ? 1 : 0)
                guard count > 0 else { continue }
                totals[index].seconds += try sides[index].body(count)
                totals[index].operations += count
            }
        }
        return totals
    }
}
