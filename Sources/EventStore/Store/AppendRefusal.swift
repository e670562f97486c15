extension EventStoreOptions {
    /// Why a store opened with these options on a ledger at `location`
    /// must refuse every append, or `nil` when it may append: it was opened
    /// read-only, or without the projections the ledger keeps (`stored`,
    /// the projection version its tables were built by), which appending
    /// would leave stale. Every backend decides by this rule.
    package func appendRefusal(location: String, storedProjections stored: String?) -> EventStoreError? {
        if readOnly { return .readOnly(path: location, reason: "a store opened read-only does not append") }
        if projections.isEmpty, let stored, !stored.isEmpty {
            return .invalidAppend(
                reason: "the ledger keeps projections (\(stored)) that this store was not opened with; appending would leave them stale")
        }
        return nil
    }
}
