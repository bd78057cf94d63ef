import Foundation
import Testing

/// Actions baked into an image (issue 17): the proxy initializes itself
/// from `__OW_ACTION_CODE` or `__OW_ACTION_CODE_FILE` at start, serves runs
/// at once and refuses inits; `/health` tells a readiness probe whether it
/// can serve.
@Suite("actions baked into the image")
struct BakedActionTests {
    static let launcher = try! Fixtures.text("launcher.py")

    /// `/health` until it answers `status`, for at most 10 s: the last answer.
    static func health(of proxy: any ProxyUnderTest, until status: Int) throws -> HTTPTestResponse {
        var health = try proxy.request("GET", "/health")
        let deadline = Date().addingTimeInterval(10)
        while health.status != status && Date() < deadline {
            usleep(20_000)
            health = try proxy.request("GET", "/health")
        }
        return health
    }

    /// `/health` once the self-initialization ended (its status no longer
    /// "initializing"), for at most 10 s: the last answer.
    static func settledHealth(of proxy: any ProxyUnderTest) throws -> HTTPTestResponse {
        var health = try proxy.request("GET", "/health")
        let deadline = Date().addingTimeInterval(10)
        while health.object?["status"] as? String == "initializing" && Date() < deadline {
            usleep(20_000)
            health = try proxy.request("GET", "/health")
        }
        return health
    }

