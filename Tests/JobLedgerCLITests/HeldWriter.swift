import Foundation

/// A `StoreProbe` child holding the ledger's write transaction (its writer
/// lock and LMDB's writer mutex) until it is released.
final class HeldWriter {
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()

    /// Starts the child and returns once it holds the write transaction.
    init(ledger: String) throws {
        guard let jobledger = CommandLineRunner.executable else { throw CommandLineRunner.RunnerError.executableNotFound }
        process.executableURL = jobledger.deletingLastPathComponent().appendingPathComponent("StoreProbe")
        process.arguments = ["hold-write", ledger]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var seen = ""
        while !seen.contains("holding\n") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { throw HeldWriterError.endedEarly(seen) }
            seen += String(decoding: chunk, as: UTF8.self)
        }
    }

    var processIdentifier: Int32 { process.processIdentifier }

    /// Lets the child go on (if stopped), abort its transaction and exit.
    func release() {
        kill(process.processIdentifier, SIGCONT)
        try? input.fileHandleForWriting.write(contentsOf: Data("stop\n".utf8))
        process.waitUntilExit()
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            kill(process.processIdentifier, SIGCONT)
            process.waitUntilExit()
        }
    }

    enum HeldWriterError: Error { case endedEarly(String) }
}
