import EventStore
import Foundation
import LMDB
import Testing

/// The sentences of store errors, which the command line prints and its
/// tests compare: each kind of error keeps its wording as the error type
/// changes shape.
@Suite struct EventStoreErrorTextTests {
    static let id = UUID(uuidString: "00000000-0000-0000-0000-00000000002A")!

    static let examples: [(EventStoreError, String)] = [
        (.wrongExpectedVersion(stream: "job-a", expected: .exact(2), actual: 3),
         "stream 'job-a': expected version exact(2), actual version 3"),
        (.wrongExpectedVersion(stream: "job-b", expected: .noStream, actual: 1),
         "stream 'job-b': expected version noStream, actual version 1"),
        (.eventIDConflict(eventID: id, stream: "s", reason: "stored in another stream"),
         "event id 00000000-0000-0000-0000-00000000002A in stream 's': stored in another stream"),
        (.invalidStreamID("", reason: "is empty"), "invalid stream id '': is empty"),
        (.invalidEventType("", stream: "s", reason: "is empty"), "invalid event type '' for stream 's': is empty"),
        (.invalidActor("x", stream: "s", reason: "is too long"), "invalid actor 'x' for stream 's': is too long"),
        (.payloadTooLarge(stream: "s", eventID: id, size: 10, limit: 4),
         "payload of event 00000000-0000-0000-0000-00000000002A in stream 's' is 10 bytes; the limit is 4"),
        (.invalidAppend(reason: "names no stream"), "invalid append: names no stream"),
        (.storageFull(detail: "map full"), "ledger storage is full: map full"),
        (.corruptEvent(position: 7, reason: "truncated"), "event at position 7 is corrupt: truncated"),
        (.checksumMismatch(position: 9, stream: "s", stored: 0xAB, computed: 0x1234_5678),
         "event at position 9 (stream 's' as stored) is damaged: it fails its checksum (stored 0x000000ab, "
            + "computed 0x12345678); the data file was changed or corrupted"),
        (.notALedger(path: "/x", reason: "it has no format version"), "'/x' is not a usable ledger: it has no format version"),
        (.projectionFailed(stream: "job-a", position: 2, reason: "bad event"),
         "projection failed on the event for stream 'job-a' at position 2: bad event"),
        (.readersFull(max: 4),
         "all 4 reader slots of the ledger are taken by open reads (in this or other processes): wait for long reads "
            + "such as exports or reports to finish and try again, or close every process of the ledger and reopen it "
            + "with a larger maxReaders; storage info (`jobledger info`) names the oldest reader"),
        (.ledgerFileReplaced(detail: "lock.mdb was replaced"), "refused: lock.mdb was replaced"),
        (.readOnly(path: "/x", reason: "cannot append"), "'/x' is open read-only: cannot append"),
        (.closed, "the event store is closed"),
        (.projectionsRebuilt(path: "/x", stored: "P:8", running: "P:7"),
         "refused to append to '/x': its projections were rebuilt by a newer build (projection version P:8) since this "
            + "process opened it (it indexes by P:7); this process must be restarted, on the newer build, before it "
            + "appends. Nothing was written"),
        (.storage(LMDBError(rawCode: 5, operation: "mdb_get")), "storage error: mdb_get failed: Input/output error (5)"),
    ]

    @Test func everyKindOfStoreErrorKeepsItsSentence() {
        for (error, text) in Self.examples {
            #expect(error.description == text)
        }
    }
}
