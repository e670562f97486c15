import Foundation

/// A goal a figure is judged against: on the figure itself or on its ratio
/// to the baseline.
struct Target: Codable, Sendable {
    /// What the threshold applies to.
    enum Subject: String, Codable, Sendable {
        /// The measured figure.
        case value
        /// The figure divided by its baseline.
        case ratio
    }

    /// How the figure must compare with the threshold.
    enum Comparison: String, Codable, Sendable {
        /// At least the threshold.
        case atLeast
        /// Strictly below the threshold.
        case below
    }

    /// What the threshold applies to.
    var subject: Subject
    /// How the figure must compare with the threshold.
    var comparison: Comparison
    /// The threshold, in the figure's unit (or a plain number for ratios).
    var threshold: Double

    /// Whether the figure meets the target; `nil` when the ratio is unknown.
    func isMet(value: Double, ratio: Double?) -> Bool? {
        let subjectValue: Double
        switch subject {
        case .value: subjectValue = value
        case .ratio:
            guard let ratio else { return nil }
            subjectValue = ratio
        }
        switch comparison {
        case .atLeast: return subjectValue >= threshold
        case .below: return subjectValue < threshold
        }
    }
}

/// One measured figure: a row of the report's table.
struct Figure: Codable, Sendable {
    /// Short identifier that other figures name as their baseline.
    var id: String
    /// What was measured.
    var workload: String
    /// The measured value.
    var value: Double
    /// The unit of ``value``, such as `events/s` or `MB`.
    var unit: String
    /// The figure this one is compared with, measured in the same run.
    var baselineID: String?
    /// The baseline's value, filled in by ``BenchReport/finalize()``.
    var baselineValue: Double?
    /// The baseline's unit, filled in by ``BenchReport/finalize()``.
    var baselineUnit: String?
    /// `value / baselineValue`, filled in by ``BenchReport/finalize()``.
    var ratio: Double?
    /// The goal, if the figure has one.
    var target: Target?
    /// Whether the target was met, filled in by ``BenchReport/finalize()``.
    var passed: Bool?

    /// Creates a figure; the baseline's value and the verdict come later.
    init(id: String, workload: String, value: Double, unit: String, baselineID: String? = nil, target: Target? = nil) {
        self.id = id
        self.workload = workload
        self.value = value
        self.unit = unit
        self.baselineID = baselineID
        self.target = target
    }
}

/// How group commit batched the appends of one workload, from the deltas of
/// `EventStore.groupCommitStatistics` over the timed part.
struct BatchFigures: Codable, Sendable {
    /// The workload the appends came from.
    var workload: String
    /// Write transactions committed.
    var commits: Int
    /// Appends answered.
    var appends: Int
    /// Events written.
    var events: Int
    /// Average appends per commit.
    var averageAppendsPerCommit: Double
    /// Largest number of appends in one commit (the store is fresh for every
    /// workload, so this is the workload's own maximum).
    var largestAppendsPerCommit: Int
}

/// The machine the run measured, without anything that identifies it.
struct MachineFigures: Codable, Sendable {
    /// Processors available to the process.
    var processors: Int
    /// File system type of the directory the ledgers were written to.
    var fileSystem: String
    /// Operating system version string.
    var operatingSystem: String
}

/// Everything one run measured; printed as a table or encoded as JSON.
struct BenchReport: Codable, Sendable {
    /// The machine.
    var machine: MachineFigures
    /// The work each workload did.
    var counts: BenchCounts
    /// The measured figures, in the order they were taken.
    var figures: [Figure] = []
    /// Group-commit batch sizes per append workload.
    var groupCommit: [BatchFigures] = []
    /// What the durable append workloads and their raw LMDB baselines
    /// asked of the disk, side by side.
    var writeCosts: [WriteCostFigures] = []
    /// Remarks about how figures were taken.
    var notes: [String] = []
    /// Peak RSS (MB) of in-process sides, by the id of the side's figure.
    var sidePeaks: [String: Double] = [:]
    /// Refused appends (version conflicts), by the id of the side's figure.
    var sideConflicts: [String: Int] = [:]
    /// The six workloads side by side on raw LMDB, SQLite and the ledger,
    /// filled in by ``finalize()``.
    var comparisons: [Comparison] = []
    /// Throughput against the number of clients.
    var sweep: [SweepPoint] = []
    /// Pages and kernel calls of one-event commits, database by database.
    var commitPages: CommitPagesReport?

    /// Fills in baseline values, ratios and verdicts. A ratio exists only
    /// when its baseline was measured in this run.
    mutating func finalize() {
        let byID = Dictionary(figures.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for index in figures.indices {
            var figure = figures[index]
            if let baselineID = figure.baselineID, let baseline = byID[baselineID] {
                figure.baselineValue = baseline.value
                figure.baselineUnit = baseline.unit
                figure.ratio = baseline.value > 0 ? figure.value / baseline.value : nil
            }
            figure.passed = figure.target?.isMet(value: figure.value, ratio: figure.ratio)
            figures[index] = figure
        }
        comparisons = Comparison.build(from: self)
    }

    /// Adds the figures, batch sizes and notes of a report from a child process.
    mutating func merge(_ other: BenchReport) {
        figures += other.figures
        groupCommit += other.groupCommit
        writeCosts += other.writeCosts
        notes += other.notes
        sidePeaks.merge(other.sidePeaks) { _, new in new }
        sideConflicts.merge(other.sideConflicts) { _, new in new }
        sweep += other.sweep
        if let pages = other.commitPages { commitPages = pages }
    }

    /// The report as one pretty-printed JSON document.
    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
