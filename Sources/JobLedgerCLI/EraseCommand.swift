import ArgumentParser
import Foundation
import JobLedger

/// `jobledger erase`: destroys an owner's key of personal data.
struct Erase: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Erase an owner's personal data: destroy the owner's key, audited.",
        discussion: """
            From then on every read shows the owner's personal fields as {"$erased":true}; the log, \
            its positions, checksums and digest chain stay as they are and verify still passes. \
            Erasing again answers already_erased. Backups taken before still hold the key \
            (see Docs/Operations.md).
            Example: jobledger erase --owner alice --org acme --reason 'request 2026-114'
            """)

    @OptionGroup var ledger: LedgerOptions
    @Option(help: "The owner (a user id) whose personal data to erase.") var owner: String
    @Option(help: "The owner's organisation.") var org: String
    @Option(help: "Why, for the audit record.") var reason: String?

    func run() throws {
        try runReportingErrors {
            let jobs = try ledger.open(creating: false)
            let actor = Actor(id: localUser(), role: .system, organisation: "*")
            let result = try jobs.erase(owner: owner, organisation: org, by: actor, reason: reason)
            if ledger.json {
                Output.printJSON([
                    "owner": result.owner.id, "org": result.owner.organisation, "outcome": result.outcome.rawValue,
                    "position": result.position,
                ] as [String: Any])
                return
            }
            switch result.outcome {
            case .erased: print("erased: the personal data of \(result.owner)")
            case .alreadyErased: print("already erased: the personal data of \(result.owner)")
            case .noPersonalData: print("nothing to erase: \(result.owner) has no personal data")
            }
            print("recorded at position \(result.position)")
        }
    }
}
