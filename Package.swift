// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Godwit",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "godwit", targets: ["godwit"]),
        .library(name: "GodwitCore", targets: ["GodwitCore"]),
        .library(name: "GodwitSQLite", targets: ["GodwitSQLite"]),
        .library(name: "GodwitPostgres", targets: ["GodwitPostgres"]),
        .library(name: "Godwit", targets: ["Godwit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .systemLibrary(
            name: "CPgQuery",
            providers: [.apt(["libpg-query-dev"])]
        ),
        .target(
            name: "GodwitCore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(name: "GodwitSQLite", dependencies: ["GodwitCore", "CSQLite"]),
        .target(name: "GodwitPostgres", dependencies: ["GodwitCore", "CLibPQ", "CPgQuery"]),
        .target(
            name: "Godwit",
            dependencies: ["GodwitCore", .product(name: "Yams", package: "Yams"), .product(name: "Crypto", package: "swift-crypto")]
        ),
        .executableTarget(
            name: "godwit",
            dependencies: [
                "Godwit", "GodwitCore", "GodwitSQLite", "GodwitPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // What several test targets share: the PostgreSQL test server, per-test schemas, the
        // project builder and the driver contract suite (which each driver's tests run).
        .target(
            name: "GodwitTestSupport",
            dependencies: ["Godwit", "GodwitCore", "GodwitSQLite", "GodwitPostgres"],
            path: "Tests/GodwitTestSupport"
        ),
        .testTarget(name: "GodwitCoreTests", dependencies: ["GodwitCore"]),
        .testTarget(name: "GodwitSQLiteTests", dependencies: ["GodwitCore", "GodwitSQLite", "GodwitTestSupport"]),
        .testTarget(
            name: "GodwitPostgresTests", dependencies: ["GodwitCore", "GodwitPostgres", "GodwitSQLite", "GodwitTestSupport"]),
        .testTarget(
            name: "GodwitTests", dependencies: ["Godwit", "GodwitCore", "GodwitSQLite", "GodwitPostgres", "GodwitTestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["GodwitCore", "GodwitTestSupport"], resources: []),
    ]
)
