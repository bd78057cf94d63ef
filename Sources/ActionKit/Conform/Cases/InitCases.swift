import Foundation

/// The contract's `POST /init` (docs/contract.md).
enum InitCases {
    static let noCode = "Missing main/no code to execute."
    static let twice = "Cannot initialize the action more than once."
    /// A `#!` line naming no interpreter: the exec fails in every proxy.
    static let unstartable = TestAction(
        "a script whose interpreter does not exist", source: "#!/nonexistent/interpreter\n")

    static let all: [ConformanceCase] = [
        ConformanceCase(
            "init.ok", "an init answers 200 {\"ok\":true} plus newline, with Content-Length 12 and JSON type",
            runtimes: .lineProtocol, need: .initialised(LineAction.action)
        ) { context in
            guard let response = context.initResponse else { throw CaseFailure("no init was made") }
            try context.expect(
                response.status == 200 && response.text == "{\"ok\":true}\n",
                "expected 200 {\"ok\":true}\\n, got \(CaseContext.show(response))")
            try context.expect(
                response.headers["content-length"] == "12",
                "expected Content-Length: 12, got \(response.headers["content-length"] ?? "none")")
            try context.expect(
                response.headers["content-type"]?.hasPrefix("application/json") == true,
                "expected Content-Type: application/json, got \(response.headers["content-type"] ?? "none")")
        },
        ConformanceCase(
            "init.no-code", "an init without code ({}, no value, empty or null code) answers 403 \(noCode)",
            runtimes: .lineProtocol, need: .uninitialised
        ) { context in
            for body in [
                "{}", "{\"value\":{}}", "{\"value\":{\"code\":\"\"}}", "{\"value\":{\"code\":null,\"main\":\"main\"}}",
            ] {
                let response = try context.request("POST", "/init", body: Data(body.utf8))
                try context.expectError(response, 403, noCode, "init with \(body)")
            }
        },
        ConformanceCase(
            "init.bad-json", "an init body that is not JSON answers 400 with a JSON error, and the proxy serves on",
            runtimes: .all, need: .uninitialised
        ) { context in
            for body in ["not json", "{\"value\":"] {
                let response = try context.request("POST", "/init", body: Data(body.utf8))
                try context.expectError(response, 400, prefix: "", "init with \(body)")
            }
            let after = try context.run(["after": true])
            try context.expectStatus(after, 500, "a run after the refused inits")
        },
        ConformanceCase(
            "init.bad-base64", "binary code that is not base64 answers 400 \"cannot decode the request: …\"",
            runtimes: .all, need: .uninitialised
        ) { context in
            let response = try context.post(
                "/init", json: ["value": ["code": "SGVsbG8*d29ybGQ=", "binary": true]])
            try context.expectError(response, 400, prefix: "cannot decode the request: ", "init with bad base64")
        },
        ConformanceCase(
            "init.start-error", "an action that cannot be started answers 502 \"cannot start action: …\"",
            runtimes: .lineProtocol, need: .uninitialised
        ) { context in
            let response = try context.initialize(unstartable)
            try context.expectStartError(response, reason: nil, "init of \(unstartable.name)")
        },
        ConformanceCase(
            "init.second", "a second init answers 403 \(twice) before reading its body; the action serves on",
            runtimes: .lineProtocol, need: .initialised(LineAction.action)
        ) { context in
            let again = try context.initialize(LineAction.action)
            try context.expectError(again, 403, twice, "a second init")
            let garbage = try context.request("POST", "/init", body: Data("not json".utf8))
            try context.expectError(garbage, 403, twice, "a second init whose body is not JSON")
            let run = try context.run(["after": "second init"])
            let line = try context.expectObject(run, "a run after the second init")
            try context.expect(
                (line["value"] as? [String: String]) == ["after": "second init"],
                "the run after the second init was not answered by the first action: \(CaseContext.show(run))")
        },
        ConformanceCase(
            "init.failed-does-not-count", "a refused (400) or failed (502) init does not count: a later init succeeds",
            runtimes: .lineProtocol, need: .fresh()
        ) { context in
            try context.expectStatus(
                try context.request("POST", "/init", body: Data("{".utf8)), 400, "an init whose body is not JSON")
            try context.expectStatus(try context.initialize(unstartable), 502, "the init of \(unstartable.name)")
            try context.expectInitialized(LineAction.action)
            try context.expectStatus(try context.run(["x": 1]), 200, "a run after the good init")
        },
        ConformanceCase(
            "init.ack-exit",
            "with OW_WAIT_FOR_ACK, an action that exits before its ack answers 502 \"cannot start action: Command exited abruptly during initialization.\"",
            runtimes: .lineProtocol, need: .fresh(environment: ["OW_WAIT_FOR_ACK": "1"])
        ) { context in
            let action = TestAction("a script that exits at once", source: "#!/bin/sh\necho leaving\nexit 2\n")
            try context.expectStartError(
                try context.initialize(action), reason: "Command exited abruptly during initialization.",
                "the init of \(action.name)")
        },
        ConformanceCase(
            "init.ack-refused",
            "with OW_WAIT_FOR_ACK, an ack of {\"ok\":false} answers 502 \"cannot start action: The action did not initialize properly.\"",
            runtimes: .lineProtocol, need: .fresh(environment: ["OW_WAIT_FOR_ACK": "1"])
        ) { context in
            let action = TestAction(
                "a script that acks {\"ok\":false}", source: "#!/bin/sh\necho '{\"ok\":false}' >&3\nexec sleep 30\n")
            try context.expectStartError(
                try context.initialize(action), reason: "The action did not initialize properly.",
                "the init of \(action.name)")
        },
        ConformanceCase(
            "init.ack-ok", "with OW_WAIT_FOR_ACK, an action that acks {\"ok\":true} is initialised and runs",
            runtimes: .lineProtocol, need: .fresh(environment: ["OW_WAIT_FOR_ACK": "1"])
        ) { context in
            try context.expectInitialized(LineAction.action)
            try context.expectStatus(try context.run(["acked": true]), 200, "a run after the ack")
        },
        ConformanceCase(
            "init.env",
            "init env reaches the action: strings as they are, other values as compact JSON, __OW_PROXY_VERSION set",
            runtimes: .lineProtocol, need: .fresh()
        ) { context in
            let env: [String: Any] = [
                "CONFORM_STRING": "xyz", "CONFORM_EQUALS": "k=v=w", "CONFORM_UNICODE": "❄ ☃ ❄", "CONFORM_NUMBER": 5,
                "CONFORM_BOOLEAN": true, "CONFORM_OBJECT": ["a": [1, 2]],
            ]
            try context.expectInitialized(LineAction.action, env: env)
            let seen = try LineAction.environment(try context.run(LineAction.value(.environment)), context)
            let expected = [
                "CONFORM_STRING": "xyz", "CONFORM_EQUALS": "k=v=w", "CONFORM_UNICODE": "❄ ☃ ❄", "CONFORM_NUMBER": "5",
                "CONFORM_BOOLEAN": "true", "CONFORM_OBJECT": "{\"a\":[1,2]}",
            ]
            for (name, value) in expected.sorted(by: { $0.key < $1.key }) {
                try context.expect(
                    seen[name] == value,
                    "\(name): expected \(value), the action saw \(seen[name].map { "\($0)" } ?? "nothing")")
            }
            try context.expect(
                seen["__OW_PROXY_VERSION"]?.isEmpty == false, "the action has no __OW_PROXY_VERSION")
        },
        ConformanceCase(
            "init.proxy-env", "the proxy's own __OW_* variables reach the action",
            runtimes: .lineProtocol, need: .fresh(environment: ["__OW_CONFORM_FROM_PROXY": "passed on"])
        ) { context in
            try context.expectInitialized(LineAction.action)
            let seen = try LineAction.environment(try context.run(LineAction.value(.environment)), context)
            try context.expect(
                seen["__OW_CONFORM_FROM_PROXY"] == "passed on",
                "__OW_CONFORM_FROM_PROXY: expected \"passed on\", the action saw \(seen["__OW_CONFORM_FROM_PROXY"] ?? "nothing")"
            )
        },
        ConformanceCase(
            "init.log-error",
            "with OW_LOG_INIT_ERROR, a start error answers 502 \"Cannot start action. Check logs for details.\" (ours adds the reason) and goes to the log before one sentinel per stream",
            runtimes: .lineProtocol, need: .fresh(environment: ["OW_LOG_INIT_ERROR": "1"]), needsLogs: true
        ) { context in
            let response = try context.initialize(unstartable)
            try context.expect(
                response.status == 502 && response.error?.hasPrefix(CaseContext.startErrorLogged) == true,
                "the init of \(unstartable.name): expected 502 {\"error\":\"\(CaseContext.startErrorLogged)…\"}, got \(CaseContext.show(response))"
            )
            let logs = try context.waitForSentinels(1)
            try context.expectSentinels(logs, 1, "after the failed init")
            let before = ActivationLogs(logs.stderr).activations.first ?? []
            try context.expect(
                before.contains { !$0.trimmingCharacters(in: .whitespaces).isEmpty },
                "stderr has nothing before its sentinel: the reason of the failure is not in the log")
        },
    ]
}
