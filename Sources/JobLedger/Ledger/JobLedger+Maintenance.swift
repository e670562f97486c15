import EventStore
import Foundation

/// One disagreement between the live job projection and a replay of the log.
public struct ProjectionMismatch: Sendable, Hashable, CustomStringConvertible {
    /// The job concerned (for index entries, the id found in the key).
    public let jobID: String
    /// The field that differs, or `index:<table>` for an index entry.
    public let field: String
    /// The live value, as JSON text; `nil` when missing.
    public let live: String?
    /// The replayed value, as JSON text; `nil` when missing.
    public let replayed: String?

    /// Creates a mismatch record.
    public init(jobID: String, field: String, live: String?, replayed: String?) {
        self.jobID = jobID
        self.field = field
        self.live = live
        self.replayed = replayed
    }

    /// `job j1: state live "running", replayed "completed"`.
    public var description: String {
        "job \(jobID): \(field) live \(live ?? "(missing)"), replayed \(replayed ?? "(missing)")"
    }
}

extension JobLedger {
    /// Drops the job projection and rebuilds it from the whole log.
    @discardableResult
    public func rebuildProjections(progress: ((UInt64) -> Void)? = nil) throws(JobLedgerError) -> RebuildReport {
        do { return try store.rebuildProjections(progress: progress) } catch { throw .store(error) }
    }

    /// Replays the log into scratch tables and reports every field where
    /// the live projection differs; empty when they agree.
    public func verifyProjections() throws(JobLedgerError) -> [ProjectionMismatch] {
        let differences: [ProjectionDifference]
        do { differences = try store.verifyProjections() } catch { throw .store(error) }
        return differences.flatMap(Self.mismatches)
    }

    private static func mismatches(_ difference: ProjectionDifference) -> [ProjectionMismatch] {
        guard difference.table == JobTables.jobs.name else {
            let key = difference.key.map { String(format: "%02x", $0) }.joined()
            return [ProjectionMismatch(
                jobID: String(decoding: difference.key.filter { (0x20...0x7e).contains($0) }, as: UTF8.self),
                field: "index:\(difference.table)",
                live: difference.live.map { _ in key }, replayed: difference.replayed.map { _ in key })]
        }
        let jobID = String(decoding: difference.key, as: UTF8.self)
        let live = difference.live.flatMap(fields)
        let replayed = difference.replayed.flatMap(fields)
        guard let live, let replayed else {
            return [ProjectionMismatch(
                jobID: jobID, field: "(record)", live: difference.live.map { String(decoding: $0, as: UTF8.self) },
                replayed: difference.replayed.map { String(decoding: $0, as: UTF8.self) })]
        }
        return Set(live.keys).union(replayed.keys).sorted().compactMap { field in
            live[field] == replayed[field]
                ? nil : ProjectionMismatch(jobID: jobID, field: field, live: live[field], replayed: replayed[field])
        }
    }

    /// The top-level fields of a stored job, each as compact JSON text.
    private static func fields(_ bytes: [UInt8]) -> [String: String]? {
        guard let job = try? JobRecord.decode(bytes), let json = try? JSONCoding.encoder.encode(job),
              let object = try? JSONSerialization.jsonObject(with: json) as? [String: Any] else { return nil }
        var result: [String: String] = [:]
        for (key, value) in object {
            let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys])
            result[key] = data.map { String(decoding: $0, as: UTF8.self) } ?? "\(value)"
        }
        return result
    }
}
