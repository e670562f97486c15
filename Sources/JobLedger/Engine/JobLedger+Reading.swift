extension JobLedger {
    /// Runs `body`, which reads the ledger through its blocking calls,
    /// without holding a thread of Swift's cooperative pool while a read
    /// waits: on a store whose reads are round trips to a database server,
    /// `body` runs on the ledger's own threads while the task is suspended;
    /// on LMDB, whose reads never wait on anything, it runs at once on the
    /// caller's thread.
    ///
    /// For servers: a request handler reads the ledger (a token check, a
    /// job, a page of a listing) through this, so that a few threads of
    /// the pool are never all parked on the database.
    public func reading<Answer: Sendable>(
        _ body: @escaping @Sendable (JobLedger) throws(JobLedgerError) -> Answer
    ) async throws(JobLedgerError) -> Answer {
        guard store.callsWaitOnNetwork else { return try body(self) }
        var ledger = self
        return try await DecideThreads.shared.run(&ledger) { (ledger) throws(JobLedgerError) in try body(ledger) }
    }
}
