import Foundation
import JobLedger

/// The cost of personal fields: submits and reads of jobs whose payload
/// marks two of its four fields personal (each value sealed with AES-GCM
/// under the owner's key, and opened again on every read), against the
/// same jobs with no field personal, on two ledgers in the same run,
/// alternating in rounds so that drifts of the machine hit both alike.
///
/// Both ledgers commit without fsync: a durable commit's fsync (some
/// milliseconds) would hide the microseconds of the cipher, and the point
/// is the work personal fields add to the process.
enum PersonalFieldsWorkload {
    /// Jobs submitted on each side, and reads of them.
    struct Counts: Sendable {
        var jobs: Int
        var reads: Int
        var rounds: Int

        static func make(quick: Bool) -> Counts {
            quick ? Counts(jobs: 2_000, reads: 10_000, rounds: 4) : Counts(jobs: 20_000, reads: 100_000, rounds: 10)
        }
    }

    /// What the two sides measured, as figures with their ratios.
    static func run(plainPath: String, sealedPath: String, counts: Counts) throws -> (figures: [Figure], note: String) {
        var options = JobLedgerOptions()
        options.store = .noSync
        let plain = try JobLedger(path: plainPath, options: options)
        let sealed = try JobLedger(path: sealedPath, options: options)
        let owners = (0..<16).map { Actor(id: "user-\($0)", role: .user, organisation: "acme") }
        var submitted = [0, 0]
        var read = [0, 0]

        func submits(_ ledger: JobLedger, side: Int, personal: [String]) -> InterleavedRounds.Side {
            InterleavedRounds.Side(total: counts.jobs) { count in
                let stopwatch = Stopwatch()
                for _ in 0..<count {
                    let index = submitted[side]
                    submitted[side] += 1
                    _ = try ledger.submit(
                        JobSubmission(
                            id: "job-\(index)", type: "mail", payload: payload(index), personal: personal),
                        by: owners[index % owners.count])
                }
                return stopwatch.elapsedSeconds
            }
        }
        func reads(_ ledger: JobLedger, side: Int) -> InterleavedRounds.Side {
            InterleavedRounds.Side(total: counts.reads) { count in
                let stopwatch = Stopwatch()
                for _ in 0..<count {
                    let index = read[side] % counts.jobs
                    read[side] += 1
                    guard try ledger.job("job-\(index)")?.payload == payload(index) else {
                        throw BenchError.verification("job-\(index) read back with another payload")
                    }
                }
                return stopwatch.elapsedSeconds
            }
        }

        let submitTotals = try InterleavedRounds.run(
            rounds: counts.rounds,
            sides: [submits(plain, side: 0, personal: []), submits(sealed, side: 1, personal: ["email", "name"])])
        let readTotals = try InterleavedRounds.run(rounds: counts.rounds, sides: [reads(plain, side: 0), reads(sealed, side: 1)])
        let figures = [
            Figure(
                id: "submit-plain", workload: "submit, 1 client, no fsync, no personal field",
                value: submitTotals[0].rate, unit: "jobs/s"),
            Figure(
                id: "submit-personal", workload: "submit, 1 client, no fsync, 2 of 4 fields personal (AES-GCM)",
                value: submitTotals[1].rate, unit: "jobs/s", baselineID: "submit-plain"),
            Figure(
                id: "read-plain", workload: "job read by id, 1 client, no personal field",
                value: readTotals[0].rate, unit: "reads/s"),
            Figure(
                id: "read-personal", workload: "job read by id, 1 client, 2 of 4 fields personal, opened on each read",
                value: readTotals[1].rate, unit: "reads/s", baselineID: "read-plain"),
        ]
        let note = "personal: \(counts.jobs) jobs of \(owners.count) owners per side, \(counts.reads) reads per side, "
            + "alternating in \(counts.rounds) rounds; payload of \(payload(0).utf8.count) bytes"
        return (figures, note)
    }

    /// A payload of four fields, two of them (email, name) personal data.
    static func payload(_ index: Int) -> String {
        #"{"email":"user\#(index)@example.com","items":[1,2,3],"name":"User Number \#(index)","plan":"pro"}"#
    }
}
