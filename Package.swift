// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "jobledger",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "LMDB", targets: ["LMDB"]),
        .library(name: "EventStore", targets: ["EventStore"]),
        .library(name: "JobLedger", targets: ["JobLedger"]),
        .executable(name: "jobledger", targets: ["JobLedgerMain"]),
        .executable(name: "jobledger-bench", targets: ["EventStoreBench"]),
        .executable(name: "jobledger-fuzz", targets: ["JobLedgerFuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Only the benchmark links it, for its SQLite baseline.
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        // SHA-256 for the digest chain of exports.
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLMDB",
            pkgConfig: "lmdb",
            providers: [.apt(["liblmdb-dev"])]
        ),
        .target(name: "LMDB", dependencies: ["CLMDB"]),
        .target(name: "EventStore", dependencies: ["LMDB", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "JobLedger", dependencies: ["EventStore"]),
        // The job life cycle read a second time, apart from the ledger's own
        // rules, for the tests to check histories with, and the jobs and
        // actors of the crash loop. In no product.
        .target(name: "JobLedgerTestSupport", dependencies: ["JobLedger", "EventStore", "LMDB"]),
        // The command line's commands, a library so that the fuzzers can run
        // them in-process; `JobLedgerMain` is the `jobledger` executable.
        .target(
            name: "JobLedgerCLI",
            dependencies: [
                "JobLedger", "EventStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "JobLedgerMain", dependencies: ["JobLedgerCLI"]),
        .executableTarget(
            name: "EventStoreBench",
            dependencies: [
                "EventStore", "LMDB", "JobLedger",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // Mutators, properties and the seed corpus of the fuzzers; the test
        // suite and the nightly executable share them.
        .target(name: "FuzzKit", dependencies: ["EventStore", "JobLedger", "JobLedgerCLI"]),
        // Declares libFuzzer's driver for the executable's libFuzzer build.
        .target(name: "CFuzzerDriver"),
        .executableTarget(
            name: "JobLedgerFuzz",
            dependencies: [
                "FuzzKit", "CFuzzerDriver", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // A small child process used by the tests that need several real
        // processes appending to, reading from, or being killed on one ledger.
        .executableTarget(name: "StoreProbe", dependencies: ["EventStore", "LMDB", "JobLedger", "JobLedgerTestSupport"]),
        .testTarget(
            name: "EventStoreTests",
            dependencies: ["EventStore", "LMDB", "StoreProbe", "JobLedger", "JobLedgerTestSupport"]
        ),
        .testTarget(
            name: "JobLedgerCLITests",
            dependencies: ["JobLedgerCLI", "JobLedgerMain", "JobLedger", "EventStore", "JobLedgerTestSupport", "StoreProbe"]
        ),
        .testTarget(
            name: "FuzzTests",
            dependencies: ["FuzzKit", "EventStore", "JobLedger", "JobLedgerFuzz"]
        ),
        .testTarget(
            name: "JobLedgerTests",
            dependencies: ["JobLedger", "EventStore", "LMDB", "JobLedgerTestSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
