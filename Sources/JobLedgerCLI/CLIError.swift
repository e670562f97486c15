import ArgumentParser
import EventStore
import Foundation
import JobLedger

/// Errors of the command line, each with its exit code.
package enum CLIError: Error, CustomStringConvertible {
    case missingLedger(String)
    case ledger(JobLedgerError)
    case outcome(JobOutcome, String)
    case badInput(String)
    case noSuchBatch(String)
    case noFollowUp(String)
    case batchForbidden(String, jobs: Int)
    case missingExecutable(String, product: String, reason: String? = nil)
    /// The command's output could not be written (a full disk, a closed pipe).
    case output(String)

    package var description: String {
        switch self {
        case .missingLedger(let path): return "no ledger at '\(path)' (give --db or set JOBLEDGER_DB)"
        case .ledger(let error): return error.description
        case .outcome(let outcome, let job): return "job '\(job)': \(outcome.rawValue)"
        case .badInput(let message): return message
        case .output(let message): return message
        case .noSuchBatch(let batch): return "batch '\(batch)' has no jobs"
        case .noFollowUp(let batch): return "batch '\(batch)' names no follow-up job"
        case let .batchForbidden(batch, jobs): return "the actor may not kill any of the \(jobs) jobs of batch '\(batch)'"
        case let .missingExecutable(path, product, reason?):
            return "cannot run \(path): \(reason) (build it with: swift build -c release --product \(product))"
        case let .missingExecutable(path, product, nil):
            return "\(path) not found; build it with: swift build -c release --product \(product)"
        }
    }

    /// 2 bad input, 3 conflict retries exhausted, 4 not found, 5 forbidden,
    /// 6 transition not allowed or an id taken by another submission, 7
    /// every reader slot taken (try again), 1 anything else.
    var exitCode: Int32 {
        switch self {
        case .missingLedger, .noSuchBatch, .noFollowUp: return 4
        case .batchForbidden: return 5
        case .badInput: return 2
        case .missingExecutable, .output: return 1
        case .outcome(let outcome, _):
            switch outcome {
            case .notFound: return 4
            case .forbidden: return 5
            case .notAllowed, .notLeaseHolder, .conflictingSubmission: return 6
            default: return 1
            }
        case .ledger(let error):
            switch error.code {
            case .invalidInput: return 2
            case .conflictRetriesExhausted: return 3
            case .notFound: return 4
            case .forbidden: return 5
            // An id already taken by another submission is the job's state
            // refusing the command, as HTTP's 409 says, not bad input.
            case .invalidTransition, .notLeaseHolder, .conflictingSubmission: return 6
            default:
                switch error.storeCode {
                // An append the store refuses as malformed (a name that is
                // not UTF-8, say) is bad input too, and wrote nothing.
                case .notALedger?, .invalidAppend?, .invalidStreamID?, .invalidEventType?, .invalidActor?, .payloadTooLarge?:
                    return 2
                case .readersFull?: return 7
                default: return 1
                }
            }
        }
    }
}

/// Runs a command body, printing errors to stderr with the right exit code.
func runReportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as CLIError {
        writeError(error)
        throw ExitCode(error.exitCode)
    } catch let error as JobLedgerError {
        let wrapped = CLIError.ledger(error)
        writeError(wrapped)
        throw ExitCode(wrapped.exitCode)
    } catch let error as EventStoreError {
        let wrapped = CLIError.ledger(.store(error))
        writeError(wrapped)
        throw ExitCode(wrapped.exitCode)
    }
}

/// Writes `error: MESSAGE` to stderr on one line, with the control and
/// invisible formatting characters of the message (which may quote ids,
/// reasons or stored text) escaped, so that it cannot act on the terminal.
func writeError(_ error: CLIError) {
    OutputWrites.standardError("error: \(TerminalText.escaped(error.description))\n")
}

/// Runs an async command body, reporting its errors as the synchronous
/// ``runReportingErrors(_:)`` does.
func runReportingErrors(_ body: () async throws -> Void) async throws {
    var failure: (any Error)?
    do { try await body() } catch { failure = error }
    if let failure { try runReportingErrors { throw failure } }
}
