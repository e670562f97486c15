import EventStore
import Foundation

/// The stored form of a job in the `jobs` table: a compact binary record.
///
/// Every command reads a job and the writer rewrites one per event, so the
/// record is hand-encoded: JSON coding of the same struct cost two thirds
/// of the writer's time. Layout (format 1, integers big-endian): format
/// byte; id, type, owner, organisation, payload as 32-bit length + UTF-8;
/// batch, worker, result, error, stopRequestedBy, stopReason as a presence
/// byte + string; priority, maxAttempts, attempt, attemptBase as Int64;
/// state as its index; leaseUntil as a presence byte + milliseconds;
/// availableAt, submittedAt, updatedAt as milliseconds; version and
/// submission position as UInt64. Dates are whole milliseconds, the
/// precision every job date already has, so they round-trip exactly.
///
/// Format 2 is format 1 followed by what scheduling, timeouts and
/// dependencies add: runAt, timeout (milliseconds), deadline and the last
/// timed-out attempt, each as a presence byte + 64-bit value; then the
/// dependencies and the ones still waited for, each as a 32-bit count +
/// texts, and the tags likewise. A job that uses none of them is written in format 1, byte for
/// byte as before; both formats are read.
enum JobRecord {
    static let format: UInt8 = 1
    static let extendedFormat: UInt8 = 2

    struct DecodingError: Error, CustomStringConvertible {
        let description: String
    }

