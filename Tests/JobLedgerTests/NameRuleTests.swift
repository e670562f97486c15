import EventStore
import Foundation
import JobLedger
import Testing

/// One rule for names: canonically equivalent spellings are one name to
/// authorization, indexes and lookups alike, and names that hide or reorder
/// text are refused.
@Suite struct NameRuleTests {
    /// `José` written with a combining acute accent, and precomposed.
    static let decomposedJose = "Jose\u{301}"
    static let precomposedJose = "Jos\u{E9}"

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func anOwnerWrittenDecomposedIsFoundCancelledAndResubmittedUnderEitherSpelling() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        let decomposed = Actor(id: Self.decomposedJose, role: .user, organisation: "acme")
        let precomposed = Actor(id: Self.precomposedJose, role: .user, organisation: "acme")
        let submitted = try jobs.submit(JobSubmission(id: "j", type: "t"), by: decomposed)
        #expect(Self.bytes(submitted.job.owner) == Self.bytes(Self.precomposedJose), "stored in NFC")

        #expect(try jobs.submit(JobSubmission(id: "j", type: "t"), by: precomposed).created == false)
        for spelling in [Self.decomposedJose, Self.precomposedJose] {
            #expect(try jobs.list(JobQuery(owner: spelling)).jobs.map(\.id) == ["j"], "list by \(Self.bytes(spelling))")
            #expect(try jobs.list(JobQuery(state: .pending, owner: spelling)).jobs.map(\.id) == ["j"])
        }
        #expect(try jobs.cancel("j", by: precomposed, reason: "done").outcome == .cancelled)
        #expect(try jobs.list(JobQuery(state: .cancelled, owner: Self.decomposedJose)).jobs.map(\.id) == ["j"])
    }

    @Test func anOrganisationWithAnAccentIsOneOrganisationForAdminsAndListings() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        let decomposedOrg = "acme\u{301}"
        let precomposedOrg = "acm\u{E9}"
        let owner = Actor(id: "alice", role: .user, organisation: decomposedOrg)
        let admin = Actor(id: "root", role: .admin, organisation: precomposedOrg)
        let job = try jobs.submit(JobSubmission(id: "o", type: "t"), by: owner).job
        #expect(Self.bytes(job.organisation) == Self.bytes(precomposedOrg))
        for spelling in [decomposedOrg, precomposedOrg] {
            #expect(try jobs.list(JobQuery(organisation: spelling)).jobs.map(\.id) == ["o"])
        }
        #expect(try jobs.kill("o", by: admin, reason: "x").outcome == .killed)
        // The owner, named with the other spelling of the organisation, may retry.
        let sameOwner = Actor(id: "alice", role: .user, organisation: precomposedOrg)
        #expect(try jobs.retry("o", by: sameOwner).outcome == .retried)
        #expect(try jobs.list(JobQuery(state: .pending, organisation: decomposedOrg)).jobs.map(\.id) == ["o"])
    }

    @Test func theAngstromSignAndTheLetterAWithRingAreOneJobType() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        let sign = "\u{212B}ngstr\u{F6}m"
        let letter = "\u{C5}ngstr\u{F6}m"
        _ = try jobs.submit(JobSubmission(id: "a", type: sign), by: alice)
        #expect(try jobs.submit(JobSubmission(id: "a", type: letter), by: alice).created == false)
        for spelling in [sign, letter] {
            #expect(try jobs.list(JobQuery(type: spelling)).jobs.map(\.id) == ["a"])
        }
        let claimed = try #require(try jobs.claim(worker: "w", types: [letter], lease: 30))
        #expect(Self.bytes(claimed.type) == Self.bytes(letter))
    }

    @Test func hangulJamoAndTheSyllableTheySpellAreOneWorkerAndOneOwner() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        let jamo = "\u{1100}\u{1161}\u{11A8}"
        let syllable = "\u{AC01}"
        _ = try jobs.submit(JobSubmission(id: "h", type: "t"), by: Actor(id: jamo, role: .user, organisation: "acme"))
        #expect(try jobs.list(JobQuery(owner: syllable)).jobs.map(\.id) == ["h"])
        let claimed = try #require(try jobs.claim(worker: jamo, lease: 30))
        #expect(Self.bytes(claimed.worker ?? "") == Self.bytes(syllable))
        let renewed = try jobs.renewLease("h", worker: syllable, attempt: claimed.attempt, lease: 30)
        #expect(renewed.job.state == .running)
        #expect(try jobs.complete("h", worker: jamo, attempt: claimed.attempt).state == .completed)
    }

    /// A name stored before the rule, not in NFC, is compared as its bytes by
    /// authorization as by the indexes: no spelling of it reaches the job
    /// through one and not the other.
    @Test func anUnnormalizedStoredOwnerIsNeitherListedNorAuthorizedByAnotherSpelling() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        let payload = #"{"id":"old","maxAttempts":3,"organisation":"acme","owner":"\#(Self.decomposedJose)","payload":"{}","priority":0,"type":"t"}"#
        _ = try jobs.store.append(
            to: "job-old", expectedVersion: .noStream,
            events: [EventData(type: "JobSubmitted", json: payload, actor: Self.decomposedJose)])
        let stored = try #require(try jobs.job("old"))
        #expect(Self.bytes(stored.owner) == Self.bytes(Self.decomposedJose))
        for spelling in [Self.decomposedJose, Self.precomposedJose] {
            let found = try jobs.list(JobQuery(owner: spelling)).jobs.map(\.id)
            let outcome = try jobs.cancel("old", by: Actor(id: spelling, role: .user, organisation: "acme"), reason: "x").outcome
            #expect(found.isEmpty && outcome == .forbidden, "\(Self.bytes(spelling)): listed \(found), cancel \(outcome)")
        }
        #expect(try jobs.job("old")?.state == .pending)
    }

    /// A job stored under an id the rule refuses (imported before ids were
    /// checked everywhere) stays reachable: claims, the sweeper and commands
    /// naming it work, while no new stream can be named with such an id.
    @Test func aJobStoredUnderAnIdTheRuleRefusesStaysReachable() throws {
        let ledger = TemporaryJobLedger()
        let clock = TestClock(Date())
        let jobs = try ledger.open(clock: clock)
        let payload = #"{"id":"old job","maxAttempts":3,"organisation":"acme","owner":"alice","payload":"{}","priority":0,"type":"t"}"#
        _ = try jobs.store.append(
            to: "job-old job", expectedVersion: .noStream,
            events: [EventData(type: "JobSubmitted", json: payload, actor: "alice")])
        clock.advance(1)
        let claimed = try #require(try jobs.claim(worker: "w", lease: 1))
        #expect(claimed.id == "old job")
        clock.advance(5)
        #expect(try jobs.expireLeases() == ["old job"])
        clock.advance(60)
        let again = try #require(try jobs.claim(worker: "w", lease: 30))
        #expect(try jobs.renewLease("old job", worker: "w", attempt: again.attempt, lease: 30).job.state == .running)
        #expect(try jobs.cancel("old job", by: alice, reason: "x").outcome == .cancelRequested)
        #expect(try jobs.job("old job")?.state == .cancelRequested)
        #expect(try jobs.history("old job").contains { $0.audit?.action == "cancel" })
        try JobInputTests.expectInvalid("job id", jobs) { _ = try jobs.cancel("new job", by: alice, reason: "x") }
    }

    static let hidden: [(String, String)] = [
        ("zero width space", "a\u{200B}b"), ("zero width non-joiner", "a\u{200C}b"), ("zero width joiner", "a\u{200D}b"),
        ("word joiner", "a\u{2060}b"), ("byte order mark", "\u{FEFF}ab"), ("left-to-right embedding", "a\u{202A}b"),
        ("right-to-left override", "a\u{202E}b"), ("left-to-right isolate", "a\u{2066}b"),
        ("pop directional isolate", "a\u{2069}b"), ("left-to-right mark", "a\u{200E}b"),
        ("right-to-left mark", "a\u{200F}b"), ("arabic letter mark", "a\u{061C}b"), ("escape", "a\u{1B}b"),
        ("line feed", "a\nb"), ("delete", "a\u{7F}b"), ("C1 control", "a\u{85}b"), ("soft hyphen", "a\u{AD}b"),
        ("line separator", "a\u{2028}b"), ("unassigned", "a\u{0378}b"),
        ("replacement character", "a\u{FFFD}b"), ("empty", ""), ("only spaces", "   "),
        ("only an ideographic space", "\u{3000}"), ("a leading space", " ab"), ("a trailing no-break space", "ab\u{A0}"),
    ]

    @Test(arguments: hidden)
    func namesThatHideOrReorderTextAreRefusedInEveryField(_ label: String, _ name: String) throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        _ = try jobs.submit(JobSubmission(id: "ok", type: "t", batch: "b"), by: alice)
        let claimed = try #require(try jobs.claim(worker: "w", lease: 30))
        try JobInputTests.expectInvalid("type", jobs) { _ = try jobs.submit(JobSubmission(id: "x", type: name), by: alice) }
        try JobInputTests.expectInvalid("owner", jobs) {
            _ = try jobs.submit(JobSubmission(id: "x", type: "t"), by: Actor(id: name, role: .user, organisation: "acme"))
        }
        try JobInputTests.expectInvalid("organisation", jobs) {
            _ = try jobs.submit(JobSubmission(id: "x", type: "t"), by: Actor(id: "alice", role: .user, organisation: name))
        }
        try JobInputTests.expectInvalid("worker", jobs) { _ = try jobs.claim(worker: name, lease: 30) }
        try JobInputTests.expectInvalid("type", jobs) { _ = try jobs.claim(worker: "w2", types: [name], lease: 30) }
        try JobInputTests.expectInvalid("worker", jobs) {
            _ = try jobs.renewLease("ok", worker: name, attempt: claimed.attempt, lease: 30)
        }
        try JobInputTests.expectInvalid("worker", jobs) {
            _ = try jobs.fail("ok", worker: name, attempt: claimed.attempt, error: "e", retryable: true)
        }
        try JobInputTests.expectInvalid("actor", jobs) {
            _ = try jobs.cancel("ok", by: Actor(id: name, role: .admin, organisation: "acme"), reason: "r")
        }
        try JobInputTests.expectInvalid("organisation", jobs) {
            _ = try jobs.killBatch("b", by: Actor(id: "root", role: .admin, organisation: name), reason: "r")
        }
        try JobInputTests.expectInvalid("owner", jobs) { _ = try jobs.list(JobQuery(owner: name)) }
        #expect(try jobs.job("ok")?.state == .running)
    }

    @Test(arguments: ["a\u{200B}b", "a\u{202E}b", "a\u{1B}b", "a b", "caf\u{E9}", " "])
    func idsHoldOnlyPlainASCIIEverywhereAnIdEnters(_ id: String) throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        _ = try jobs.submit(JobSubmission(id: "ok", type: "t"), by: alice)
        try JobInputTests.expectInvalid("job id", jobs) { _ = try jobs.submit(JobSubmission(id: id, type: "t"), by: alice) }
        try JobInputTests.expectInvalid("batch", jobs) {
            _ = try jobs.submit(JobSubmission(id: "x", type: "t", batch: id), by: alice)
        }
        try JobInputTests.expectInvalid("job id", jobs) { _ = try jobs.cancel(id, by: alice, reason: "r") }
        try JobInputTests.expectInvalid("job id", jobs) { _ = try jobs.kill(id, by: acmeAdmin, reason: "r") }
        try JobInputTests.expectInvalid("job id", jobs) { _ = try jobs.retry(id, by: alice) }
        try JobInputTests.expectInvalid("job id", jobs) { _ = try jobs.complete(id, worker: "w", attempt: 1) }
        try JobInputTests.expectInvalid("job id", jobs) { _ = try jobs.history(id) }
        try JobInputTests.expectInvalid("batch", jobs) { _ = try jobs.killBatch(id, by: acmeAdmin, reason: "r") }
    }

    @Test func namesMayHoldLettersOfAnyScriptSpacesInsideAndEmoji() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        for (index, name) in ["send email", "Zo\u{EB}", "\u{5F20}\u{4F1F}", "\u{645}\u{62D}\u{645}\u{62F}", "\u{1F680} launch"].enumerated() {
            let job = try jobs.submit(
                JobSubmission(id: "n\(index)", type: name), by: Actor(id: name, role: .user, organisation: name)).job
            #expect(job.type == name && job.owner == name && job.organisation == name)
        }
    }

    /// Text meant to be stored as it is (say, read back from an import) must
    /// already be in NFC: the check refuses what normalizing would change.
    @Test func theStoredFormCheckRefusesTextNotInNFC() throws {
        #expect(throws: JobLedgerError.invalidInput(field: "owner", reason: "is not in Unicode normalization form C (NFC)")) {
            try NameRule.check(Self.decomposedJose, field: "owner")
        }
        try NameRule.check(Self.precomposedJose, field: "owner")
        #expect(NameRule.normalized("\u{212B}") == "\u{C5}")
        #expect(try NameRule.name("\u{1100}\u{1161}\u{11A8}", field: "owner").unicodeScalars.map(\.value) == [0xAC01])
    }
}
