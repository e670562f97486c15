/// Why a test could not have, or use, a PostgreSQL test cluster.
public enum PostgresTestClusterError: Error, CustomStringConvertible {
    /// No cluster could be started (PostgreSQL is not installed, or the
    /// server did not come up); the reason is the start script's message.
    case unavailable(String)
    /// A command against the cluster ended with a non-zero status.
    case commandFailed(command: String, status: Int32, errors: String)

    /// The reason, for test failures.
    public var description: String {
        switch self {
        case .unavailable(let reason):
            return "no PostgreSQL test cluster: \(reason)"
        case .commandFailed(let command, let status, let errors):
            return "\(command) failed with status \(status): \(errors)"
        }
    }
}
