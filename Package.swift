// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "jobledger",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "LMDB", targets: ["LMDB"]),
        .library(name: "EventStore", targets: ["EventStore"]),
        .library(name: "JobLedger", targets: ["JobLedger"]),
        .library(name: "JobLedgerServer", targets: ["JobLedgerServer"]),
        .library(name: "JobLedgerClient", targets: ["JobLedgerClient"]),
        .library(name: "PostgresEventStore", targets: ["PostgresEventStore"]),
        .executable(name: "jobledger", targets: ["JobLedgerMain"]),
        .executable(name: "jobledger-server", targets: ["JobLedgerServe"]),
        .executable(name: "jobledger-fuzz", targets: ["JobLedgerFuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // SHA-256 for the digest chain of exports, and of bearer tokens (the
        // ledger keeps only a token's digest).
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        // The HTTP server of `jobledger serve`.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.4.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        // The HTTP client of the JobLedgerClient library.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.30.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.0.0"),
        // The PostgreSQL backend of the storage contract.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.21.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLMDB",
            pkgConfig: "lmdb",
            providers: [.apt(["liblmdb-dev"])]
        ),
        .target(name: "LMDB", dependencies: ["CLMDB"]),
        // What the ledger and its client both speak, with no dependency: the
        // JSON value, the civil calendar under timestamps, the JSON text
        // form, the report's figures and the problem document.
        .target(name: "LedgerWire"),
        .target(name: "EventStore", dependencies: ["LMDB", "LedgerWire", .product(name: "Crypto", package: "swift-crypto")]),
        // The storage contract on PostgreSQL: several servers, one database.
        // Its own target, so that a program on LMDB links no networking.
        .target(
            name: "PostgresEventStore",
            dependencies: [
                "EventStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .target(
            name: "JobLedger",
            dependencies: ["EventStore", "LedgerWire", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // The ledger over HTTP: routes, bearer tokens, limits, metrics.
        .target(
            name: "JobLedgerServer",
            dependencies: [
                "JobLedger", "EventStore", "LedgerWire",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            resources: [
                .copy("Resources/openapi.json"),
                // The dashboard's style sheet and script, served as they are.
                .copy("Dashboard/Resources/dashboard.css"), .copy("Dashboard/Resources/dashboard.js"),
            ]
        ),
        // Typed calls to `jobledger serve` and a worker that runs over them.
        // It needs no LMDB: a program that only talks to a server links no ledger.
        .target(
            name: "JobLedgerClient",
            dependencies: [
                "LedgerWire",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
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
        // `jobledger serve` runs this executable in its place: the server
        // and its networking stack stay out of the command line's startup.
        .executableTarget(
            name: "JobLedgerServe",
            dependencies: [
                "JobLedger", "JobLedgerServer", "JobLedgerCLI", "PostgresEventStore", "EventStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
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
        // Remote workers in a process of their own, for the HTTP tests and
        // the benchmark. In no product.
        .executableTarget(
            name: "RemoteWorkerProbe",
            dependencies: [
                "JobLedgerClient", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // A small child process used by the tests that need several real
        // processes appending to, reading from, or being killed on one ledger.
        .executableTarget(
            name: "StoreProbe", dependencies: ["EventStore", "LMDB", "JobLedger", "JobLedgerTestSupport", "PostgresEventStore"]),
        // The LMDB wrapper's own contract: map growth, reader slots, the
        // writer lock file, through the wrapper alone.
        .testTarget(name: "LMDBTests", dependencies: ["LMDB"]),
        .testTarget(
            name: "EventStoreTests",
            dependencies: ["EventStore", "LMDB", "LedgerWire", "StoreProbe", "JobLedger", "JobLedgerTestSupport", "PostgresEventStore"]
        ),
        .testTarget(
            name: "JobLedgerCLITests",
            dependencies: ["JobLedgerCLI", "JobLedgerMain", "JobLedger", "EventStore", "JobLedgerTestSupport", "StoreProbe"]
        ),
        .testTarget(
            name: "FuzzTests",
            dependencies: ["FuzzKit", "EventStore", "JobLedger", "JobLedgerFuzz"]
        ),
        // A real `jobledger serve` on a loopback port, remote workers in other
        // processes (Swift and Python), and the client library's wire format.
        .testTarget(
            name: "JobLedgerHTTPTests",
            dependencies: [
                "JobLedgerClient", "RemoteWorkerProbe", "JobLedgerCLI", "JobLedger", "EventStore", "JobLedgerTestSupport",
                "PostgresEventStore",
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "JobLedgerServerTests",
            dependencies: [
                "JobLedgerServer", "JobLedger", "EventStore", "JobLedgerCLI", "JobLedgerServe", "JobLedgerTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "JobLedgerTests",
            dependencies: ["JobLedger", "EventStore", "LMDB", "JobLedgerTestSupport", "PostgresEventStore"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
