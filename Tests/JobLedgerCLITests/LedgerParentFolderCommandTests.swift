import Foundation
import Testing

/// `--db` naming a ledger whose parent folders do not exist: commands that
/// create a ledger create them owner-only, commands that read create
/// nothing and name the missing ledger.
@Suite struct LedgerParentFolderCommandTests {
    /// Runs `jobledger` under a umask of 0, so that a folder it creates
    /// has the mode the command gave it and not one the umask narrowed.
    static func runUnmasked(_ arguments: [String], ledger: String) throws -> (status: Int32, stderr: String) {
        let executable = try #require(CommandLineRunner.executable)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", #"umask 000; exec "$0" "$@""#, executable.path] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["JOBLEDGER_DB"] = ledger
        environment["JOBLEDGER_NOSYNC"] = "1"
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let text = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: text, as: UTF8.self))
    }

    static func mode(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int
    }

    @Test("submit to a ledger under missing folders creates them owner-only, whatever the umask, and the ledger works")
    func creatingCommandMakesMissingParentsOwnerOnly() throws {
        let scratch = ScratchDirectory()
        let ledger = scratch.path + "/missing/deeper/ledger"
        let submitted = try Self.runUnmasked(
            ["submit", "--id", "j1", "--type", "email", "--owner", "alice", "--org", "acme"], ledger: ledger)
        #expect(submitted.status == 0, "\(submitted.stderr)")
        for folder in [scratch.path + "/missing", scratch.path + "/missing/deeper", ledger] {
            #expect(Self.mode(folder) == 0o700, "\(folder)")
        }
        let status = try CommandLineRunner(ledgerPath: ledger).run(["status", "j1", "--json"])
        #expect(status.json?["state"] as? String == "pending", "\(status.stderr)")
    }

    @Test("an import and a restore into a ledger under missing folders create them owner-only")
    func importAndRestoreMakeMissingParents() throws {
        let scratch = ScratchDirectory()
        let source = scratch.ledger
        #expect(try source.run(["submit", "--id", "j1", "--type", "email", "--owner", "alice", "--org", "acme"]).status == 0)
        let exported = try source.run(["export", "--out", scratch.path + "/events.jsonl"])
        #expect(exported.status == 0, "\(exported.stderr)")
        let imported = try Self.runUnmasked(["import", scratch.path + "/events.jsonl"], ledger: scratch.path + "/a/b/imported")
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(Self.mode(scratch.path + "/a") == 0o700)
        #expect(Self.mode(scratch.path + "/a/b") == 0o700)

        #expect(try source.run(["backup", scratch.path + "/backup"]).status == 0)
        let restored = try Self.runUnmasked(["restore", scratch.path + "/backup"], ledger: scratch.path + "/c/d/restored")
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(Self.mode(scratch.path + "/c") == 0o700)
        #expect(Self.mode(scratch.path + "/c/d/restored") == 0o700)
        let listed = try CommandLineRunner(ledgerPath: scratch.path + "/c/d/restored").run(["status", "j1", "--json"])
        #expect(listed.json?["state"] as? String == "pending", "\(listed.stderr)")
    }

    @Test("reading commands on a ledger under missing folders say there is no ledger there and create nothing")
    func readingCommandsCreateNoParents() throws {
        let scratch = ScratchDirectory()
        let cli = CommandLineRunner(ledgerPath: scratch.path + "/missing/deeper/ledger")
        for command in [["status", "x"], ["list"], ["events"], ["info"], ["export"], ["verify"]] {
            let outcome = try cli.run(command)
            #expect(outcome.status == 4, "\(command): \(outcome.stderr)")
            #expect(outcome.stderr.contains("no ledger at '\(cli.ledgerPath)'"), "\(command): \(outcome.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/missing"))
    }

    @Test("a file in the way of a parent folder is named with the system's reason and nothing is created")
    func fileInTheWayIsNamed() throws {
        let scratch = ScratchDirectory()
        #expect(FileManager.default.createFile(atPath: scratch.path + "/plain", contents: Data("x".utf8)))
        let cli = CommandLineRunner(ledgerPath: scratch.path + "/plain/deeper/ledger")
        let outcome = try cli.run(["submit", "--id", "j1", "--type", "email", "--owner", "alice", "--org", "acme"])
        #expect(outcome.status != 0)
        #expect(outcome.stderr.contains("mkdir(\(scratch.path)/plain/deeper)"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains(String(cString: strerror(ENOTDIR))), "\(outcome.stderr)")
        #expect(try String(contentsOfFile: scratch.path + "/plain", encoding: .utf8) == "x")
    }
}
