import Foundation
import Testing

/// The Node.js runtime: `Runtimes/nodejs/compile` and its launcher, served
/// through the real proxy on the host and in `actionproxy/nodejs`.
@Suite("Node.js runtime")
struct NodeRuntimeTests {
    static let hello = #"""
        function main(params) {
            console.log("greeting " + params.name);
            return { greeting: "Hello, " + params.name + "!" };
        }
        """#

    /// An action that answers with every `__OW_*` variable it sees.
    static let environment = #"""
        function main(params) {
            const seen = {};
            for (const [name, value] of Object.entries(process.env)) {
                if (name.startsWith("__OW_") || name === "GREETING" || name === "NUMBER") seen[name] = value;
            }
            return seen;
        }
        """#

    @Test("hello: a plain function main(params) answers with its object", arguments: Serving.nodejs)
    func helloAction(_ serving: Serving) throws {
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: Self.hello).status == 200)
            let response = try proxy.run(["name": "Ada"])
            #expect(response.status == 200)
            #expect(response.text == "{\"greeting\":\"Hello, Ada!\"}\n")
        }
    }

    @Test("the init's main names another entry point", arguments: Serving.nodejs)
    func renamedEntryPoint(_ serving: Serving) throws {
        try serving.serve { proxy throws in
            let code = "function greet(params) { return { greeted: params.name }; }\nfunction main() { return {}; }\n"
            #expect(try proxy.initialize(code: code, main: "greet").status == 200)
            #expect(try proxy.run(["name": "Ada"]).json as? [String: String] == ["greeted": "Ada"])
        }
    }

    @Test(
        "a zip: package.json main names the entry file, which requires a module from node_modules",
        arguments: Serving.nodejs)
    func zipWithPackage(_ serving: Serving) throws {
        let zip = try zipOf([
            "package.json": #"{"name": "greeter-action", "main": "lib/action.js"}"#,
            "lib/action.js": #"""
            const shout = require("shout");
            exports.main = (params) => ({ loud: shout(params.word) });
            """#,
            "node_modules/shout/package.json": #"{"name": "shout", "main": "shout.js"}"#,
            "node_modules/shout/shout.js": #"module.exports = (word) => word.toUpperCase() + "!";"#,
        ])
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: zip.base64EncodedString(), binary: true).status == 200)
            #expect(try proxy.run(["word": "hey"]).json as? [String: String] == ["loud": "HEY!"])
        }
    }

    @Test(
        "a zip's index.js may export its entry point in any CommonJS way",
        arguments: Serving.nodejs,
        [
            "exports.main = (params) => ({ form: params.form });",
            "module.exports.main = (params) => ({ form: params.form });",
            "module.exports = { main(params) { return { form: params.form }; } };",
        ])
    func exportForms(_ serving: Serving, source: String) throws {
        let zip = try zipOf(["index.js": source])
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: zip.base64EncodedString(), binary: true).status == 200)
            #expect(try proxy.run(["form": source]).json as? [String: String] == ["form": source])
        }
    }

    @Test("an ECMAScript module package (\"type\": \"module\") exports its entry point", arguments: Serving.nodejs)
    func moduleExports(_ serving: Serving) throws {
        let zip = try zipOf([
            "package.json": #"{"type": "module"}"#,
            "index.js": "export async function main(params) { return { esm: params.n }; }",
        ])
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: zip.base64EncodedString(), binary: true).status == 200)
            #expect(try proxy.run(["n": 3]).json as? [String: Int] == ["esm": 3])
        }
    }

    @Test(
        "sync, Promise-returning and async mains all answer with their result",
        arguments: Serving.nodejs,
        [
            "function main(params) { return { twice: params.n * 2 }; }",
            "function main(params) { return new Promise((resolve) => setTimeout(() => resolve({ twice: params.n * 2 }), 20)); }",
            "async function main(params) { await new Promise((resolve) => setTimeout(resolve, 20)); return { twice: params.n * 2 }; }",
        ])
    func mainKinds(_ serving: Serving, code: String) throws {
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: code).status == 200)
            for n in 1...3 {
                #expect(try proxy.run(["n": n]).json as? [String: Int] == ["twice": n * 2])
            }
        }
    }

    @Test(
        "the init env is visible in process.env, = and unicode intact, non-strings as JSON", arguments: Serving.nodejs)
    func initEnvironment(_ serving: Serving) throws {
        try serving.serve { proxy throws in
            let env: [String: Any] = ["GREETING": "k=v ❄ ☃", "NUMBER": 5]
            #expect(try proxy.initialize(code: Self.environment, env: env).status == 200)
            let seen = try #require(try proxy.run([:]).json as? [String: String])
            #expect(seen["GREETING"] == "k=v ❄ ☃")
            #expect(seen["NUMBER"] == "5")
        }
    }

    @Test(
        "every activation field is exported as __OW_<KEY>, with a string or a numeric deadline",
        arguments: Serving.nodejs, [true, false])
    func activationFields(_ serving: Serving, deadlineAsString: Bool) throws {
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: Self.environment).status == 200)
            let deadline = 1_700_000_000_123
            let fields: [String: Any] = [
                "namespace": "guest", "action_name": "/guest/hello", "action_version": "0.0.1",
                "activation_id": "a1b2c3", "transaction_id": "tid-9", "api_key": "user:secret=",
                "deadline": deadlineAsString ? "\(deadline)" as Any : deadline as Any,
            ]
            let response = try proxy.run(["x": 1], fields: fields)
            #expect(response.status == 200)
            let seen = try #require(response.json as? [String: String])
            #expect(seen["__OW_NAMESPACE"] == "guest")
            #expect(seen["__OW_ACTION_NAME"] == "/guest/hello")
            #expect(seen["__OW_ACTION_VERSION"] == "0.0.1")
            #expect(seen["__OW_ACTIVATION_ID"] == "a1b2c3")
            #expect(seen["__OW_TRANSACTION_ID"] == "tid-9")
            #expect(seen["__OW_API_KEY"] == "user:secret=")
            #expect(seen["__OW_DEADLINE"] == "\(deadline)")
            #expect(seen["__OW_VALUE"] == nil)
            // The next activation's fields replace these: none is left over.
            let next = try #require(try proxy.run([:], fields: ["activation_id": "d4"]).json as? [String: String])
            #expect(next["__OW_ACTIVATION_ID"] == "d4")
            #expect(next["__OW_NAMESPACE"] == nil)
        }
    }

    @Test("unicode round-trips in values, results and logs", arguments: Serving.nodejs)
    func unicode(_ serving: Serving) throws {
        try serving.serve { proxy throws in
            let code =
                #"function main(params) { console.log("log " + params.snow); return { snow: params.snow + " ☃" }; }"#
            #expect(try proxy.initialize(code: code).status == 200)
            let response = try proxy.run(["snow": "❄ 雪 🌨"])
            #expect(response.json as? [String: String] == ["snow": "❄ 雪 🌨 ☃"])
            proxy.waitForSentinels(1)
            #expect(proxy.stdout.contains("log ❄ 雪 🌨\n"))
        }
    }

    @Test("every activation's logs come before exactly one sentinel per stream", arguments: Serving.nodejs)
    func logsAndSentinels(_ serving: Serving) throws {
        try serving.serve { proxy throws in
            let code = #"""
                async function main(params) {
                    console.log("out " + params.n);
                    await new Promise((resolve) => setTimeout(resolve, 5));
                    console.error("err " + params.n);
                    process.stdout.write("x".repeat(100000) + "\n");
                    return { n: params.n };
                }
                """#
            #expect(try proxy.initialize(code: code).status == 200)
            for n in 1...4 {
                #expect(try proxy.run(["n": n]).json as? [String: Int] == ["n": n])
            }
            for (index, log) in proxy.activationLogs(4).enumerated() {
                #expect(log.stdout == "out \(index + 1)\n" + String(repeating: "x", count: 100_000) + "\n")
                #expect(log.stderr == "err \(index + 1)\n")
            }
        }
    }

    @Test("an application error answers 200 as it is, and the next activation succeeds", arguments: Serving.nodejs)
    func applicationError(_ serving: Serving) throws {
        try serving.serve { proxy throws in
            let code = #"function main(params) { return params.fail ? { error: "it failed" } : { fine: true }; }"#
            #expect(try proxy.initialize(code: code).status == 200)
            let failed = try proxy.run(["fail": true])
            #expect(failed.status == 200)
            #expect(failed.text == "{\"error\":\"it failed\"}\n")
            #expect(try proxy.run(["fail": false]).json as? [String: Bool] == ["fine": true])
        }
    }

    /// As upstream's Node.js runtime classifies them (Runtimes/README.md):
    /// an exception thrown out of main is a developer error, a rejected
    /// promise (an async main that throws) an application error.
    @Test(
        "an error thrown out of main answers 502 An error has occurred, a developer error, with the stack logged; the next run succeeds",
        arguments: Serving.nodejs,
        [
            (
                "function main(params) { if (params.fail) throw new Error(\"broken\"); return { fine: true }; }",
                "An error has occurred: Error: broken"
            ),
            (
                "function main(params) { if (params.fail) throw \"nooooo\"; return { fine: true }; }",
                "An error has occurred: nooooo"
            ),
        ])
    func thrownError(_ serving: Serving, action: (code: String, error: String)) throws {
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: action.code).status == 200)
            let failed = try proxy.run(["fail": true])
            #expect(failed.status == 502)
            #expect(failed.error == action.error)
            let logs = proxy.activationLogs(1)
            #expect(logs.first?.stderr.contains(action.error.dropFirst("An error has occurred: ".count)) == true)
            #expect(try proxy.run(["fail": false]).json as? [String: Bool] == ["fine": true])
        }
    }

    @Test(
        "a rejected promise or an async main that throws answers 200 with the error serialised, an application error",
        arguments: Serving.nodejs,
        [
            "function main(params) { return params.fail ? Promise.reject(new Error(\"broken\")) : Promise.resolve({ fine: true }); }",
            "async function main(params) { if (params.fail) throw new Error(\"broken\"); return { fine: true }; }",
        ])
    func rejectedPromise(_ serving: Serving, code: String) throws {
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: code).status == 200)
            let failed = try proxy.run(["fail": true])
            #expect(failed.status == 200)
            let error = try #require((failed.json as? [String: Any])?["error"] as? [String: Any])
            #expect(error["name"] as? String == "Error")
            #expect(error["message"] as? String == "broken")
            #expect((error["stack"] as? String)?.hasPrefix("Error: broken\n    at ") == true)
            // Upstream logs nothing for a rejection: the stack is in the result.
            let logs = proxy.activationLogs(1)
            #expect(logs.first?.stderr == "")
            #expect(try proxy.run(["fail": false]).json as? [String: Bool] == ["fine": true])
        }
    }

    @Test(
        "a rejection with a plain value or nothing answers 200 with that value, or {}, as the error",
        arguments: Serving.nodejs,
        [
            ("function main() { return Promise.reject({ done: true }); }", "{\"error\":{\"done\":true}}\n"),
            ("function main() { return Promise.reject(); }", "{\"error\":{}}\n"),
            ("async function main() { throw \"plain text\"; }", "{\"error\":\"plain text\"}\n"),
        ])
    func rejectedWithValue(_ serving: Serving, action: (code: String, answer: String)) throws {
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: action.code).status == 200)
            let response = try proxy.run([:])
            #expect(response.status == 200)
            #expect(response.text == action.answer)
        }
    }

    @Test(
        "an error thrown later in a timer fails its own activation as a developer error; the process carries on",
        arguments: Serving.nodejs)
    func strayError(_ serving: Serving) throws {
        try serving.serve { proxy throws in
            let code = #"""
                function main(params) {
                    if (!params.fail) return { fine: true };
                    return new Promise(() => setTimeout(() => { throw new Error("from a timer"); }, 10));
                }
                """#
            #expect(try proxy.initialize(code: code).status == 200)
            let failed = try proxy.run(["fail": true])
            #expect(failed.status == 502)
            #expect(failed.error == "An error has occurred: Error: from a timer")
            #expect(try proxy.run(["fail": false]).json as? [String: Bool] == ["fine": true])
        }
    }

    @Test(
        "a result that is not an object or array answers 502, and the action keeps serving",
        arguments: Serving.nodejs, ["\"a string\"", "42", "null", "true"])
    func notObject(_ serving: Serving, result: String) throws {
        try serving.serve { proxy throws in
            let code = "function main(params) { return params.raw ? \(result) : { fine: true }; }"
            #expect(try proxy.initialize(code: code).status == 200)
            let response = try proxy.run(["raw": true])
            #expect(response.status == 502)
            #expect(response.error == "The action did not return a dictionary or array.")
            #expect(try proxy.run(["raw": false]).json as? [String: Bool] == ["fine": true])
        }
    }

    @Test("an array result answers 200 with the array", arguments: Serving.nodejs)
    func arrayResult(_ serving: Serving) throws {
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: "function main() { return [1, \"two\", { three: 3 }]; }").status == 200)
            let response = try proxy.run([:])
            #expect(response.status == 200)
            #expect(response.text == "[1,\"two\",{\"three\":3}]\n")
        }
    }

    @Test(
        "an action that throws or exits while loading fails init with 502 saying why, in the body and on stderr",
        arguments: Serving.nodejs,
        [
            ("throw new Error(\"no config at load\");\nfunction main() { return {}; }", "no config at load"),
            ("process.exit(0);\nfunction main() { return {}; }", "exited (code 0) while loading"),
            ("process.exit(3);\nfunction main() { return {}; }", "exited (code 3) while loading"),
            ("function helper() { return {}; }", "no function named 'main'"),
        ])
    func loadFailure(_ serving: Serving, failure: (code: String, logged: String)) throws {
        let (code, logged) = failure
        try serving.serve { proxy throws in
            let response = try proxy.initialize(code: code)
            #expect(response.status == 502)
            // Upstream's "Initialization has failed due to: …", with the cause.
            let error = try #require(response.error)
            #expect(error.hasPrefix("Initialization has failed due to: "), "\(error)")
            #expect(error.contains(logged))
            #expect(proxy.stderr.contains(logged))
            // A failed init does not count: a good one follows.
            #expect(try proxy.initialize(code: Self.hello).status == 200)
            #expect(try proxy.run(["name": "Ada"]).status == 200)
        }
    }

    @Test(
        "a syntax error fails init with 502 and a message naming the line, without the loader's frames",
        arguments: Serving.nodejs)
    func syntaxError(_ serving: Serving) throws {
        try serving.serve { proxy throws in
            let response = try proxy.initialize(code: "function main(params) {\n  return { a: 1 +* 2 };\n}\n")
            #expect(response.status == 502)
            let message = try #require(response.error)
            // The launcher reports it as it loads the source (a plain source
            // at /init starts no compile check of its own: cold start).
            #expect(
                message.hasPrefix("Initialization has failed due to: action.cjs:2\n  return { a: 1 +* 2 };\n"),
                "\(message)")
            #expect(message.contains("SyntaxError: Unexpected token '*'"))
            #expect(!message.contains("    at "), "\(message)")
            #expect(!message.contains("/action/"), "\(message)")
            proxy.waitForSentinels(1)
            #expect(proxy.stderr.contains("SyntaxError: Unexpected token '*'"))
            #expect(try proxy.initialize(code: Self.hello).status == 200)
        }
    }

    @Test("a SyntaxError thrown while loading (JSON.parse) is reported as any load error", arguments: Serving.nodejs)
    func thrownSyntaxErrorAtLoad(_ serving: Serving) throws {
        try serving.serve { proxy throws in
            let response = try proxy.initialize(
                code: "const config = JSON.parse('{nope');\nfunction main() { return {}; }\n")
            #expect(response.status == 502)
            let message = try #require(response.error)
            #expect(
                message.hasPrefix("Initialization has failed due to: The action could not be loaded from "),
                "\(message)")
            #expect(message.contains("SyntaxError"), "\(message)")
        }
    }

    @Test("a 1 MB value arrives whole", arguments: Serving.nodejs)
    func largeInput(_ serving: Serving) throws {
        try serving.serve { proxy throws in
            let code = "function main(params) { return { length: params.large.length, tail: params.large.slice(-3) }; }"
            #expect(try proxy.initialize(code: code).status == 200)
            let large = String(repeating: "a", count: 1_048_000) + "xyz"
            let response = try proxy.run(["large": large])
            #expect(response.status == 200)
            let json = try #require(response.json as? [String: Any])
            #expect(json["length"] as? Int == 1_048_003)
            #expect(json["tail"] as? String == "xyz")
        }
    }

    @Test("a result string with a newline round-trips on one line", arguments: Serving.nodejs)
    func newlineInResult(_ serving: Serving) throws {
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: #"function main() { return { text: "one\ntwo" }; }"#).status == 200)
            let response = try proxy.run([:])
            #expect(response.text == "{\"text\":\"one\\ntwo\"}\n")
            #expect(response.json as? [String: String] == ["text": "one\ntwo"])
        }
    }

    @Test("the action's code cannot read the request lines meant for the launcher", arguments: Serving.nodejs)
    func stdinProtected(_ serving: Serving) throws {
        try serving.serve { proxy throws in
            let code = #"""
                const fs = require("fs");
                function main(params) {
                    return { read: fs.readFileSync(0, "utf8"), n: params.n };
                }
                """#
            #expect(try proxy.initialize(code: code).status == 200)
            for n in 1...3 {
                #expect(try proxy.run(["n": n]).text == "{\"read\":\"\",\"n\":\(n)}\n")
            }
        }
    }

    @Test(
        "__OW_ALLOW_CONCURRENT: overlapping runs each get their own result and activation fields",
        arguments: Serving.nodejs)
    func concurrentActivations(_ serving: Serving) throws {
        let code = #"""
            async function main(params, activation) {
                await new Promise((resolve) => setTimeout(resolve, params.wait));
                return { token: params.token, activation: activation.__OW_ACTIVATION_ID };
            }
            """#
        try serving.serve(environment: ["__OW_ALLOW_CONCURRENT": "true"]) { proxy throws in
            #expect(try proxy.initialize(code: code).status == 200)
            let count = 8
            // Later requests wait less, so that answers come back out of order.
            let waits = (0..<count).map { 600 - 50 * $0 }
            let results = ResultBox(count: count)
            let group = DispatchGroup()
            let started = Date()
            for index in 0..<count {
                group.enter()
                Thread {
                    defer { group.leave() }
                    let response = try? proxy.run(
                        ["token": "token-\(index)", "wait": waits[index]], fields: ["activation_id": "act-\(index)"])
                    results.set(index, response)
                }.start()
            }
            group.wait()
            let elapsed = Date().timeIntervalSince(started) * 1000
            for index in 0..<count {
                let response = try #require(results.get(index))
                #expect(response.status == 200)
                #expect(
                    response.json as? [String: String] == ["token": "token-\(index)", "activation": "act-\(index)"])
            }
            let sum = Double(waits.reduce(0, +))
            #expect(elapsed < sum / 2, "the runs did not overlap: \(Int(elapsed)) ms for \(Int(sum)) ms of waits")
        }
    }

    @Test("the examples answer as Examples/nodejs/README.md shows", arguments: Serving.nodejs)
    func examples(_ serving: Serving) throws {
        let folder = Runtime.repository.appendingPathComponent("Examples/nodejs")
        try serving.serve { proxy throws in
            let hello = try String(contentsOf: folder.appendingPathComponent("hello/hello.js"), encoding: .utf8)
            #expect(try proxy.initialize(code: hello).status == 200)
            #expect(try proxy.run(["name": "Ada"]).text == "{\"greeting\":\"Hello, Ada!\"}\n")
        }
        let invoice = folder.appendingPathComponent("invoice")
        let files = [
            "package.json", "src/invoice.js", "node_modules/cents/package.json", "node_modules/cents/index.js",
        ]
        let zip = try Fixtures.zip(files.map { ($0, invoice.appendingPathComponent($0), 0o644) })
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: zip.base64EncodedString(), binary: true).status == 200)
            let order: [String: Any] = [
                "items": [["name": "Espresso", "price": "2.40", "quantity": 3], ["name": "Croissant", "price": 1.9]],
                "taxPercent": 19, "currency": "EUR", "locale": "de-DE",
            ]
            let response = try proxy.run(order, fields: ["activation_id": "4f2c"])
            let json = try #require(response.json as? [String: Any])
            #expect(json["total"] as? String == "10,83\u{a0}€")
            #expect(try proxy.run(["items": [["name": "Tea", "price": "2.405"]]]).error == "not an amount: \"2.405\"")
            proxy.waitForSentinels(2)
            #expect(proxy.stdout.contains("invoice 4f2c: 2 item(s), 10,83\u{a0}€\n"))
        }
    }
}

/// Responses collected from several threads.
private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var responses: [HTTPTestResponse?]

    init(count: Int) { responses = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ response: HTTPTestResponse?) { lock.withLock { responses[index] = response } }
    func get(_ index: Int) -> HTTPTestResponse? { lock.withLock { responses[index] } }
}
