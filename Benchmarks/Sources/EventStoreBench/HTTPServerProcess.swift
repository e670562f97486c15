import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A `jobledger serve` (or any) child process of the HTTP workloads, one of
/// the ledger package's release executables (``ReleaseExecutables``).
final class HTTPChildProcess: @unchecked Sendable {
    let process: Process
    private let lines = Mutex<[String]>([])
    private let ended = Mutex(false)

    /// Starts `executable` with `arguments`; its standard output is
    /// collected line by line, its errors discarded.
    init(_ executable: URL, _ arguments: [String]) throws {
        let output: Pipe
        (process, output) = Process.piped(executable, arguments, errors: .nullDevice)
        try process.run()
        let handle = output.fileHandleForReading
        let thread = Thread { [self] in
            var pending = Data()
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                pending.append(data)
                while let newline = pending.firstIndex(of: 0x0A) {
                    let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                    lines.withLock { $0.append(line) }
                    pending.removeSubrange(pending.startIndex...newline)
                }
            }
            ended.withLock { $0 = true }
        }
        thread.start()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    var pid: Int32 { process.processIdentifier }

    /// The first output line starting with `prefix`, waiting up to `timeout`.
    func line(startingWith prefix: String, timeout: Duration = .seconds(120)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = lines.withLock({ $0.first { $0.hasPrefix(prefix) } }) { return line }
            if ended.withLock({ $0 }) { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        if let line = lines.withLock({ $0.first { $0.hasPrefix(prefix) } }) { return line }
        throw BenchError.childFailed("\(process.executableURL?.lastPathComponent ?? "child") printed no '\(prefix)' line")
    }

    /// SIGTERM, then waits for the exit.
    func stop() async {
        if process.isRunning { kill(pid, SIGTERM) }
        while process.isRunning { try? await Task.sleep(for: .milliseconds(5)) }
    }

    /// CPU seconds (user + system) the process used so far, from /proc.
    func cpuSeconds() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After the command: state is field 3, utime 14 and stime 15 (1-based over the whole line).
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return (user + system) / ticks
    }
}
