import Foundation

/// The Node.js runtime (Runtimes/nodejs): `function main(params)` returning
/// an object or a Promise, in a source file or a zip with package.json.
enum NodeCases {
    static func action(_ name: String, _ source: String, main: String? = nil) -> TestAction {
        TestAction("the Node.js action \(name)", source: source, main: main)
    }

    static let echo = action("echo", "function main(params) { return params; }\n")
    static let environment = action("env", "function main(params) { return { env: process.env }; }\n")
    static let logging = action(
        "logs",
        """
        function main(params) {
            console.log("stdout of " + params.n);
            console.error("stderr of " + params.n);
            return { n: params.n };
        }
        """)
    static let unicode = action(
        "unicode",
        "function main(params) { console.log(\"log \" + params.winter); return { winter: params.winter }; }\n")
    static let result = action("result", "function main(params) { return params.result; }\n")
    static let failing = action(
        "throw",
        """
        function main(params) {
            if (params.fail) throw new Error("refused input");
            return { ok: true };
        }
        """)

    static let all: [ConformanceCase] = [
        ConformanceCase(
            "nodejs.hello", "function main(params) answers with its object", runtimes: [.nodejs], need: .fresh()
        ) {
            context in
            try context.expectInitialized(
                action("hello", "function main(params) { return { greeting: \"Hello, \" + params.name + \"!\" }; }\n"))
            try context.expectResult(try context.run(["name": "Ada"]), ["greeting": "Hello, Ada!"], "a run")
        },
        ConformanceCase("nodejs.main", "the init's main names the entry point", runtimes: [.nodejs], need: .fresh()) {
            context in
            let code = "function greet(params) { return { greeted: params.name }; }\nfunction main() { return {}; }\n"
            try context.expectInitialized(action("with two functions", code, main: "greet"))
            try context.expectResult(try context.run(["name": "Ada"]), ["greeted": "Ada"], "a run")
        },
        ConformanceCase(
            "nodejs.async", "a Promise-returning main and an async main answer with their result",
            runtimes: [.nodejs], need: .fresh()
        ) { context in
            let code = """
                function later(n) { return new Promise((resolve) => setTimeout(() => resolve({ twice: n * 2 }), 10)); }
                async function main(params) { return await later(params.n); }
                """
            try context.expectInitialized(action("async", code))
            for n in 1...2 {
                try context.expectResult(try context.run(["n": n]), ["twice": n * 2], "run \(n)")
            }
        },
        ConformanceCase(
            "nodejs.zip", "a zip: package.json main names the entry file, which requires a module from node_modules",
            runtimes: [.nodejs], need: .fresh()
        ) { context in
            let files = [
                "package.json": #"{"name": "conform-action", "main": "lib/action.js"}"#,
                "lib/action.js": #"""
                const shout = require("shout");
                exports.main = (params) => ({ loud: shout(params.word) });
                """#,
                "node_modules/shout/package.json": #"{"name": "shout", "main": "shout.js"}"#,
                "node_modules/shout/shout.js": #"module.exports = (word) => word.toUpperCase() + "!";"#,
            ]
            try context.expectInitialized(TestAction("a Node.js zip", archive: TestArchive.of(files)))
            try context.expectResult(try context.run(["word": "hey"]), ["loud": "HEY!"], "a run")
        },
        ConformanceCase(
            "nodejs.exports", "a zip's index.js may export main as module.exports.main",
            runtimes: [.nodejs], need: .fresh()
        ) { context in
            let files = ["index.js": "module.exports.main = (params) => ({ form: params.form });\n"]
            try context.expectInitialized(TestAction("a Node.js zip with index.js", archive: TestArchive.of(files)))
            try context.expectResult(try context.run(["form": "exports"]), ["form": "exports"], "a run")
        },
        ConformanceCase(
            "nodejs.env", "init env is in process.env: strings intact, numbers as JSON", runtimes: [.nodejs],
            need: .fresh()
        ) {
            context in try LanguageChecks.initEnvironment(context, environment)
        },
        ConformanceCase(
            "nodejs.activation-fields", "every activation field is an __OW_ variable, a number deadline too",
            runtimes: [.nodejs], need: .fresh()
        ) { context in try LanguageChecks.activationFields(context, environment) },
        ConformanceCase(
            "nodejs.logs", "console.log and console.error land before the activation's sentinels",
            runtimes: [.nodejs], need: .fresh(), needsLogs: true
        ) { context in try LanguageChecks.logs(context, logging) },
        ConformanceCase(
            "nodejs.unicode", "unicode round-trips in values, results and logs",
            runtimes: [.nodejs], need: .fresh(), needsLogs: true
        ) { context in try LanguageChecks.unicode(context, unicode) },
        ConformanceCase("nodejs.large-input", "a 1 MB value round-trips", runtimes: [.nodejs], need: .fresh()) {
            context in try LanguageChecks.largeInput(context, echo)
        },
        ConformanceCase(
            "nodejs.results", "a string or number result answers 502, an array 200", runtimes: [.nodejs], need: .fresh()
        ) { context in try LanguageChecks.resultKinds(context, result) },
        ConformanceCase(
            "nodejs.error",
            "a thrown Error is a developer error, 502 An error has occurred: Error: its message, as upstream; the next run succeeds",
            runtimes: [.nodejs], need: .fresh()
        ) { context in
            try context.expectInitialized(failing)
            try context.expectError(
                try context.run(["fail": true]), 502, "An error has occurred: Error: refused input", "a failing run")
            try context.expectResult(try context.run(["fail": false]), ["ok": true], "the next activation")
        },
        ConformanceCase(
            "nodejs.syntax-error", "a syntax error fails the init with 502; a corrected init then succeeds",
            runtimes: [.nodejs], need: .fresh()
        ) { context in
            try LanguageChecks.brokenCode(
                context, action("with a syntax error", "function main(params) {\n  return {;\n}\n"), mentions: nil,
                fixed: echo)
        },
        ConformanceCase(
            "nodejs.concurrent",
            "with __OW_ALLOW_CONCURRENT, overlapping runs each get their own result (and activation id, from main's second argument)",
            runtimes: [.nodejs], need: .fresh(environment: ["__OW_ALLOW_CONCURRENT": "true"])
        ) { context in
            let code = """
                async function main(params, activation) {
                    await new Promise((resolve) => setTimeout(resolve, params.wait));
                    return { token: params.token, activation: activation ? activation.__OW_ACTIVATION_ID : null };
                }
                """
            try context.expectInitialized(action("that waits", code))
            let count = 4
            let results = ResponseBox(count: count)
            let group = DispatchGroup()
            let started = Date()
            for index in 0..<count {
                group.enter()
                let thread = Thread {
                    defer { group.leave() }
                    // Later requests wait less, so that their answers overtake.
                    let value: [String: Any] = ["token": "token-\(index)", "wait": 800 - 150 * index]
                    results.set(index, Result { try context.run(value, fields: ["activation_id": "act-\(index)"]) })
                }
                thread.start()
            }
            group.wait()
            let elapsed = Date().timeIntervalSince(started)
            for index in 0..<count {
                // process.env is one for all activations in flight: only an
                // activation argument can tell each its own id.
                let response = try results.get(index)
                let object = try context.expectObject(response, "overlapping run \(index)")
                try context.expect(
                    object["token"] as? String == "token-\(index)"
                        && (object["activation"] is NSNull || object["activation"] as? String == "act-\(index)"),
                    "overlapping run \(index) (activation act-\(index)) got \(CaseContext.show(response))")
            }
            try context.expect(
                elapsed < 1.6, "the runs did not overlap: \(String(format: "%.1f", elapsed)) s for 2.3 s of waits")
        },
    ]
}

/// Responses gathered from several threads.
final class ResponseBox: @unchecked Sendable {
    // @unchecked: every access goes through `lock`.
    private let lock = NSLock()
    private var results: [Result<HTTPResponse, Error>?]

    init(count: Int) {
        results = Array(repeating: nil, count: count)
    }

    func set(_ index: Int, _ result: Result<HTTPResponse, Error>) {
        lock.withLock { results[index] = result }
    }

    func get(_ index: Int) throws -> HTTPResponse {
        guard let result = lock.withLock({ results[index] }) else { throw CaseFailure("run \(index) did not end") }
        return try result.get()
    }
}
