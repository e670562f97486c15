import EventStore
import Foundation
import PostgresEventStore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

extension Probe {
    /// `pg-writers <url> <processIndex> <writers> <count> [--slow-every=N]`:
    /// opens the PostgreSQL ledger at `url` and runs `writers` threads that
    /// each append `count` events one at a time, alternately to a stream of
    /// their own (exact expected versions) and to `shared-0` ... `shared-3`.
    /// After each append returns it prints `ack <position>`; `done <events>`
    /// at the end. With `--slow-every`, every Nth event of the process is
    /// held for 200 ms inside its append transaction, holding the head row
    /// (and the position it will take) meanwhile.
    static func postgresWriters(_ arguments: [String], parent: pid_t) throws {
        guard arguments.count >= 4 else { usage("pg-writers <url> <processIndex> <writers> <count> [--slow-every=N]") }
        let index = integer(arguments[1], "processIndex")
        let writers = integer(arguments[2], "writers")
        let count = integer(arguments[3], "count")
        let slowEvery = arguments.dropFirst(4).first { $0.hasPrefix("--slow-every=") }
            .map { integer(String($0.dropFirst("--slow-every=".count)), "--slow-every") }
        var options = EventStoreOptions()
        if let slowEvery { options.projections = [SlowTransactionProjection(process: index, every: slowEvery)] }
        let store = try PostgresEventStore.open(url: arguments[0], options: options)
        let failures = Mutex<[String]>([])
        let done = DispatchGroup()
        for writer in 0..<writers {
            done.enter()
            Thread {
                defer { done.leave() }
                let own = "p\(index)-w\(writer)"
                var version: UInt64 = 0
                for sequence in 0..<count {
                    if sequence % 16 == 0 { stopIfOrphaned(parent) }
                    let event = EventData(
                        type: "ProbeAppended", json: #"{"process":\#(index),"writer":\#(writer),"seq":\#(sequence)}"#)
                    do {
                        let result: AppendResult
                        if sequence % 2 == 0 {
                            result = try store.append(to: own, expectedVersion: .exact(version), events: [event])
                            version += 1
                        } else {
                            result = try store.append(to: "shared-\(sequence % 4)", expectedVersion: .any, events: [event])
                        }
                        say("ack \(result.streams[0].positions[0])")
                    } catch {
                        failures.withLock { $0.append("\(own) #\(sequence): \(error)") }
                        return
                    }
                }
            }.start()
        }
        done.wait()
        if let failure = failures.withLock({ $0.first }) { fail(failure) }
        say("done \(writers * count)")
    }
}

/// A projection that only sleeps: 200 ms on every `every`th event of its
/// process, inside the append's transaction.
private struct SlowTransactionProjection: Projection {
    let process: Int
    let every: Int
    var tables: [ProjectionTable] { [] }
    var version: Int { 1 }

    func apply(_ event: RecordedEvent, to tables: borrowing ProjectionWriter) throws {
        guard event.payloadString.contains(#""process":\#(process),"#),
              let range = event.payloadString.range(of: #""seq":"#),
              let sequence = Int(event.payloadString[range.upperBound...].prefix { $0.isNumber }),
              sequence % every == 0
        else { return }
        usleep(200_000)
    }
}
