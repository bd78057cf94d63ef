/// The Swift runtime (Runtimes/swift): sources compiled at init, in the
/// dictionary, Codable and async entry point forms. Every init compiles, so
/// these cases get a longer timeout.
enum SwiftCases {
    static let compileTimeout: Double = 300

    static func action(_ name: String, _ source: String, main: String? = nil) -> TestAction {
        TestAction("the Swift action \(name)", source: source, main: main)
    }

    static let echo = action(
        "echo", "func main(args: [String: Any]) -> [String: Any] {\n    args\n}\n")
    static let environment = action(
        "env",
        """
        import Foundation

        func main(args: [String: Any]) -> [String: Any] {
            ["env": ProcessInfo.processInfo.environment]
        }
        """)
    static let logging = action(
        "logs",
        """
        import Foundation

        func main(args: [String: Any]) -> [String: Any] {
            let n = args["n"] as? Int ?? 0
            print("stdout of \\(n)")
            FileHandle.standardError.write(Data("stderr of \\(n)\\n".utf8))
            return ["n": n]
        }
        """)

    static func swiftCase(
        _ id: String, _ description: String, needsLogs: Bool = false, environment: [String: String] = [:],
        body: @escaping @Sendable (CaseContext) throws -> Void
    ) -> ConformanceCase {
        ConformanceCase(
            id, description, runtimes: [.swift], need: .fresh(environment: environment), needsLogs: needsLogs,
            timeout: compileTimeout, body: body)
    }

    static let all: [ConformanceCase] = [
        swiftCase("swift.hello", "func main(args: [String: Any]) -> [String: Any] answers with its dictionary") {
            context in
            let code = """
                func main(args: [String: Any]) -> [String: Any] {
                    ["greeting": "Hello, \\(args["name"] as? String ?? "stranger")!"]
                }
                """
            try context.expectInitialized(action("hello", code))
            try context.expectResult(try context.run(["name": "Ada"]), ["greeting": "Hello, Ada!"], "a run")
        },
        swiftCase("swift.codable", "a Codable main with a completion handler answers with its output") { context in
            let code = """
                struct Input: Codable { let name: String }
                struct Output: Codable { let greeting: String }
                func main(param: Input, completion: @escaping (Output?, Error?) -> Void) {
                    completion(Output(greeting: "Hello, \\(param.name)!"), nil)
                }
                """
            try context.expectInitialized(action("codable", code))
            try context.expectResult(try context.run(["name": "Ada"]), ["greeting": "Hello, Ada!"], "a run")
        },
        swiftCase("swift.async", "an async throws Codable main answers with its output") { context in
            let code = """
                struct Input: Codable { let n: Int }
                struct Output: Codable { let twice: Int }
                func main(param: Input) async throws -> Output {
                    await Task.yield()
                    return Output(twice: param.n * 2)
                }
                """
            try context.expectInitialized(action("async", code))
            try context.expectResult(try context.run(["n": 21]), ["twice": 42], "a run")
        },
        swiftCase("swift.main", "the init's main names the entry point") { context in
            let code = """
                func main(args: [String: Any]) -> [String: Any] { ["called": "main"] }
                func greet(args: [String: Any]) -> [String: Any] { ["called": "greet"] }
                """
            try context.expectInitialized(action("with two functions", code, main: "greet"))
            try context.expectResult(try context.run([:]), ["called": "greet"], "a run")
        },
        swiftCase("swift.zip", "a zip of several .swift files compiles together") { context in
            let files = [
                "main.swift": """
                func main(args: [String: Any]) -> [String: Any] {
                    ["total": Basket(items: args["items"] as? [Int] ?? []).total]
                }
                """,
                "Basket.swift": """
                struct Basket {
                    let items: [Int]
                    var total: Int { items.reduce(0, +) }
                }
                """,
            ]
            try context.expectInitialized(TestAction("a zip of Swift sources", archive: TestArchive.of(files)))
            try context.expectResult(try context.run(["items": [1, 2, 39]]), ["total": 42], "a run")
        },
        swiftCase("swift.array", "a Codable output that encodes as an array answers 200 with the array") { context in
            let code = """
                struct Input: Codable { let words: String }
                func main(param: Input) -> [String] { param.words.split(separator: " ").map(String.init) }
                """
            try context.expectInitialized(action("array", code))
            try context.expectResult(
                try context.run(["words": "one two three"]), ["one", "two", "three"], "a run")
        },
        swiftCase("swift.error", "a thrown error becomes an {\"error\"} result; the next run succeeds") { context in
            let code = """
                struct Refusal: Error, CustomStringConvertible { var description: String { "refused input" } }
                struct Input: Codable { let fail: Bool }
                struct Output: Codable { let ok: Bool }
                func main(param: Input) throws -> Output {
                    if param.fail { throw Refusal() }
                    return Output(ok: true)
                }
                """
            try LanguageChecks.failure(context, action("that throws", code), message: "refused input")
        },
        swiftCase("swift.env", "init env is in the environment: strings intact, numbers as JSON") { context in
            try LanguageChecks.initEnvironment(context, environment)
        },
        swiftCase("swift.activation-fields", "every activation field is an __OW_ variable, a number deadline too") {
            context in try LanguageChecks.activationFields(context, environment)
        },
        swiftCase("swift.logs", "print and standard error land before the activation's sentinels", needsLogs: true) {
            context in try LanguageChecks.logs(context, logging)
        },
        swiftCase(
            "swift.compile-error",
            "a compile error fails the init with 502 and the compiler's error; a corrected init then succeeds"
        ) {
            context in
            let broken = action(
                "that does not compile",
                "func main(args: [String: Any]) -> [String: Any] {\n    [\"value\": undefinedName]\n}\n")
            try LanguageChecks.brokenCode(context, broken, mentions: "undefinedName", fixed: echo)
        },
    ]
}
