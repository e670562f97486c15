import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A child process whose output lines are collected as they arrive, each
/// stream by a thread of its own (so a chatty child never blocks on a full
/// pipe), and awaited without holding a thread of the concurrency pool.
final class RunningProcess: Sendable {
    let name: String
    private let process: ProcessBox
    private let output = LineCollector(keep: .max)
    private let errors = LineCollector(keep: 400)

    /// Starts `executable` with `arguments`.
    init(_ name: String, executable: URL, arguments: [String], environment: [String: String]? = nil) throws {
        self.name = name
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.process = ProcessBox(process)
        output.drain(out.fileHandleForReading)
        errors.drain(err.fileHandleForReading)
    }

    deinit {
        if process.value.isRunning { kill(process.value.processIdentifier, SIGKILL) }
    }

    var pid: Int32 { process.value.processIdentifier }

    /// Every output line so far.
    var lines: [String] { output.lines }

    /// The last lines of the error output, for failure messages.
    var errorTail: String { errors.lines.suffix(40).joined(separator: "\n") }

    /// Waits for the first output line starting with `prefix`, and returns it.
    func waitForLine(startingWith prefix: String, timeout: Duration = .seconds(20)) async -> String? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = output.lines.first(where: { $0.hasPrefix(prefix) }) { return line }
            if output.ended { return output.lines.first(where: { $0.hasPrefix(prefix) }) }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return nil
    }

    /// Waits until `count` output lines satisfy `predicate`.
    func waitForLines(count: Int, timeout: Duration = .seconds(20), where predicate: (String) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if output.lines.lazy.filter(predicate).count >= count { return true }
            if output.ended { break }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return output.lines.lazy.filter(predicate).count >= count
    }

    /// Sends `signal` to the process.
    func send(_ signal: Int32) {
        if process.value.isRunning { kill(pid, signal) }
    }

    /// Waits for the process to end and its output to be read; `nil` when
    /// it is still running after `timeout` (it is then killed).
    func waitForExit(timeout: Duration = .seconds(20)) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.value.isRunning {
            if ContinuousClock.now >= deadline {
                kill(pid, SIGKILL)
                return nil
            }
            try? await Task.sleep(for: .milliseconds(5))
        }
        while !output.ended, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(2)) }
        return process.value.terminationStatus
    }

    /// SIGTERM, then the exit status.
    func terminate(timeout: Duration = .seconds(20)) async -> Int32? {
        send(SIGTERM)
        return await waitForExit(timeout: timeout)
    }
}

/// `Process` is not Sendable; it is only read (pid, status) after launch.
private final class ProcessBox: @unchecked Sendable {
    let value: Process
    init(_ value: Process) { self.value = value }
}

/// Lines read from a pipe by a thread of their own.
private final class LineCollector: Sendable {
    private struct State {
        var lines: [String] = []
        var pending = Data()
        var ended = false
    }

    private let state = Mutex(State())
    private let keep: Int

    init(keep: Int) { self.keep = keep }

    var lines: [String] { state.withLock { $0.lines } }
    var ended: Bool { state.withLock { $0.ended } }

    func drain(_ handle: FileHandle) {
        let thread = Thread { [self] in
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                append(data)
            }
            state.withLock { state in
                if !state.pending.isEmpty {
                    state.lines.append(String(decoding: state.pending, as: UTF8.self))
                    state.pending.removeAll()
                }
                state.ended = true
            }
        }
        thread.start()
    }

    private func append(_ data: Data) {
        state.withLock { state in
            state.pending.append(data)
            while let newline = state.pending.firstIndex(of: 0x0A) {
                state.lines.append(String(decoding: state.pending[state.pending.startIndex..<newline], as: UTF8.self))
                state.pending.removeSubrange(state.pending.startIndex...newline)
            }
            if state.lines.count > keep { state.lines.removeFirst(state.lines.count - keep) }
        }
    }
}
