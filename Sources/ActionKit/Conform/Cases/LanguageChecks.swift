import Foundation

/// Checks that every language runtime's cases share: the same behaviour,
/// each from an action in that language.
enum LanguageChecks {
    /// The env of an action that answers `{"env": {NAME: VALUE…}}` with its
    /// whole environment.
    static func environment(_ response: HTTPResponse, _ context: CaseContext, _ what: String) throws
        -> [String: String]
    {
        let object = try context.expectObject(response, what)
        guard let env = object["env"] as? [String: String] else {
            throw CaseFailure("\(what): no env object in \(CaseContext.show(response))")
        }
        return env
    }

    /// Init env: strings intact (= and unicode too), numbers as JSON text.
    static func initEnvironment(_ context: CaseContext, _ action: TestAction) throws {
        let env: [String: Any] = ["CONFORM_STRING": "k=v=w ❄ ☃", "CONFORM_NUMBER": 5]
        try context.expectInitialized(action, env: env)
        let seen = try environment(try context.run([:]), context, "a run that reports its environment")
        try context.expect(
            seen["CONFORM_STRING"] == "k=v=w ❄ ☃",
            "CONFORM_STRING: expected k=v=w ❄ ☃, the action saw \(seen["CONFORM_STRING"] ?? "nothing")")
        try context.expect(
            seen["CONFORM_NUMBER"] == "5",
            "CONFORM_NUMBER: expected 5, the action saw \(seen["CONFORM_NUMBER"] ?? "nothing")")
    }

    /// Every activation field is an `__OW_<FIELD>` variable while the
    /// action runs, a numeric deadline too; the next activation's replace them.
    static func activationFields(_ context: CaseContext, _ action: TestAction) throws {
        try context.expectInitialized(action)
        let deadline = Int64(Date().timeIntervalSince1970 * 1000) + 60_000
        let fields: [String: Any] = [
            "namespace": "guest", "action_name": "/guest/conform", "action_version": "0.0.1",
            "activation_id": "0123456789abcdef0123456789abcdef", "transaction_id": "conform-transaction",
            "api_key": "user:secret=", "deadline": String(deadline),
        ]
        let seen = try environment(try context.run([:], fields: fields), context, "a run that reports its environment")
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            let variable = "__OW_" + name.uppercased()
            try context.expect(
                seen[variable] == value as? String,
                "\(variable): expected \(value), the action saw \(seen[variable] ?? "nothing")")
        }
        let next = try environment(
            try context.run([:], fields: ["activation_id": "second", "deadline": deadline]), context,
            "a second run with a number deadline")
        try context.expect(
            next["__OW_ACTIVATION_ID"] == "second",
            "__OW_ACTIVATION_ID of the second run: the action saw \(next["__OW_ACTIVATION_ID"] ?? "nothing")")
        try context.expect(
            next["__OW_DEADLINE"] == String(deadline),
            "a number deadline: expected __OW_DEADLINE \(deadline), the action saw \(next["__OW_DEADLINE"] ?? "nothing")"
        )
    }

    /// Three activations of an action that logs `stdout of N` and `stderr
    /// of N`: each line before its activation's sentinel, one per stream.
    static func logs(_ context: CaseContext, _ action: TestAction) throws {
        try context.expectInitialized(action)
        for index in 1...3 {
            try context.expectStatus(try context.run(["n": index]), 200, "run \(index)")
        }
        let logs = try context.waitForSentinels(3)
        try context.expectSentinels(logs, 3, "after three runs")
        for (name, stream) in [("stdout", logs.stdout), ("stderr", logs.stderr)] {
            for (offset, block) in ActivationLogs(stream).activations.enumerated() {
                try context.expect(
                    block.contains("\(name) of \(offset + 1)"),
                    "the \(name) log line of activation \(offset + 1) is not before its sentinel: \(block)")
            }
        }
    }

    /// A value and a log line with unicode in them.
    static func unicode(_ context: CaseContext, _ action: TestAction) throws {
        try context.expectInitialized(action)
        let winter = "❄ ☃ ❄ 雪 🌨"
        try context.expectResult(try context.run(["winter": winter]), ["winter": winter], "a run with unicode")
        let logs = try context.waitForSentinels(1)
        try context.expect(
            ActivationLogs(logs.stdout).activations.first?.contains("log \(winter)") == true,
            "the log line with \(winter) is not before the stdout sentinel")
    }

    /// An action that returns its value: a 1 MB value comes back whole.
    static func largeInput(_ context: CaseContext, _ action: TestAction) throws {
        try context.expectInitialized(action)
        let large = String(repeating: "a❄", count: 262_144)
        try context.expectResult(try context.run(["large": large], timeout: 60), ["large": large], "a 1 MB run")
    }

    /// An action that returns `args["result"]`: non-objects answer 502, an
    /// array 200.
    static func resultKinds(_ context: CaseContext, _ action: TestAction) throws {
        try context.expectInitialized(action)
        for value in ["a string", 42] as [Any] {
            try context.expectError(
                try context.run(["result": value]), 502, RunCases.notObject, "a result of \(JSONValue.text(value))")
        }
        try context.expectResult(
            try context.run(["result": [1, "two", ["three": 3]]]), [1, "two", ["three": 3]] as [Any], "an array result")
        try context.expectResult(try context.run(["result": ["ok": true]]), ["ok": true], "an object result")
    }

    /// An action that fails on `{"fail": true}`: an error result that names
    /// the message, then a good activation.
    static func failure(_ context: CaseContext, _ action: TestAction, message: String) throws {
        try context.expectInitialized(action)
        let failed = try context.run(["fail": true])
        try context.expect(
            failed.status == 200 && failed.error?.contains(message) == true,
            "a failing activation: expected 200 {\"error\": \"…\(message)…\"}, got \(CaseContext.show(failed))")
        try context.expectResult(try context.run(["fail": false]), ["ok": true], "the next activation")
    }

    /// Code that does not compile (or load): 502 with an error naming it,
    /// and a corrected init afterwards succeeds.
    static func brokenCode(_ context: CaseContext, _ broken: TestAction, mentions: String?, fixed: TestAction) throws {
        let response = try context.initialize(broken)
        try context.expectError(response, 502, prefix: "", "the init of \(broken.name)")
        if let mentions {
            try context.expect(
                response.error?.contains(mentions) == true,
                "the init error does not mention \(mentions): \(CaseContext.show(response))")
        }
        try context.expectInitialized(fixed)
        try context.expectStatus(try context.run([:]), 200, "a run of the corrected action")
    }
}
