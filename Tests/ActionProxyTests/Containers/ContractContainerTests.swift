import Foundation
import Testing

/// The contract cases of `Contract/InitTests.swift` and `RunTests.swift`,
/// against the proxy of an image (see `withImageProxy`).
extension ContainerTests {
    @Suite("Container: POST /init", .enabled(if: TestImage.enabled(.python), skipNote(.python)))
    struct InitContainerTests {
        @Test("a run before init answers 500 no action defined yet")
        func runBeforeInit() throws {
            try withImageProxy { proxy throws in
                let response = try proxy.run(["x": 1])
                #expect(response.status == 500)
                #expect(response.error == "no action defined yet")
            }
        }

        @Test(
            "an init without code is refused with 403",
            arguments: [
                "", "{}", "null", "{\"value\":{}}", "{\"value\":null}", "{\"value\":{\"code\":\"\"}}",
                "{\"value\":{\"code\":null,\"main\":\"main\"}}",
            ])
        func initWithoutCode(body: String) throws {
            try withImageProxy { proxy throws in
                let response = try proxy.request("POST", "/init", body: Data(body.utf8))
                #expect(response.status == 403)
                #expect(response.error == "Missing main/no code to execute.")
            }
        }

        @Test("a second init is refused with 403, before its body is read")
        func secondInit() throws {
            try withImageProxy { proxy throws in
                let script = try Fixtures.text("echo.sh")
                #expect(try proxy.initialize(code: script).status == 200)
                let again = try proxy.initialize(code: script)
                #expect(again.status == 403)
                #expect(again.error == "Cannot initialize the action more than once.")
                let garbage = try proxy.request("POST", "/init", body: Data("not json".utf8))
                #expect(garbage.status == 403)
                #expect(try proxy.run(["still": "serving"]).status == 200)
            }
        }

        @Test("a failed init does not count as the one init")
        func failedInitDoesNotCount() throws {
            try withImageProxy { proxy throws in
                #expect(try proxy.request("POST", "/init", body: Data("{".utf8)).status == 400)
                #expect(try proxy.initialize(code: "#!/bin/false\n").status == 502)
                #expect(try proxy.initialize(code: try Fixtures.text("echo.sh")).status == 200)
            }
        }

        @Test("the success body is {\"ok\":true} with a newline and its length")
        func successBody() throws {
            try withImageProxy { proxy throws in
                let response = try proxy.initialize(code: try Fixtures.text("echo.sh"))
                #expect(response.status == 200)
                #expect(response.text == "{\"ok\":true}\n")
                #expect(response.headers["content-length"] == "12")
                #expect(response.headers["content-type"] == "application/json")
            }
        }

        @Test(
            "an init body that is not JSON answers 400 with the reason",
            arguments: [
                "not json", "{\"value\":", "{\"value\":{\"code\":\"x\"}} trailing", "[1,2]", "{\"value\":{\"code\":5}}",
                "{\"value\":{\"code\":\"x\",\"binary\":\"yes\"}}", "{\"value\":{\"code\":\"x\",\"env\":[1]}}",
                "{\"value\":\"code\"}",
            ])
        func badJSON(body: String) throws {
            try withImageProxy { proxy throws in
                let response = try proxy.request("POST", "/init", body: Data(body.utf8))
                #expect(response.status == 400)
                #expect(response.error?.isEmpty == false)
                #expect(proxy.isRunning)
            }
        }

        @Test("bad base64 answers 400 and names the offending byte")
        func badBase64() throws {
            try withImageProxy { proxy throws in
                let response = try proxy.initialize(code: "SGVsbG8*d29ybGQ=", binary: true)
                #expect(response.status == 400)
                let message = try #require(response.error)
                #expect(message.hasPrefix("cannot decode the request: "))
                #expect(message.contains("7"))
            }
        }

        @Test("a start error answers 502 cannot start action")
        func startError() throws {
            try withImageProxy { proxy throws in
                let response = try proxy.initialize(code: "#!/nonexistent/interpreter\n")
                #expect(response.status == 502)
                #expect(response.error?.hasPrefix("cannot start action: ") == true)
            }
        }

        @Test("without a compiler, a source that is not executable fails to start")
        func sourceWithoutCompiler() throws {
            try withImageProxy { proxy throws in
                let response = try proxy.initialize(code: "def main(args):\n    return args\n")
                #expect(response.status == 502)
                #expect(response.error?.hasPrefix("cannot start action: ") == true)
            }
        }

