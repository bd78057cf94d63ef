import Foundation
import Testing

/// What only the Swift images have (the runtime's cases run on
/// `actionproxy/swift` in `Runtimes/SwiftRuntimeTests.swift`): offline builds
/// with `actionproxy/swift -compile`, run on `actionproxy/swift-slim`, where no
/// toolchain is but the toolchain's Swift runtime libraries are.
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

        @Test(
            "-compile of a package that does not build exits non-zero with the user's file and line and writes no zip")
        func prebuildPackageError() throws {
            var files = SwiftRuntimeTests.package
            files["Sources/Greeter/Greeting.swift"] = """
                struct Greeting {
                    let name: String
                    var text: String { "Hello, \\(name)" + missingSuffix }
                }
                """
            let outcome = try Docker.run(
                ["run", "-i", "--rm", TestImage.swift.reference, "-compile", "main"], input: try zipOf(files))
            #expect(outcome.status != 0)
            #expect(outcome.stdout.isEmpty)
            #expect(
                outcome.errors.contains(
                    "Sources/Greeter/Greeting.swift:3:43: error: cannot find 'missingSuffix' in scope"),
                "\(outcome.errors)")
        }

        @Test("an /init compile leaves bin/exec on the image's Swift runtime, no copy of it, and bin/exec.env")
        func initCompileUsesTheImageRuntime() throws {
            try withContainer(.swift) { proxy throws in
                #expect(try proxy.initialize(code: SwiftRuntimeTests.hello).status == 200)
                #expect(try proxy.run(["name": "Ada"]).text == "{\"greeting\":\"Hello, Ada!\"}\n")
                let listing = try proxy.exec(["ls", "-A", "/action/action/1/bin"]).output
                #expect(listing.split(separator: "\n") == ["exec", "exec.env"])
                let version = try proxy.exec(["/usr/local/lib/actionproxy/swift/execution-env"]).output
                #expect(version.hasPrefix("swift-"))
                #expect(try proxy.exec(["cat", "/action/action/1/bin/exec.env"]).output == version)
                try expectSwiftLibraries(of: "/action/action/1/bin/exec", in: proxy)
            }
        }

        @Test(
            "a package whose dependency does not build in the invoker's 256 MB fails /init with 502 saying how to prebuild"
        )
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
        @Test("a zip made by actionproxy/swift -compile holds exec and exec.env only, and is under 1 MB")
        func prebuiltZipIsSmall() throws {
            let binary = try Self.prebuild(["main.swift": SwiftRuntimeTests.hello])
            #expect(binary.prefix(4) == Data("PK\u{3}\u{4}".utf8))
            #expect(binary.count < 1_000_000, "\(binary.count) bytes")
            let entries = try Self.entries(of: binary)
            #expect(entries.keys.sorted() == ["exec", "exec.env"], "\(entries)")
            let environment = String(decoding: try Self.read("exec.env", in: binary), as: UTF8.self)
            let needed = try Self.imageEnvironment
            #expect(environment == needed + "\n")
        }

        @Test("a zip made by actionproxy/swift -compile runs on actionproxy/swift-slim, on the image's Swift libraries")
        func prebuiltZip() throws {
            let binary = try Self.prebuild(["main.swift": SwiftRuntimeTests.hello])
            try withContainer(.swiftSlim) { proxy throws in
                #expect(try proxy.initialize(code: binary.base64EncodedString(), binary: true).status == 200)
                #expect(try proxy.run(["name": "Zip"]).text == "{\"greeting\":\"Hello, Zip!\"}\n")
                proxy.waitForSentinels(1)
                #expect(proxy.stdout == "hello log of Zip\n\(TestContainer.sentinel)\n")
                try expectSwiftLibraries(of: "/action/action/1/bin/exec", in: proxy)
            }
        }

        @Test("a zip whose bin/exec.env names another Swift version is refused with 502 naming both versions")
        func otherSwiftVersion() throws {
            let binary = try Self.prebuild(["main.swift": SwiftRuntimeTests.hello])
            let other = try Self.replacing("exec.env", in: binary, with: "swift-5.10.1\n")
            let needed = try Self.imageEnvironment
            try withContainer(.swiftSlim) { proxy throws in
                let response = try proxy.initialize(code: other.base64EncodedString(), binary: true)
                #expect(response.status == 502)
                #expect(
                    response.error
                        == InitFailure.start + "Execution environment version mismatch. See logs for details."
                        + " This image needs actions built for '\(needed)'; the action was built for"
                        + " 'swift-5.10.1'.")
                #expect(proxy.stderr.contains("Actual value: swift-5.10.1"), "\(proxy.stderr)")
                // Refused, not counted: the zip of the right version initialises next.
                #expect(try proxy.initialize(code: binary.base64EncodedString(), binary: true).status == 200)
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

        @Test(
            "a package without dependencies, prebuilt with -compile, holds exec and exec.env and runs on actionproxy/swift-slim"
        )
        func prebuiltPackageWithoutDependencies() throws {
            let binary = try Self.prebuild(SwiftRuntimeTests.package)
            #expect(try Self.entries(of: binary).keys.sorted() == ["exec", "exec.env"])
            try withContainer(.swiftSlim) { proxy throws in
                #expect(try proxy.initialize(code: binary.base64EncodedString(), binary: true).status == 200)
                #expect(try proxy.run(["name": "Ada"]).text == "{\"greeting\":\"Hello from a package, Ada!\"}\n")
            }
        }

        @Test(
            "a package that depends on apple/swift-collections, prebuilt with -compile, runs on actionproxy/swift-slim")
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

        /// `OW_EXECUTION_ENV` of actionproxy/swift-slim, as the image sets it.
        static var imageEnvironment: String {
            get throws {
                let outcome = try Docker.check([
                    "image", "inspect", "-f", "{{range .Config.Env}}{{println .}}{{end}}", TestImage.swiftSlim.rawValue,
                ])
                let prefix = "OW_EXECUTION_ENV="
                let line = outcome.output.split(separator: "\n").first { $0.hasPrefix(prefix) }
                return try #require(line.map { String($0.dropFirst(prefix.count)) })
            }
        }

        /// The entries of a zip with their sizes, as Python's zipfile reads them.
        static func entries(of zip: Data) throws -> [String: Int] {
            let script = """
                import io, json, sys, zipfile
                z = zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read()))
                print(json.dumps({i.filename: i.file_size for i in z.infolist()}))
                """
            let output = try Fixtures.runTool("/usr/bin/python3", ["-c", script], input: zip)
            return try #require(try JSONSerialization.jsonObject(with: output) as? [String: Int])
        }

        /// One entry of a zip.
        static func read(_ name: String, in zip: Data) throws -> Data {
            let script = """
                import io, sys, zipfile
                sys.stdout.buffer.write(zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read())).read(sys.argv[1]))
                """
            return try Fixtures.runTool("/usr/bin/python3", ["-c", script, name], input: zip)
        }

        /// `zip` with the entry `name` holding `content` instead, every other
        /// entry (and its mode) as it was.
        static func replacing(_ name: String, in zip: Data, with content: String) throws -> Data {
            let target = try Fixtures.scratch().appendingPathComponent("replaced.zip")
            let script = """
                import io, sys, zipfile
                source = zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read()))
                with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
                    for info in source.infolist():
                        z.writestr(info, sys.argv[3] if info.filename == sys.argv[2] else source.read(info))
                """
            try Fixtures.runTool("/usr/bin/python3", ["-c", script, target.path, name, content], input: zip)
            return try Data(contentsOf: target)
        }
    }
}

/// Every Swift library of `executable` in the container comes from the
/// image's /usr/lib/swift/linux, and nothing is missing.
private func expectSwiftLibraries(of executable: String, in proxy: TestContainer) throws {
    let libraries = try proxy.exec(["ldd", executable]).output
    let swiftLines = libraries.split(separator: "\n").filter {
        $0.contains("libswiftCore") || $0.contains("Foundation")
    }
    #expect(swiftLines.count >= 2, "\(libraries)")
    for line in swiftLines {
        #expect(line.contains("=> /usr/lib/swift/linux/"), "\(line)")
    }
    #expect(!libraries.contains("not found"), "\(libraries)")
}
