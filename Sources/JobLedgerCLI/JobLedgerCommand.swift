import ArgumentParser
import Foundation
import JobLedger

/// The `jobledger` command: operate, inspect, replay and export a job ledger.
package struct JobLedgerCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "jobledger",
        abstract: "An event-sourced job ledger on LMDB.",
        discussion: """
            Every command takes --db PATH (default $JOBLEDGER_DB, else ./jobledger.db) and --json.
            Only submit and import create a ledger; reading commands open it read-only and never
            wait for a writer. Worker commands require the --attempt that claim printed.
            Exit codes: 0 success, 2 bad input, 3 conflict retries exhausted, 4 not found,
            5 forbidden, 6 not allowed in the job's state (or its id is taken by another
            submission), 7 ledger busy (every
            reader slot taken; try again), 1 anything else.
            Arguments must be valid UTF-8. Names (types, owners, organisations, actors,
            workers) are compared in Unicode NFC, whichever way they were typed. Tables
            and error messages show control characters escaped (\\n, \\u{1B}); --json
            gives the exact text.
            """,
        version: JobLedgerVersion.current,
        subcommands: [
            Submit.self, Claim.self, Renew.self, Complete.self, Fail.self, AckCancel.self,
            Cancel.self, Kill.self, Retry.self, KillBatch.self, Batch.self, Sweep.self, Queue.self, Schedule.self,
            Status.self, List.self, History.self, Events.self, Export.self, Import.self, Digest.self, Report.self, Info.self,
            Rebuild.self, Verify.self, Backup.self, Restore.self, Upgrade.self, Scavenge.self,
            Demo.self, Serve.self, Token.self, Erase.self,
        ]
    )

    /// The root command; the parser makes it.
    package init() {}
}
