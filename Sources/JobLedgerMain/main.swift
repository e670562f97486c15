import JobLedgerCLI

// The `jobledger` executable: everything it does lives in JobLedgerCLI.
await JobLedgerCommand.runAsExecutable()
