import EventStore
import Foundation
import JobLedger
import Testing

@Suite struct QueryTests {
    static let people = [alice, bob, Actor(id: "carol", role: .user, organisation: "globex")]

    /// 90 jobs over three owners, two organisations, three types, three
    /// batches, one second apart, driven into mixed states.
    static func populate(_ jobs: JobLedger, clock: TestClock) throws -> [String] {
        var ids: [String] = []
        for index in 0..<90 {
            let id = "q\(index)"
            ids.append(id)
            _ = try jobs.submit(
                JobSubmission(id: id, type: ["a", "b", "c"][index % 3], batch: index % 4 == 0 ? nil : "batch\(index % 4)"),
                by: people[index % 3])
            clock.advance(1)
        }
        for _ in 0..<40 {
            guard let job = try jobs.claim(worker: "w", lease: 60) else { break }
            if job.attempt % 2 == 0 || job.id.hasSuffix("1") {
                _ = try jobs.complete(job.id, worker: "w", attempt: job.attempt)
            }
        }
        for id in ids where id.hasSuffix("5") { _ = try jobs.cancel(id, by: Actor.system, reason: "tidy") }
        return ids
    }

    static func listAll(_ jobs: JobLedger, _ query: JobQuery, pageSize: Int) throws -> [Job] {
        var all: [Job] = []
        var cursor: String? = nil
        repeat {
            let page = try jobs.list(query, limit: pageSize, after: cursor)
            #expect(page.jobs.count <= pageSize)
            all += page.jobs
            cursor = page.next
        } while cursor != nil
        return all
    }

    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static let queries: [JobQuery] = [
        JobQuery(),
        JobQuery(state: .pending),
        JobQuery(state: .completed),
        JobQuery(state: .cancelled),
        JobQuery(type: "b"),
        JobQuery(state: .running, type: "a"),
        JobQuery(owner: "bob"),
        JobQuery(state: .pending, owner: "alice"),
        JobQuery(organisation: "acme"),
        JobQuery(state: .pending, organisation: "globex"),
        JobQuery(batch: "batch2"),
        JobQuery(state: .completed, batch: "batch1"),
        JobQuery(submittedFrom: start + 10, submittedBefore: start + 30),
        JobQuery(state: .pending, organisation: "acme", submittedFrom: start + 20, submittedBefore: start + 70),
        JobQuery(organisation: "acme", submittedFrom: start + 5),
    ]

    @Test("listing pages through exactly the matching jobs", arguments: zip(queries.indices, queries))
    func listingMatchesAFilterOverEveryJob(_ index: Int, _ query: JobQuery) throws {
        let ledger = TemporaryJobLedger()
        let clock = TestClock(Self.start)
        let jobs = try ledger.open(clock: clock)
        let ids = try Self.populate(jobs, clock: clock)
        let every = try ids.map { try #require(try jobs.job($0)) }
        let expected = every.filter { job in
            (query.state == nil || job.state == query.state) && (query.type == nil || job.type == query.type)
                && (query.owner == nil || job.owner == query.owner)
                && (query.organisation == nil || job.organisation == query.organisation)
                && (query.batch == nil || job.batch == query.batch)
                && (query.submittedFrom == nil || job.submittedAt >= query.submittedFrom!)
                && (query.submittedBefore == nil || job.submittedAt < query.submittedBefore!)
        }
        for pageSize in [1, 7, 50] {
            let listed = try Self.listAll(jobs, query, pageSize: pageSize)
            #expect(Set(listed.map(\.id)) == Set(expected.map(\.id)))
            #expect(listed.count == expected.count)
            // Within one state the order is submission order; listings that
            // span states through the owner, organisation or type indexes
            // come grouped by state.
            let ordered = query.batch == nil
                && (query.state != nil || (query.owner == nil && query.organisation == nil && query.type == nil))
            if ordered {
                #expect(listed.map(\.submittedAt) == listed.map(\.submittedAt).sorted())
            }
        }
    }

    @Test func aCursorFromAnotherListingIsRefused() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        for index in 0..<3 { _ = try jobs.submit(JobSubmission(id: "x\(index)", type: "t"), by: alice) }
        let page = try jobs.list(JobQuery(owner: "alice"), limit: 1)
        let cursor = try #require(page.next)
        #expect(throws: JobLedgerError.self) { try jobs.list(JobQuery(owner: "bob"), after: cursor) }
        #expect(throws: JobLedgerError.self) { try jobs.list(JobQuery(), after: "zz") }
        #expect(throws: JobLedgerError.self) { try jobs.list(JobQuery(), limit: 0) }
    }

    @Test func aCursorThatIsNotAnIndexKeyIsRefused() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        for index in 0..<3 { _ = try jobs.submit(JobSubmission(id: "x\(index)", type: "t"), by: alice) }
        // Hex that decodes but is no key the listing could have handed out,
        // uppercase or signed hex, and text that is not hex at all.
        let nonsense = ["00", "ab", "0000000000000000", "+f+f", "AB", "é1", "616c69636500"]
        for cursor in nonsense {
            #expect(throws: JobLedgerError.self, "\(cursor)") { try jobs.list(JobQuery(), after: cursor) }
            #expect(throws: JobLedgerError.self, "\(cursor)") { try jobs.list(JobQuery(owner: "alice"), after: cursor) }
        }
        // Real cursors still continue their listing.
        for query in [JobQuery(), JobQuery(owner: "alice"), JobQuery(state: .pending), JobQuery(type: "t")] {
            let first = try jobs.list(query, limit: 1)
            let cursor: String = try #require(first.next)
            let rest = try jobs.list(query, limit: 10, after: cursor)
            #expect(first.jobs.count + rest.jobs.count == 3)
        }
    }
}
