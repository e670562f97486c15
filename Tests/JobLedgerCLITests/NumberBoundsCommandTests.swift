import Foundation
import JobLedger
import Testing

/// Numbers, times and ids given on the command line: bounded at the edge,
/// refused with exit 2 naming what was wrong, and nothing written.
@Suite struct NumberBoundsCommandTests {
    @Test func outOfBoundNumbersExitTwoAndCreateNoLedger() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        for arguments in [
            ["submit", "--type", "t", "--owner", "u", "--org", "o", "--max-attempts", "9223372036854775807"],
            ["submit", "--type", "t", "--owner", "u", "--org", "o", "--max-attempts", "0"],
            ["submit", "--type", "t", "--owner", "u", "--org", "o", "--priority", "-9223372036854775808"],
            ["claim", "--worker", "w", "--lease", "1e300"],
            ["claim", "--worker", "w", "--lease", "9.3e12"],
            ["claim", "--worker", "w", "--lease", "9.2e12"],
            ["claim", "--worker", "w", "--lease", "-5"],
            ["claim", "--worker", "w", "--lease", "nan"],
        ] {
            let outcome = try cli.run(arguments)
            #expect(outcome.status == 2, "\(arguments): \(outcome.stderr)")
            #expect(outcome.stderr.hasPrefix("error: invalid "), "\(arguments): \(outcome.stderr)")
            #expect(!FileManager.default.fileExists(atPath: cli.ledgerPath), "\(arguments) created the ledger")
        }
    }

    @Test func negativeNumbersAreOptionValuesAndBoundsHoldOnAnExistingLedger() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        let low = try cli.run(["submit", "--id", "low", "--type", "t", "--owner", "u", "--org", "o", "--priority", "-1", "--json"])
        #expect(low.status == 0, "\(low.stderr)")
        #expect((low.json?["job"] as? [String: Any])?["priority"] as? Int == -1)
        _ = try cli.run(["submit", "--id", "high", "--type", "t", "--owner", "u", "--org", "o"])
        let claimed = try cli.run(["claim", "--worker", "w", "--lease", "60", "--json"])
        #expect((claimed.json?["job"] as? [String: Any])?["id"] as? String == "high")
        let before = try cli.run(["status", "high", "--json"]).stdout
        let renew = try cli.run(["renew", "high", "--worker", "w", "--attempt", "1", "--lease", "9.223372e12"])
        #expect(renew.status == 2, "\(renew.stderr)")
        #expect(try cli.run(["status", "high", "--json"]).stdout == before)
        for arguments in [["list", "--limit", "0"], ["list", "--limit", "-1"], ["list", "--limit", "9223372036854775807"]] {
            let outcome = try cli.run(arguments)
            #expect(outcome.status == 2, "\(arguments): \(outcome.stderr)")
            #expect(outcome.stderr.contains("limit"), "\(arguments): \(outcome.stderr)")
        }
    }

    @Test func aBadOrOutOfRangeTimeNamesItsOptionWithoutTheUsage() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        _ = try cli.run(["submit", "--id", "j", "--type", "t", "--owner", "u", "--org", "o"])
        for (arguments, option) in [
            (["list", "--since", "yesterday"], "--since"),
            (["list", "--until", "0001-01-01T00:00:00Z"], "--until"),
            (["report", "--since", "9999-12-31T00:00:00Z"], "--since"),
            (["export", "--until", "1969-12-31T23:59:59Z"], "--until"),
            (["status", "j", "--as-of", "2200-01-01T00:00:00Z"], "--as-of"),
        ] {
            let outcome = try cli.run(arguments)
            #expect(outcome.status == 2, "\(arguments): \(outcome.stderr)")
            #expect(outcome.stderr.hasPrefix("error: \(option): "), "\(arguments): \(outcome.stderr)")
            #expect(!outcome.stderr.contains("USAGE"), "\(arguments) printed the usage")
        }
    }

    @Test func aMalformedJobIDIsBadInputNotAMissingJob() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        _ = try cli.run(["submit", "--id", "j", "--type", "t", "--owner", "u", "--org", "o"])
        for command in ["history", "status"] {
            let bad = try cli.run([command, "bad id"])
            #expect(bad.status == 2, "\(command): \(bad.stderr)")
            #expect(bad.stderr.contains("job id"), "\(command): \(bad.stderr)")
            #expect(try cli.run([command, "missing"]).status == 4)
        }
        // An empty id is not a key LMDB can look up: it answered exit 1
        // with LMDB's MDB_BAD_VALSIZE.
        let before = try cli.run(["export"]).stdout
        for arguments in [
            ["cancel", "", "--actor", "u", "--org", "o", "--reason", "r"],
            ["kill", "", "--actor", "root", "--role", "admin", "--org", "o", "--reason", "r"],
            ["retry", "", "--actor", "u", "--org", "o"],
            ["complete", "", "--worker", "w", "--attempt", "1"],
            ["renew", "", "--worker", "w", "--attempt", "1"],
            ["cancel", String(repeating: "x", count: 600), "--actor", "u", "--org", "o", "--reason", "r"],
        ] {
            let outcome = try cli.run(arguments)
            #expect(outcome.status == 2, "\(arguments.prefix(2)): \(outcome.stderr)")
            #expect(outcome.stderr.contains("job id"), "\(arguments.prefix(2)): \(outcome.stderr)")
        }
        #expect(try cli.run(["export"]).stdout == before)
    }

    @Test func versionPrintsThePackageVersion() throws {
        let outcome = try ScratchDirectory().ledger.run(["--version"])
        #expect(outcome.status == 0)
        #expect(outcome.stdout == JobLedgerVersion.current + "\n")
    }

    @Test func statusShowsWhenAJobWaitingForItsRetryBecomesClaimable() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        _ = try cli.run(["submit", "--id", "j", "--type", "t", "--owner", "u", "--org", "o"])
        _ = try cli.run(["claim", "--worker", "w", "--lease", "60"])
        let failed = try cli.run(["fail", "j", "--worker", "w", "--attempt", "1", "--error", "e", "--retryable", "--json"])
        #expect(failed.status == 0, "\(failed.stderr)")
        let json = try #require(try cli.run(["status", "j", "--json"]).json)
        #expect(json["state"] as? String == "pending")
        let availableAt = try #require(json["availableAt"] as? String)
        #expect(availableAt > json["updatedAt"] as? String ?? "~")
        let table = try cli.run(["status", "j"]).stdout
        #expect(table.contains("available at  \(availableAt)"), "\(table)")
    }

    @Test func demoRefusesABadJobCountAndALedgerItAlreadyRan() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        for jobs in ["-5", "0", "100001"] {
            let outcome = try Self.run(["demo", "--jobs", jobs, "--dir", scratch.path + "/demo"], ledger: cli.ledgerPath, within: 20)
            #expect(outcome?.status == 2, "\(jobs): \(outcome?.stderr ?? "did not finish within 20 s")")
            #expect(outcome?.stderr.contains("--jobs") == true, "\(jobs): \(outcome?.stderr ?? "")")
            try? FileManager.default.removeItem(atPath: scratch.path + "/demo")
        }
        let first = try cli.run(["demo", "--jobs", "8", "--dir", scratch.path + "/demo"])
        #expect(first.status == 0, "\(first.stderr)")
        // A second demo on that directory once waited for ever: give it 20 s.
        let second = try Self.run(["demo", "--jobs", "8", "--dir", scratch.path + "/demo"], ledger: cli.ledgerPath, within: 20)
        #expect(second?.status == 2, "the second demo did not finish within 20 s")
        #expect(second?.stderr.contains("exists") == true, "\(second?.stderr ?? "")")
    }

    /// Runs `jobledger` like ``CommandLineRunner/run(_:stdin:)``, but ends it
    /// and answers `nil` when it has not finished within `seconds`.
    static func run(_ arguments: [String], ledger: String, within seconds: Double) throws -> CommandLineRunner.Outcome? {
        let process = Process()
        guard let executable = CommandLineRunner.executable else { throw CommandLineRunner.RunnerError.executableNotFound }
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["JOBLEDGER_DB": ledger, "JOBLEDGER_NOSYNC": "1"]) { $1 }
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
        guard finished.wait(timeout: .now() + seconds) == .success else {
            process.terminate()
            process.waitUntilExit()
            return nil
        }
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        return CommandLineRunner.Outcome(status: process.terminationStatus, stdout: "", stderr: String(decoding: errData, as: UTF8.self))
    }
}
