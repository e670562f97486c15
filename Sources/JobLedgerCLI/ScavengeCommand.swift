import ArgumentParser
import Foundation
import JobLedger

/// `jobledger scavenge`: moves the events the retention policies release
/// into an archive file.
struct Scavenge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Move the events of ended jobs that their type's retention policy releases into an archive file.",
        discussion: """
            Only types with a policy (`jobledger queue retain TYPE --after PERIOD`) are scavenged. The archive \\
            is a chained JSON Lines export of the jobs' events and audit entries; the live ledger keeps each \\
            job's record (payload included) in a snapshot, the positions of the moved events, and the archive's digest. \\
            `history ID --archive FILE` shows an archived job's whole history; `verify --archive FILE` \\
            proves the archive against the ledger. Space is given back by a compacting backup swapped in \\
            (Docs/Operations.md). Runs on the embedded LMDB ledger.
            Example: jobledger scavenge --archive /srv/archive/jobs-2026-12.jsonl
            """)

    @OptionGroup var ledger: LedgerOptions
    @Option(help: "The archive file to write; it must not exist.") var archive: String
    @Option(help: "At most this many jobs in one archive (default 10000).") var limit: Int = 10_000

    func run() throws {
        try runReportingErrors {
            let jobs = try ledger.open(creating: false)
            let actor = Actor(id: localUser(), role: .system, organisation: "*")
            let report = try jobs.scavenge(archivePath: archive, by: actor, limit: limit)
            if ledger.json {
                Output.printJSON([
                    "archive": report.archivePath.orNull, "jobs": report.jobs, "events": report.events,
                    "archiveEvents": report.archiveEvents, "parts": report.parts, "jobsLeftLive": report.jobsLeftLive,
                    "jobsTooLarge": report.jobsTooLarge,
                    "digest": report.archiveDigest.orNull, "position": report.recordPosition.orNull,
                    "moreDue": report.moreDue, "policies": report.policies,
                ] as [String: Any])
                return
            }
            if report.policies.isEmpty {
                print("nothing scavenged: no job type has a retention policy")
            } else if report.jobs == 0 {
                print("nothing scavenged: no ended job is past its type's retention period")
            } else {
                print("archived \(report.jobs) jobs, \(report.events) events, into \(report.archivePath ?? "") in \(report.parts) parts")
                if report.jobsLeftLive > 0 {
                    print("\(report.jobsLeftLive) jobs moved meanwhile and stayed live (their lines in the archive are copies)")
                }
                print("archive digest \(report.archiveDigest ?? "")")
                print("last part recorded at position \(report.recordPosition ?? 0)")
                if report.jobsTooLarge > 0 {
                    print("\(report.jobsTooLarge) due jobs stayed live: their payload is too large for a snapshot")
                }
                if report.moreDue { print("more jobs are due: run scavenge again with a new archive") }
            }
        }
    }
}
