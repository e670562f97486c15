import EventStore
import Foundation

/// Figures about jobs over a time window, computed from the log and the
/// projection.
public struct JobReport: Sendable, Hashable, Codable {
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
    }

    /// A label and how often it occurred.
    public struct CountRow: Sendable, Hashable, Codable {
        /// The label.
        public var label: String
        /// The count.
        public var count: Int
    }

    /// A job whose lease ran out without the sweeper having moved it.
    public struct StuckJob: Sendable, Hashable, Codable {
        /// The job.
        public var id: String
        /// Its state.
        public var state: JobState
        /// The worker that held it.
        public var worker: String?
        /// When the lease ended.
        public var leaseUntil: Date
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
    }

    /// Every part of the report as a table.
    public var tables: [ReportTable] {
        func counts(_ title: String, _ name: String, _ values: [String: Int]) -> ReportTable {
            ReportTable(
                title: title, columns: [name, "jobs"],
                rows: values.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { [$0.key, "\($0.value)"] })
        }
        func percentiles(_ title: String, _ values: [String: Percentiles]) -> ReportTable {
            ReportTable(
                title: title, columns: ["type", "count", "p50 s", "p95 s", "p99 s"],
                rows: values.sorted { $0.key < $1.key }.map { type, p in
                    [type, "\(p.count)", Self.seconds(p.p50), Self.seconds(p.p95), Self.seconds(p.p99)]
                })
        }
        return [
            counts("Jobs by state", "state", byState),
            counts("Jobs by type", "type", byType),
            counts("Jobs by organisation", "organisation", byOrganisation),
            counts("Jobs by batch", "batch", byBatch),
            percentiles("Queue wait (submission or retry to claim)", queueWait),
            percentiles("Run time (claim to completion)", runTime),
            ReportTable(
                title: "Cancellations", columns: ["actor", "reason", "jobs", "median s to cancelled"],
                rows: cancellations.map { [$0.actor, $0.reason, "\($0.count)", Self.seconds($0.medianSecondsToCancelled)] }),
            ReportTable(
                title: "Top failure reasons", columns: ["reason", "failures"],
                rows: topFailureReasons.map { [$0.label, "\($0.count)"] }),
            ReportTable(
                title: "Attempts per finished job", columns: ["attempts", "jobs"],
                rows: attemptsPerJob.sorted { Int($0.key) ?? 0 < Int($1.key) ?? 0 }.map { [$0.key, "\($0.value)"] }),
            ReportTable(
                title: "Stuck jobs (lease passed)", columns: ["job", "state", "worker", "lease until"],
                rows: stuck.map { [$0.id, $0.state.rawValue, $0.worker ?? "", UTCTimestamp.text($0.leaseUntil)] }),
            ReportTable(
                title: "Throughput per hour", columns: ["hour", "submitted", "completed", "failed", "cancelled", "killed"],
                rows: throughput.map {
                    [UTCTimestamp.text($0.hour), "\($0.submitted)", "\($0.completed)", "\($0.failed)",
                     "\($0.cancelled)", "\($0.killed)"]
                }),
        ]
    }

    static func seconds(_ value: Double) -> String { String(format: "%.3f", value) }

    /// The report as JSON text, keys sorted, times ISO-8601.
    public func jsonText() throws -> String {
        String(decoding: try JSONCoding.encoder.encode(self), as: UTF8.self)
    }
}
