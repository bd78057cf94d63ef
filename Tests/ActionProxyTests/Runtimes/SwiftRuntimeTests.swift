import Foundation
import Testing

/// The Swift runtime: `Runtimes/swift/compile` builds the action against the
/// precompiled ActionRuntime module, served by the real proxy on the host and
/// in `actionproxy/swift` (compiling at /init, in the invoker's 256 MB). Every init
/// compiles, so the suite runs one test at a time: parallel compiles would
/// only compete for the same cores.
@Suite("Swift runtime", .serialized)
struct SwiftRuntimeTests {
    static let hello = """
        import Foundation

        func main(args: [String: Any]) -> [String: Any] {
            let name = args["name"] as? String ?? "stranger"
            print("hello log of \\(name)")
            return ["greeting": "Hello, \\(name)!"]
        }
        """

    @Test("hello: func main(args: [String: Any]) -> [String: Any] greets by name and logs", arguments: Serving.swift)
    func hello(_ serving: Serving) throws {
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: Self.hello).status == 200)
            #expect(try proxy.run(["name": "Ada"]).text == "{\"greeting\":\"Hello, Ada!\"}\n")
            proxy.waitForSentinels(1)
            #expect(proxy.stdout == "hello log of Ada\n\(TestProxy.sentinel)\n")
        }
    }

    /// One action per entry point form; each answers `{"echo": <name>, "form": <form>}`.
    static let forms: [(form: String, code: String)] = [
        (
            "dictionary",
            """
            func main(args: [String: Any]) -> [String: Any] {
                ["echo": args["name"] ?? "", "form": "dictionary"]
            }
            """
        ),
        (
            "dictionary async throws",
            """
            func main(args: [String: Any]) async throws -> [String: Any] {
                try await Task.sleep(nanoseconds: 1_000_000)
                return ["echo": args["name"] ?? "", "form": "dictionary async throws"]
            }
            """
        ),
        (
            "any",
            """
            func main(args: Any) -> Any {
                let name = (args as? [String: Any])?["name"] ?? ""
                return ["echo": name, "form": "any"]
            }
            """
        ),
        (
            "codable",
            """
            struct Input: Codable { let name: String }
            struct Output: Codable { let echo: String; let form: String }
            func main(param: Input) throws -> Output { Output(echo: param.name, form: "codable") }
            """
        ),
        (
            "codable async",
            """
            struct Input: Codable { let name: String }
            struct Output: Codable { let echo: String; let form: String }
            func main(param: Input) async throws -> Output {
                await Task.yield()
                return Output(echo: param.name, form: "codable async")
            }
            """
        ),
        (
            "codable completion",
            """
            import Dispatch
            struct Input: Codable { let name: String }
            struct Output: Codable { let echo: String; let form: String }
            func main(param: Input, completion: @escaping (Output?, Error?) -> Void) {
                DispatchQueue.global().async { completion(Output(echo: param.name, form: "codable completion"), nil) }
            }
            """
        ),
        (
            "codable completion without input",
            """
            struct Output: Codable { let echo: String; let form: String }
            func main(completion: @escaping (Output?, Error?) -> Void) {
                completion(Output(echo: "Ada", form: "codable completion without input"), nil)
            }
            """
        ),
    ]

    @Test(
        "every entry point form answers: dictionary, async throws, Any, Codable sync, async and completion",
        arguments: Serving.swift, forms.indices)
    func entryPointForms(_ serving: Serving, index: Int) throws {
        let (form, code) = Self.forms[index]
        try serving.serve { proxy throws in
            let initialized = try proxy.initialize(code: code)
            #expect(initialized.status == 200, "\(form): \(initialized.text)")
            for _ in 1...2 {
                #expect(try proxy.run(["name": "Ada"]).json as? [String: String] == ["echo": "Ada", "form": form])
            }
        }
    }

    /// Upstream appends its launcher, which imports Foundation, to the
    /// action's main.swift: actions written for it use Foundation unimported.
    @Test("an action written for upstream uses Foundation without importing it", arguments: Serving.swift)
    func foundationWithoutImport(_ serving: Serving) throws {
        let code = """
            func main(args: [String: Any]) -> [String: Any] {
                let home = ProcessInfo.processInfo.environment["HOME"] ?? ""
                let data = "ok".data(using: .utf8) ?? Data()
                FileHandle.standardError.write(data)
                return ["since1970": Date().timeIntervalSince1970 > 0, "home": !home.isEmpty, "bytes": data.count]
            }
            """
        try serving.serve { proxy throws in
            let initialized = try proxy.initialize(code: code)
            #expect(initialized.status == 200, "\(initialized.text)")
            let result = try #require(try proxy.run([:]).json as? [String: Any])
            #expect(result["since1970"] as? Bool == true)
            #expect(result["bytes"] as? Int == 2)
            proxy.waitForSentinels(1)
            #expect(proxy.stderr.hasPrefix("ok"))
        }
    }

    @Test("the init's main names another entry point", arguments: Serving.swift)
    func renamedEntryPoint(_ serving: Serving) throws {
        let code = """
            func main(args: [String: Any]) -> [String: Any] { ["called": "main"] }
            func greet(args: [String: Any]) -> [String: Any] { ["called": "greet"] }
            """
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: code, main: "greet").status == 200)
            #expect(try proxy.run([:]).json as? [String: String] == ["called": "greet"])
        }
    }

    @Test("a zip of several .swift files: the entry point calls types of the other files", arguments: Serving.swift)
    func zipOfSources(_ serving: Serving) throws {
        let zip = try zipOf([
            "Action.swift": """
            func main(param: Order) -> Receipt {
                Receipt(total: param.items.map(\\.cents).reduce(0, +), label: Formatter.label(param.items.count))
            }
            """,
            "Model/Order.swift": """
            struct Item: Codable { let name: String; let cents: Int }
            struct Order: Codable { let items: [Item] }
            struct Receipt: Codable { let total: Int; let label: String }
            """,
            "Model/Formatter.swift": """
            enum Formatter {
                static func label(_ count: Int) -> String { count == 1 ? "1 item" : "\\(count) items" }
            }
            """,
        ])
        try serving.serve { proxy throws in
            let initialized = try proxy.initialize(code: zip.base64EncodedString(), binary: true)
            #expect(initialized.status == 200, "\(initialized.text)")
            let order = ["items": [["name": "tea", "cents": 250], ["name": "cake", "cents": 400]]]
            #expect(try proxy.run(order).text == "{\"label\":\"2 items\",\"total\":650}\n")
        }
    }

    @Test("a zip made by actionproxy -compile holds exec and exec.env and runs on the toolchain's Swift runtime")
    func prebuiltZip() throws {
        let sources = try zipOf(["main.swift": Self.hello])
        let folder = try Fixtures.scratch()
        let binary = try Self.runOffline(
            ["-compile", "main"], input: sources, in: folder, environment: Runtime.swift.environment())
        #expect(binary.prefix(4) == Data("PK\u{3}\u{4}".utf8))
        #expect(binary.count < 1_000_000, "\(binary.count) bytes")
        let version = String(
            decoding: try Fixtures.runTool(Runtime.swift.folder.appendingPathComponent("execution-env").path, []),
            as: UTF8.self
        ).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(version.hasPrefix("swift-6."), "\(version)")
        // The guard the slim image sets: the zip names the toolchain's version.
        try withProxy(environment: ["OW_WAIT_FOR_ACK": "1", "OW_EXECUTION_ENV": version]) { proxy throws in
            let initialized = try proxy.initialize(code: binary.base64EncodedString(), binary: true)
            #expect(initialized.status == 200, "\(initialized.text)")
            #expect(try proxy.run(["name": "Zip"]).text == "{\"greeting\":\"Hello, Zip!\"}\n")
            let bin = proxy.directory.appendingPathComponent("action/1/bin")
            #expect(try FileManager.default.contentsOfDirectory(atPath: bin.path).sorted() == ["exec", "exec.env"])
            // Every Swift library comes from the toolchain's runtime folder: no copy in bin/.
            let executable = bin.appendingPathComponent("exec")
            let libraries = String(decoding: try Fixtures.runTool("/usr/bin/ldd", [executable.path]), as: UTF8.self)
            let swiftLines = libraries.split(separator: "\n").filter {
                $0.contains("libswiftCore") || $0.contains("Foundation")
            }
            #expect(swiftLines.count >= 2, "\(libraries)")
            for line in swiftLines {
                #expect(line.contains("/lib/swift/linux/") && !line.contains("/action/1/bin/"), "\(line)")
            }
        }
    }

    @Test(
        "the init env is in the action's environment, = and unicode intact, non-strings as JSON",
        arguments: Serving.swift)
    func initEnvironment(_ serving: Serving) throws {
        let code = """
            import Foundation
            func main(args: [String: Any]) -> [String: Any] {
                let environment = ProcessInfo.processInfo.environment
                return ["greeting": environment["GREETING"] ?? "", "count": environment["COUNT"] ?? ""]
            }
            """
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: code, env: ["GREETING": "a=b ☃", "COUNT": 5]).status == 200)
            #expect(try proxy.run([:]).json as? [String: String] == ["greeting": "a=b ☃", "count": "5"])
        }
    }

    @Test(
        "every activation field is an __OW_ variable, a numeric deadline and an object included",
        arguments: Serving.swift)
    func activationFields(_ serving: Serving) throws {
        let code = """
            import Foundation
            func main(args: [String: Any]) -> [String: Any] {
                ProcessInfo.processInfo.environment.filter { $0.key.hasPrefix("__OW_") && $0.key != "__OW_WAIT_FOR_ACK" && $0.key != "__OW_PROXY_VERSION" }
            }
            """
        let fields: [String: Any] = [
            "activation_id": "act-1", "namespace": "guest", "action_name": "hello", "action_version": "0.0.1",
            "api_key": "key:with=equals", "transaction_id": "tx-☃", "deadline": "1700000000000",
            "extra": ["a": 1],
        ]
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: code).status == 200)
            let first = try proxy.run([:], fields: fields)
            #expect(
                first.json as? [String: String] == [
                    "__OW_ACTIVATION_ID": "act-1", "__OW_NAMESPACE": "guest", "__OW_ACTION_NAME": "hello",
                    "__OW_ACTION_VERSION": "0.0.1", "__OW_API_KEY": "key:with=equals",
                    "__OW_TRANSACTION_ID": "tx-☃", "__OW_DEADLINE": "1700000000000", "__OW_EXTRA": "{\"a\":1}",
                ])
            let numeric = try proxy.run([:], fields: ["activation_id": "act-2", "deadline": 1_700_000_000_001])
            let json = try #require(numeric.json as? [String: String])
            #expect(json["__OW_ACTIVATION_ID"] == "act-2")
            #expect(json["__OW_DEADLINE"] == "1700000000001")
        }
    }

    @Test("unicode round-trips in values, results and logs", arguments: Serving.swift)
    func unicode(_ serving: Serving) throws {
        let code = """
            import Foundation
            func main(args: [String: Any]) -> [String: Any] {
                let text = args["text"] as? String ?? ""
                print("stdout: \\(text)")
                FileHandle.standardError.write("stderr: \\(text)\\n".data(using: .utf8)!)
                return ["text": text, "reversed": String(text.reversed())]
            }
            """
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: code).status == 200)
            let text = "❄ Grüße, 世界 👩🏽‍💻"
            let json = try #require(try proxy.run(["text": text]).json as? [String: String])
            #expect(json == ["text": text, "reversed": String(text.reversed())])
            proxy.waitForSentinels(1)
            #expect(proxy.stdout.contains("stdout: \(text)\n"))
            #expect(proxy.stderr.contains("stderr: \(text)\n"))
        }
    }

    @Test("every activation's logs come before exactly one sentinel per stream", arguments: Serving.swift)
    func logsAndSentinels(_ serving: Serving) throws {
        let code = """
            import Foundation
            func main(args: [String: Any]) -> [String: Any] {
                let n = args["n"] as? Int ?? 0
                print("out \\(n) a")
                print("out \\(n) b")
                FileHandle.standardError.write("err \\(n)\\n".data(using: .utf8)!)
                return ["n": n]
            }
            """
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: code).status == 200)
            for n in 1...4 {
                #expect(try proxy.run(["n": n]).json as? [String: Int] == ["n": n])
            }
            proxy.waitForSentinels(4)
            let sentinel = TestProxy.sentinel + "\n"
            #expect(proxy.stdout == (1...4).map { "out \($0) a\nout \($0) b\n" + sentinel }.joined())
            #expect(proxy.stderr == (1...4).map { "err \($0)\n" + sentinel }.joined())
        }
    }

    @Test(
        "an application error result answers 200 as it is, and the next activation succeeds", arguments: Serving.swift)
    func applicationError(_ serving: Serving) throws {
        let code = """
            func main(args: [String: Any]) -> [String: Any] {
                args["fail"] as? Bool == true ? ["error": "it failed"] : ["ok": true]
            }
            """
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: code).status == 200)
            let failed = try proxy.run(["fail": true])
            #expect(failed.status == 200)
            #expect(failed.text == "{\"error\":\"it failed\"}\n")
            #expect(try proxy.run([:]).json as? [String: Bool] == ["ok": true])
        }
    }

    @Test(
        "a thrown error, or input that does not fit the Codable parameter, becomes an error result; the next activation succeeds",
        arguments: Serving.swift)
    func thrownError(_ serving: Serving) throws {
        let code = """
            struct Input: Codable { let n: Int }
            struct Output: Codable { let doubled: Int }
            enum Refusal: Error { case negative(Int) }
            func main(param: Input) throws -> Output {
                if param.n < 0 { throw Refusal.negative(param.n) }
                return Output(doubled: param.n * 2)
            }
            """
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: code).status == 200)
            let thrown = try proxy.run(["n": -1])
            #expect(thrown.status == 200)
            #expect(thrown.error == "negative(-1)")
            let mismatch = try proxy.run(["m": 1])
            #expect(mismatch.status == 200)
            #expect(mismatch.error?.contains("missing key 'n'") == true, "\(mismatch.text)")
            #expect(try proxy.run(["n": 21]).text == "{\"doubled\":42}\n")
            proxy.waitForSentinels(3)
            #expect(proxy.stderr.contains("threw Action.Refusal: negative(-1)"))
        }
    }

    @Test(
        "an array result answers 200 with the array (a Codable output that encodes as an array)",
        arguments: Serving.swift)
    func arrayResult(_ serving: Serving) throws {
        let code = """
            struct Input: Codable { let words: String }
            func main(param: Input) -> [String] { param.words.split(separator: " ").map(String.init) }
            """
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: code).status == 200)
            #expect(try proxy.run(["words": "one two three"]).text == "[\"one\",\"two\",\"three\"]\n")
        }
    }

    @Test(
        "a compile error fails init with 502 naming main.swift and the line, and no temporary folder",
        arguments: Serving.swift)
    func compileError(_ serving: Serving) throws {
        let code = """
            import Foundation

            func main(args: [String: Any]) -> [String: Any] {
                return ["value": undefinedName]
            }
            """
        try serving.serve { proxy throws in
            let response = try proxy.initialize(code: code)
            #expect(response.status == 502)
            let message = try #require(response.error)
            #expect(
                message.hasPrefix(serving.compileError("main.swift:4:22: error: cannot find 'undefinedName' in scope")),
                "\(message)")
            #expect(!message.contains("/tmp"))
            #expect(!message.contains(proxy.workingDirectory + "/action"))
            #expect(!message.contains("_actionRun"))
        }
    }

    @Test(
        "an entry point of another signature fails init with 502 naming its line and the supported ones",
        arguments: Serving.swift)
    func unsupportedSignature(_ serving: Serving) throws {
        let code = """
            import Foundation

            func main(args: [String: Any]) -> String { "not a dictionary" }
            """
        try serving.serve { proxy throws in
            let response = try proxy.initialize(code: code)
            #expect(response.status == 502)
            let message = try #require(response.error)
            #expect(
                message.hasPrefix(
                    serving.compileError("main.swift:3: error: 'main' has type '([String : Any]) -> String'")),
                "\(message)")
            #expect(message.contains("func main(param: In, completion: @escaping (Out?, Error?) -> Void)"))
        }
    }

    @Test("a crash while loading fails init with 502, its message on stderr", arguments: Serving.swift)
    func crashWhileLoading(_ serving: Serving) throws {
        let code = """
            import Foundation
            let configuration = ProcessInfo.processInfo.environment["CONFIGURATION"] ?? ""
            guard !configuration.isEmpty else { fatalError("CONFIGURATION is not set") }
            func main(args: [String: Any]) -> [String: Any] { ["configuration": configuration] }
            """
        try serving.serve { proxy throws in
            let response = try proxy.initialize(code: code)
            #expect(response.status == 502)
            #expect(response.error == serving.startError("Command exited abruptly during initialization."))
            #expect(proxy.stderr.contains("CONFIGURATION is not set"))
        }
    }

    @Test("a 1 MB value arrives whole", arguments: Serving.swift)
    func largeValue(_ serving: Serving) throws {
        let code = """
            func main(args: [String: Any]) -> [String: Any] {
                let text = args["text"] as? String ?? ""
                return ["count": text.utf8.count, "last": String(text.suffix(3))]
            }
            """
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: code).status == 200)
            let text = String(repeating: "abcdefgh", count: 131_072) + "end"
            let json = try #require(try proxy.run(["text": text]).json as? [String: Any])
            #expect(json["count"] as? Int == 1_048_579)
            #expect(json["last"] as? String == "end")
        }
    }

    @Test("a result string with a newline round-trips on one line", arguments: Serving.swift)
    func newlineInResult(_ serving: Serving) throws {
        let code = """
            func main(args: [String: Any]) -> [String: Any] {
                ["text": "\\(args["first"] ?? "")\\n\\(args["second"] ?? "")"]
            }
            """
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: code).status == 200)
            let response = try proxy.run(["first": "one", "second": "two"])
            #expect(response.text == "{\"text\":\"one\\ntwo\"}\n")
            #expect(response.json as? [String: String] == ["text": "one\ntwo"])
        }
    }

    @Test("the action cannot read the proxy's requests or write on its result pipe", arguments: Serving.swift)
    func protocolPipesArePrivate(_ serving: Serving) throws {
        let code = """
            import Foundation
            func main(args: [String: Any]) -> [String: Any] {
                let forged = Data("{\\"forged\\":true}\\n".utf8)
                let wrote = forged.withUnsafeBytes { write(3, $0.baseAddress, $0.count) } > 0
                return ["stdin": readLine() ?? "", "n": args["n"] ?? 0, "wrote_fd3": wrote]
            }
            """
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: code).status == 200)
            for n in 1...2 {
                let json = try #require(try proxy.run(["n": n]).json as? [String: Any])
                #expect(json["stdin"] as? String == "")
                #expect(json["n"] as? Int == n)
                #expect(json["wrote_fd3"] as? Bool == false)
            }
        }
    }

    @Test("the examples answer as Examples/swift/README.md shows", arguments: Serving.swift)
    func examples(_ serving: Serving) throws {
        let folder = Runtime.repository.appendingPathComponent("Examples/swift")
        let hello = try String(contentsOf: folder.appendingPathComponent("hello/hello.swift"), encoding: .utf8)
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: hello).status == 200)
            #expect(try proxy.run(["name": "Ada"]).text == "{\"greeting\":\"Hello, Ada!\"}\n")
        }
        let invoice = folder.appendingPathComponent("invoice")
        let files = ["main.swift", "Invoice.swift", "Money.swift"]
        let zip = try Fixtures.zip(files.map { ($0, invoice.appendingPathComponent($0), 0o644) })
        try serving.serve { proxy throws in
            let initialized = try proxy.initialize(code: zip.base64EncodedString(), binary: true)
            #expect(initialized.status == 200, "\(initialized.text)")
            let order: [String: Any] = [
                "items": [
                    ["name": "Espresso", "unitPrice": "2.40", "quantity": 3],
                    ["name": "Croissant", "unitPrice": "1.90"],
                ],
                "taxPercent": 19,
            ]
            #expect(
                try proxy.run(order).text
                    == "{\"gross\":\"10.83\",\"lines\":[{\"name\":\"Espresso\",\"quantity\":3,\"total\":\"7.20\"},{\"name\":\"Croissant\",\"quantity\":1,\"total\":\"1.90\"}],\"net\":\"9.10\",\"tax\":\"1.73\"}\n"
            )
            #expect(try proxy.run(["items": [] as [Any]]).error == "An invoice needs at least one item.")
        }
    }

    /// Runs the proxy binary with `arguments` and returns its stdout (stderr
    /// goes to a file, so that a log line cannot corrupt the zip).
    private static func runOffline(
        _ arguments: [String], input: Data, in folder: URL, environment: [String: String]
    ) throws -> Data {
        let errors = folder.appendingPathComponent("stderr.txt")
        try Data().write(to: errors)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestProxy.binary)
        process.arguments = arguments
        process.currentDirectoryURL = folder
        process.environment = environment
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        stdin.fileHandleForWriting.write(input)
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
            throw HTTPTestError(description: "actionproxy \(arguments) failed: \(message)")
        }
        return output
    }
}
