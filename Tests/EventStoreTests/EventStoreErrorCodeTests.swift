import EventStore
import Foundation
import Testing

/// The codes of store errors: names that problem documents and logs carry,
/// so each stays as it is, and no two kinds share one.
@Suite struct EventStoreErrorCodeTests {
    static let names: [(EventStoreError.Code, String)] = [
        (.wrongExpectedVersion, "wrong_expected_version"), (.eventIDConflict, "event_id_conflict"),
        (.invalidStreamID, "invalid_stream_id"), (.invalidEventType, "invalid_event_type"),
        (.invalidActor, "invalid_actor"), (.payloadTooLarge, "payload_too_large"), (.invalidAppend, "invalid_append"),
        (.storageFull, "storage_full"), (.corruptEvent, "corrupt_event"), (.checksumMismatch, "checksum_mismatch"),
        (.notALedger, "not_a_ledger"), (.projectionFailed, "projection_failed"), (.readersFull, "readers_full"),
        (.ledgerFileReplaced, "ledger_file_replaced"), (.readOnly, "read_only"), (.closed, "closed"),
        (.storage, "storage"), (.database, "database"), (.backupFailed, "backup_failed"),
        (.formatUpgradeNeeded, "format_upgrade_needed"), (.upgradeRefused, "upgrade_refused"),
        (.projectionsRebuilt, "projections_rebuilt"),
    ]

    @Test func everyCodeKeepsItsNameAndReadsBackFromIt() {
        for (code, name) in Self.names {
            #expect(code.name == name)
            #expect("\(code)" == name)
            #expect(EventStoreError.Code(name: name) == code)
        }
        #expect(EventStoreError.Code(name: "no_such_kind") == nil)
    }

    @Test func everyKnownCodeHasItsOwnName() {
        let known = EventStoreError.Code.known
        #expect(Set(known.map(\.name)).count == known.count)
        #expect(Set(known) == Set(Self.names.map(\.0)))
    }

    @Test func eachFactoryGivesItsCodeAndContext() {
        let error = EventStoreError.wrongExpectedVersion(stream: "job-a", expected: .exact(2), actual: 3)
        #expect(error.code == .wrongExpectedVersion)
        #expect(error.stream == "job-a" && error.expectedVersion == .exact(2) && error.actualVersion == 3)
        #expect(error.position == nil && error.reason == nil)
        #expect(EventStoreError.readersFull(max: 4).readerSlots == 4)
        #expect(EventStoreError.closed.code == .closed)
    }

    @Test func aCodeMatchesTheErrorsOfItsKindInACatch() {
        func kind(of error: any Error) -> String {
            do {
                throw error
            } catch EventStoreError.Code.readersFull {
                return "busy"
            } catch EventStoreError.Code.wrongExpectedVersion {
                return "conflict"
            } catch {
                return "other"
            }
        }
        #expect(kind(of: EventStoreError.readersFull(max: 2)) == "busy")
        #expect(kind(of: EventStoreError.wrongExpectedVersion(stream: "s", expected: .noStream, actual: 1)) == "conflict")
        #expect(kind(of: EventStoreError.closed) == "other")
        #expect(kind(of: CancellationError()) == "other")
    }
}
