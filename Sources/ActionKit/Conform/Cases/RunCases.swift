import Foundation

/// The contract's `POST /run` (docs/contract.md).
enum RunCases {
    static let notObject = "The action did not return a dictionary or array."
    static let action = LineAction.action

    static let all: [ConformanceCase] = [
        ConformanceCase(
            "run.before-init", "a run before any init answers 500 no action defined yet",
            runtimes: .all, need: .uninitialised
        ) { context in
            try context.expectError(try context.run(["x": 1]), 500, "no action defined yet", "a run before init")
        },
        ConformanceCase(
            "run.echo", "the run body reaches the action as one line: value and every activation field, as sent",
            runtimes: .lineProtocol, need: .initialised(action)
        ) { context in
            let fields: [String: Any] = [
                "namespace": "guest", "action_name": "/guest/conform", "action_version": "0.0.1",
                "activation_id": "0123456789abcdef0123456789abcdef", "transaction_id": "conform-transaction",
                "api_key": "user:secret=", "deadline": String(Int64(Date().timeIntervalSince1970 * 1000) + 60_000),
            ]
            let value: [String: Any] = ["name": "Ada", "n": 1, "nested": ["list": [1, "two", NSNull()]]]
            let line = try context.expectObject(try context.run(value, fields: fields), "a run of the echo action")
            try context.expect(
                JSONValue.equal(line["value"] ?? NSNull(), value),
                "the value arrived as \(JSONValue.text(line["value"] ?? NSNull())), not \(JSONValue.text(value))")
            for (name, sent) in fields.sorted(by: { $0.key < $1.key }) {
                try context.expect(
                    JSONValue.equal(line[name] ?? NSNull(), sent),
                    "\(name) arrived as \(JSONValue.text(line[name] ?? NSNull())), not \(JSONValue.text(sent))")
            }
        },
        ConformanceCase(
            "run.one-line", "a run body with newlines reaches the action as one line (newlines removed)",
            runtimes: .lineProtocol, need: .initialised(action)
        ) { context in
            let body = "{\n  \"value\": {\n    \"text\": \"a\\nb\",\n    \"n\": 2\n  }\n}\n"
            let response = try context.request("POST", "/run", body: Data(body.utf8))
            let line = try context.expectObject(response, "a run with a pretty-printed body")
            try context.expect(
                JSONValue.equal(line["value"] ?? NSNull(), ["text": "a\nb", "n": 2]),
                "the action did not get the body as one line: \(CaseContext.show(response))")
            try context.expect(
                !response.text.dropLast().contains("\n"), "the answer has a newline inside: \(response.text)")
        },
        ConformanceCase(
            "run.deadline-number", "a run whose deadline is a number (not a string) is accepted",
            runtimes: .lineProtocol, need: .initialised(action)
        ) { context in
            var fields = ActivationFields(actionName: "conform").members
            fields["deadline"] = Int64(Date().timeIntervalSince1970 * 1000) + 60_000
            let line = try context.expectObject(
                try context.run(["n": 1], fields: fields), "a run with a number deadline")
            try context.expect(line["deadline"] is NSNumber, "the deadline did not reach the action as a number")
        },
        ConformanceCase(
            "run.array", "an array result answers 200 with the array",
            runtimes: .lineProtocol, need: .initialised(action)
        ) { context in
            let response = try context.run(LineAction.value(.array))
            try context.expectResult(response, [1, "two", ["three": 3]] as [Any], "an array result")
            try context.expect(
                response.text == "[1,\"two\",{\"three\":3}]\n" || response.text == "[1,\"two\",{\"three\":3}]",
                "the result line was not passed on as it is: \(response.text)")
        },
        ConformanceCase(
            "run.not-object", "a string, number or boolean result answers 502 \(notObject); the action serves on",
            runtimes: .lineProtocol, need: .initialised(action)
        ) { context in
            for mode in [LineAction.Mode.string, .number, .boolean] {
                try context.expectError(try context.run(LineAction.value(mode)), 502, notObject, "a \(mode) result")
            }
            try context.expectStatus(try context.run(["after": true]), 200, "a run after them")
        },
        ConformanceCase(
            "run.application-error", "an {\"error\": …} result answers 200 as it is",
            runtimes: .lineProtocol, need: .initialised(action)
        ) { context in
            try context.expectResult(
                try context.run(LineAction.value(.error)), ["error": "the action failed"], "an error result")
        },
        ConformanceCase(
            "run.unicode", "unicode round-trips in the value, the result and the logs",
            runtimes: .lineProtocol, need: .initialised(action), needsLogs: true
        ) { context in
            let before = ActivationLogs(try context.logs().stdout).count
            let winter = "❄ ☃ ❄ 雪 🌨"
            let line = try context.expectObject(
                try context.run(LineAction.value(.unicode, ["winter": winter])), "a run with unicode")
            try context.expect(
                (line["value"] as? [String: Any])?["winter"] as? String == winter,
                "the value came back as \(JSONValue.text(line["value"] ?? NSNull()))")
            let logs = try context.waitForSentinels(before + 1)
            let block = ActivationLogs(logs.stdout).activations.dropFirst(before).first ?? []
            try context.expect(
                block.contains { $0.contains(winter) },
                "the action's log line with \(winter) is not in its stdout block")
        },
        ConformanceCase(
            "run.large-input", "a 1 MB value round-trips",
            runtimes: .lineProtocol, need: .initialised(action)
        ) { context in
            let large = String(repeating: "a❄", count: 262_144)
            let line = try context.expectObject(try context.run(["large": large], timeout: 60), "a 1 MB run")
            try context.expect(
                (line["value"] as? [String: Any])?["large"] as? String == large,
                "the 1 MB value did not come back whole")
        },
        ConformanceCase(
            "run.long-lived", "the action is one process for all activations of an init",
            runtimes: .lineProtocol, need: .initialised(action)
        ) { context in
            let first = try context.expectObject(try context.run(LineAction.value(.count)), "a run")
            guard let start = first["count"] as? Int else {
                throw CaseFailure("the action's count is missing: \(JSONValue.text(first))")
            }
            for step in 1...2 {
                let next = try context.expectObject(try context.run(LineAction.value(.count)), "a run")
                try context.expect(
                    next["count"] as? Int == start + step,
                    "activation \(start + step) was served by a process that had seen \(next["count"] ?? "?") lines")
            }
        },
        ConformanceCase(
            "run.exit-during-run",
            "an action that exits during a run answers 400 command exited, with the sentinels; later runs answer 500",
            runtimes: .lineProtocol, need: .fresh(), needsLogs: true
        ) { context in
            try context.expectInitialized(action)
            try context.expectError(
                try context.run(LineAction.value(.exit)), 400, "command exited", "the run that exits")
            let logs = try context.waitForSentinels(1)
            try context.expectSentinels(logs, 1, "after the run that exited")
            try context.expectError(try context.run(["after": true]), 500, prefix: "", "a run after the action exited")
        },
        ConformanceCase(
            "run.dead-action", "a run after the action died between requests answers 500 command exited",
            runtimes: .lineProtocol, need: .fresh()
        ) { context in
            try context.expectInitialized(action)
            try context.expectStatus(try context.run(LineAction.value(.answerThenExit)), 200, "the last answer")
            usleep(700_000)
            try context.expectError(try context.run(["after": true]), 500, "command exited", "a run after the exit")
        },
    ]
}
