import ArgumentParser

/// The `jobledger` command: operate, inspect, replay and export a job ledger.
@main
struct JobLedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobledger",
        abstract: "An event-sourced job ledger on LMDB.",
        discussion: """
            Every command takes --db PATH (default $JOBLEDGER_DB, else ./jobledger.db) and --json.
            Exit codes: 0 success, 2 bad input, 3 conflict retries exhausted, 4 not found,
            5 forbidden, 6 transition not allowed in the job's state, 1 anything else.
            """,
        subcommands: [
            Submit.self, Claim.self, Renew.self, Complete.self, Fail.self, AckCancel.self,
            Cancel.self, Kill.self, Retry.self, KillBatch.self, Sweep.self,
            Status.self, List.self, History.self, Report.self, Info.self, Rebuild.self,
            Demo.self,
        ]
    )
}