    @Test(
        "an action baked in by __OW_ACTION_CODE serves runs at once through / and /run; /init and an init through / are refused with 403 naming the variable",
        arguments: Serving.contract)
    func inlineCode(_ target: Serving) throws {
        let environment = ["__OW_ACTION_CODE": Self.launcher, "__OW_ACTION_NAME": "baked", "MY_SETTING": "on"]
        try target.serve(environment: environment) { proxy throws in
            let health = try Self.health(of: proxy, until: 200)
            #expect(health.status == 200)
            #expect(health.object?["ready"] as? Bool == true, "\(health.text)")
            let run = try proxy.post("/", json: ["value": ["name": "Ada"]])
            #expect(run.status == 200, "\(run.text)")
            #expect(run.object?["name"] as? String == "Ada")
            #expect(try proxy.run(["through": "/run"]).object?["through"] as? String == "/run")
            let variables = try #require(
                try proxy.post("/", json: ["value": ["do": "env"]]).object?["env"] as? [String: String])
            #expect(variables["__OW_ACTION_NAME"] == "baked")
            #expect(variables["MY_SETTING"] == "on", "the container's environment is the action's")
            #expect(variables["__OW_ACTION_CODE"] == nil, "the code is not passed on")
            let refusal =
                "This container runs the action baked into its image (__OW_ACTION_CODE); it cannot be initialized with another one."
            let viaInit = try proxy.initialize(code: Self.launcher)
            #expect(viaInit.status == 403)
            #expect(viaInit.error == refusal)
            let viaEntrypoint = try proxy.post(
                "/", json: ["init": ["code": Self.launcher], "activation": [:], "value": [:]])
            #expect(viaEntrypoint.status == 403)
            #expect(viaEntrypoint.error == refusal)
            #expect(try proxy.post("/", json: ["value": ["still": true]]).status == 200)
        }
    }

    @Test(
        "__OW_ACTION_CODE_FILE names the code as a file or as a folder copied into the image; __OW_ACTION_BINARY takes base64",
        arguments: Serving.contract)
    func codeFromFiles(_ target: Serving) throws {
        try target.serve(environment: ["__OW_ACTION_CODE_FILE": target.fixture("launcher.py")]) { proxy throws in
            #expect(try Self.health(of: proxy, until: 200).status == 200)
            #expect(try proxy.post("/", json: ["value": ["from": "file"]]).object?["from"] as? String == "file")
        }
        try target.serve(environment: ["__OW_ACTION_CODE_FILE": target.fixture("baked-folder")]) { proxy throws in
            #expect(try Self.health(of: proxy, until: 200).status == 200)
            let answer = try proxy.post("/", json: ["value": [:]])
            #expect(answer.object?["greeting"] as? String == "hello from a folder", "\(answer.text)")
            #expect(proxy.activationLogs(1)[0].stderr.contains("baked folder action ran"))
        }
        let encoded = Data(Self.launcher.utf8).base64EncodedString()
        try target.serve(environment: ["__OW_ACTION_CODE": encoded, "__OW_ACTION_BINARY": "true"]) { proxy throws in
            #expect(try Self.health(of: proxy, until: 200).status == 200)
            #expect(try proxy.post("/", json: ["value": ["from": "base64"]]).object?["from"] as? String == "base64")
        }
    }

    @Test(
        "a baked action that fails to initialize keeps /health at 503 saying why, every run answers 500 with the reason, and the proxy stays up",
        arguments: Serving.contract,
        [
            (
                ["__OW_ACTION_CODE_FILE": "/no/such/action.py"],
                "__OW_ACTION_CODE_FILE names /no/such/action.py, which is not in this image."
            ),
            (
                ["__OW_ACTION_CODE": "x", "__OW_ACTION_CODE_FILE": "/x"],
                "Both __OW_ACTION_CODE and __OW_ACTION_CODE_FILE are set; set one of them."
            ),
            (["__OW_ACTION_CODE": "#!/no/interpreter\n"], "/no/interpreter is not in this image"),
        ])
    func failedSelfInit(_ target: Serving, _ example: (environment: [String: String], reason: String)) throws {
        let (environment, reason) = example
        try target.serve(environment: environment) { proxy throws in
            let health = try Self.settledHealth(of: proxy)
            #expect(health.status == 503)
            #expect(health.object?["status"] as? String == "initialization failed")
            #expect((health.object?["error"] as? String)?.contains(reason) == true, "\(health.text)")
            let run = try proxy.post("/", json: ["value": [:]])
            #expect(run.status == 500)
            #expect(run.error?.hasPrefix("The action baked into this image failed to initialize: ") == true)
            #expect(run.error?.contains(reason) == true, "\(run.text)")
            #expect(try proxy.run([:]).status == 500)
            #expect(proxy.isRunning)
            #expect(proxy.stderr.contains("failed to initialize"), "why is in the log: \(proxy.stderr)")
        }
    }

    @Test(
        "runs sent while the baked action initializes wait for it, and /health answers 503 initializing meanwhile",
        arguments: Serving.contract)
    func runsWaitForSelfInit(_ target: Serving) throws {
        let slowStart = """
            #!/bin/sh
            sleep 2
            echo '{"ok":true}' >&3
            while read -r line; do echo '{"served":true}' >&3; done
            """
        try target.serve(environment: ["__OW_ACTION_CODE": slowStart, "OW_WAIT_FOR_ACK": "1"]) { proxy throws in
            let health = try proxy.request("GET", "/health")
            #expect(health.status == 503)
            #expect(health.object?["status"] as? String == "initializing", "\(health.text)")
            let started = Date()
            let run = try proxy.post("/", json: ["value": [:]])
            #expect(run.status == 200, "\(run.text)")
            #expect(run.object?["served"] as? Bool == true)
            #expect(Date().timeIntervalSince(started) > 0.5, "it waited for the init")
            #expect(try proxy.request("GET", "/health").status == 200)
        }
    }

    @Test("OW_ACTION_DIR puts the action folders where it says", arguments: Serving.contract)
    func actionDirectory(_ target: Serving) throws {
        let folder = "/tmp/actionproxy-test-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try target.serve(environment: ["OW_ACTION_DIR": folder]) { proxy throws in
            #expect(try proxy.initialize(code: Self.launcher).status == 200)
            #expect(try proxy.entries(in: folder) == ["1"])
            #expect(proxy.fileExists(folder + "/1/bin/exec"))
            #expect(!proxy.fileExists("action/1"))
        }
    }
}
