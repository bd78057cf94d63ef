import Foundation
import Testing

@Suite("POST /init")
struct InitTests {
    @Test("a run before init answers 500 no action defined yet", arguments: Serving.contract)
    func runBeforeInit(_ target: Serving) throws {
        try target.serve { proxy throws in
            let response = try proxy.run(["x": 1])
            #expect(response.status == 500)
            #expect(response.error == "no action defined yet")
        }
    }

    @Test(
        "an init without code is refused with 403",
        arguments: Serving.contract,
        [
            "", "{}", "null", "{\"value\":{}}", "{\"value\":null}", "{\"value\":{\"code\":\"\"}}",
            "{\"value\":{\"code\":null,\"main\":\"main\"}}",
        ])
    func initWithoutCode(_ target: Serving, body: String) throws {
        try target.serve { proxy throws in
            let response = try proxy.request("POST", "/init", body: Data(body.utf8))
            #expect(response.status == 403)
            #expect(response.error == "Missing main/no code to execute.")
        }
    }

    @Test("a second init is refused with 403, before its body is read", arguments: Serving.contract)
    func secondInit(_ target: Serving) throws {
        try target.serve { proxy throws in
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

    @Test(
        "a refused second init is written to the log, with no sentinels (as upstream's harness expects)",
        arguments: Serving.contract)
    func secondInitLogged(_ target: Serving) throws {
        try target.serve { proxy throws in
            #expect(try proxy.initialize(code: try Fixtures.text("echo.sh")).status == 200)
            #expect(try proxy.initialize(code: "again").status == 403)
            proxy.waitForSentinels(0)
            let logs = proxy.logs
            #expect((logs.stdout + logs.stderr).contains("Cannot initialize the action more than once."))
            #expect(proxy.sentinelCount(stderr: false) == 0)
            #expect(proxy.sentinelCount(stderr: true) == 0)
        }
    }

    @Test("a failed init does not count as the one init", arguments: Serving.contract)
    func failedInitDoesNotCount(_ target: Serving) throws {
        try target.serve { proxy throws in
            #expect(try proxy.request("POST", "/init", body: Data("{".utf8)).status == 400)
            #expect(try proxy.initialize(code: "#!/bin/false\n").status == 502)
            #expect(try proxy.initialize(code: try Fixtures.text("echo.sh")).status == 200)
        }
    }

    @Test("the success body is {\"ok\":true} with a newline and its length", arguments: Serving.contract)
    func successBody(_ target: Serving) throws {
        try target.serve { proxy throws in
            let response = try proxy.initialize(code: try Fixtures.text("echo.sh"))
            #expect(response.status == 200)
            #expect(response.text == "{\"ok\":true}\n")
            #expect(response.headers["content-length"] == "12")
            #expect(response.headers["content-type"] == "application/json")
        }
    }

    @Test(
        "an init body that is not JSON answers 400 with the reason",
        arguments: Serving.contract,
        [
            "not json", "{\"value\":", "{\"value\":{\"code\":\"x\"}} trailing", "[1,2]", "{\"value\":{\"code\":5}}",
            "{\"value\":{\"code\":\"x\",\"binary\":\"yes\"}}", "{\"value\":{\"code\":\"x\",\"env\":[1]}}",
            "{\"value\":\"code\"}",
        ])
    func badJSON(_ target: Serving, body: String) throws {
        try target.serve { proxy throws in
            let response = try proxy.request("POST", "/init", body: Data(body.utf8))
            #expect(response.status == 400)
            #expect(response.error?.isEmpty == false)
            #expect(proxy.isRunning)
        }
    }

    @Test("bad base64 answers 400 and names the offending byte", arguments: Serving.contract)
    func badBase64(_ target: Serving) throws {
        try target.serve { proxy throws in
            let response = try proxy.initialize(code: "SGVsbG8*d29ybGQ=", binary: true)
            #expect(response.status == 400)
            let message = try #require(response.error)
            #expect(message.hasPrefix("cannot decode the request: "))
            #expect(message.contains("7"))
        }
    }

    @Test("a start error answers 502 cannot start action", arguments: Serving.contract)
    func startError(_ target: Serving) throws {
        try target.serve { proxy throws in
            let response = try proxy.initialize(code: "#!/nonexistent/interpreter\n")
            #expect(response.status == 502)
            #expect(response.error?.hasPrefix("cannot start action: ") == true)
        }
    }

    @Test("without a compiler, a source that is not executable fails to start", arguments: Serving.contract)
    func sourceWithoutCompiler(_ target: Serving) throws {
        try target.serve { proxy throws in
            let response = try proxy.initialize(code: "def main(args):\n    return args\n")
            #expect(response.status == 502)
            #expect(response.error?.hasPrefix("cannot start action: ") == true)
        }
    }

    @Test("an action that exits at start fails the init with command exited", arguments: Serving.contract)
    func exitsAtStart(_ target: Serving) throws {
        try target.serve { proxy throws in
            let response = try proxy.initialize(code: "#!/bin/sh\nexit 1\n")
            #expect(response.status == 502)
            #expect(response.error == "cannot start action: command exited")
        }
    }
}

@Suite("OW_WAIT_FOR_ACK")
struct AckTests {
    let environment = ["OW_WAIT_FOR_ACK": "1"]

    @Test("an action that acks is ready at once", arguments: Serving.contract)
    func acked(_ target: Serving) throws {
        try target.serve(environment: environment) { proxy throws in
            #expect(try proxy.initialize(code: try Fixtures.text("launcher.py")).status == 200)
            let response = try proxy.run(["hello": "ack"])
            #expect(response.status == 200)
            #expect(response.json as? [String: String] == ["hello": "ack"])
        }
    }

    @Test("an action that exits before its ack fails the init", arguments: Serving.contract)
    func exitsBeforeAck(_ target: Serving) throws {
        try target.serve(environment: environment) { proxy throws in
            let response = try proxy.initialize(code: "#!/bin/sh\necho bye\nexit 2\n")
            #expect(response.status == 502)
            #expect(response.error == "cannot start action: Command exited abruptly during initialization.")
        }
    }

    @Test(
        "an ack that is not {\"ok\":true} fails the init",
        arguments: Serving.contract,
        [
            "{\"ok\":false}", "not json", "[true]", "{\"ok\":\"true\"}",
        ])
    func badAck(_ target: Serving, ack: String) throws {
        try target.serve(environment: environment) { proxy throws in
            let response = try proxy.initialize(code: "#!/bin/sh\necho '\(ack)' >&3\nsleep 30\n")
            #expect(response.status == 502)
            #expect(response.error == "cannot start action: The action did not initialize properly.")
        }
    }

    @Test(
        "an action that answers failed instead of its ack fails the init with 502 and its message",
        arguments: Serving.contract)
    func failedInsteadOfAck(_ target: Serving) throws {
        try target.serve(environment: environment) { proxy throws in
            let action =
                "#!/bin/sh\necho 'a stack trace' >&2\necho 'failed {\"error\":\"cannot load: x is not defined\"}' >&3\nexit 1\n"
            let response = try proxy.initialize(code: action)
            #expect(response.status == 502)
            #expect(response.error == "cannot load: x is not defined")
            proxy.waitForSentinels(0)
            #expect(proxy.sentinelCount(stderr: true) == 0)
            #expect(try proxy.initialize(code: try Fixtures.text("launcher.py")).status == 200)
        }
    }

    @Test(
        "with OW_LOG_INIT_ERROR a failed answer keeps its message and ends the log with the sentinels",
        arguments: Serving.contract)
    func failedInsteadOfAckLogged(_ target: Serving) throws {
        try target.serve(environment: environment.merging(["OW_LOG_INIT_ERROR": "1"]) { $1 }) { proxy throws in
            let action = "#!/bin/sh\necho 'a stack trace' >&2\necho 'failed {\"error\":\"cannot load\"}' >&3\nexit 1\n"
            let response = try proxy.initialize(code: action)
            #expect(response.status == 502)
            #expect(response.error == "cannot load")
            let logs = proxy.activationLogs(1)
            #expect(logs.first?.stderr == "a stack trace\n")
        }
    }

    @Test("an action that never acks fails the init after the ack timeout", arguments: Serving.contract)
    func ackTimeout(_ target: Serving) throws {
        try target.serve(environment: environment.merging(["OW_ACK_TIMEOUT_MS": "300"]) { $1 }) { proxy throws in
            let response = try proxy.initialize(code: "#!/bin/sh\nsleep 30\n")
            #expect(response.status == 502)
            #expect(response.error?.contains("did not acknowledge") == true)
        }
    }
}

@Suite("OW_EXECUTION_ENV and OW_LOG_INIT_ERROR")
struct ExecutionEnvironmentTests {
    @Test("a matching bin/exec.env lets the action start", arguments: Serving.contract)
    func matching(_ target: Serving) throws {
        let environment = [
            "OW_COMPILER": target.fixture("compile.sh"), "OW_EXECUTION_ENV": "example/runtime:1",
            "EXEC_ENV_VALUE": "example/runtime:1",
        ]
        try target.serve(environment: environment) { proxy throws in
            #expect(try proxy.initialize(code: "echo '{\"compiled\":true}' >&3\nsleep 30\n").status == 200)
        }
    }

    @Test("a mismatched bin/exec.env fails the init with 502", arguments: Serving.contract)
    func mismatch(_ target: Serving) throws {
        let environment = [
            "OW_COMPILER": target.fixture("compile.sh"), "OW_EXECUTION_ENV": "example/runtime:2",
            "EXEC_ENV_VALUE": "example/runtime:1",
        ]
        try target.serve(environment: environment) { proxy throws in
            let response = try proxy.initialize(code: "sleep 30\n")
            #expect(response.status == 502)
            #expect(
                response.error
                    == "cannot start action: Execution environment version mismatch. See logs for details. This image needs"
                    + " actions built for 'example/runtime:2'; the action was built for 'example/runtime:1'.")
            #expect(proxy.stderr.contains("example/runtime:1"))
        }
    }

    @Test("a missing bin/exec.env fails the init with 502 saying so", arguments: Serving.contract)
    func missing(_ target: Serving) throws {
        let environment = ["OW_COMPILER": target.fixture("compile.sh"), "OW_EXECUTION_ENV": "example/runtime:2"]
        try target.serve(environment: environment) { proxy throws in
            let response = try proxy.initialize(code: "sleep 30\n")
            #expect(response.status == 502)
            #expect(
                response.error?.hasSuffix(
                    "This image needs actions built for 'example/runtime:2'; the action has no bin/exec.env.") == true,
                "\(response.text)")
        }
    }

