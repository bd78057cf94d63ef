import Foundation

/// The single entrypoint `/` of apache/openwhisk's "Action Proxy Single
/// Entrypoint Interface" and actions baked into the image (docs/knative.md):
/// what a proxy needs to run on Knative Serving, Cloud Run or a plain
/// Kubernetes Deployment. Upstream, only the Node.js runtime has them, so
/// they are a group of their own (`--group entrypoint`), run with every
/// runtime's echo action (SharedSuiteActions).
enum EntrypointCases {
    static let all: [ConformanceCase] = RuntimeKind.allCases.flatMap(cases)

    /// The activation of the interface's examples.
    static var activation: [String: Any] {
        [
            "namespace": "conform", "action_name": "conform-echo", "api_host": "", "api_key": "",
            "activation_id": "0000entrypoint", "transaction_id": "", "deadline": "4102498800000",
        ]
    }

    static func cases(_ runtime: RuntimeKind) -> [ConformanceCase] {
        let echo = SharedSuiteActions.of(runtime).echo
        let timeout = runtime == .swift ? SwiftCases.compileTimeout : 60
        func check(
            _ name: String, _ description: String, environment: [String: String] = [:],
            _ body: @escaping @Sendable (CaseContext, TestAction) throws -> Void
        ) -> ConformanceCase {
            ConformanceCase(
                "\(runtime).entrypoint-\(name)", description, group: .entrypoint, runtimes: [runtime],
                need: .fresh(environment: environment), timeout: timeout
            ) { context in try body(context, echo) }
        }
        var baked = ["__OW_ACTION_CODE": echo.code.code, "__OW_ACTION_NAME": "conform-baked"]
        if echo.code.binary { baked["__OW_ACTION_BINARY"] = "true" }
        if let main = echo.main { baked["__OW_ACTION_MAIN"] = main }
        return [
            check(
                "init-then-run",
                "/health answers 200 before any init; POST / with init answers {\"ok\":true}, then POST / with activation and value runs the action with them",
                initThenRun),
            check(
                "init-and-run",
                "POST / with init, activation and value initializes and runs in one request, the request's method in __ow_method",
                initAndRun),
            check(
                "web-answer",
                "a result with statusCode, headers and a string body is the HTTP answer: that status, the header, text/html, CORS allowed",
                webAnswer),
            check(
                "baked",
                "an action baked in as __OW_ACTION_CODE serves POST / without an init once /health answers 200; an init is refused with 403",
                environment: baked, bakedAction),
        ]
    }

    /// The init member of a request to `/`: the fields of `/init`'s value.
    static func initMember(_ action: TestAction) -> Any {
        action.code.initBody(main: action.main ?? "main", name: "conform-echo")["value"] ?? [:]
    }

    static func initThenRun(_ context: CaseContext, _ echo: TestAction) throws {
        let health = try context.request("GET", "/health")
        try context.expectStatus(health, 200, "/health of a proxy waiting for its init")
        let initialized = try context.post("/", json: ["init": initMember(echo)], timeout: 180)
        try context.expectResult(initialized, ["ok": true], "POST / with init")
        let run = try context.post("/", json: ["activation": activation, "value": ["name": "Ada"]])
        let result = try context.expectObject(run, "POST / with activation and value")
        try context.expect(result["name"] as? String == "Ada", "the run answered \(CaseContext.show(run))")
        let again = try context.run(["through": "/run"], what: "a /run beside /")
        try context.expect(
            (try context.expectObject(again, "/run"))["through"] as? String == "/run",
            "/run answered \(CaseContext.show(again))")
    }

    static func initAndRun(_ context: CaseContext, _ echo: TestAction) throws {
        let answer = try context.post(
            "/", json: ["init": initMember(echo), "activation": activation, "value": ["name": "Ada"]], timeout: 180)
        let result = try context.expectObject(answer, "POST / with init, activation and value")
        try context.expect(
            result["name"] as? String == "Ada" && result["__ow_method"] as? String == "POST",
            "expected the value and __ow_method POST back, got \(CaseContext.show(answer))")
    }

    static func webAnswer(_ context: CaseContext, _ echo: TestAction) throws {
        try context.expectStatus(
            try context.post("/", json: ["init": initMember(echo)], timeout: 180), 200, "POST / with init")
        let value: [String: Any] = ["statusCode": 201, "headers": ["X-Conform": "made"], "body": "<p>made</p>"]
        let answer = try context.post("/", json: ["activation": activation, "value": value])
        try context.expect(
            answer.status == 201 && answer.headers["x-conform"] == "made" && answer.text == "<p>made</p>"
                && answer.headers["content-type"] == "text/html"
                && answer.headers["access-control-allow-origin"] == "*",
            "expected 201, X-Conform: made, text/html <p>made</p> and CORS, got \(answer.status) \(answer.headers) \(CaseContext.show(answer))"
        )
    }

    static func bakedAction(_ context: CaseContext, _ echo: TestAction) throws {
        // A proxy that compiles at start needs a moment: a readiness probe waits as long.
        let deadline = Date().addingTimeInterval(120)
        var health = try context.request("GET", "/health")
        while health.status != 200 && Date() < deadline {
            usleep(100_000)
            health = try context.request("GET", "/health")
        }
        try context.expectStatus(health, 200, "/health of a baked action")
        let run = try context.post("/", json: ["value": ["name": "Ada"]])
        let result = try context.expectObject(run, "POST / on a baked action")
        try context.expect(result["name"] as? String == "Ada", "the run answered \(CaseContext.show(run))")
        let refused = try context.initialize(echo)
        try context.expect(
            refused.status == 403 && refused.error?.contains("baked into its image") == true,
            "an /init of a baked action: expected 403 saying it is baked in, got \(CaseContext.show(refused))")
    }
}
