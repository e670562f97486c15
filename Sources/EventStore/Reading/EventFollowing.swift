/// Following the log: what has been stored, then what is committed next,
/// with nothing skipped and nothing twice.
///
/// The only state a follower keeps is the next position it owes. Each round
/// reads the last stored position, writes everything from the owed position
/// through it, and owes the one after: since positions are dense and a
/// commit is seen whole or not at all, every later snapshot holds every
/// position up to the one read. Commit notifications only end a wait early;
/// a commit of another process, which notifies no one here, is found by the
/// next poll. The generation is read before the log, so a commit between the
/// read and the wait ends the wait at once.
extension EventStore {
    /// Writes the selected events, then keeps writing the ones committed
    /// later, in position order, until the task is cancelled or, with a
    /// ``ExportSelection/toPosition``, that position has been written.
    ///
    /// The text is that of ``exportEvents(format:selection:write:)``: JSON
    /// Lines, or CSV with one header. `write` is called between read
    /// snapshots, never inside one. Damaged events end the follow with
    /// ``EventStoreError/checksumMismatch(position:stream:stored:computed:)``.
    ///
    /// - Parameter pollInterval: how often to look for events committed by
    ///   other processes; this process's own commits are written at once.
    /// - Returns: The number of events written.
    @discardableResult
    public func followEvents(
        format: ExportFormat = .jsonLines, selection: ExportSelection = .all,
        pollInterval: Duration = .milliseconds(20), write: (UnsafeRawBufferPointer) throws -> Void
    ) async throws -> Int {
        try await Self.follow(
            format: format, selection: selection, pollInterval: pollInterval, notifier: notifier,
            lastPosition: { () throws(EventStoreError) in try lastPosition() }
        ) { first, end, header in
            Int(try exportEvents(
                format: format, selection: selection, from: first, through: end, header: header,
                verifyingChecksums: true, write: write).count)
        }
    }
}

extension EventStore {
    /// The follower's loop, for every backend: `lastPosition` reads the
    /// last committed position, `export` writes the selected events from a
    /// position through another (with the CSV header first when asked) and
    /// returns how many it wrote, and `notifier` ends waits early on this
    /// process's commits.
    package static func follow(
        format: ExportFormat, selection: ExportSelection, pollInterval: Duration, notifier: CommitNotifier,
        lastPosition: () throws(EventStoreError) -> UInt64,
        export: (_ first: UInt64, _ end: UInt64, _ header: Bool) throws -> Int
    ) async throws -> Int {
        let last = selection.toPosition ?? .max
        var owed = max(selection.fromPosition, 1)
        var header = format == .csv
        var written = 0
        while !Task.isCancelled && owed <= last {
            let generation = notifier.generation
            let end = min(last, try lastPosition())
            if end >= owed || header {
                written += try export(owed, end, header)
                header = false
            }
            if end >= owed {
                guard end < .max else { break }  // nothing can follow the last possible position
                owed = end + 1
                continue
            }
            await notifier.wait(after: generation, timeout: pollInterval)
        }
        return written
    }
}
