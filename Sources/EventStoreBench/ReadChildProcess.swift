import Foundation

/// Runs the read workload in a child process (this same executable, with
/// `--only read --json`), so that its peak RSS is not inflated by the
/// workloads that ran before it in the parent.
enum ReadChildProcess {
    /// Starts the child, waits for it and decodes the report it prints.
    static func run(parentDirectory: String, events: Int) async throws -> BenchReport {
        let executable = Bundle.main.executablePath ?? CommandLine.arguments[0]
        let arguments = ["--only", "read", "--json", "--events", String(events), "--dir", parentDirectory]
        let output = try await DedicatedThread.run("jobledger-bench.child") { () throws -> Data in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.standardError
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationReason == .exit, process.terminationStatus == 0 else {
                throw BenchError.childFailed("exit status \(process.terminationStatus)")
            }
            return data
        }
        do {
            return try JSONDecoder().decode(BenchReport.self, from: output)
        } catch {
            throw BenchError.childFailed("its output is not a report: \(error)")
        }
    }
}
