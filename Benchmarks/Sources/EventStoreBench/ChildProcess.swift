import Foundation

/// Runs a workload in a child process (this same executable), so that its
/// peak RSS is its own and not inflated by what ran before it in the parent.
enum ChildProcess {
    /// Starts the child with `arguments` (which must make it print a
    /// report as JSON), waits for it and decodes the report.
    static func run(_ arguments: [String]) async throws -> BenchReport {
        let executable = Bundle.main.executablePath ?? CommandLine.arguments[0]
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
                throw BenchError.childFailed("\(arguments.joined(separator: " ")): exit status \(process.terminationStatus)")
            }
            return data
        }
        do {
            return try JSONDecoder().decode(BenchReport.self, from: output)
        } catch {
            throw BenchError.childFailed("its output is not a report: \(error)")
        }
    }

    /// Runs one of the hidden child tasks on the data at `target`.
    static func run(_ task: ChildTask, target: String, mode: SQLiteConnections, quick: Bool) async throws -> BenchReport {
        Progress.note("\(task.rawValue): child process")
        return try await run(
            ["--child", task.rawValue, "--target", target, "--sqlite-connections", mode.rawValue, "--json"]
                + (quick ? ["--quick"] : []))
    }
}

extension Process {
    /// A process, not yet started, that runs `executable` with `arguments`,
    /// reads nothing, writes its output to the returned pipe and its errors
    /// to `errors`.
    static func piped(_ executable: URL, _ arguments: [String], errors: FileHandle) -> (Process, Pipe) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        return (process, pipe)
    }
}