        @Test("an action that exits at start fails the init with command exited")
        func exitsAtStart() throws {
            try withImageProxy { proxy throws in
                let response = try proxy.initialize(code: "#!/bin/sh\nexit 1\n")
                #expect(response.status == 502)
                #expect(response.error == "cannot start action: command exited")
            }
        }
    }

    @Suite("Container: OW_WAIT_FOR_ACK", .enabled(if: TestImage.enabled(.python), skipNote(.python)))
    struct AckContainerTests {
        let environment = ["OW_WAIT_FOR_ACK": "1"]

        @Test("an action that acks is ready at once")
        func acked() throws {
            try withImageProxy(environment: environment) { proxy throws in
                #expect(try proxy.initialize(code: try Fixtures.text("launcher.py")).status == 200)
                let response = try proxy.run(["hello": "ack"])
                #expect(response.status == 200)
                #expect(response.json as? [String: String] == ["hello": "ack"])
            }
        }

        @Test("an action that exits before its ack fails the init")
        func exitsBeforeAck() throws {
            try withImageProxy(environment: environment) { proxy throws in
                let response = try proxy.initialize(code: "#!/bin/sh\necho bye\nexit 2\n")
                #expect(response.status == 502)
                #expect(response.error == "cannot start action: Command exited abruptly during initialization.")
            }
        }

        @Test(
            "an ack that is not {\"ok\":true} fails the init",
            arguments: ["{\"ok\":false}", "not json", "[true]", "{\"ok\":\"true\"}"])
        func badAck(ack: String) throws {
            try withImageProxy(environment: environment) { proxy throws in
                let response = try proxy.initialize(code: "#!/bin/sh\necho '\(ack)' >&3\nsleep 30\n")
                #expect(response.status == 502)
                #expect(response.error == "cannot start action: The action did not initialize properly.")
            }
        }

        @Test("an action that never acks fails the init after the ack timeout")
        func ackTimeout() throws {
            try withImageProxy(environment: environment.merging(["OW_ACK_TIMEOUT_MS": "300"]) { $1 }) {
                proxy throws in
                let response = try proxy.initialize(code: "#!/bin/sh\nsleep 30\n")
                #expect(response.status == 502)
                #expect(response.error?.contains("did not acknowledge") == true)
            }
        }
    }

    @Suite(
        "Container: OW_EXECUTION_ENV and OW_LOG_INIT_ERROR", .enabled(if: TestImage.enabled(.python), skipNote(.python))
    )
    struct ExecutionEnvironmentContainerTests {
        @Test("a matching bin/exec.env lets the action start")
        func matching() throws {
            let environment = [
                "OW_COMPILER": "/fixtures/compile.sh", "OW_EXECUTION_ENV": "example/runtime:1",
                "EXEC_ENV_VALUE": "example/runtime:1",
            ]
            try withImageProxy(environment: environment) { proxy throws in
                #expect(try proxy.initialize(code: "echo '{\"compiled\":true}' >&3\nsleep 30\n").status == 200)
            }
        }

        @Test("a mismatched bin/exec.env fails the init with 502")
        func mismatch() throws {
            let environment = [
                "OW_COMPILER": "/fixtures/compile.sh", "OW_EXECUTION_ENV": "example/runtime:2",
                "EXEC_ENV_VALUE": "example/runtime:1",
            ]
            try withImageProxy(environment: environment) { proxy throws in
                let response = try proxy.initialize(code: "sleep 30\n")
                #expect(response.status == 502)
                #expect(
                    response.error
                        == "cannot start action: Execution environment version mismatch. See logs for details. This image needs"
                        + " actions built for 'example/runtime:2'; the action was built for 'example/runtime:1'.")
                #expect(proxy.stderr.contains("example/runtime:1"))
            }
        }

        @Test("with OW_LOG_INIT_ERROR a compile error goes to the log, then the sentinels")
        func logInitErrorCompile() throws {
            let environment = ["OW_COMPILER": "/fixtures/compile.sh", "OW_LOG_INIT_ERROR": "1"]
            try withImageProxy(environment: environment) { proxy throws in
                let response = try proxy.initialize(code: "syntax error here\n", main: "hello")
                #expect(response.status == 502)
                #expect(response.error == "The action failed to generate or locate a binary. See logs for details.")
                proxy.waitForSentinels(1)
                #expect(proxy.stderr.contains("compile.sh: syntax error in hello"))
                #expect(proxy.sentinelCount(stderr: false) == 1)
                #expect(proxy.sentinelCount(stderr: true) == 1)
            }
        }

