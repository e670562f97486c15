import EventStore
import Foundation
import LedgerWire

/// Figures about jobs over a time window, computed from the log and the
/// projection.
public typealias JobReport = JobReportFigures<JobState>

extension JobReportFigures where State == JobState {
    /// Every part of the report as a table.
    public var tables: [ReportTable] {
        func counts(_ title: String, _ name: String, _ values: [String: Int]) -> ReportTable {
            ReportTable(
                title: title, columns: [name, "jobs"],
                rows: values.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { [$0.key, "\($0.value)"] })
        }
        func percentiles(_ title: String, _ values: [String: Percentiles]) -> ReportTable {
            ReportTable(
                title: title, columns: ["type", "count", "p50 s", "p95 s", "p99 s"],
                rows: values.sorted { $0.key < $1.key }.map { type, p in
                    [type, "\(p.count)", Self.seconds(p.p50), Self.seconds(p.p95), Self.seconds(p.p99)]
                })
        }
        return [
            counts("Jobs by state", "state", byState),
            counts("Jobs by type", "type", byType),
            counts("Jobs by organisation", "organisation", byOrganisation),
            counts("Jobs by batch", "batch", byBatch),
            percentiles("Queue wait (submission or retry to claim)", queueWait),
            percentiles("Run time (claim to completion)", runTime),
            ReportTable(
                title: "Cancellations", columns: ["actor", "reason", "jobs", "median s to cancelled"],
                rows: cancellations.map { [$0.actor, $0.reason, "\($0.count)", Self.seconds($0.medianSecondsToCancelled)] }),
            ReportTable(
                title: "Top failure reasons", columns: ["reason", "failures"],
                rows: topFailureReasons.map { [$0.label, "\($0.count)"] }),
            ReportTable(
                title: "Attempts per finished job", columns: ["attempts", "jobs"],
                rows: attemptsPerJob.sorted { Int($0.key) ?? 0 < Int($1.key) ?? 0 }.map { [$0.key, "\($0.value)"] }),
            ReportTable(
                title: "Stuck jobs (lease passed)", columns: ["job", "state", "worker", "lease until"],
                rows: stuck.map { [$0.id, $0.state.rawValue, $0.worker ?? "", UTCTimestamp.text($0.leaseUntil)] }),
            ReportTable(
                title: "Throughput per hour", columns: ["hour", "submitted", "completed", "failed", "cancelled", "killed"],
                rows: throughput.map {
                    [UTCTimestamp.text($0.hour), "\($0.submitted)", "\($0.completed)", "\($0.failed)",
                     "\($0.cancelled)", "\($0.killed)"]
                }),
        ]
    }

    static func seconds(_ value: Double) -> String { String(format: "%.3f", value) }

    /// The report as JSON text, keys sorted, times ISO-8601.
    public func jsonText() throws -> String {
        String(decoding: try JSONCoding.encoder.encode(self), as: UTF8.self)
    }
}
