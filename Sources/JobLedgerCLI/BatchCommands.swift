import ArgumentParser
import Foundation
import JobLedger

/// `jobledger batch`: what a batch does once all of its jobs have ended.
struct Batch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A batch's follow-up job: enqueued once every job of the batch has ended.",
        subcommands: [BatchThen.self, BatchShow.self])
}

struct BatchThen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "then",
        abstract: "Name the job to enqueue once every job of the batch has ended (completed, failed, cancelled or killed).",
        discussion: #"""
            The follow-up is submitted by the actor, under the id then:<batch>, with the payload
            {"batch": ID, "outcomes": {JOB: STATE, ...}, "payload": PAYLOAD}. Only jobs of the actor's
            organisation make up the batch. If every job has ended already, it is enqueued at once.
            A batch names one follow-up: the same declaration again prints "exists".
            Example: jobledger batch then nightly --type summary --payload '{"to":"ops"}' --actor alice --org acme
            """#)

    @OptionGroup var ledger: LedgerOptions
    @Argument(help: "Batch id.") var batch: String
    @Option(help: "The follow-up's type.") var type: String
    @Option(help: "Input as JSON, carried under \"payload\".") var payload: String = "{}"
    @Option(parsing: .unconditional, help: "Higher runs first.") var priority: Int = 0
    @Option(parsing: .unconditional, help: "Attempts before the follow-up fails for good.") var maxAttempts: Int = 3
    @Option(parsing: .unconditional, help: "Longest run of an attempt in seconds.") var timeout: Double?
    @Option(help: "A label (repeat for several).") var tag: [String] = []
    @OptionGroup var actor: ActorOptions

    func run() throws {
        try runReportingErrors {
            let jobs = try ledger.open(creating: false)
            let submission = JobSubmission(
                type: type, payload: payload, priority: priority, maxAttempts: maxAttempts, timeout: timeout, tags: tag)
            let answer = try jobs.declareFollowUp(ofBatch: batch, submission, by: actor.value)
            if ledger.json {
                Output.printJSON(Self.json(answer))
            } else {
                print(answer.declared ? "declared" : "exists")
                print("follow-up: \(answer.followUp.jobID) (type \(TerminalText.escaped(answer.followUp.type)))")
                if let job = answer.job { print(Output.jobDetail(job)) } else { print("waiting for the batch's jobs to end") }
            }
        }
    }

    static func json(_ answer: FollowUpDeclaration) -> [String: Any] {
        ["declared": answer.declared, "followUp": JobJSON.followUp(answer.followUp), "job": JobJSON.job(answer.job)]
    }
}

struct BatchShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show the follow-up a batch names, and its job once enqueued.")

    @OptionGroup var ledger: LedgerOptions
    @Argument(help: "Batch id.") var batch: String

    func run() throws {
        try runReportingErrors {
            let jobs = try ledger.open(creating: false)
            guard let followUp = try jobs.followUp(ofBatch: batch) else { throw CLIError.noFollowUp(batch) }
            let job = try jobs.job(followUp.jobID)
            if ledger.json {
                Output.printJSON(["followUp": JobJSON.followUp(followUp), "job": JobJSON.job(job)])
            } else {
                print("follow-up: \(followUp.jobID) (type \(TerminalText.escaped(followUp.type)), owner \(TerminalText.escaped(followUp.owner)))")
                if let job { print(Output.jobDetail(job)) } else { print("waiting for the batch's jobs to end") }
            }
        }
    }

}
