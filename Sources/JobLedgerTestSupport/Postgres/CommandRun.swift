import Foundation

/// What a finished program printed and how it ended.
struct CommandRun: Sendable {
    /// The exit status (or the signal that ended it).
    let status: Int32
    /// Everything written to standard output.
    let output: String
    /// Everything written to standard error.
    let errors: String

    /// Runs `executable` with `arguments` and an empty standard input, and
    /// waits for it. Variables starting with `PG` are left out of its
    /// environment, so that only the arguments say which server it talks to.
    static func run(_ executable: String, _ arguments: [String]) throws -> CommandRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PG") }
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Standard error is drained on a thread of its own, so that neither
        // pipe can fill up while the other is read.
        let errorText = ErrorText()
        let drained = DispatchSemaphore(value: 0)
        Thread {
            errorText.data = errors.fileHandleForReading.readDataToEndOfFile()
            drained.signal()
        }.start()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        process.waitUntilExit()
        return CommandRun(
            status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
            errors: String(decoding: errorText.data, as: UTF8.self))
    }
}

/// Standard error as read by its thread; read only after that thread has
/// signalled that it is done.
private final class ErrorText: @unchecked Sendable {
    var data = Data()
}
