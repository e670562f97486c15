import LMDB
import Testing

/// A write that fills the map grows it and runs again; past the largest
/// size allowed it fails and leaves nothing behind.
@Suite struct EnvironmentMapGrowthTests {
    @Test func writesFarBeyondTheInitialMapGrowItAndKeepEveryValue() throws {
        var options = EnvironmentOptions()
        options.mapSize = 1 << 20
        let scratch = try ScratchEnvironment(options)
        let value = [UInt8](repeating: 0x61, count: 10_000)
        for batch in 0..<20 {
            try scratch.environment.write { transaction in
                for index in batch * 100..<(batch + 1) * 100 {
                    try transaction.put(key(index), value, in: scratch.database)
                }
            }
        }
        #expect(scratch.environment.growths > 0)
        #expect(scratch.environment.currentMapSize >= 20 * 100 * value.count)
        #expect(try scratch.entryCount() == 2_000)
        let last = try scratch.environment.read { transaction in try transaction.get(key(1_999), in: scratch.database) }
        #expect(last == value)
    }

    @Test func aWriteBeyondTheMaximumMapSizeThrowsMapFullAndWritesNothing() throws {
        var options = EnvironmentOptions()
        options.mapSize = 1 << 20
        options.maxMapSize = 2 << 20
        let scratch = try ScratchEnvironment(options)
        try scratch.environment.write { transaction in try transaction.put(key(0), [1], in: scratch.database) }
        let value = [UInt8](repeating: 2, count: 100_000)
        #expect {
            try scratch.environment.write { transaction in
                for index in 1...40 { try transaction.put(key(index), value, in: scratch.database) }
            }
        } throws: { error in
            (error as? LMDBError)?.code == .mapFull
        }
        #expect(try scratch.entryCount() == 1)
        try scratch.environment.write { transaction in try transaction.put(key(1), [3], in: scratch.database) }
        #expect(try scratch.entryCount() == 2)
    }
}
