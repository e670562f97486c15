import Foundation

/// What a timed phase against the servers cost: wall time, CPU shares,
/// write transactions and all committed transactions of the database.
/// ``start(_:servers:)`` reads the counters at the start; ``finish()``,
/// called once the servers have stopped (so that their backends have
/// reported their statistics), reads them again.
struct PhaseMeter {
    private let probe: ClusterProbe
    private let servers: ServerGroup
    private let before: ClusterProbe.Reading
    private let serverCPU: [Double]
    private let clusterCPU: Double
    private var clusterCPUAfter = 0.0
    private let ownCPU: ProcessCPU
    private let stopwatch: Stopwatch
    private var seconds = 0.0
    private var serverCPUAfter: [Double] = []
    private var ownCPUAfter: ProcessCPU?

    /// What the phase cost.
    struct Cost {
        var seconds: Double
        var writeTransactions: Int
        var commits: Int
        var cpu: CPUShares
    }

    /// Reads the counters now and starts the clock.
    init(_ probe: ClusterProbe, servers: ServerGroup) throws {
        self.probe = probe
        self.servers = servers
        before = try probe.read()
        serverCPU = servers.cpuSeconds()
        clusterCPU = probe.cpuSeconds()
        ownCPU = ProcessCPU.now()
        stopwatch = Stopwatch()
    }

    /// Stops the clock and reads the servers' CPU, before they are stopped.
    mutating func stopClock() {
        seconds = stopwatch.elapsedSeconds
        serverCPUAfter = servers.cpuSeconds()
        clusterCPUAfter = probe.cpuSeconds()
        ownCPUAfter = ProcessCPU.now()
    }

    /// Reads the cluster's counters again, after the servers stopped.
    func finish() throws -> Cost {
        // Backends report their statistics as they exit; give them a moment.
        Thread.sleep(forTimeInterval: 1)
        let after = try probe.read()
        let own = ownCPUAfter ?? ProcessCPU.now()
        return Cost(
            seconds: seconds, writeTransactions: after.transactionIDs - before.transactionIDs,
            commits: after.commits - before.commits,
            cpu: CPUShares(
                servers: serverCPU, serverCPUAfter, cluster: clusterCPUAfter - clusterCPU,
                benchmark: own.user + own.system - ownCPU.user - ownCPU.system, seconds: seconds))
    }
}
