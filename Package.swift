// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "actionproxy",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "actionproxy", targets: ["actionproxy"]),
        .executable(name: "actionkit", targets: ["actionkit"]),
        .library(name: "ActionProxy", targets: ["ActionProxy"]),
        .library(name: "ActionKit", targets: ["ActionKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        // Only for the tests that read deploy/'s Kubernetes and Knative YAML.
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
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
        // No swift-argument-parser here: it links Foundation into the proxy,
        // whose pages every action container would map. Linked as a static
        // executable: no dynamic loading or relocation at start, and about a
        // third less resident memory (docs/performance.md).
        .executableTarget(
            name: "actionproxy",
            dependencies: [
                "ActionProxy",
                .product(name: "Logging", package: "swift-log"),
            ],
            linkerSettings: [.unsafeFlags(["-static-executable"], .when(platforms: [.linux]))]
        ),
        // The runtime author's kit: conformance, a local invoker, benchmarks.
        // It drives proxies from outside (HTTP, processes, docker), so it may
        // use Foundation; the proxy library above does not.
        .target(
            name: "ActionKit",
            dependencies: ["ActionProxy"]
        ),
        .executableTarget(
            name: "actionkit",
            dependencies: [
                "ActionKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "ActionKitTests",
            dependencies: ["ActionKit", .product(name: "Yams", package: "Yams")]
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
            dependencies: ["ActionProxy", "ActionKit", .product(name: "NIOCore", package: "swift-nio")],
            exclude: ["Fixtures"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
