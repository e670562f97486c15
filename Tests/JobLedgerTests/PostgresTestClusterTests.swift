import JobLedgerTestSupport
import Testing

/// The PostgreSQL cluster the tests of the PostgreSQL event store share.
@Suite struct PostgresTestClusterTests {
    @Test func twoFreshDatabasesAreDistinctAndEachIsUsable() throws {
        let cluster = try PostgresTestCluster.shared
        let first = try cluster.createDatabase()
        let second = try cluster.createDatabase()
        #expect(first != second)

        _ = try cluster.psql("CREATE TABLE marker (id integer); INSERT INTO marker VALUES (7)", database: first)
        #expect(try cluster.psql("SELECT id FROM marker", database: first) == "7")
        let inSecond = "SELECT count(*) FROM pg_tables WHERE tablename = 'marker'"
        #expect(try cluster.psql(inSecond, database: second) == "0")
    }
}
