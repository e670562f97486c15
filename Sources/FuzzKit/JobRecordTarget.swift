import Foundation
import JobLedger

/// Stored job records (the projection's `jobs` table), read back as every
/// command and query reads them, and then used as the commands use them.
///
/// An input is the bytes of one record. Properties: the record decodes or
/// the reader throws; a decoded job has every date inside the ledger's
/// range, stores again to the same bytes and reads back equal; the numbers
/// derived from it and its index entries are computed without a trap; every
/// command decided on it either is refused or gives events that store and
/// read back the same, and that fold onto it without a trap.
struct JobRecordTarget: FuzzTarget {
    let name = "job-record"
    let maxInputLength = 4 << 10

    /// The instant the commands are decided at: inside the range, after
    /// every seed's dates.
    static let now = Date(timeIntervalSince1970: 1_900_000_000)

    static let commands: [JobCommand] = {
        let owner = Actor(id: "alice", role: .user, organisation: "acme")
        let admin = Actor(id: "root", role: .admin, organisation: "acme")
        var commands: [JobCommand] = [
            .claim(worker: "w9", lease: 30), .expireLease, .retry(actor: owner), .retry(actor: admin),
            .cancel(actor: owner, reason: "r"), .kill(actor: admin, reason: "r"),
        ]
        for worker in ["w1", "w2", "w3", "w4"] {
            for attempt in [1, 2, 3] {
                commands += [
                    .renewLease(worker: worker, attempt: attempt, lease: 30),
                    .complete(worker: worker, attempt: attempt, result: nil),
                    .fail(worker: worker, attempt: attempt, error: "e", retryable: true),
                    .fail(worker: worker, attempt: attempt, error: "e", retryable: false),
                    .acknowledgeCancel(worker: worker, attempt: attempt),
                ]
            }
        }
        return commands
    }()

    func mutate(_ input: inout [UInt8], corpus: [[UInt8]], using random: inout FuzzRandom) {
        // The numbers and dates sit in 8-byte fields near the end of a
        // record: put extreme values there more often than anywhere else.
        if random.oneIn(3), input.count > 80 {
            let offset = input.count - 8 * (2 + random.below(9)) - (random.oneIn(2) ? 1 : 0)
            let value = random.oneIn(2) ? random.pick(ByteMutator.interestingIntegers) : random.next()
            ByteMutator.putInteger(value, width: 8, bigEndian: true, in: &input, at: max(0, offset))
        } else {
            ByteMutator.mutate(&input, others: corpus, maxLength: maxInputLength, using: &random)
        }
    }

    func run(_ input: [UInt8]) throws(PropertyViolation) -> FuzzOutcome {
        let job: Job
        do {
            job = try JobRecordCodec.decode(input)
        } catch {
            return .refused(kind: ErrorKind.normalize(String(describing: error)))
        }
        for date in [job.leaseUntil, job.availableAt, job.submittedAt, job.updatedAt].compactMap({ $0 })
        where !JobRecordCodec.isStorable(date) {
            throw PropertyViolation("a record with the date \(date.timeIntervalSince1970) s was read as a job")
        }
        do {
            let stored = try JobRecordCodec.encode(job)
            guard try JobRecordCodec.decode(stored) == job else {
                throw PropertyViolation("job \(job.id) stored again reads back as another job")
            }
            guard try JobRecordCodec.encode(JobRecordCodec.decode(stored)) == stored else {
                throw PropertyViolation("job \(job.id) stored twice gives other bytes")
            }
        } catch let violation as PropertyViolation {
            throw violation
        } catch {
            throw PropertyViolation("job \(job.id) read back does not store again: \(error)")
        }
        // Derived numbers and index entries: no trap whatever the record holds.
        _ = (job.attemptsLeft, job.attemptsAllowed, RetryPolicy().delay(afterAttempt: job.attempt))
        _ = JobRecordCodec.indexEntries(of: job)
        var accepted = 0
        for command in Self.commands {
            guard case .accepted(let events, _) = JobDecider.decide(job, command, now: Self.now) else { continue }
            accepted += 1
            var folded: Job? = job
            for (offset, event) in events.enumerated() {
                try Self.checkStoredForm(of: event)
                folded = JobEvolver.evolve(
                    folded, event,
                    context: EventContext(position: 1_000 + UInt64(offset), version: job.version &+ 1, recordedAt: Self.now))
                if let folded { _ = JobRecordCodec.indexEntries(of: folded) }
            }
        }
        return accepted > 0 ? .accepted : .refused(kind: "no command applies in state \(job.state.rawValue)")
    }

    /// An event decided on a stored job stores and reads back the same.
    private static func checkStoredForm(of event: JobEvent) throws(PropertyViolation) {
        do {
            let payload = try PayloadCodec.encode(event)
            guard try PayloadCodec.decode(type: event.typeName, payload: payload) == event else {
                throw PropertyViolation("\(event.typeName) decided on a stored job reads back as another event")
            }
        } catch let violation as PropertyViolation {
            throw violation
        } catch {
            throw PropertyViolation("\(event.typeName) decided on a stored job does not read back: \(error)")
        }
    }
}
