import ArgumentParser
import Foundation
import JobLedger

struct Claim: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Claim the next available job.",
        discussion: """
            Prints the job with its attempt: the worker passes it as --attempt to renew, complete, fail \
            and ack-cancel. Refuses a missing ledger rather than create one.
            Example: jobledger claim --worker w1 --type email --lease 60
            """)

    @OptionGroup var ledger: LedgerOptions
    @Option(help: "Worker id.") var worker: String
    @Option(name: .customLong("type"), help: "Only jobs of this type (repeatable).") var types: [String] = []
    @Option(parsing: .unconditional, help: "Lease in seconds, more than 0 and at most 2592000 (30 days).") var lease: Double = 30

    func run() throws {
        try runReportingErrors {
            try checkLease(lease)
            let jobs = try ledger.open(creating: false)
            let job = try jobs.claim(worker: worker, types: types.isEmpty ? nil : Set(types), lease: lease)
            if ledger.json { Output.printJSON(["job": Output.job(job)]) } else {
                print(job.map(Output.jobDetail) ?? "no job available")
            }
        }
    }
}

/// The ledger, job and worker of a command that a worker runs on a job it
/// claimed; each command words its own `--attempt` after them.
struct WorkerJobArguments: ParsableArguments {
    @OptionGroup var ledger: LedgerOptions
    @Argument(help: "Job id.") var id: String
    @Option(help: "Worker id.") var worker: String

    /// Opens the ledger, runs `step` on it and prints the job it answers.
    func run(_ step: (JobLedger) throws -> Job) throws {
        try runReportingErrors {
            let jobs = try ledger.open(creating: false)
            Output.printJob(try step(jobs), json: ledger.json)
        }
    }
}

struct Renew: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Extend the lease of a claimed job; says whether a cancel was requested.",
        discussion: "Example: jobledger renew job-1 --worker w1 --attempt 1 --lease 60")

    @OptionGroup var job: WorkerJobArguments
    @Option(parsing: .unconditional, help: "The attempt being renewed, as the claim printed it.") var attempt: Int
    @Option(parsing: .unconditional, help: "Lease in seconds, more than 0 and at most 2592000 (30 days).") var lease: Double = 30

    func run() throws {
        try runReportingErrors {
            try checkLease(lease)
            let jobs = try job.ledger.open(creating: false)
            let renewal = try jobs.renewLease(job.id, worker: job.worker, attempt: attempt, lease: lease)
            if job.ledger.json {
                Output.printJSON(JobJSON.renew(renewal))
            } else {
                print(Output.jobDetail(renewal.job))
                if renewal.cancelRequested { print("cancel requested: stop and acknowledge") }
                if renewal.timedOut { print("timed out: the attempt is over; stop") }
            }
        }
    }
}

struct Complete: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Complete a claimed job.",
        discussion: #"Example: jobledger complete job-1 --worker w1 --attempt 1 --result '{"sent":true}'"#)

    @OptionGroup var job: WorkerJobArguments
    @Option(help: "The attempt being completed, as the claim printed it.") var attempt: Int
    @Option(help: "Result as JSON.") var result: String?

    func run() throws {
        try job.run { jobs in try jobs.complete(job.id, worker: job.worker, attempt: attempt, result: result) }
    }
}

struct Fail: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fail a claimed job's attempt.",
        discussion: "Example: jobledger fail job-1 --worker w1 --attempt 1 --error 'smtp down' --retryable")

    @OptionGroup var job: WorkerJobArguments
    @Option(help: "The attempt that failed, as the claim printed it.") var attempt: Int
    @Option(help: "Error message.") var error: String
    @Flag(help: "Retry when attempts are left.") var retryable = false

    func run() throws {
        try job.run { jobs in
            try jobs.fail(job.id, worker: job.worker, attempt: attempt, error: error, retryable: retryable)
        }
    }
}

struct AckCancel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ack-cancel",
        abstract: "Acknowledge a requested cancel: the job becomes cancelled.",
        discussion: "Example: jobledger ack-cancel job-1 --worker w1 --attempt 1")

    @OptionGroup var job: WorkerJobArguments
    @Option(help: "The attempt being stopped, as the claim printed it.") var attempt: Int

    func run() throws {
        try job.run { jobs in try jobs.acknowledgeCancel(job.id, worker: job.worker, attempt: attempt) }
    }
}
