import JobLedger

/// The gauges read from the ledger when `/metrics` is scraped.
enum MetricsSnapshot {
    static func record(_ state: ServerState) {
        let statistics = state.ledger.store.groupCommitStatistics
        state.metrics.gauge("jobledger_commits", Double(statistics.commits))
        state.metrics.gauge("jobledger_appends", Double(statistics.appends))
        state.metrics.gauge("jobledger_events_appended", Double(statistics.events))
        state.metrics.gauge("jobledger_appends_per_commit", statistics.averageAppendsPerCommit)
        // Races lost by commands: appends refused for a version conflict
        // (each re-decided), and the waits before a new try.
        state.metrics.gauge("jobledger_command_conflicts", Double(state.ledger.commandCounters.conflictCount))
        state.metrics.gauge("jobledger_command_backoffs", Double(state.ledger.commandCounters.backOffCount))
        state.metrics.gauge("jobledger_long_polls_waiting", Double(state.longPolls.inUse))
        state.metrics.gauge("jobledger_event_streams_open", Double(state.eventStreams.inUse))
        if let gauges = try? state.ledger.gauges() {
            for jobState in JobState.allCases {
                state.metrics.gauge("jobledger_jobs", Double(gauges.byState[jobState] ?? 0), [("state", jobState.rawValue)])
            }
            // A type whose queue emptied must read 0, not its last depth.
            for type in state.metrics.queueTypes(adding: gauges.pendingByType.keys) {
                state.metrics.gauge("jobledger_queue_depth", Double(gauges.pendingByType[type] ?? 0), [("type", type)])
            }
        }
        if let last = try? state.ledger.store.lastPosition() {
            state.metrics.gauge("jobledger_log_last_position", Double(last))
        }
    }
}
