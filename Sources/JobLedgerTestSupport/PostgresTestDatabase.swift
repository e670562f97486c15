import Foundation

/// Fresh databases on the PostgreSQL cluster the tests run against, one per
/// test ledger.
public enum PostgresTestDatabase {
    /// Creates an empty database and returns its URL.
    public static func create() throws -> String {
        guard let directory = ProcessInfo.processInfo.environment["JOBLEDGER_TEST_POSTGRES"] else {
            throw TestDatabaseError(reason: "JOBLEDGER_TEST_POSTGRES is not set")
        }
        let name = "t" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        process.arguments = ["-h", directory, "-U", "jobledger", "-d", "postgres", "-q", "-c", "CREATE DATABASE \(name)"]
        try process.run()
        process.waitUntilExit()
        return "postgresql://jobledger@/\(name)?host=\(directory)"
    }
}

/// Why a test database could not be made.
public struct TestDatabaseError: Error, CustomStringConvertible {
    /// What went wrong.
    public let reason: String
    /// The reason.
    public var description: String { reason }
}
