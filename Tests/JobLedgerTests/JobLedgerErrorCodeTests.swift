import EventStore
import JobLedger
import Testing

/// The codes of ledger errors: names that problem documents and logs carry,
/// so each stays as it is, and no two kinds share one; a store failure's
/// kind is one step from the ledger error that carries it.
@Suite struct JobLedgerErrorCodeTests {
    static let names: [(JobLedgerError.Code, String)] = [
        (.notFound, "not_found"), (.forbidden, "forbidden"), (.invalidTransition, "invalid_transition"),
        (.notLeaseHolder, "not_lease_holder"), (.conflictingSubmission, "conflicting_submission"),
        (.invalidInput, "invalid_input"), (.conflictRetriesExhausted, "conflict_retries_exhausted"),
        (.unreadableData, "unreadable_data"), (.store, "store"),
    ]

    @Test func everyCodeKeepsItsNameAndReadsBackFromIt() {
        for (code, name) in Self.names {
            #expect(code.name == name)
            #expect(JobLedgerError.Code(name: name) == code)
        }
        #expect(JobLedgerError.Code(name: "no_such_kind") == nil)
    }

    @Test func everyKnownCodeHasItsOwnName() {
        let known = JobLedgerError.Code.known
        #expect(Set(known.map(\.name)).count == known.count)
        #expect(Set(known) == Set(Self.names.map(\.0)))
    }

    @Test func aStoreFailureIsOneStepAway() {
        let error = JobLedgerError.store(.readersFull(max: 2))
        #expect(error.code == .store)
        #expect(error.storeCode == .readersFull)
        #expect(error.underlying == .readersFull(max: 2))
        #expect(JobLedgerError.notFound(jobID: "j").storeCode == nil)
    }

    @Test func eachFactoryGivesItsCodeAndContext() {
        let error = JobLedgerError.notLeaseHolder(jobID: "j", worker: "w2", attempt: 1, holder: "w1", currentAttempt: 2)
        #expect(error.code == .notLeaseHolder)
        #expect(error.jobID == "j" && error.worker == "w2" && error.attempt == 1)
        #expect(error.leaseHolder == "w1" && error.currentAttempt == 2 && error.reason == nil)
        let refused = JobLedgerError.invalidTransition(jobID: "j", state: .completed, action: "cancel")
        #expect(refused.state == .completed && refused.action == "cancel")
    }

    @Test func aCodeMatchesTheErrorsOfItsKindInACatch() {
        func kind(of error: any Error) -> String {
            do {
                throw error
            } catch JobLedgerError.Code.notFound {
                return "missing"
            } catch let error as JobLedgerError where error.storeCode == .readersFull {
                return "busy"
            } catch {
                return "other"
            }
        }
        #expect(kind(of: JobLedgerError.notFound(jobID: "j")) == "missing")
        #expect(kind(of: JobLedgerError.store(.readersFull(max: 2))) == "busy")
        #expect(kind(of: JobLedgerError.invalidInput(field: "f", reason: "r")) == "other")
    }
}
