import Foundation
import JobLedger
import Logging

/// What every route shares: the ledger, the limits, the shutdown gate, the
/// metrics and the logger of one running server.
final class ServerState: Sendable {
    let ledger: JobLedger
    let configuration: ServerConfiguration
    let gate: ShutdownGate
    let metrics: ServerMetrics
    let logger: Logger
    let longPolls: ConcurrencyLimit
    let eventStreams: ConcurrencyLimit
    let claimWaker = ClaimWaker()
    let sessions: DashboardSessions

    init(ledger: JobLedger, configuration: ServerConfiguration, gate: ShutdownGate, metrics: ServerMetrics, logger: Logger) {
        self.ledger = ledger
        self.configuration = configuration
        self.gate = gate
        self.metrics = metrics
        self.logger = logger
        longPolls = ConcurrencyLimit(name: "long polls", maximum: configuration.limits.maxLongPolls)
        eventStreams = ConcurrencyLimit(name: "event streams", maximum: configuration.limits.maxEventStreams)
        sessions = DashboardSessions(settings: configuration.dashboard)
    }

    var limits: ServerLimits { configuration.limits }
}
