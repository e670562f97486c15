import Foundation
import Testing

/// Commands whose output cannot be written (standard output on a full
/// device) fail with a message naming the write's error, and exit 1: never
/// a crash.
@Suite struct OutputFailureCommandTests {
    /// Runs `jobledger` with its standard output on `/dev/full`, where every
    /// write fails with "No space left on device".
    static func runIntoFullDevice(
        _ arguments: [String], ledger: String, errorsToo: Bool = false
    ) throws -> (status: Int32, exited: Bool, stderr: String) {
        let executable = try #require(CommandLineRunner.executable)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        let redirection = errorsToo ? "> /dev/full 2> /dev/full" : "> /dev/full"
        process.arguments = ["-c", "exec \"$0\" \"$@\" \(redirection)", executable.path] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["JOBLEDGER_DB"] = ledger
        environment["JOBLEDGER_NOSYNC"] = "1"
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, process.terminationReason == .exit, String(decoding: stderr, as: UTF8.self))
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/dev/full")))
    func exportsAndEventsToAFullDeviceFailWithTheWriteErrorInsteadOfCrashing() throws {
        let scratch = ScratchDirectory()
        try ExportImportCommandTests.populated(scratch.ledger)
        for arguments in [["export"], ["export", "--format", "csv"], ["events"], ["events", "--type", "JobSubmitted"]] {
            let outcome = try Self.runIntoFullDevice(arguments, ledger: scratch.ledger.ledgerPath)
            #expect(outcome.exited, "\(arguments) ended by a signal: \(outcome.stderr)")
            #expect(outcome.status == 1, "\(arguments): \(outcome.stderr)")
            #expect(outcome.stderr.contains("error: cannot write to standard output: No space left on device"), "\(arguments): \(outcome.stderr)")
        }
        // With nowhere to write its message either, it still exits 1.
        let silent = try Self.runIntoFullDevice(["export"], ledger: scratch.ledger.ledgerPath, errorsToo: true)
        #expect(silent.exited && silent.status == 1)
        // Nothing of the ledger changed: the export reads back whole.
        let again = try scratch.ledger.run(["export"])
        #expect(again.status == 0)
        #expect(again.stdout.hasSuffix("}\n") && again.stdout.contains(#""count":"#))
    }
}
