import Foundation
import Testing

/// Swift actions sent as SwiftPM packages (`Package.swift` at the top of the
/// zip), built by `Runtimes/swift/build-package`. In the serialized Swift
/// suite: a package build takes both cores.
extension SwiftRuntimeTests {
    static let packageManifest = """
        // swift-tools-version:5.9
        import PackageDescription

        let package = Package(
            name: "Greeter",
            targets: [.executableTarget(name: "Greeter")]
        )
        """

    /// A package without dependencies: the entry point in main.swift, a type
    /// of another file of the target.
    static let package: [String: String] = [
        "Package.swift": packageManifest,
        "Sources/Greeter/main.swift": """
        func main(args: [String: Any]) -> [String: Any] {
            let name = args["name"] as? String ?? "stranger"
            print("package log of \\(name)")
            return ["greeting": Greeting(name: name).text]
        }
        """,
        "Sources/Greeter/Greeting.swift": """
        struct Greeting {
            let name: String
            var text: String { "Hello from a package, \\(name)!" }
        }
        """,
    ]

    /// A package that depends on apple/swift-collections (resolved as SwiftPM
    /// resolves it: through git, from the package mirror where git's
    /// insteadOf points there), its entry point a Codable one.
    static let collectionsPackage: [String: String] = [
        "Package.swift": """
        // swift-tools-version:5.9
        import PackageDescription

        let package = Package(
            name: "Action",
            dependencies: [
                .package(url: "https://github.com/apple/swift-collections.git", from: "1.0.0")
            ],
            targets: [
                .executableTarget(
                    name: "Action",
                    dependencies: [.product(name: "Collections", package: "swift-collections")]
                )
            ]
        )
        """,
        "Sources/Action/Unique.swift": """
        import Collections

        struct Input: Codable { let words: [String] }
        struct Output: Codable { let unique: [String]; let rotated: [String] }

        func unique(param: Input) -> Output {
            let set = OrderedSet(param.words)
            var deque = Deque(set)
            if let first = deque.popFirst() { deque.append(first) }
            return Output(unique: Array(set), rotated: Array(deque))
        }
        """,
    ]

    /// The first build of a package with a dependency compiles the dependency
    /// too: tens of seconds on a loaded 2-core machine, more than the test
    /// client's default 30 s.
    static func initializeSlowly(
        _ proxy: any ProxyUnderTest, zip: Data, main: String = "main"
    ) throws -> HTTPTestResponse {
        let value: [String: Any] = ["code": zip.base64EncodedString(), "binary": true, "main": main]
        let body = try JSONSerialization.data(withJSONObject: ["value": value])
        return try HTTPTestClient(port: proxy.port, timeoutSeconds: 600).request("POST", "/init", body: body)
    }

    @Test("a package without dependencies builds with SwiftPM at /init and runs", arguments: Serving.swift)
    func packageWithoutDependencies(_ serving: Serving) throws {
        let zip = try zipOf(Self.package)
        try serving.serve { proxy throws in
            let initialized = try Self.initializeSlowly(proxy, zip: zip)
            #expect(initialized.status == 200, "\(initialized.text)")
            #expect(try proxy.run(["name": "Ada"]).text == "{\"greeting\":\"Hello from a package, Ada!\"}\n")
            proxy.waitForSentinels(1)
            #expect(proxy.stdout == "package log of Ada\n\(TestProxy.sentinel)\n")
        }
    }

    /// On the host only: in the image, the invoker's 256 MB is too little for
    /// a release build of swift-collections (SwiftImageTests: the 502 that
    /// says so, and the same package prebuilt with -compile on swift-slim).
    @Test(
        "a package that depends on apple/swift-collections resolves it (the mirror where git points there) and runs",
        arguments: [Serving.host(.swift)])
    func packageWithDependency(_ serving: Serving) throws {
        let zip = try zipOf(Self.collectionsPackage)
        try serving.serve { proxy throws in
            let initialized = try Self.initializeSlowly(proxy, zip: zip, main: "unique")
            #expect(initialized.status == 200, "\(initialized.text)")
            let response = try proxy.run(["words": ["b", "a", "b", "c", "a"]])
            #expect(response.text == "{\"rotated\":[\"a\",\"c\",\"b\"],\"unique\":[\"b\",\"a\",\"c\"]}\n")
        }
    }

    @Test("a package that does not build fails init with 502 naming the user's file and line", arguments: Serving.swift)
    func packageBuildError(_ serving: Serving) throws {
        var files = Self.package
        files["Sources/Greeter/Greeting.swift"] = """
            struct Greeting {
                let name: String
                var text: String { "Hello, \\(name)" + missingSuffix }
            }
            """
        let zip = try zipOf(files)
        try serving.serve { proxy throws in
            let response = try Self.initializeSlowly(proxy, zip: zip)
            #expect(response.status == 502)
            let message = try #require(response.error)
            #expect(
                message.hasPrefix(
                    serving.compileError(
                        "Sources/Greeter/Greeting.swift:3:43: error: cannot find 'missingSuffix' in scope")),
                "\(message)")
            #expect(!message.contains("/tmp"), "\(message)")
            #expect(!message.contains(proxy.workingDirectory + "/action"), "\(message)")
            #expect(!message.contains("_actionRun"), "\(message)")
            #expect(!message.contains("Compiling"), "\(message)")
        }
    }

    @Test("a package's manifest error fails init with 502 naming Package.swift and its line", arguments: Serving.swift)
    func packageManifestError(_ serving: Serving) throws {
        var files = Self.package
        files["Package.swift"] = """
            // swift-tools-version:5.9
            import PackageDescription

            let package = Package(name: "Greeter", targets: [.executableTarget(name: "Greeter", dependencies: [nope])])
            """
        let zip = try zipOf(files)
        try serving.serve { proxy throws in
            let response = try Self.initializeSlowly(proxy, zip: zip)
            #expect(response.status == 502)
            let message = try #require(response.error)
            #expect(message.contains("Package.swift:4:"), "\(message)")
            #expect(message.contains("cannot find 'nope' in scope"), "\(message)")
            #expect(!message.contains("compiled with"), "\(message)")
            #expect(!message.contains("TemporaryDirectory"), "\(message)")
        }
    }

    @Test(
        "a second /init of the same package on a warm proxy reuses SwiftPM's build: faster than the first",
        arguments: Serving.swift)
    func packageRebuildIsCached(_ serving: Serving) throws {
        // A cache of its own on the host (the container starts with none).
        var environment = ["PROXY_ALLOW_REINIT": "1"]
        if case .host = serving {
            environment["OW_SWIFT_PACKAGE_CACHE"] = try Fixtures.scratch().appendingPathComponent("packages").path
        }
        let zip = try zipOf(Self.package)
        try serving.serve(environment: environment) { proxy throws in
            var seconds: [TimeInterval] = []
            for name in ["Ada", "Bo"] {
                let start = Date()
                let initialized = try Self.initializeSlowly(proxy, zip: zip)
                seconds.append(Date().timeIntervalSince(start))
                #expect(initialized.status == 200, "\(initialized.text)")
                #expect(try proxy.run(["name": name]).text == "{\"greeting\":\"Hello from a package, \(name)!\"}\n")
            }
            #expect(seconds[1] < seconds[0], "first \(seconds[0]) s, second \(seconds[1]) s")
            print("package /init: first \(seconds[0]) s, second \(seconds[1]) s (\(serving.testDescription))")
        }
    }
}
