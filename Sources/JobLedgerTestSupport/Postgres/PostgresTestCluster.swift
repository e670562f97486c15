import Foundation
import Synchronization

/// A running PostgreSQL 15 cluster for the tests, reached through the Unix
/// socket in `socketDirectory` as the superuser `jobledger` without a
/// password.
///
/// ``shared`` is the cluster of the whole test process: the one named by
/// `JOBLEDGER_TEST_POSTGRES` (as `scripts/test` starts one for the whole
/// suite), or else one started on first use and stopped when the process
/// exits. Each test takes a database of its own with ``createDatabase()``;
/// the databases are not dropped, the cluster is thrown away whole.
public struct PostgresTestCluster: Sendable {
    /// The folder holding the server's Unix socket.
    public let socketDirectory: String

    /// The cluster whose socket is in `socketDirectory`.
    public init(socketDirectory: String) {
        self.socketDirectory = socketDirectory
    }

    /// The cluster of this test process; throws ``PostgresTestClusterError``
    /// with the reason when none can be had (PostgreSQL 15 is not installed,
    /// or the server did not start).
    public static var shared: PostgresTestCluster {
        get throws(PostgresTestClusterError) { try started.get() }
    }

    /// Started (or looked up) once per process, on first use.
    private static let started: Result<PostgresTestCluster, PostgresTestClusterError> = {
        if let directory = ProcessInfo.processInfo.environment["JOBLEDGER_TEST_POSTGRES"], !directory.isEmpty {
            return .success(PostgresTestCluster(socketDirectory: directory))
        }
        return Result { () throws(PostgresTestClusterError) in
            PostgresTestCluster(socketDirectory: try PostgresClusterScript.startCluster())
        }
    }()

    /// The libpq URL of `database` in this cluster.
    public func url(database: String) -> String {
        "postgresql://jobledger@/\(database)?host=\(socketDirectory)"
    }

    /// Creates a database no other test has and returns its URL.
    public func createDatabase() throws(PostgresTestClusterError) -> String {
        let name = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        _ = try psql("CREATE DATABASE \(name)", database: "postgres")
        return url(database: name)
    }

    /// The URL of a ledger no other test has: a schema of its own (which
    /// the store creates on first use) in a database the tests share.
    /// Schemas cost next to nothing; a database per test ledger copies a
    /// template of several megabytes, which on a suite of hundreds of
    /// ledgers is gigabytes written and a slow shutdown.
    public func freshLedgerURL() throws(PostgresTestClusterError) -> String {
        try Self.sharedDatabase(of: self).get()
        let schema = "ledger_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        return url(database: Self.ledgersDatabase) + "&schema=\(schema)"
    }

    /// The database that holds the test ledgers' schemas.
    private static let ledgersDatabase = "ledgers"

    /// Creates the shared database once per process (and not again when an
    /// earlier test process of the same cluster made it).
    private static func sharedDatabase(of cluster: PostgresTestCluster) -> Result<Void, PostgresTestClusterError> {
        sharedDatabaseOnce.withLock { made in
            if let made { return made }
            let result = Result { () throws(PostgresTestClusterError) in
                let exists = try cluster.psql(
                    "SELECT count(*) FROM pg_database WHERE datname = '\(ledgersDatabase)'", database: "postgres")
                if exists == "0" { _ = try cluster.psql("CREATE DATABASE \(ledgersDatabase)", database: "postgres") }
            }
            made = result
            return result
        }
    }

    private static let sharedDatabaseOnce = Mutex<Result<Void, PostgresTestClusterError>?>(nil)

    /// Runs `sql` with `psql` in `database` (a name, or a URL from
    /// ``createDatabase()`` or ``freshLedgerURL()``, whose schema it then
    /// reads and writes) and returns what it printed: rows one a line,
    /// columns separated by `|`, no headers.
    ///
    /// `sql` is sent as one query: several statements run in one
    /// transaction, and only the last one's rows are printed. An error in
    /// the SQL throws ``PostgresTestClusterError/commandFailed(command:status:errors:)``.
    public func psql(_ sql: String, database: String) throws(PostgresTestClusterError) -> String {
        var target = database.contains("://") ? database : url(database: database)
        var sql = sql
        if let range = target.range(of: "&schema=") {
            // libpq knows no schema parameter: the search path says it.
            sql = "SET search_path TO \(target[range.upperBound...]); " + sql
            target.removeSubrange(range.lowerBound...)
        }
        let arguments = [
            "--no-psqlrc", "--quiet", "--no-align", "--tuples-only", "--set=ON_ERROR_STOP=1",
            "--dbname=\(target)", "--command=\(sql)",
        ]
        let run: CommandRun
        do {
            run = try CommandRun.run(Self.psqlPath, arguments)
        } catch {
            throw .commandFailed(command: "psql", status: -1, errors: "\(error)")
        }
        guard run.status == 0 else {
            throw .commandFailed(command: "psql \(sql)", status: run.status, errors: run.errors)
        }
        var output = run.output
        if output.hasSuffix("\n") { output.removeLast() }
        return output
    }

    /// PostgreSQL 15's `psql`, or the first `psql` on the `PATH`.
    private static let psqlPath: String = {
        let folders = ["/usr/lib/postgresql/15/bin"]
            + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":").map(String.init)
        let found = folders.map { $0 + "/psql" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        return found ?? "/usr/bin/psql"
    }()
}
