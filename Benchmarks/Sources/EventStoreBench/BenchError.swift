/// Failures of the benchmark itself (as opposed to the store's errors).
enum BenchError: Error, CustomStringConvertible {
    /// A workload's result did not match what it wrote.
    case verification(String)
    /// A client thread of the concurrent workload failed.
    case clientFailed(String)
    /// The read workload's child process failed or printed no report.
    case childFailed(String)
    /// An executable of the ledger package that the HTTP workload runs was
    /// in none of the directories searched.
    case missingExecutable(String, searched: [String])

    /// A one-line explanation.
    var description: String {
        switch self {
        case .verification(let detail): return "verification failed: \(detail)"
        case .clientFailed(let detail): return "a client failed: \(detail)"
        case .childFailed(let detail): return "the read child process failed: \(detail)"
        case .missingExecutable(let name, let searched):
            return "\(name) is in none of \(searched.joined(separator: ", ")); build the ledger package's release "
                + "executables (swift build -c release at its root) or name their directory with --bin-dir"
        }
    }
}
