import ArgumentParser

/// The workloads a run can be limited to with `--only`.
///
/// Selecting a workload also selects the baseline its ratio is computed
/// against, so every ratio in a report comes from the same run.
enum WorkloadName: String, CaseIterable, Codable, Sendable, ExpressibleByArgument {
    /// Raw LMDB, one put per durable commit (baseline A).
    case rawCommit = "raw-commit"
    /// Raw LMDB, many puts per durable commit (baseline B).
    case rawBatch = "raw-batch"
    /// One client appending one event at a time.
    case single
    /// Many client threads appending one event at a time each.
    case concurrent
    /// A scan of the whole log, with its raw cursor-scan baseline and peak memory.
    case read

    /// The workloads that must run with this one for its ratio to exist.
    var baselines: [WorkloadName] {
        switch self {
        case .single, .concurrent: return [.rawCommit]
        case .rawCommit, .rawBatch, .read: return []
        }
    }

    /// The workloads to run for an `--only` list; all of them when it is empty.
    static func selection(for only: [WorkloadName]) -> Set<WorkloadName> {
        if only.isEmpty { return Set(allCases) }
        var chosen = Set(only)
        for name in only { chosen.formUnion(name.baselines) }
        return chosen
    }
}