    static func encode(_ job: Job) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(160 + job.payload.utf8.count)
        let extended = job.runAt != nil || job.timeout != nil || job.deadline != nil || job.timedOutAttempt != nil
            || !job.dependencies.isEmpty || !job.waitingFor.isEmpty || !job.tags.isEmpty
        out.append(extended ? extendedFormat : format)
        for text in [job.id, job.type, job.owner, job.organisation, job.payload] { appendText(text, to: &out) }
        for text in [job.batch, job.worker, job.result, job.error, job.stopRequestedBy, job.stopReason] {
            if let text {
                out.append(1)
                appendText(text, to: &out)
            } else {
                out.append(0)
            }
        }
        for number in [job.priority, job.maxAttempts, job.attempt, job.attemptBase] {
            appendUInt64(UInt64(bitPattern: Int64(number)), to: &out)
        }
        out.append(UInt8(JobState.allCases.firstIndex(of: job.state)!))
        if let lease = job.leaseUntil {
            out.append(1)
            appendUInt64(UInt64(bitPattern: try millis(lease)), to: &out)
        } else {
            out.append(0)
        }
        for date in [job.availableAt, job.submittedAt, job.updatedAt] {
            appendUInt64(UInt64(bitPattern: try millis(date)), to: &out)
        }
        appendUInt64(job.version, to: &out)
        appendUInt64(job.submissionPosition, to: &out)
        guard extended else { return out }
        let optionals: [Int64?] = [
            try job.runAt.map(millis), job.timeout.map { Int64(($0 * 1000).rounded()) }, try job.deadline.map(millis),
            job.timedOutAttempt.map(Int64.init),
        ]
        for value in optionals {
            if let value {
                out.append(1)
                appendUInt64(UInt64(bitPattern: value), to: &out)
            } else {
                out.append(0)
            }
        }
        for list in [job.dependencies, job.waitingFor, job.tags] {
            withUnsafeBytes(of: UInt32(list.count).bigEndian) { out.append(contentsOf: $0) }
            for id in list { appendText(id, to: &out) }
        }
        return out
    }

    static func decode(_ bytes: [UInt8]) throws -> Job {
        var reader = Reader(bytes: bytes)
        let recordFormat = try reader.byte()
        guard recordFormat == format || recordFormat == extendedFormat else {
            throw DecodingError(description: "unknown job record format")
        }
        let id = try reader.text(), type = try reader.text(), owner = try reader.text()
        let organisation = try reader.text(), payload = try reader.text()
        var optionals: [String?] = []
        for _ in 0..<6 { optionals.append(try reader.byte() == 1 ? try reader.text() : nil) }
        var numbers: [Int] = []
        for _ in 0..<4 { numbers.append(Int(Int64(bitPattern: try reader.uint64()))) }
        let stateIndex = Int(try reader.byte())
        guard stateIndex < JobState.allCases.count else { throw DecodingError(description: "unknown state \(stateIndex)") }
        let lease: Date? = try reader.byte() == 1 ? try date(try reader.uint64()) : nil
        let availableAt = try date(try reader.uint64()), submittedAt = try date(try reader.uint64())
        let updatedAt = try date(try reader.uint64())
        let version = try reader.uint64(), submissionPosition = try reader.uint64()
        var job = Job(
            id: id, type: type, owner: owner, organisation: organisation, batch: optionals[0], payload: payload,
            priority: numbers[0], maxAttempts: numbers[1], attempt: numbers[2], attemptBase: numbers[3],
            state: JobState.allCases[stateIndex], worker: optionals[1], leaseUntil: lease, availableAt: availableAt,
            result: optionals[2], error: optionals[3], submittedAt: submittedAt, updatedAt: updatedAt,
            version: version, submissionPosition: submissionPosition, stopRequestedBy: optionals[4],
            stopReason: optionals[5])
        guard recordFormat == extendedFormat else { return job }
        var extras: [Int64?] = []
        for _ in 0..<4 { extras.append(try reader.byte() == 1 ? Int64(bitPattern: try reader.uint64()) : nil) }
        job.runAt = try extras[0].map { try date(UInt64(bitPattern: $0)) }
        job.timeout = extras[1].map { TimeInterval($0) / 1000 }
        job.deadline = try extras[2].map { try date(UInt64(bitPattern: $0)) }
        job.timedOutAttempt = extras[3].map { Int($0) }
        job.dependencies = try reader.texts()
        job.waitingFor = try reader.texts()
        job.tags = try reader.texts()
        return job
    }

    /// A job's date as stored; one outside ``LedgerTimeRange`` is refused
    /// rather than written (it would not read back).
    private static func millis(_ date: Date) throws -> Int64 {
        guard let millis = LedgerInstant.millis(date) else {
            throw DecodingError(description: "job date \(LedgerInstant.describe(date)) is outside \(LedgerTimeRange.description)")
        }
        return millis
    }

    /// A stored date; one outside ``LedgerTimeRange`` is damage.
    private static func date(_ bits: UInt64) throws -> Date {
        let millis = Int64(bitPattern: bits)
        guard LedgerTimeRange.millis.contains(millis) else {
            throw DecodingError(description: "stored job date \(millis) ms is outside \(LedgerTimeRange.description)")
        }
        return Date(timeIntervalSince1970: Double(millis) / 1000)
    }

    private static func appendText(_ text: String, to out: inout [UInt8]) {
        let utf8 = text.utf8
        withUnsafeBytes(of: UInt32(utf8.count).bigEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: utf8)
    }

    private static func appendUInt64(_ value: UInt64, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { out.append(contentsOf: $0) }
    }

    private struct Reader {
        let bytes: [UInt8]
        var offset = 0

        mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
            guard count >= 0, bytes.count - offset >= count else {
                throw DecodingError(description: "job record truncated at byte \(offset)")
            }
            defer { offset += count }
            return bytes[offset..<offset + count]
        }

        mutating func byte() throws -> UInt8 { try take(1).first! }
        mutating func uint64() throws -> UInt64 { try take(8).reduce(0) { ($0 << 8) | UInt64($1) } }
        mutating func texts() throws -> [String] {
            let count = Int(try take(4).reduce(UInt32(0)) { ($0 << 8) | UInt32($1) })
            guard count <= bytes.count - offset else { throw DecodingError(description: "job record truncated at byte \(offset)") }
            var texts: [String] = []
            for _ in 0..<count { texts.append(try text()) }
            return texts
        }

        mutating func text() throws -> String {
            let length = Int(try take(4).reduce(UInt32(0)) { ($0 << 8) | UInt32($1) })
            return String(decoding: try take(length), as: UTF8.self)
        }
    }
}
