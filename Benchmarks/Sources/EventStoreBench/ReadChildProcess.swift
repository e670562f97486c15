/// Runs the read workload in a child process (`--only read --json`).
enum ReadChildProcess {
    /// Starts the child, waits for it and decodes the report it prints.
    static func run(parentDirectory: String, events: Int) async throws -> BenchReport {
        try await ChildProcess.run(["--only", "read", "--json", "--events", String(events), "--dir", parentDirectory])
    }
}
