import Foundation
import Hummingbird
import HummingbirdCore
import JobLedger
import Logging
import NIOCore
import ServiceLifecycle

/// The ledger over HTTP: builds the router and the application, and runs
/// it until SIGTERM or SIGINT.
///
/// Shutdown, in order: waiting claims answer 204 and event streams end
/// (the ``ShutdownGate`` closes first), the listener stops accepting and
/// requests in flight finish, the lease sweeper stops; the caller then
/// drops the ledger, which closes it.
public struct LedgerServer: Sendable {
    let state: ServerState

    /// A server for `ledger`.
    public init(ledger: JobLedger, configuration: ServerConfiguration, logger: Logger = Logger(label: "jobledger.serve")) {
        state = ServerState(
            ledger: ledger, configuration: configuration, gate: ShutdownGate(), metrics: ServerMetrics(), logger: logger)
    }

    /// The gate that shutdown closes; tests close it to end long polls.
    public var shutdownGate: ShutdownGate { state.gate }

    /// Every route of the API, and the dashboard at the root.
    public func buildRouter() -> Router<LedgerRequestContext> {
        let router = Router(context: LedgerRequestContext.self)
        router.add(middleware: RequestLogMiddleware(state: state))
        HealthRoutes(state: state).register(on: router)
        let api = router.group("v1")
        OpenAPIRoute.register(on: api)
        let authenticated = api.group().add(middleware: BearerTokenMiddleware(ledger: state.ledger))
        JobRoutes(state: state).register(on: authenticated)
        BatchRoutes(state: state).register(on: authenticated)
        WorkerRoutes(state: state).register(on: authenticated)
        SettlementRoutes(state: state).register(on: authenticated)
        EventRoutes(state: state).register(on: authenticated)
        QueueRoutes(state: state).register(on: authenticated)
        ScheduleRoutes(state: state).register(on: authenticated)
        ErasureRoutes(state: state).register(on: authenticated)
        DashboardRoutes(state: state, sessions: state.sessions).register(on: router)
        return router
    }

    /// The Hummingbird application, with the limits of the configuration.
    /// `onListening` gets the host and the port actually bound.
    public func makeApplication(
        onListening: @escaping @Sendable (String, Int) async -> Void = { _, _ in }
    ) -> some ApplicationProtocol {
        let limits = state.limits
        let host = state.configuration.host
        return Application(
            router: buildRouter(),
            server: .http1(configuration: .init(
                idleTimeout: TimeAmount.nanoseconds(ServerMetrics.nanoseconds(limits.idleTimeout)),
                httpDecoderConfiguration: .init(
                    maxHeaderFieldSize: limits.maxHeaderBytes, maxHeaderListSize: limits.maxHeaderBytes * 4,
                    maxHeaderFieldCount: 100))),
            configuration: .init(address: .hostname(host, port: state.configuration.port), serverName: "jobledger"),
            onServerRunning: { channel in
                await onListening(host, channel.localAddress?.port ?? 0)
            },
            logger: state.logger)
    }

    /// Runs until SIGTERM or SIGINT, then shuts down gracefully.
    public func run(onListening: @escaping @Sendable (String, Int) async -> Void) async throws {
        let app = makeApplication(onListening: onListening)
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: app),
                    .init(service: LeaseSweeper(state: state)),
                    .init(service: ClaimWakerService(state: state)),
                    // Last in, first out: the gate closes before the server drains.
                    .init(service: ShutdownGateService(gate: state.gate)),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: state.logger))
        try await group.run()
    }
}

/// Closes the gate when graceful shutdown begins, so that long polls and
/// event streams end before the server waits for requests in flight.
struct ShutdownGateService: Service {
    let gate: ShutdownGate

    func run() async throws {
        try? await gracefulShutdown()
        gate.close()
    }
}

/// Expires ended leases every sweep interval, as the system, and submits
/// the jobs of recurring schedules that came due.
struct LeaseSweeper: Service {
    let state: ServerState

    func run() async throws {
        let ledger = state.ledger
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await Task.sleep(for: state.configuration.sweepInterval)
            if Task.isShuttingDownGracefully || Task.isCancelled { break }
            do {
                let expired = try await ledger.expireLeases()
                if !expired.isEmpty { state.metrics.leasesExpired(expired.count) }
            } catch {
                state.logger.warning("lease sweep failed", metadata: ["error": "\(error)"])
            }
            do {
                // What a stopped process left of the news of ended jobs.
                try await ledger.resolveDependencies()
            } catch {
                state.logger.warning("dependency sweep failed", metadata: ["error": "\(error)"])
            }
            do {
                // What a stopped process left of the follow-ups of ended batches.
                try await ledger.enqueueBatchFollowUps()
            } catch {
                state.logger.warning("batch follow-up sweep failed", metadata: ["error": "\(error)"])
            }
            do {
                // Every server fires every schedule: each occurrence is one job id.
                try await ledger.fireDueSchedules()
            } catch {
                state.logger.warning("schedule firing failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
