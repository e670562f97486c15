import Foundation
import Testing

/// The ledger's files are the owner's alone, and `export --out` never
/// writes over them or over anything else unasked.
@Suite struct LedgerFileSafetyTests {
    /// Runs `jobledger` with the umask set to `mask` in the child.
    static func run(_ arguments: [String], ledger: String, umask mask: String) throws -> Int32 {
        let executable = try #require(CommandLineRunner.executable)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "umask \(mask) && exec \"$0\" \"$@\"", executable.path] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["JOBLEDGER_DB"] = ledger
        environment["JOBLEDGER_NOSYNC"] = "1"
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    static func mode(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? nil
    }

    @Test func ledgerFilesAreOwnerOnlyEvenUnderAPermissiveUmask() throws {
        let scratch = ScratchDirectory()
        let ledger = scratch.path + "/ledger"
        let submit = ["submit", "--id", "m", "--type", "t", "--owner", "alice", "--org", "acme", "--payload", #"{"secret":1}"#]
        #expect(try Self.run(submit, ledger: ledger, umask: "000") == 0)
        #expect(Self.mode(ledger) == 0o700)
        for file in ["data.mdb", "lock.mdb", "writer.lock"] {
            #expect(Self.mode(ledger + "/" + file) == 0o600, "\(file)")
        }
        #expect(try Self.run(["export", "--out", scratch.path + "/out.jsonl"], ledger: ledger, umask: "000") == 0)
        #expect(Self.mode(scratch.path + "/out.jsonl") == 0o600)
    }

    @Test func exportRefusesTheLedgersOwnFilesAndExistingFilesUnlessForced() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        _ = try cli.run(["submit", "--id", "x", "--type", "t", "--owner", "alice", "--org", "acme"])
        let data = cli.ledgerPath + "/data.mdb"
        let original = try Data(contentsOf: URL(fileURLWithPath: data))
        try FileManager.default.createSymbolicLink(atPath: scratch.path + "/link.mdb", withDestinationPath: data)
        for target in [data, cli.ledgerPath + "/lock.mdb", cli.ledgerPath + "/new.jsonl", scratch.path + "/link.mdb"] {
            for force in [[], ["--force"]] {
                let outcome = try cli.run(["export", "--out", target] + force)
                #expect(outcome.status == 2, "\(target) \(force)")
                #expect(outcome.stderr.contains("ledger"), "\(target): \(outcome.stderr)")
            }
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: data)) == original)
        #expect(!FileManager.default.fileExists(atPath: cli.ledgerPath + "/new.jsonl"))
        #expect(try cli.run(["status", "x"]).status == 0)

        let existing = scratch.path + "/keep.txt"
        try Data("precious".utf8).write(to: URL(fileURLWithPath: existing))
        let refused = try cli.run(["export", "--out", existing])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("--force"))
        #expect(try String(contentsOfFile: existing, encoding: .utf8) == "precious")
        let forced = try cli.run(["export", "--out", existing, "--force"])
        #expect(forced.status == 0)
        #expect(try String(contentsOfFile: existing, encoding: .utf8).contains(#""stream":"job-x""#))
        let names = try FileManager.default.contentsOfDirectory(atPath: scratch.path).sorted()
        #expect(names == ["keep.txt", "ledger", "link.mdb"], "no temporary file left behind")
    }
}
