import CoreMetrics
import Foundation
import JobLedger
import Metrics
import Prometheus
import Synchronization

/// The server's metrics, recorded through swift-metrics into a Prometheus
/// registry of this server's own (no process-wide bootstrap, so several
/// servers, as in the tests, keep apart).
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let seenQueueTypes = Mutex<Set<String>>([])

    init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        let buckets: [Duration] = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
            .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
            .milliseconds(500), .seconds(1), .seconds(5), .seconds(30),
        ]
        factory.defaultDurationHistogramBuckets = buckets
        self.factory = factory
    }

    /// One answered request. The counter and timer of each route, method
    /// and status are made once and kept, so a request does not look them
    /// up in the registry.
    func request(route: String, method: String, status: Int, duration: Duration) {
        let key = RequestKey(route: route, method: method, status: status)
        let handles = requestHandles.withLock { handles in
            if let existing = handles[key] { return existing }
            let made = (
                Counter(
                    label: "jobledger_http_requests_total",
                    dimensions: [("route", route), ("method", method), ("status", String(status))], factory: factory),
                Timer(
                    label: "jobledger_http_request_duration_seconds", dimensions: [("route", route), ("method", method)],
                    factory: factory))
            handles[key] = made
            return made
        }
        handles.0.increment()
        handles.1.recordNanoseconds(Self.nanoseconds(duration))
    }

    private struct RequestKey: Hashable {
        let route: String
        let method: String
        let status: Int
    }

    private let requestHandles = Mutex<[RequestKey: (CoreMetrics.Counter, CoreMetrics.Timer)]>([:])

    /// One ledger command's append, from the call to its durable answer.
    func command(_ name: String, duration: Duration) {
        Timer(label: "jobledger_commit_latency_seconds", dimensions: [("command", name)], factory: factory)
            .recordNanoseconds(Self.nanoseconds(duration))
    }

    /// How long a claim waited before it got a job (or gave up).
    func claimWait(_ duration: Duration, claimed: Bool) {
        Timer(label: "jobledger_claim_wait_seconds", dimensions: [("claimed", claimed ? "true" : "false")], factory: factory)
            .recordNanoseconds(Self.nanoseconds(duration))
    }

    /// Leases the sweeper expired.
    func leasesExpired(_ count: Int) {
        Counter(label: "jobledger_lease_expiries_total", factory: factory).increment(by: count)
    }

    /// Requests refused because a limit was reached.
    func refusedOverLimit(_ limit: String) {
        Counter(label: "jobledger_http_refused_over_limit_total", dimensions: [("limit", limit)], factory: factory).increment()
    }

    /// Sets the gauges read from the ledger at scrape time.
    func gauge(_ label: String, _ value: Double, _ dimensions: [(String, String)] = []) {
        Gauge(label: label, dimensions: dimensions, factory: factory).record(value)
    }

    /// Every job type whose queue depth was ever reported, with `types` added.
    func queueTypes(adding types: some Sequence<String>) -> [String] {
        seenQueueTypes.withLock { seen in
            seen.formUnion(types)
            return seen.sorted()
        }
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
