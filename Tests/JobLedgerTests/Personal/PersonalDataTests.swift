import EventStore
import Foundation
@testable import JobLedger
import Testing

/// Personal fields of job payloads: sealed in the log under the owner's
/// key, revealed on every read while the key exists, erased for good with
/// the key, and the log left as it was.
@Suite struct PersonalDataTests {
    static let annPayload = #"{"email":"ann@example.com","name":"Ann Smith","plan":{"tier":2},"count":12345678901234567890}"#

    /// Every stored byte of the job's events, as text.
    private static func storedText(_ ledger: JobLedger, _ id: String) throws -> String {
        try ledger.store.readStream(JobStreams.job(id)).map(\.payloadString).joined(separator: "\n")
    }

    private static func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test("personal fields are stored sealed and every read shows them as submitted")
    func personalFieldsAreSealedAndRevealed() async throws {
        let dir = TemporaryJobLedger()
        let ledger = try dir.open()
        let submitted = try await ledger.submit(
            JobSubmission(id: "j1", type: "email", payload: Self.annPayload, personal: ["email", "name"]), by: alice)
        #expect(submitted.job.payload == Self.annPayload)
        let stored = try Self.storedText(ledger, "j1")
        #expect(!stored.contains("ann@example.com"))
        #expect(!stored.contains("Ann Smith"))
        #expect(stored.contains("$sealed"))
        // The fields that are not personal are stored as they were given, byte for byte.
        #expect(stored.contains(#"\"count\":12345678901234567890"#))
        #expect(try ledger.job("j1")?.payload == Self.annPayload)
        #expect(try ledger.list(JobQuery(owner: "alice")).jobs.map(\.payload) == [Self.annPayload])
        let history = try ledger.history("j1")
        let submittedData = try #require(history.first { $0.type == "JobSubmitted" }?.data)
        #expect(try Self.object(submittedData)["payload"] as? String == Self.annPayload)
        #expect(try ledger.job("j1", asOfPosition: try ledger.store.lastPosition())?.payload == Self.annPayload)
        #expect(try ledger.replaySteps(of: "j1", upTo: .max).last?.after?.payload == Self.annPayload)
        let claimed = try await ledger.claim(worker: "w1", lease: 30)
        #expect(claimed?.payload == Self.annPayload)
    }

