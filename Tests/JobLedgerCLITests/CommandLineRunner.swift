import Foundation
import Synchronization

/// Runs the built `jobledger` executable as a child process.
struct CommandLineRunner: Sendable {
    struct Outcome: Sendable {
        let status: Int32
        let stdout: String
        let stderr: String
        /// Killed because it ran past the timeout it was given.
        var timedOut = false

        /// The standard output parsed as one JSON object.
        var json: [String: Any]? {
            (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any]
        }
    }

    let ledgerPath: String

    /// The executable next to the test binary (or in the package's build folder).
    static let executable: URL? = executable(named: "jobledger")

    /// The package's executable `name` next to the test binary (or in the
    /// package's build folder).
    static func executable(named name: String) -> URL? {
        var candidates: [URL] = []
        for start in [Bundle.main.bundleURL, URL(fileURLWithPath: CommandLine.arguments[0])] {
            var directory = start.resolvingSymlinksInPath()
            for _ in 0..<5 {
                candidates.append(directory.appendingPathComponent(name))
                directory = directory.deletingLastPathComponent()
            }
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/\(name)"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) && !$0.hasDirectoryPath }
    }

    /// Runs `jobledger` with `arguments` against the ledger (no fsync);
    /// kills it when it runs longer than `timeout` seconds.
    func run(_ arguments: [String], stdin: String? = nil, timeout: Double? = nil) throws -> Outcome {
        guard let executable = Self.executable else { throw RunnerError.executableNotFound }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["JOBLEDGER_DB"] = ledgerPath
        environment["JOBLEDGER_NOSYNC"] = "1"
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let timedOut = TimeoutFlag()
        let pid = process.processIdentifier
        let watchdog = DispatchWorkItem {
            timedOut.value.store(true, ordering: .relaxed)
            kill(pid, SIGKILL)
        }
        if let timeout { DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog) }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        return Outcome(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self), timedOut: timedOut.value.load(ordering: .relaxed))
    }

    enum RunnerError: Error { case executableNotFound }
}

/// Set by the watchdog that killed a command for running too long.
private final class TimeoutFlag: Sendable {
    let value = Atomic<Bool>(false)
}

/// A fresh directory for one test's ledger, removed afterwards.
final class ScratchDirectory: Sendable {
    let path: String

    init() {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("jobledger-cli-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    var ledger: CommandLineRunner { CommandLineRunner(ledgerPath: path + "/ledger") }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
