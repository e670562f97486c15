// StoreProbe: the child process of the tests that run several real
// processes against one ledger directory.
//
// Commands (arguments after the executable name):
//
//   append <ledger> <processIndex> <count> [durable|nosync] [--wait-for-go]
//          [--map-size=<bytes>] [--until-stopped]
//       Appends `count` events one at a time, alternating between a shared
//       stream (`shared-0` ... `shared-3`, expected version `.any`) and the
//       process's own stream (`own-<processIndex>`, exact expected versions).
//       Prints one final line,
//       `done process=<i> events=<n> <stream>=<count>... growths=<map growths>`.
//       With `--wait-for-go` it first opens the ledger, prints `ready` and
//       waits for a line on standard input, so a parent can start several
//       children at the same moment. `--map-size` sets the initial map size,
//       so a test can make the processes grow the map while they append.
//       With `--until-stopped` it ignores `count` and appends until a line
//       `stop` (or the end of input) arrives on standard input.
//
//   big-appends <ledger> <transactions> <eventsPerTransaction>
//       Durable. Appends multi-stream transactions (2 or 3 streams each,
//       expected version `.any`). Every payload names its transaction number
//       and the number of events in that transaction. Numbering continues
//       after the last transaction already in the ledger (other processes
//       may append other events to the same ledger meanwhile). After each append
//       returns it prints `ack <txn> <firstPosition> <lastPosition>`.
//
//   append-slowly <ledger> <count> <delayMicros> [durable|nosync]
//       Appends `count` single-event appends (payload `{"seq":k}`) to
//       `slow-0` ... `slow-2`, sleeping `delayMicros` between them. Prints
//       `done <count>` at the end.
//
//   hold-snapshot <ledger>
//       Opens a read snapshot of the ledger and holds it, printing
//       `holding` once it is open, until a line `stop` (or the end of input)
//       arrives; then prints `released`. A test kills it with SIGKILL while
//       it holds the snapshot to leave a reader slot of a dead process.
//   hold-write <ledger>
//       Opens the ledger's LMDB environment with the ledger's writer lock
//       and holds a write transaction (the writer lock and LMDB's writer
//       mutex), printing `holding` once it is open, until a line `stop` (or
//       the end of input) arrives; then aborts it and prints `released`. A
//       test stops it with SIGSTOP meanwhile, as a stopped writer would be.
//   random-jobs <ledger> <seed> <jobs>
//       Opens the ledger as a job ledger with durable commits and runs random
//       job commands (RandomJobs.swift) on a moving window of `jobs` jobs
//       until `stop` (or the end of input) arrives on standard input. After
//       each command returns it prints its acknowledgement, one line of the
//       form `ack <action> <actor> <request|-> [<job>=<outcome>[@<version>]]...`
//       (CrashLoopAck). On `pause` it stops between two commands and prints
//       `paused`; `resume` lets it go on. Prints `done <commands>` at the end.
//
//   rebuild-projections <ledger> <version>
//       Opens the ledger with a versioned count projection of `version`, which
//       rebuilds the projections when another version built them, as a
//       newer build does; appends one event, prints
//       `rebuilt <stored projection version>` and exits
//       (ProjectionRebuild.swift).
//
//   pg-writers <url> <processIndex> <writers> <count> [--slow-every=N]
//       Appends from several threads to a ledger on PostgreSQL, printing
//       `ack <position>` after each append (PostgresWriters.swift).
//
//   submit-jobs <ledger> <prefix>
//       Opens the ledger as a job ledger without fsync and submits jobs
//       `<prefix>-0`, `<prefix>-1`, ... one at a time until `stop` (or the
//       end of input) arrives on standard input; prints `ready` once the
//       ledger is open and `done <jobs>` at the end.
//
//   fire-schedules <ledger> <startSeconds>
//       Opens the ledger as a job ledger without fsync, on a clock the
//       parent moves: for each line `tick <seconds>` it sets the clock,
//       fires the due recurring schedules and prints
//       `fired <seconds> <ids created, comma-separated, or ->`
//       (ScheduleFiring.swift).
//
// Output lines are written straight to the file descriptor, so a parent sees
// each line as soon as it is printed, even if the child is killed right
// after. Failures go to standard error with exit status 1; bad usage exits
// with 64. Every loop stops (exit status 3) when the parent process is gone,
// so a crashed test run leaves no children behind.

