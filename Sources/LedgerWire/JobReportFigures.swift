import Foundation

/// Figures about jobs over a time window (the ledger's `JobReport`, the
/// client's `LedgerReport`): one shape, whatever type names a job's state.
public struct JobReportFigures<State: Codable & Hashable & Sendable>: Sendable, Hashable, Codable {
    /// Jobs submitted at or after this time (`nil`: from the beginning).
    public var from: Date?
    /// Jobs submitted before this time (`nil`: up to now).
    public var to: Date?
    /// Current state of the jobs submitted in the window.
    public var byState: [String: Int] = [:]
    /// Jobs by type.
    public var byType: [String: Int] = [:]
    /// Jobs by organisation.
    public var byOrganisation: [String: Int] = [:]
    /// Jobs by batch (jobs without a batch are not counted).
    public var byBatch: [String: Int] = [:]
    /// Seconds from submission (or retry) to claim, by job type.
    public var queueWait: [String: Percentiles] = [:]
    /// Seconds from claim to completion, by job type.
    public var runTime: [String: Percentiles] = [:]
    /// Cancellations by who asked and why.
    public var cancellations: [CancellationRow] = []
    /// The most frequent failure messages.
    public var topFailureReasons: [CountRow] = []
    /// How many jobs took how many attempts (finished jobs).
    public var attemptsPerJob: [String: Int] = [:]
    /// Running or cancel-requested jobs whose lease has passed.
    public var stuck: [StuckJob] = []
    /// Submissions and outcomes per hour.
    public var throughput: [HourRow] = []

    /// An empty report of the window from `from` to `to`.
    public init(from: Date? = nil, to: Date? = nil) {
        (self.from, self.to) = (from, to)
    }

    /// p50, p95 and p99 of a set of durations, in seconds.
    public struct Percentiles: Sendable, Hashable, Codable {
        /// Number of durations.
        public var count: Int
        /// Median.
        public var p50: Double
        /// 95th percentile.
        public var p95: Double
        /// 99th percentile.
        public var p99: Double

        /// Nearest-rank percentiles of `values` (which need not be sorted).
        public init(_ values: [Double]) {
            let sorted = values.sorted()
            count = sorted.count
            func rank(_ p: Double) -> Double {
                guard !sorted.isEmpty else { return 0 }
                let index = Int((p * Double(sorted.count)).rounded(.up)) - 1
                return sorted[min(max(index, 0), sorted.count - 1)]
            }
            p50 = rank(0.50)
            p95 = rank(0.95)
            p99 = rank(0.99)
        }
    }

    /// Cancellations by one actor for one reason.
    public struct CancellationRow: Sendable, Hashable, Codable {
        /// Who asked.
        public var actor: String
        /// The reason given.
        public var reason: String
        /// How many jobs.
        public var count: Int
        /// Median seconds from the request to the job being cancelled
        /// (0 for pending jobs, cancelled at once).
        public var medianSecondsToCancelled: Double

        /// The row of the jobs `actor` cancelled for `reason`, from the
        /// seconds each took from the request to the cancelled state.
        public init(actor: String, reason: String, secondsToCancelled: [Double]) {
            self.actor = actor
            self.reason = reason
            count = secondsToCancelled.count
            medianSecondsToCancelled = Percentiles(secondsToCancelled).p50
        }
    }

    /// A label and how often it occurred.
    public struct CountRow: Sendable, Hashable, Codable {
        /// The label.
        public var label: String
        /// The count.
        public var count: Int

        /// A label counted `count` times.
        public init(label: String, count: Int) {
            (self.label, self.count) = (label, count)
        }
    }

    /// A job whose lease ran out without the sweeper having moved it.
    public struct StuckJob: Sendable, Hashable, Codable {
        /// The job.
        public var id: String
        /// Its state.
        public var state: State
        /// The worker that held it.
        public var worker: String?
        /// When the lease ended.
        public var leaseUntil: Date

        /// A job stuck in `state` since `leaseUntil`.
        public init(id: String, state: State, worker: String?, leaseUntil: Date) {
            (self.id, self.state, self.worker, self.leaseUntil) = (id, state, worker, leaseUntil)
        }
    }

    /// Events of one hour.
    public struct HourRow: Sendable, Hashable, Codable {
        /// Start of the hour.
        public var hour: Date
        /// Jobs submitted.
        public var submitted = 0
        /// Jobs completed.
        public var completed = 0
        /// Jobs failed for good.
        public var failed = 0
        /// Jobs cancelled.
        public var cancelled = 0
        /// Jobs killed.
        public var killed = 0

        /// An hour starting at `hour`, nothing counted yet.
        public init(hour: Date) {
            self.hour = hour
        }
    }
}