    @Test("with OW_LOG_INIT_ERROR a compile error goes to the log, then the sentinels", arguments: Serving.contract)
    func logInitErrorCompile(_ target: Serving) throws {
        let environment = ["OW_COMPILER": target.fixture("compile.sh"), "OW_LOG_INIT_ERROR": "1"]
        try target.serve(environment: environment) { proxy throws in
            let response = try proxy.initialize(code: "syntax error here\n", main: "hello")
            #expect(response.status == 502)
            #expect(response.error == InitFailure.compile + "compile.sh: syntax error in hello")
            proxy.waitForSentinels(1)
            #expect(proxy.stderr.contains("compile.sh: syntax error in hello"))
            #expect(proxy.sentinelCount(stderr: false) == 1)
            #expect(proxy.sentinelCount(stderr: true) == 1)
        }
    }

    @Test("with OW_LOG_INIT_ERROR a start error goes to the log, then the sentinels", arguments: Serving.contract)
    func logInitErrorStart(_ target: Serving) throws {
        try target.serve(environment: ["OW_LOG_INIT_ERROR": "1"]) { proxy throws in
            let response = try proxy.initialize(code: "#!/bin/sh\nexit 3\n")
            #expect(response.status == 502)
            #expect(response.error == InitFailure.start + "command exited")
            proxy.waitForSentinels(1)
            #expect(proxy.stderr.contains("command exited"))
            #expect(proxy.sentinelCount(stderr: true) == 1)
        }
    }
}