import EventStore
import Foundation
import JobLedger
import LMDB
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum Probe {
    static func run(_ arguments: [String]) -> Never {
        guard let command = arguments.first else { usage("no command given") }
        let parent = getppid()
        let rest = Array(arguments.dropFirst())
        do {
            switch command {
            case "append": try append(rest, parent: parent)
            case "big-appends": try bigAppends(rest, parent: parent)
            case "append-slowly": try appendSlowly(rest, parent: parent)
            case "hold-snapshot": try holdSnapshot(rest, parent: parent)
            case "hold-write": try holdWrite(rest, parent: parent)
            case "random-jobs": try randomJobs(rest, parent: parent)
            case "submit-jobs": try submitJobs(rest, parent: parent)
            case "fire-schedules": try fireSchedules(rest, parent: parent)
            case "pg-writers": try postgresWriters(rest, parent: parent)
            case "rebuild-projections": try rebuildProjections(rest)
            default: usage("unknown command '\(command)'")
            }
        } catch {
            fail("\(command) failed: \(error)")
        }
        exit(0)
    }

    // MARK: Commands

    static func append(_ arguments: [String], parent: pid_t) throws {
        guard arguments.count >= 3 else { usage("append <ledger> <processIndex> <count> [durable|nosync] [--wait-for-go] [--map-size=<bytes>] [--until-stopped]") }
        let path = arguments[0]
        let index = integer(arguments[1], "processIndex")
        let count = integer(arguments[2], "count")
        let flags = Set(arguments.dropFirst(3))
        var options = EventStoreOptions()
        options.durability = flags.contains("durable") ? .durable : .noSyncForTestsAndBenchmarks
        if let mapSize = flags.first(where: { $0.hasPrefix("--map-size=") }) {
            options.initialMapSize = integer(String(mapSize.dropFirst("--map-size=".count)), "--map-size")
        }
        let store = try EventStore.open(at: path, options: options)

        if flags.contains("--wait-for-go") {
            say("ready")
            guard readLine() != nil else { fail("standard input closed before the go signal", status: 3) }
        }
        let untilStopped = flags.contains("--until-stopped")
        if untilStopped { watchForStop() }

        let ownStream = "own-\(index)"
        var ownVersion = try store.streamVersion(ownStream)
        var counts: [String: Int] = [:]
        var sequence = 0
        while untilStopped ? !stopRequested.load(ordering: .acquiring) : sequence < count {
            defer { sequence += 1 }
            if sequence % 64 == 0 { stopIfOrphaned(parent) }
            let event = EventData(type: "ProbeAppended", json: #"{"process":\#(index),"seq":\#(sequence)}"#, actor: "probe-\(index)")
            if sequence % 2 == 0 {
                let shared = "shared-\((sequence / 2 + index) % 4)"
                _ = try store.append(to: shared, expectedVersion: .any, events: [event])
                counts[shared, default: 0] += 1
            } else {
                let result = try store.append(to: ownStream, expectedVersion: .exact(ownVersion), events: [event])
                guard result.streams[0].version == ownVersion + 1 else {
                    fail("\(ownStream) went from version \(ownVersion) to \(result.streams[0].version) in one event")
                }
                ownVersion += 1
                counts[ownStream, default: 0] += 1
            }
        }
        let perStream = counts.keys.sorted().map { "\($0)=\(counts[$0]!)" }.joined(separator: " ")
        say("done process=\(index) events=\(sequence) \(perStream) growths=\(store.mapGrowths)")
    }

    static func bigAppends(_ arguments: [String], parent: pid_t) throws {
        guard arguments.count == 3 else { usage("big-appends <ledger> <transactions> <eventsPerTransaction>") }
        let store = try open(arguments[0], durability: .durable)
        let transactions = integer(arguments[1], "transactions")
        let eventsPerTransaction = integer(arguments[2], "eventsPerTransaction")
        guard eventsPerTransaction >= 1 else { usage("eventsPerTransaction must be at least 1") }
        // Padding makes each transaction span several pages of the map.
        let padding = String(repeating: "p", count: 300)

        var transaction = try lastTransaction(in: store) + 1
        for _ in 0..<transactions {
            stopIfOrphaned(parent)
            let streamCount = 2 + transaction % 2
            var parts = [[EventData]](repeating: [], count: streamCount)
            for part in 0..<eventsPerTransaction {
                let json = #"{"txn":\#(transaction),"events":\#(eventsPerTransaction),"part":\#(part),"pad":"\#(padding)"}"#
                parts[part % streamCount].append(EventData(type: "LedgerEntry", json: json, actor: "probe"))
            }
            let appends = parts.enumerated().filter { !$0.element.isEmpty }.map { offset, events in
                // Offsets 0, 3 and 6 modulo 7 never collide within one transaction.
                StreamAppend(streamID: "account-\((transaction + offset * 3) % 7)", expectedVersion: .any, events: events)
            }
            let result = try store.append(appends)
            say("ack \(transaction) \(result.firstPosition) \(result.lastPosition)")
            transaction += 1
        }
        say("done \(transactions)")
    }

    static func appendSlowly(_ arguments: [String], parent: pid_t) throws {
        guard arguments.count >= 3 else { usage("append-slowly <ledger> <count> <delayMicros> [durable|nosync]") }
        let durability: EventStoreOptions.Durability =
            arguments.dropFirst(3).contains("durable") ? .durable : .noSyncForTestsAndBenchmarks
        let store = try open(arguments[0], durability: durability)
        let count = integer(arguments[1], "count")
        let delay = integer(arguments[2], "delayMicros")
        for sequence in 0..<count {
            if sequence % 64 == 0 { stopIfOrphaned(parent) }
            _ = try store.append(
                to: "slow-\(sequence % 3)", expectedVersion: .any,
                events: [EventData(type: "ProbeTicked", json: #"{"seq":\#(sequence)}"#, actor: "probe")])
            if delay > 0 { usleep(UInt32(delay)) }
        }
        say("done \(count)")
    }

    static func holdSnapshot(_ arguments: [String], parent: pid_t) throws {
        guard arguments.count == 1 else { usage("hold-snapshot <ledger>") }
        let store = try open(arguments[0], durability: .noSyncForTestsAndBenchmarks)
        watchForStop()
        try store.readProjections { _ in
            say("holding")
            while !stopRequested.load(ordering: .acquiring) {
                stopIfOrphaned(parent)
                usleep(10_000)
            }
        }
        say("released")
    }

    static func holdWrite(_ arguments: [String], parent: pid_t) throws {
        guard arguments.count == 1 else { usage("hold-write <ledger>") }
        var options = EnvironmentOptions()
        options.maxDatabases = 64
        options.writerLockFile = arguments[0] + "/writer.lock"
        let environment = try Environment(path: arguments[0], options: options)
        watchForStop()
        struct Release: Error {}
        do {
            try environment.write { _ in
                say("holding")
                while !stopRequested.load(ordering: .acquiring) {
                    stopIfOrphaned(parent)
                    usleep(10_000)
                }
                throw Release()  // abort: nothing to commit
            }
        } catch is Release {}
        say("released")
    }

    static func randomJobs(_ arguments: [String], parent: pid_t) throws {
        guard arguments.count == 3 else { usage("random-jobs <ledger> <seed> <jobs>") }
        var jobs = try RandomJobs(
            path: arguments[0], seed: UInt64(integer(arguments[1], "seed")), window: integer(arguments[2], "jobs"))
        let control = PauseControl.watchStandardInput()
        var commands = 0
        while control.proceed(announce: { say("paused") }) {
            if commands % 16 == 0 { stopIfOrphaned(parent) }
            say(try jobs.step().line)
            commands += 1
        }
        say("done \(commands)")
    }

    static func submitJobs(_ arguments: [String], parent: pid_t) throws {
        guard arguments.count == 2 else { usage("submit-jobs <ledger> <prefix>") }
        var options = JobLedgerOptions()
        options.store.durability = .noSyncForTestsAndBenchmarks
        let ledger = try JobLedger(path: arguments[0], options: options)
        let owner = Actor(id: "probe", role: .user, organisation: "probes")
        watchForStop()
        say("ready")
        var submitted = 0
        while !stopRequested.load(ordering: .acquiring) {
            if submitted % 64 == 0 { stopIfOrphaned(parent) }
            _ = try ledger.submit(JobSubmission(id: "\(arguments[1])-\(submitted)", type: "probe"), by: owner)
            submitted += 1
        }
        say("done \(submitted)")
    }
}

Probe.run(Array(CommandLine.arguments.dropFirst()))
