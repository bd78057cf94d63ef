// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "actionproxy",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "actionproxy", targets: ["actionproxy"]),
        .library(name: "ActionProxy", targets: ["ActionProxy"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CZlib",
            path: "Sources/CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .systemLibrary(name: "CSystemShims", path: "Sources/CSystemShims"),
        // Declares libFuzzer's LLVMFuzzerRunDriver for the fuzz binary.
        .systemLibrary(name: "CLibFuzzer", path: "Sources/CLibFuzzer"),
        .target(
            name: "ActionProxy",
            dependencies: [
                "CZlib",
                "CSystemShims",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "actionproxy",
            dependencies: [
                "ActionProxy",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Fuzz targets over the request and archive intake. `make fuzz` builds
        // it with libFuzzer (-sanitize=fuzzer -D FUZZING); the ordinary build
        // gives a replayer of the corpus in Fuzz/corpus, used by the tests.
        .executableTarget(
            name: "ActionProxyFuzz",
            dependencies: ["ActionProxy", "CLibFuzzer", .product(name: "NIOCore", package: "swift-nio")]
        ),
        .testTarget(
            name: "ActionProxyTests",
            dependencies: ["ActionProxy", .product(name: "NIOCore", package: "swift-nio")],
            exclude: ["Fixtures"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
