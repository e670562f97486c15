import EventStore

extension BatchFigures {
    /// The batching between two snapshots of one store's statistics.
    init(workload: String, before: GroupCommitStatistics, after: GroupCommitStatistics) {
        let commits = after.commits - before.commits
        let appends = after.appends - before.appends
        self.init(
            workload: workload, commits: commits, appends: appends, events: after.events - before.events,
            averageAppendsPerCommit: commits == 0 ? 0 : Double(appends) / Double(commits),
            largestAppendsPerCommit: after.largestCommitAppends)
    }
}
