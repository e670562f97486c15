import ArgumentParser
import Foundation

/// The `jobledger` command: operate, inspect, replay and export a job ledger.
@main
struct JobLedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobledger",
        abstract: "An event-sourced job ledger on LMDB.",
        discussion: """
            Every command takes --db PATH (default $JOBLEDGER_DB, else ./jobledger.db) and --json.
            Exit codes: 0 success, 2 bad input, 3 conflict retries exhausted, 4 not found,
            5 forbidden, 6 transition not allowed in the job's state, 7 ledger busy (every
            reader slot taken; try again), 1 anything else.
            """,
        subcommands: [
            Submit.self, Claim.self, Renew.self, Complete.self, Fail.self, AckCancel.self,
            Cancel.self, Kill.self, Retry.self, KillBatch.self, Sweep.self,
            Status.self, List.self, History.self, Events.self, Export.self, Import.self, Report.self, Info.self,
            Rebuild.self, Verify.self,
            Demo.self, Serve.self, Token.self,
        ]
    )

    /// Runs the command, mapping usage and validation errors to exit code 2
    /// (the parser's own convention would be 64).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
