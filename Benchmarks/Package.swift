// swift-tools-version: 6.1
import PackageDescription

// The benchmark, a package of its own so that the library's users do not
// resolve what only the benchmark needs (GRDB, for its SQLite baseline).
// It depends on the ledger's package by path: build that package's release
// executables first (its HTTP workload runs them; Docs/Performance.md).
let package = Package(
    name: "jobledger-benchmarks",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "jobledger-bench", targets: ["EventStoreBench"]),
    ],
    dependencies: [
        .package(name: "jobledger", path: ".."),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // The SQLite baseline.
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        // The plain SQL baseline of the postgres workload, on the same
        // driver the ledger's PostgreSQL backend uses.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.21.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
    ],
    targets: [
        .executableTarget(
            name: "EventStoreBench",
            dependencies: [
                .product(name: "EventStore", package: "jobledger"),
                .product(name: "LMDB", package: "jobledger"),
                .product(name: "JobLedger", package: "jobledger"),
                .product(name: "JobLedgerClient", package: "jobledger"),
                .product(name: "PostgresEventStore", package: "jobledger"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // Keeps the counting `fdatasync` and `fsync` (FlushCounter.swift)
            // in the executable and visible to the dynamic linker.
            linkerSettings: [.unsafeFlags(["-Xlinker", "--export-dynamic"], .when(platforms: [.linux]))]
        ),
        // Pins down how the benchmark counts what it reports, on real files.
        .testTarget(
            name: "EventStoreBenchTests",
            dependencies: ["EventStoreBench"],
            linkerSettings: [.unsafeFlags(["-Xlinker", "--export-dynamic"], .when(platforms: [.linux]))]
        ),
    ],
    swiftLanguageModes: [.v6]
)