        @Test("with OW_LOG_INIT_ERROR a start error goes to the log, then the sentinels")
        func logInitErrorStart() throws {
            try withImageProxy(environment: ["OW_LOG_INIT_ERROR": "1"]) { proxy throws in
                let response = try proxy.initialize(code: "#!/bin/sh\nexit 3\n")
                #expect(response.status == 502)
                #expect(response.error == "Cannot start action. Check logs for details.")
                proxy.waitForSentinels(1)
                #expect(proxy.stderr.contains("command exited"))
                #expect(proxy.sentinelCount(stderr: true) == 1)
            }
        }
    }

    @Suite("Container: POST /run", .enabled(if: TestImage.enabled(.python), skipNote(.python)))
    struct RunContainerTests {
        @Test("four activations in a row each log and end with one sentinel per stream")
        func fourActivations() throws {
            try withImageProxy { proxy throws in
                #expect(try proxy.initialize(code: try Fixtures.text("launcher.py")).status == 200)
                for index in 1...4 {
                    let response = try proxy.run(["n": index])
                    #expect(response.status == 200)
                    #expect(response.json as? [String: Int] == ["n": index])
                    proxy.waitForSentinels(index)
                    #expect(proxy.sentinelCount(stderr: false) == index)
                    #expect(proxy.sentinelCount(stderr: true) == index)
                }
                // Each activation's log lines come before its sentinel.
                let logs = proxy.logs
                let stdoutBlocks = logs.stdout.components(separatedBy: TestContainer.sentinel + "\n")
                let stderrBlocks = logs.stderr.components(separatedBy: TestContainer.sentinel + "\n")
                for index in 1...4 {
                    #expect(stdoutBlocks[index - 1].contains("stdout of activation \(index):"))
                    #expect(stderrBlocks[index - 1].contains("stderr of activation \(index)"))
                }
            }
        }

        @Test(
            "a result that is not an object or array answers 502",
            arguments: ["\"a string\"", "42", "null", "true", "{\"unterminated\": ", "not json at all", "{} {}"])
        func notObjectOrArray(result: String) throws {
            try withImageProxy { proxy throws in
                #expect(try proxy.initialize(code: try Fixtures.text("launcher.py")).status == 200)
                let response = try proxy.run(["do": "raw", "text": result])
                #expect(response.status == 502)
                #expect(response.error == "The action did not return a dictionary or array.")
                #expect(try proxy.run(["after": true]).status == 200)
            }
        }

        @Test("an array result answers 200 with the array")
        func arrayResult() throws {
            try withImageProxy { proxy throws in
                #expect(try proxy.initialize(code: try Fixtures.text("launcher.py")).status == 200)
                let response = try proxy.run(["do": "raw", "text": "[1, \"two\", {\"three\": 3}]"])
                #expect(response.status == 200)
                #expect(response.text == "[1, \"two\", {\"three\": 3}]\n")
            }
        }

        @Test("an application error result answers 200 as it is")
        func applicationError() throws {
            try withImageProxy { proxy throws in
                #expect(try proxy.initialize(code: try Fixtures.text("launcher.py")).status == 200)
                let response = try proxy.run(["do": "raw", "text": "{\"error\":\"the action failed\"}"])
                #expect(response.status == 200)
                #expect(response.error == "the action failed")
            }
        }

        @Test("unicode round trips in values and logs")
        func unicode() throws {
            try withImageProxy { proxy throws in
                #expect(try proxy.initialize(code: try Fixtures.text("launcher.py")).status == 200)
                let response = try proxy.run(["delimiter": "❄", "winter": "❄ ☃ ❄"])
                #expect(response.status == 200)
                #expect(response.json as? [String: String] == ["delimiter": "❄", "winter": "❄ ☃ ❄"])
                proxy.waitForSentinels(1)
                #expect(proxy.stdout.contains("❄ ☃ ❄"))
            }
        }

        @Test("init env reaches the action intact, with = and unicode, non-strings as JSON")
        func initEnvironment() throws {
            try withImageProxy(environment: ["__OW_FROM_PROXY": "a=b=c"]) { proxy throws in
                let env: [String: Any] = [
                    "SOME_VAR": "xyz", "WITH_EQUALS": "k=v=w", "SNOW": "❄ ☃ ❄", "NUMBER": 5, "FLAG": true,
                    "OBJECT": ["a": [1, 2]], "NEWLINE": "one\ntwo",
                ]
                #expect(try proxy.initialize(code: try Fixtures.text("launcher.py"), env: env).status == 200)
                let response = try proxy.run(["do": "env"])
                let seen = try #require((response.json as? [String: Any])?["env"] as? [String: String])
                #expect(seen["SOME_VAR"] == "xyz")
                #expect(seen["WITH_EQUALS"] == "k=v=w")
                #expect(seen["SNOW"] == "❄ ☃ ❄")
                #expect(seen["NUMBER"] == "5")
                #expect(seen["FLAG"] == "true")
                #expect(seen["OBJECT"] == "{\"a\":[1,2]}")
                #expect(seen["NEWLINE"] == "one\ntwo")
                #expect(seen["__OW_FROM_PROXY"] == "a=b=c")
                #expect(seen["__OW_PROXY_VERSION"]?.isEmpty == false)
                #expect(seen["PATH"]?.contains("/usr/bin") == true)
            }
        }

        @Test("the activation fields reach the action on stdin as one line")
        func activationFields() throws {
            try withImageProxy { proxy throws in
                #expect(try proxy.initialize(code: try Fixtures.text("launcher.py")).status == 200)
                let fields: [String: Any] = [
                    "namespace": "guest", "action_name": "/guest/test", "action_version": "0.0.1",
                    "activation_id": "abc123", "transaction_id": "tid", "api_key": "key:secret=",
                    "deadline": "\(Int(Date().timeIntervalSince1970 * 1000) + 60_000)",
                ]
                let response = try proxy.run(["do": "env"], fields: fields)
                let seen = try #require((response.json as? [String: Any])?["env"] as? [String: String])
                #expect(seen["__OW_NAMESPACE"] == "guest")
                #expect(seen["__OW_ACTION_NAME"] == "/guest/test")
                #expect(seen["__OW_ACTION_VERSION"] == "0.0.1")
                #expect(seen["__OW_ACTIVATION_ID"] == "abc123")
                #expect(seen["__OW_TRANSACTION_ID"] == "tid")
                #expect(seen["__OW_API_KEY"] == "key:secret=")
                #expect(seen["__OW_DEADLINE"] == fields["deadline"] as? String)
            }
        }

        @Test("a body with newlines reaches the action as one line")
        func newlinesRemoved() throws {
            try withImageProxy { proxy throws in
                #expect(try proxy.initialize(code: try Fixtures.text("launcher.py")).status == 200)
                let body = "{\n  \"value\": {\n    \"do\": \"input\",\n    \"text\": \"a\\nb\"\n  }\n}\n"
                let response = try proxy.request("POST", "/run", body: Data(body.utf8))
                #expect(response.status == 200)
                let json = try #require(response.json as? [String: Any])
                #expect(
                    json["line"] as? String == "{  \"value\": {    \"do\": \"input\",    \"text\": \"a\\nb\"  }}\n")
            }
        }

        @Test("a 1,048,561-character string value round-trips", arguments: ["launcher.py", "echo.sh"])
        func largeValue(fixture: String) throws {
            try withImageProxy { proxy throws in
                #expect(try proxy.initialize(code: try Fixtures.text(fixture)).status == 200)
                let large = String(repeating: "a", count: 1_048_561)
                let response = try proxy.run(["large": large])
                #expect(response.status == 200)
                let json = try #require(response.json as? [String: Any])
                let echoed =
                    fixture == "echo.sh" ? (json["value"] as? [String: String])?["large"] : json["large"] as? String
                #expect(echoed?.count == 1_048_561)
                #expect(echoed == large)
            }
        }

        @Test("a 50 MB result line is answered whole, within the invoker's 256 MB")
        func fiftyMegabyteResult() throws {
            try withImageProxy { proxy throws in
                let script = """
                    #!/usr/bin/python3
                    import os, sys
                    out = os.fdopen(3, "w")
                    for line in sys.stdin:
                        out.write('{"big":"' + "x" * (50 * 1024 * 1024) + '"}\\n')
                        out.flush()
                    """
                #expect(try proxy.initialize(code: script).status == 200)
                let response = try proxy.run([:])
                #expect(response.status == 200)
                #expect(response.body.count == 50 * 1024 * 1024 + 11)
            }
        }

        @Test("the action exiting during a run answers 400 command exited; later runs answer at once")
        func exitDuringRun() throws {
            try withImageProxy { proxy throws in
                #expect(try proxy.initialize(code: try Fixtures.text("launcher.py")).status == 200)
                let response = try proxy.run(["do": "exit", "code": 1])
                #expect(response.status == 400)
                #expect(response.error == "command exited")
                let later = try proxy.run(["after": true])
                #expect(later.status == 500)
                #expect(later.error == "command exited")
                proxy.waitForSentinels(2)
                #expect(proxy.sentinelCount(stderr: false) == 2)
                #expect(proxy.isRunning)
            }
        }

        @Test("an action that died between runs answers 500 command exited")
        func diedBetweenRuns() throws {
            try withImageProxy { proxy throws in
                let script = "#!/bin/bash\nread -r line\necho '{\"first\":true}' >&3\nsleep 0.2\nexit 0\n"
                #expect(try proxy.initialize(code: script).status == 200)
                #expect(try proxy.run([:]).status == 200)
                usleep(600_000)
                let response = try proxy.run([:])
                #expect(response.status == 500)
                #expect(response.error == "command exited")
            }
        }

        @Test("a concurrent run never shares the pipes: it is refused with 409")
        func concurrentRunRefused() throws {
            try withImageProxy { proxy throws in
                #expect(try proxy.initialize(code: try Fixtures.text("launcher.py")).status == 200)
                let slow = try proxy.client()
                try slow.send("POST", "/run", body: Data("{\"value\":{\"do\":\"sleep\",\"seconds\":1}}".utf8))
                usleep(200_000)
                let second = try proxy.run(["second": true])
                #expect(second.status == 409)
                #expect(second.error?.contains("one activation at a time") == true)
                let first = try slow.readResponse()
                #expect(first.status == 200)
                #expect((first.json as? [String: Any])?["slept"] as? Int == 1)
                let third = try proxy.run(["third": true])
                #expect(third.json as? [String: Bool] == ["third": true])
            }
        }

        @Test("a client that disconnects mid-run does not leave its answer to the next caller")
        func disconnectMidRun() throws {
            try withImageProxy { proxy throws in
                #expect(try proxy.initialize(code: try Fixtures.text("launcher.py")).status == 200)
                do {
                    let gone = try proxy.client()
                    try gone.send("POST", "/run", body: Data("{\"value\":{\"do\":\"sleep\",\"seconds\":0.3}}".utf8))
                    usleep(50_000)
                }
                usleep(500_000)
                let next = try proxy.run(["mine": true])
                #expect(next.status == 200)
                #expect(next.json as? [String: Bool] == ["mine": true])
            }
        }

        @Test("a run body that is not a JSON object answers 400 and the action stays usable")
        func badRunBody() throws {
            try withImageProxy { proxy throws in
                #expect(try proxy.initialize(code: try Fixtures.text("launcher.py")).status == 200)
                for body in ["not json", "[1]", "{\"value\":", ""] {
                    let response = try proxy.request("POST", "/run", body: Data(body.utf8))
                    #expect(response.status == 400)
                    #expect(response.error == "The /run body must be a JSON object.")
                }
                #expect(try proxy.run(["ok": true]).status == 200)
            }
        }
    }

    @Suite("Container: deadlines", .enabled(if: TestImage.enabled(.python), skipNote(.python)))
    struct DeadlineContainerTests {
        static func inMilliseconds(_ milliseconds: Int) -> Int {
            Int(Date().timeIntervalSince1970 * 1000) + milliseconds
        }

        @Test("a run whose deadline passes answers 504 with its sentinels, and the action is started again")
        func missedDeadline() throws {
            try withImageProxy { proxy throws in
                #expect(try proxy.initialize(code: try Fixtures.text("launcher.py")).status == 200)
                let started = Date()
                let late = try proxy.run(
                    ["do": "sleep", "seconds": 30], fields: ["deadline": "\(Self.inMilliseconds(400))"])
                #expect(late.status == 504)
                #expect(late.error?.contains("deadline") == true)
                #expect(Date().timeIntervalSince(started) < 5)
                proxy.waitForSentinels(1)
                #expect(proxy.sentinelCount(stderr: false) == 1)
                #expect(proxy.sentinelCount(stderr: true) == 1)
                var next = try proxy.run(["after": "restart"])
                for _ in 0..<100 where next.status == 503 {
                    usleep(20_000)
                    next = try proxy.run(["after": "restart"])
                }
                #expect(next.status == 200)
                #expect(next.json as? [String: String] == ["after": "restart"])
            }
        }

        @Test("a deadline sent as a number is enforced too")
        func numericDeadline() throws {
            try withImageProxy { proxy throws in
                #expect(try proxy.initialize(code: try Fixtures.text("launcher.py")).status == 200)
                let late = try proxy.run(
                    ["do": "sleep", "seconds": 30], fields: ["deadline": Self.inMilliseconds(300)])
                #expect(late.status == 504)
            }
        }

        @Test("a deadline already past when the run arrives is a placeholder, not enforced")
        func placeholderDeadline() throws {
            try withImageProxy { proxy throws in
                #expect(try proxy.initialize(code: try Fixtures.text("launcher.py")).status == 200)
                let response = try proxy.run(["do": "sleep", "seconds": 0.2], fields: ["deadline": "123"])
                #expect(response.status == 200)
            }
        }
    }

    /// In a container the proxy is process 1: every orphan of the action
    /// becomes its child, and only it can reap them.
    @Suite("Container: process lifecycle", .enabled(if: TestImage.enabled(.python), skipNote(.python)))
    struct ProcessLifecycleContainerTests {
        @Test("processes the action leaves behind are reaped by the proxy, process 1, not left as zombies")
        func orphansReaped() throws {
            try withImageProxy { proxy throws in
                let action = "#!/bin/sh\nwhile read -r l; do ( sleep 0.1 & ); echo '{}' >&3; done\n"
                #expect(try proxy.initialize(code: action).status == 200)
                for _ in 0..<5 { #expect(try proxy.run([:]).status == 200) }
                usleep(600_000)
                #expect(try proxy.zombies().isEmpty)
            }
        }

        @Test("an action that exits is reaped, and so is a failed compiler")
        func exitedChildrenReaped() throws {
            try withImageProxy(environment: ["OW_COMPILER": "/fixtures/compile.sh"]) { proxy throws in
                #expect(try proxy.initialize(code: "syntax error\n").status == 502)
                #expect(try proxy.initialize(code: "read -r l\nexit 0\n").status == 200)
                #expect(try proxy.run([:]).status == 400)
                usleep(300_000)
                #expect(try proxy.zombies().isEmpty)
            }
        }

        @Test("SIGTERM (docker stop) lets the activation in flight finish, then stops the action and exits 0")
        func sigtermDrains() throws {
            try withImageProxy { proxy throws in
                #expect(try proxy.initialize(code: try Fixtures.text("launcher.py")).status == 200)
                let client = try proxy.client()
                try client.send("POST", "/run", body: Data("{\"value\":{\"do\":\"sleep\",\"seconds\":0.5}}".utf8))
                usleep(150_000)
                try proxy.signal("TERM")
                let response = try client.readResponse()
                #expect(response.status == 200)
                #expect((response.json as? [String: Any])?["slept"] as? Double == 0.5)
                #expect(proxy.waitForExit() == 0)
            }
        }

        @Test("SIGTERM waits at most OW_SHUTDOWN_GRACE_MS for an activation")
        func sigtermBounded() throws {
            try withImageProxy(environment: ["OW_SHUTDOWN_GRACE_MS": "300"]) { proxy throws in
                #expect(try proxy.initialize(code: try Fixtures.text("launcher.py")).status == 200)
                let client = try proxy.client()
                try client.send("POST", "/run", body: Data("{\"value\":{\"do\":\"sleep\",\"seconds\":30}}".utf8))
                usleep(150_000)
                let started = Date()
                try proxy.signal("TERM")
                #expect(proxy.waitForExit() == 0)
                #expect(Date().timeIntervalSince(started) < 5)
            }
        }
    }
}

extension TestContainer {
    /// The container's zombie processes, read from /proc (no ps in the slim images).
    func zombies() throws -> [String] {
        let script = "for f in /proc/[0-9]*/stat; do read -r line < \"$f\" 2>/dev/null && echo \"$line\"; done"
        let outcome = try exec(["sh", "-c", script])
        return outcome.output.split(separator: "\n").map(String.init).filter { line in
            // pid (comm) state …: the comm may hold spaces, the state follows its closing parenthesis.
            guard let close = line.lastIndex(of: ")") else { return false }
            return line[line.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
        }
    }
}