    @Test("each sealed value has a fresh nonce: the same value sealed twice is stored differently")
    func sameValueSealsDifferently() throws {
        let dir = TemporaryJobLedger()
        let ledger = try dir.open()
        let payload = #"{"a":"same","b":"same"}"#
        _ = try ledger.submit(JobSubmission(id: "j1", type: "t", payload: payload, personal: ["a", "b"]), by: alice)
        _ = try ledger.submit(JobSubmission(id: "j2", type: "t", payload: payload, personal: ["a", "b"]), by: alice)
        var sealed: [String] = []
        for id in ["j1", "j2"] {
            let event = try #require(try ledger.store.readStream(JobStreams.job(id)).first)
            let stored = try Self.object(try #require(try Self.object(event.payloadString)["payload"] as? String))
            for field in ["a", "b"] {
                sealed.append(try #require((stored[field] as? [String: Any])?["$sealed"] as? String))
            }
        }
        #expect(sealed.count == 4)
        #expect(Set(sealed).count == 4)
    }

    @Test("erasing an owner shows their personal fields as erased, others' as they were, and leaves the log intact")
    func erasureLeavesTheLogIntact() async throws {
        let dir = TemporaryJobLedger()
        let ledger = try dir.open()
        _ = try await ledger.submit(JobSubmission(id: "a1", type: "email", payload: Self.annPayload, personal: ["email", "name"]), by: alice)
        _ = try await ledger.submit(JobSubmission(id: "a2", type: "email", payload: #"{"email":"a@x.org"}"#, personal: ["email"]), by: alice)
        let bobPayload = #"{"email":"bob@example.com"}"#
        _ = try await ledger.submit(JobSubmission(id: "b1", type: "email", payload: bobPayload, personal: ["email"]), by: bob)
        let head = try ledger.store.lastPosition()
        let digest = try ledger.store.digest()
        let storedBefore = try Self.storedText(ledger, "a1")

        let result = try ledger.erase(owner: "alice", organisation: "acme", by: acmeAdmin, reason: "request 114")
        #expect(result.outcome == .erased)
        #expect(result.position == head + 1)

        let erased = #"{"email":{"$erased":true},"name":{"$erased":true},"plan":{"tier":2},"count":12345678901234567890}"#
        #expect(try ledger.job("a1")?.payload == erased)
        #expect(try ledger.job("a2")?.payload == #"{"email":{"$erased":true}}"#)
        #expect(try ledger.job("b1")?.payload == bobPayload)
        #expect(try ledger.list(JobQuery(owner: "alice")).jobs.map(\.payload).allSatisfy { $0.contains(PersonalFields.erasedMarker) })
        let history = try ledger.history("a1")
        let data = try #require(history.first { $0.type == "JobSubmitted" }?.data)
        #expect(try Self.object(data)["payload"] as? String == erased)
        #expect(try ledger.job("a1", asOfPosition: head)?.payload == erased)

        // The log: the same events, the same digest up to the old head, one audit event more, and it verifies.
        #expect(try Self.storedText(ledger, "a1") == storedBefore)
        #expect(try ledger.store.digest(at: head) == digest)
        #expect(try ledger.store.verifyLog().problems.isEmpty)
        let audit = try #require(try ledger.store.readStream(ErasureRecord.stream).last)
        let record = try JSONDecoder().decode(ErasureRecord.self, from: Data(audit.payload))
        #expect(record.owner == "alice" && record.organisation == "acme")
        #expect(record.actor == "root" && record.role == .admin)
        #expect(record.reason == "request 114")
        #expect(record.outcome == .erased)
        #expect(audit.actor == "root")

        let claimed = try await ledger.claim(worker: "w1", types: ["email"], lease: 30)
        #expect(claimed?.id == "a1")
        #expect(claimed?.payload == erased)

        let again = try ledger.erase(owner: "alice", organisation: "acme", by: acmeAdmin)
        #expect(again.outcome == .alreadyErased)
        #expect(try ledger.job("a1")?.payload == erased)
        #expect(try ledger.erase(owner: "nobody", organisation: "acme", by: acmeAdmin).outcome == .noPersonalData)
    }

    @Test("erasure survives a rebuild of the projections, and a new submission after it gets a new key")
    func erasureSurvivesRebuild() throws {
        let dir = TemporaryJobLedger()
        let ledger = try dir.open()
        _ = try ledger.submit(JobSubmission(id: "a1", type: "t", payload: #"{"email":"old@x.org"}"#, personal: ["email"]), by: alice)
        _ = try ledger.erase(owner: "alice", organisation: "acme", by: acmeAdmin)
        try ledger.store.rebuildProjections()
        #expect(try ledger.job("a1")?.payload == #"{"email":{"$erased":true}}"#)
        _ = try ledger.submit(JobSubmission(id: "a2", type: "t", payload: #"{"email":"new@x.org"}"#, personal: ["email"]), by: alice)
        #expect(try ledger.job("a2")?.payload == #"{"email":"new@x.org"}"#)
        #expect(try ledger.job("a1")?.payload == #"{"email":{"$erased":true}}"#)
        #expect(try ledger.store.personalDataKey(of: KeyOwner(id: "alice", organisation: "acme"))?.generation == 2)
    }

    @Test("only admins of the owner's organisation and the system may erase; a refusal changes nothing")
    func erasureNeedsAnAdminOfTheOrganisation() throws {
        let dir = TemporaryJobLedger()
        let ledger = try dir.open()
        _ = try ledger.submit(JobSubmission(id: "a1", type: "t", payload: #"{"email":"ann@x.org"}"#, personal: ["email"]), by: alice)
        let head = try ledger.store.lastPosition()
        let wildcardAdmin = Actor(id: "any", role: .admin, organisation: "*")
        for actor in [alice, bob, otherAdmin, wildcardAdmin, Actor.worker("w1")] {
            let error = #expect(throws: JobLedgerError.self) {
                try ledger.erase(owner: "alice", organisation: "acme", by: actor)
            }
            #expect(error?.code == .forbidden)
        }
        #expect(try ledger.store.lastPosition() == head)
        #expect(try ledger.job("a1")?.payload == #"{"email":"ann@x.org"}"#)
        #expect(try ledger.erase(owner: "alice", organisation: "acme", by: .system).outcome == .erased)
    }

    @Test("bad personal input is refused by name, creates no key and writes nothing")
    func badPersonalInputIsRefused() throws {
        let dir = TemporaryJobLedger()
        let ledger = try dir.open()
        let cases: [(String, [String], String)] = [
            (#"{"email":"a@x.org"}"#, ["emial"], "personal"),
            (#"["a@x.org"]"#, ["email"], "personal"),
            (#"{"email":"a@x.org"}"#, [""], "personal"),
            (#"{"email":{"$sealed":"k1:AAAA"}}"#, [], "payload"),
            (#"{"email":{"$erased":true}}"#, ["email"], "payload"),
        ]
        for (payload, personal, field) in cases {
            let error = #expect(throws: JobLedgerError.self) {
                try ledger.submit(JobSubmission(id: "j", type: "t", payload: payload, personal: personal), by: alice)
            }
            #expect(error?.code == .invalidInput)
            #expect(error?.field == field)
        }
        #expect(try ledger.store.personalDataKey(of: KeyOwner(id: "alice", organisation: "acme")) == nil)
        #expect(try ledger.job("j") == nil)
    }

    @Test("a sealed value opens only in its own job and field")
    func sealedValueOpensOnlyWhereSealed() throws {
        let key = PersonalDataKey(
            owner: KeyOwner(id: "alice", organisation: "acme"), generation: 1, material: [UInt8](repeating: 5, count: 32))
        let sealed = try PersonalFields.seal(#"{"email":"ann@x.org","other":1}"#, names: ["email"], jobID: "j1", key: key)
        #expect(try PersonalFields.reveal(sealed, jobID: "j1", key: key) == #"{"email":"ann@x.org","other":1}"#)
        let moved = #expect(throws: JobLedgerError.self) { try PersonalFields.reveal(sealed, jobID: "j2", key: key) }
        #expect(moved?.code == .unreadableData)
        let renamed = sealed.replacingOccurrences(of: #""email""#, with: #""phone""#)
        #expect(throws: JobLedgerError.self) { try PersonalFields.reveal(renamed, jobID: "j1", key: key) }
        // Under a later key (after an erasure) the value reads as erased.
        let next = PersonalDataKey(owner: key.owner, generation: 2, material: [UInt8](repeating: 6, count: 32))
        #expect(try PersonalFields.reveal(sealed, jobID: "j1", key: next) == #"{"email":{"$erased":true},"other":1}"#)
    }
}
