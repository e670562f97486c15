import Foundation
import Testing

/// Read-only commands open the ledger for reading only: they answer from a
/// read-only file system and never wait for a writer.
@Suite struct ReadOnlyLedgerTests {
    static let readingCommands: [[String]] = [
        ["status", "r1"], ["info"], ["verify"], ["list"], ["history", "r1"], ["report"], ["export"], ["events"],
        ["rebuild", "--verify"],
    ]

    static func populated(_ cli: CommandLineRunner) throws {
        _ = try cli.run(["submit", "--id", "r1", "--type", "t", "--owner", "alice", "--org", "acme"])
        _ = try cli.run(["claim", "--worker", "w"])
    }

    @Test(.enabled(if: getuid() == 0, "bind mounts need root"))
    func readingCommandsAnswerFromAReadOnlyMountAndWritingCommandsAreRefused() throws {
        let scratch = ScratchDirectory()
        let source = scratch.path + "/source"
        try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
        try Self.populated(CommandLineRunner(ledgerPath: source + "/ledger"))
        let mount = try ReadOnlyMount(of: source, at: scratch.path + "/mounted")
        // Unmounted before the scratch directory (kept alive until then) is removed.
        defer { withExtendedLifetime(scratch) { mount.remove() } }
        let cli = CommandLineRunner(ledgerPath: mount.path + "/ledger")
        // The mount really is read-only, for root too.
        #expect(!FileManager.default.createFile(atPath: mount.path + "/probe", contents: Data()))
        for command in Self.readingCommands {
            let outcome = try cli.run(command, timeout: 20)
            #expect(outcome.status == 0, "\(command): \(outcome.stderr)")
        }
        #expect(try cli.run(["status", "r1", "--json"]).json?["state"] as? String == "running")
        let submit = try cli.run(["submit", "--id", "r2", "--type", "t", "--owner", "alice", "--org", "acme"], timeout: 20)
        #expect(submit.status != 0)
        #expect(submit.stderr.contains(cli.ledgerPath))
    }

    @Test func readingCommandsAnswerWhileAStoppedWriterHoldsTheWriteLock() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        try Self.populated(cli)
        let writer = try HeldWriter(ledger: cli.ledgerPath)
        #expect(kill(writer.processIdentifier, SIGSTOP) == 0)
        defer { writer.release() }
        for command in [["status", "r1"], ["info"], ["verify"], ["list"], ["export"], ["rebuild", "--verify"]] {
            let outcome = try cli.run(command, timeout: 5)
            #expect(!outcome.timedOut, "\(command) waited for the stopped writer")
            #expect(outcome.status == 0, "\(command): \(outcome.stderr)")
        }
    }
}

/// A read-only bind mount of a directory, for as long as the test needs it.
struct ReadOnlyMount {
    let path: String

    init(of source: String, at path: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        self.path = path
        try Self.mount(["--bind", source, path])
        do {
            try Self.mount(["-o", "remount,ro,bind", path])
        } catch {
            remove()
            throw error
        }
    }

    /// Unmounts (lazily, should a process still hold a file open).
    func remove() {
        _ = try? Self.run("/bin/umount", ["-l", path])
    }

    private static func mount(_ arguments: [String]) throws {
        let status = try run("/bin/mount", arguments)
        guard status == 0 else { throw MountError.failed(arguments, status) }
    }

    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    enum MountError: Error { case failed([String], Int32) }
}
