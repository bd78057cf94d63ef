import Foundation
import Testing

/// What only the Swift images have (the runtime's cases run on
/// `actionproxy/swift` in `Runtimes/SwiftRuntimeTests.swift`): offline builds
/// with `actionproxy/swift -compile`, run on `actionproxy/swift-slim`, where no
/// toolchain is.
extension ContainerTests {
    @Suite("Container: actionproxy/swift", .enabled(if: TestImage.enabled(.swift), skipNote(.swift)), .serialized)
    struct SwiftImageTests {
        @Test("-compile reports a compile error on stderr, exits non-zero and writes no zip")
        func prebuildError() throws {
            let sources = try zipOf([
                "main.swift": "func main(args: [String: Any]) -> [String: Any] { [\"x\": nope] }\n"
            ])
            let outcome = try Docker.run(
                ["run", "-i", "--rm", TestImage.swift.reference, "-compile", "main"], input: sources)
            #expect(outcome.status != 0)
            #expect(outcome.stdout.isEmpty)
            #expect(outcome.errors.contains("cannot find 'nope' in scope"), "\(outcome.errors)")
        }

        @Test("a package whose dependency does not build in the invoker's 256 MB fails /init with 502 saying how to prebuild")
        func packageOutOfMemory() throws {
            let zip = try zipOf(SwiftRuntimeTests.collectionsPackage)
            try withContainer(.swift) { proxy throws in
                let response = try SwiftRuntimeTests.initializeSlowly(proxy, zip: zip, main: "unique")
                #expect(response.status == 502)
                let message = try #require(response.error)
                #expect(message.contains("ran out of memory"), "\(message)")
                #expect(message.contains("limit of 256 MB"), "\(message)")
                #expect(message.contains("actionproxy/swift -compile unique"), "\(message)")
            }
        }
    }

    @Suite(
        "Container: actionproxy/swift-slim, with actions prebuilt by actionproxy/swift",
        .enabled(if: TestImage.enabled(.swift, .swiftSlim), skipNote(.swift, .swiftSlim)), .serialized)
    struct SwiftSlimImageTests {
        @Test("a zip made by actionproxy/swift -compile runs on actionproxy/swift-slim, with its own Swift libraries")
        func prebuiltZip() throws {
            let binary = try Self.prebuild(["main.swift": SwiftRuntimeTests.hello])
            #expect(binary.prefix(4) == Data("PK\u{3}\u{4}".utf8))
            try withContainer(.swiftSlim) { proxy throws in
                #expect(try proxy.initialize(code: binary.base64EncodedString(), binary: true).status == 200)
                #expect(try proxy.run(["name": "Zip"]).text == "{\"greeting\":\"Hello, Zip!\"}\n")
                proxy.waitForSentinels(1)
                #expect(proxy.stdout == "hello log of Zip\n\(TestContainer.sentinel)\n")
                // Every Swift library comes from the zip's lib/: the image has no toolchain.
                let libraries = try proxy.exec(["ldd", "/action/action/1/bin/exec"]).output
                let swiftLines = libraries.split(separator: "\n").filter {
                    $0.contains("libswiftCore") || $0.contains("Foundation")
                }
                #expect(!swiftLines.isEmpty)
                for line in swiftLines {
                    #expect(line.contains("/action/action/1/bin/lib/"), "\(line)")
                }
                #expect(!libraries.contains("not found"), "\(libraries)")
            }
        }

        @Test("a zip of several files prebuilt with -compile and a renamed entry point runs on actionproxy/swift-slim")
        func prebuiltZipOfSeveralFiles() throws {
            let files = [
                "Greeter.swift": """
                import Foundation
                struct Greeter { let name: String; var line: String { "Hi, \\(name) (\\(ProcessInfo.processInfo.environment["__OW_ACTIVATION_ID"] ?? "-"))" } }
                """,
                "main.swift": """
                struct Input: Codable { let name: String }
                struct Output: Codable { let line: String }
                func greet(param: Input) async throws -> Output { Output(line: Greeter(name: param.name).line) }
                """,
            ]
            let binary = try Self.prebuild(files, main: "greet")
            try withContainer(.swiftSlim) { proxy throws in
                #expect(try proxy.initialize(code: binary.base64EncodedString(), binary: true).status == 200)
                for index in 1...3 {
                    let response = try proxy.run(["name": "Ada"], fields: ["activation_id": "a\(index)"])
                    #expect(response.text == "{\"line\":\"Hi, Ada (a\(index))\"}\n")
                }
            }
        }

        @Test("a package that depends on apple/swift-collections, prebuilt with -compile, runs on actionproxy/swift-slim")
        func prebuiltPackage() throws {
            let binary = try Self.prebuild(SwiftRuntimeTests.collectionsPackage, main: "unique")
            #expect(binary.prefix(4) == Data("PK\u{3}\u{4}".utf8))
            try withContainer(.swiftSlim) { proxy throws in
                #expect(try proxy.initialize(code: binary.base64EncodedString(), binary: true).status == 200)
                let response = try proxy.run(["words": ["b", "a", "b", "c", "a"]])
                #expect(response.text == "{\"rotated\":[\"a\",\"c\",\"b\"],\"unique\":[\"b\",\"a\",\"c\"]}\n")
                let libraries = try proxy.exec(["ldd", "/action/action/1/bin/exec"]).output
                #expect(!libraries.contains("not found"), "\(libraries)")
            }
        }

        @Test("a Swift source sent to actionproxy/swift-slim fails init with 502 saying how to prebuild it")
        func sourceOnSlim() throws {
            try withContainer(.swiftSlim) { proxy throws in
                let response = try proxy.initialize(code: SwiftRuntimeTests.hello)
                #expect(response.status == 502)
                #expect(response.error?.contains("actionproxy/swift -compile main") == true, "\(response.text)")
            }
        }

        /// `docker run -i actionproxy/swift -compile MAIN` on a zip of `files`:
        /// the zip of bin/ it writes on stdout.
        static func prebuild(_ files: [String: String], main: String = "main") throws -> Data {
            let outcome = try Docker.run(
                ["run", "-i", "--rm", TestImage.swift.reference, "-compile", main], input: try zipOf(files))
            guard outcome.status == 0 else {
                throw HTTPTestError(description: "actionproxy/swift -compile failed: \(outcome.errors)")
            }
            return outcome.stdout
        }
    }
}
