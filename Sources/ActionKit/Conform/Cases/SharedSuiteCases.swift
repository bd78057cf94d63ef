import Foundation

/// apache/openwhisk's BasicActionRunnerTests, the suite that every upstream
/// runtime runs with actions in its language: each check written once here
/// and made a case per runtime, `<runtime>.upstream-<check>`, with that
/// runtime's actions (SharedSuiteActions). Its init cases without code are
/// the core `init.no-code` (and `blackbox.stub`), the second init
/// `init.upstream-second-init-logged`.
enum SharedSuiteCases {
    static let all: [ConformanceCase] = RuntimeKind.allCases.flatMap(cases)

    static func cases(_ runtime: RuntimeKind) -> [ConformanceCase] {
        let actions = SharedSuiteActions.of(runtime)
        let timeout = runtime == .swift ? SwiftCases.compileTimeout : 60
        func check(
            _ name: String, _ description: String, environment: [String: String] = [:],
            _ body: @escaping @Sendable (CaseContext, SharedSuiteActions) throws -> Void
        ) -> ConformanceCase {
            ConformanceCase(
                "\(runtime).upstream-\(name)", "\(description) (BasicActionRunnerTests)", runtimes: [runtime],
                need: .fresh(environment: environment), needsLogs: name != "large-input", timeout: timeout
            ) { context in try body(context, actions) }
        }
        return [
            check(
                "not-object",
                "a run of a body without value whose action answers a string: 502 The action did not return a dictionary or array., nothing else logged",
                notObject),
            check(
                "entry-point", "an entry point named niam answers with its value, logging nothing", entryPoint),
            check(
                "echo",
                "four values echoed, hello stdout and hello stderr logged for each, four sentinels per stream",
                echo),
            check(
                "unicode", "☃ in the source, ❄ in the value: the result and the log carry ❄ ☃ ❄", unicode),
            check(
                "env-at-load", "init env is set before the action loads, an empty value kept as empty",
                loadTimeEnvironment),
            check(
                "context",
                "the activation's fields and the container's __OW_API_HOST reach the action as __OW_ variables",
                environment: ["__OW_API_HOST": "https://conform.invalid"], context),
            check("large-input", "a value of 1,048,561 characters comes back whole", largeInput),
        ]
    }

    // MARK: The checks

    static func notObject(_ context: CaseContext, _ actions: SharedSuiteActions) throws {
        try context.expectInitialized(actions.notObject)
        let response = try context.post("/run", json: [String: Any]())
        try context.expectStatus(response, 502, "a run")
        try context.expect(
            [RunCases.notObject, "The action did not return a dictionary."].contains(response.error ?? ""),
            "a run: expected the error The action did not return a dictionary or array., got \(CaseContext.show(response))"
        )
        // Upstream's blackbox prints the text it answers, so its stdout is not quiet.
        try expectQuiet(context, activations: 1, stdout: context.runtime != .blackbox)
    }

    static func entryPoint(_ context: CaseContext, _ actions: SharedSuiteActions) throws {
        try context.expectInitialized(actions.niam)
        try context.expectResult(try context.run(["string": "entry"]), ["string": "entry"], "a run")
        try expectQuiet(context, activations: 1)
    }

    static func echo(_ context: CaseContext, _ actions: SharedSuiteActions) throws {
        try echoes(context, actions.echo)
    }

    /// Four values echoed by `action`, which prints hello stdout and hello
    /// stderr for each.
    static func echoes(_ context: CaseContext, _ action: TestAction) throws {
        try context.expectInitialized(action)
        let values: [[String: Any]] = [
            ["string": "plain"], ["string": "snow ❄ man ☃"], ["numbers": [7, -3]], ["object": ["a": "nested"]],
        ]
        for (index, value) in values.enumerated() {
            try context.expectResult(try context.run(value), value, "run \(index + 1)")
        }
        let logs = try context.waitForSentinels(4)
        try context.expectSentinels(logs, 4, "after four runs")
        try context.expect(logs.stdout.contains("hello stdout"), "stdout lacks hello stdout: \(logs.stdout)")
        try context.expect(logs.stderr.contains("hello stderr"), "stderr lacks hello stderr: \(logs.stderr)")
    }

    static func unicode(_ context: CaseContext, _ actions: SharedSuiteActions) throws {
        try context.expectInitialized(actions.unicode)
        let response = try context.run(["delimiter": "❄"])
        let winter = try context.expectObject(response, "a run")["winter"] as? String
        try context.expect(winter == "❄ ☃ ❄", "winter: expected ❄ ☃ ❄, got \(CaseContext.show(response))")
        let logs = try context.waitForSentinels(1)
        try context.expectSentinels(logs, 1, "after the run")
        try context.expect(logs.stdout.lowercased().contains("❄ ☃ ❄"), "stdout lacks ❄ ☃ ❄: \(logs.stdout)")
    }

    static func loadTimeEnvironment(_ context: CaseContext, _ actions: SharedSuiteActions) throws {
        try context.expectInitialized(actions.loadTimeEnvironment, env: ["CONFORM_SET": "xyz", "CONFORM_EMPTY": ""])
        try context.expectResult(
            try context.run([:]), ["CONFORM_SET": "xyz", "CONFORM_EMPTY": ""], "a run of the action that read them")
        try expectQuiet(context, activations: 1)
    }

    static func context(_ context: CaseContext, _ actions: SharedSuiteActions) throws {
        try context.expectInitialized(actions.context)
        let fields: [String: Any] = [
            "api_key": "key-of-conform", "namespace": "conform-space", "action_name": "/conform-space/context",
            "action_version": "0.3.1", "activation_id": "c0ffee", "deadline": "123",
        ]
        let expected = fields.merging(["api_host": "https://conform.invalid"]) { $1 }
        try context.expectResult(try context.run([:], fields: fields), expected, "a run")
        try expectQuiet(context, activations: 1)
    }

    static func largeInput(_ context: CaseContext, _ actions: SharedSuiteActions) throws {
        try context.expectInitialized(actions.niam)
        let value = ["arg": String(repeating: "a", count: 1_048_561)]
        try context.expectResult(try context.run(value, timeout: 60), value, "a run of 1 MB")
    }

    /// The activations logged nothing but their sentinels (stdout unless
    /// `stdout` is false, and stderr).
    static func expectQuiet(_ context: CaseContext, activations: Int, stdout: Bool = true) throws {
        let logs = try context.waitForSentinels(activations)
        try context.expectSentinels(logs, activations, "after \(activations) run(s)")
        let streams = stdout ? [("stdout", logs.stdout), ("stderr", logs.stderr)] : [("stderr", logs.stderr)]
        for (name, text) in streams {
            let lines = ActivationLogs(text).activations.joined().filter {
                !$0.trimmingCharacters(in: .whitespaces).isEmpty
            }
            try context.expect(lines.isEmpty, "\(name) is not empty: \(lines)")
        }
    }
}
