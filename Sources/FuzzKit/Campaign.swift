/// Runs a target over its corpus and then over seeded mutations of it.
///
/// Input `i` is corpus file `i` while there are files, and after that a
/// stack of mutations of a corpus file chosen by a generator seeded with
/// the run's seed and `i` alone: any input can be made again by its number.
package struct Campaign {
    /// What to run.
    package struct Options: Sendable {
        /// Inputs to try, corpus files included.
        package var inputs: Int
        /// Seed of the mutations.
        package var seed: UInt64
        /// An input that takes longer than this counts as a hang.
        package var timeBudget: Duration

        /// Options for `inputs` inputs.
        package init(inputs: Int, seed: UInt64, timeBudget: Duration = .seconds(1)) {
            self.inputs = inputs
            self.seed = seed
            self.timeBudget = timeBudget
        }
    }

    /// An input that broke a property or overran the time budget.
    package struct Failure: Sendable {
        /// The input's number in the run.
        package let index: Int
        /// The input.
        package let input: [UInt8]
        /// What went wrong.
        package let message: String
    }

    /// The outcome of a run.
    package struct Report: Sendable {
        /// Inputs tried.
        package var inputs = 0
        /// Inputs the decoder accepted (every property held).
        package var accepted = 0
        /// How often each kind of typed error came back.
        package var errorKinds: [String: Int] = [:]
        /// The slowest input's time and number.
        package var slowest: (time: Duration, index: Int) = (.zero, 0)
        /// Time spent in the target, mutations excluded.
        package var targetTime: Duration = .zero
        /// Inputs that failed; the run stops collecting after 20.
        package var failures: [Failure] = []

        /// An empty report.
        package init() {}
    }

    /// Largest number of mutations stacked on one input.
    static let maxStack = 8

    let corpus: [[UInt8]]
    let options: Options

    /// A campaign over `corpus` (which must not be empty).
    package init(corpus: [[UInt8]], options: Options) {
        precondition(!corpus.isEmpty, "a campaign needs at least one corpus input")
        self.corpus = corpus
        self.options = options
    }

    /// Input number `index`.
    package func input(_ index: Int, for target: some FuzzTarget) -> [UInt8] {
        if index < corpus.count { return corpus[index] }
        var random = FuzzRandom(seed: options.seed, input: index)
        var input = random.pick(corpus)
        for _ in 0...random.smallLength(Self.maxStack - 1) {
            target.mutate(&input, corpus: corpus, using: &random)
        }
        return input
    }

    /// Runs inputs `range` (all of them by default) through `target`;
    /// `willRun` is called with each input's number and bytes first.
    package func run(
        _ target: inout some FuzzTarget, range: Range<Int>? = nil, into report: inout Report,
        willRun: (Int, [UInt8]) -> Void = { _, _ in }
    ) {
        let clock = ContinuousClock()
        for index in range ?? 0..<options.inputs {
            let input = input(index, for: target)
            willRun(index, input)
            let start = clock.now
            let outcome = Result { () throws(PropertyViolation) in try target.run(input) }
            let time = clock.now - start
            report.inputs += 1
            report.targetTime += time
            if time > report.slowest.time { report.slowest = (time, index) }
            switch outcome {
            case .success(.accepted): report.accepted += 1
            case .success(.refused(let kind)): report.errorKinds[kind, default: 0] += 1
            case .failure(let violation): record(Failure(index: index, input: input, message: violation.description), in: &report)
            }
            // A busy machine can stall any input once: only an input that
            // is slow again counts.
            if time > options.timeBudget, case let again = Self.time(input, on: &target), again > options.timeBudget {
                record(Failure(index: index, input: input, message: "took \(again), over the budget of \(options.timeBudget)"), in: &report)
            }
        }
    }

    /// The shortest of three runs of `input`.
    package static func time(_ input: [UInt8], on target: inout some FuzzTarget) -> Duration {
        let clock = ContinuousClock()
        return (0..<3).map { _ in clock.measure { _ = try? target.run(input) } }.min()!
    }

    private func record(_ failure: Failure, in report: inout Report) {
        if report.failures.count < 20 { report.failures.append(failure) }
    }
}
