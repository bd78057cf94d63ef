import ActionKit
import Foundation
import Testing

/// The images run as Knative Serving runs a revision (issue 17): a read-only
/// root with `/tmp` a tmpfs that allows executables, `$PORT`, the action
/// baked in by `__OW_ACTION_CODE` (or, for a prebuilt Swift zip, by
/// `__OW_ACTION_CODE_FILE` naming a file in the image, as `actionkit build`
/// does), traffic
/// only once `/health` answers 200, SIGTERM to stop. The stem-cell forms of
/// `POST /` run on every image in `actionkit conform --platform knative`.
extension ContainerTests {
    @Suite(
        "Container: the images as Knative runs them",
        .enabled(
            if: TestImage.enabled(.python, .nodejs, .native, .swift, .swiftSlim),
            skipNote(.python, .nodejs, .native, .swift, .swiftSlim)), .serialized)
    struct KnativeImageTests {
        /// One action per runtime, each doing the same: `{"sleep": 1}` sleeps
        /// a second and answers `{"slept": 1}`, `{"web": true}` answers a web
        /// answer (201, `X-Kind: web`, an HTML body), anything else comes
        /// back as `{"got": value}`.
        struct Baked: CustomTestStringConvertible, Sendable {
            let image: TestImage
            let environment: [String: String]
            var testDescription: String { image.rawValue }
        }

        static let python = """
            import time

            def main(args):
                if "sleep" in args:
                    time.sleep(args["sleep"])
                    return {"slept": args["sleep"]}
                if args.get("web"):
                    return {"statusCode": 201, "headers": {"X-Kind": "web"}, "body": "<b>hi</b>"}
                return {"got": args}

            """

        static let nodejs = """
            function main(args) {
              if (args.sleep) {
                return new Promise((resolve) => setTimeout(() => resolve({ slept: args.sleep }), args.sleep * 1000));
              }
              if (args.web) return { statusCode: 201, headers: { "X-Kind": "web" }, body: "<b>hi</b>" };
              return { got: args };
            }

            """

        /// The blackbox runtime runs the executable per activation with the
        /// value as its first argument; its last line is the result.
        static let native = """
            #!/bin/sh
            case "$1" in
              *'"sleep"'*) sleep 1; echo '{"slept":1}' ;;
              *'"web"'*) echo '{"statusCode":201,"headers":{"X-Kind":"web"},"body":"<b>hi</b>"}' ;;
              *) echo "{\\"got\\":$1}" ;;
            esac

            """

        static let swift = """
            import Foundation

            func main(args: [String: Any]) -> [String: Any] {
                if let seconds = args["sleep"] as? NSNumber {
                    Thread.sleep(forTimeInterval: seconds.doubleValue)
                    return ["slept": seconds]
                }
                if args["web"] != nil {
                    return ["statusCode": 201, "headers": ["X-Kind": "web"], "body": "<b>hi</b>"]
                }
                return ["got": args]
            }

            """

        static let inline: [Baked] = [
            Baked(image: .python, environment: ["__OW_ACTION_CODE": python]),
            Baked(image: .nodejs, environment: ["__OW_ACTION_CODE": nodejs]),
            Baked(image: .native, environment: ["__OW_ACTION_CODE": native]),
            Baked(image: .swift, environment: ["__OW_ACTION_CODE": swift]),
        ]

        @Test(
            "a baked action on a read-only root with $PORT: /health, POST / runs, a web answer, an init refused, SIGTERM during an activation",
            arguments: inline)
        func bakedInline(_ baked: Baked) throws {
            try withContainer(
                baked.image, environment: baked.environment.merging(["__OW_ACTION_NAME": "hello"]) { $1 },
                driver: .knative
            ) { proxy throws in
                try Self.servesAsARevision(proxy)
            }
        }

        @Test(
            "a prebuilt Swift zip baked into actionproxy/swift-slim as a file (__OW_ACTION_CODE_FILE) serves the same way"
        )
        func bakedPrebuiltSwift() throws {
            let prebuilt = try Docker.check(
                ["run", "-i", "--rm", TestImage.swift.reference, "-compile", "main"],
                input: try zipOf(["main.swift": Self.swift]))
            let folder = try Fixtures.scratch()
            defer { try? FileManager.default.removeItem(at: folder) }
            try prebuilt.stdout.write(to: folder.appendingPathComponent("bin.zip"))
            try withContainer(
                .swiftSlim, environment: ["__OW_ACTION_CODE_FILE": "/opt/action/bin.zip", "__OW_ACTION_NAME": "hello"],
                volumes: [folder.path: "/opt/action"], driver: .knative
            ) { proxy throws in
                try Self.servesAsARevision(proxy)
            }
        }

        @Test(
            "with Docker's plain --tmpfs /tmp (noexec) the baked action cannot start: /health 503 and every run say it is noexec and what to mount"
        )
        func noexecTmp() throws {
            try withContainer(
                .python, environment: ["__OW_ACTION_CODE": Self.python],
                options: ["--read-only", "--tmpfs", "/tmp"]
            ) { proxy throws in
                let health = try BakedActionTests.settledHealth(of: proxy)
                #expect(health.status == 503, "\(health.text)")
                #expect(health.object?["status"] as? String == "initialization failed", "\(health.text)")
                let hint = "its filesystem is mounted noexec, where no program can start"
                let error = health.object?["error"] as? String ?? ""
                #expect(error.contains("/tmp/actionproxy/"), "\(health.text)")
                #expect(error.contains(hint), "\(health.text)")
                #expect(error.contains("--tmpfs /tmp:exec"), "\(health.text)")
                let run = try proxy.post("/", json: ["value": [:]])
                #expect(run.status == 500)
                #expect(run.error?.contains(hint) == true, "\(run.text)")
            }
        }

        /// What a revision's container must do, checked on `proxy` (the
        /// Knative driver returned it once `/health` answered 200).
        static func servesAsARevision(_ proxy: TestContainer) throws {
            let health = try proxy.request("GET", "/health")
            #expect(health.status == 200, "\(health.text)")
            #expect(health.object?["status"] as? String == "ready", "\(health.text)")

            let run = try proxy.post("/", json: ["value": ["name": "Ada"]])
            #expect(run.status == 200, "\(run.text)")
            let got = run.object?["got"] as? [String: Any]
            #expect(got?["name"] as? String == "Ada", "\(run.text)")
            #expect(got?["__ow_method"] as? String == "POST", "\(run.text)")
            #expect(got?["__ow_path"] as? String == "", "\(run.text)")

            let web = try proxy.post("/", json: ["value": ["web": true]])
            #expect(web.status == 201, "\(web.text)")
            #expect(web.headers["x-kind"] == "web", "\(web.headers)")
            #expect(web.headers["content-type"] == "text/html", "\(web.headers)")
            #expect(web.text == "<b>hi</b>")

            let refused = try proxy.post("/", json: ["init": ["code": "x"], "value": [:]])
            #expect(refused.status == 403, "\(refused.text)")

            // A connection the platform holds open (queue-proxy keeps them):
            // after SIGTERM the proxy takes no new ones.
            let open = try proxy.client()
            #expect(try open.request("GET", "/health").status == 200)
            let slow = try proxy.client()
            try slow.send("POST", "/", body: Data(#"{"value":{"sleep":1}}"#.utf8))
            usleep(300_000)
            try proxy.signal("TERM")
            usleep(200_000)
            let late = try open.request("POST", "/", body: Data(#"{"value":{"late":true}}"#.utf8))
            #expect(late.status == 503, "\(late.text)")
            #expect(late.error?.contains("shutting down") == true, "\(late.text)")
            let draining = try open.request("GET", "/health")
            #expect(draining.status == 503, "\(draining.text)")
            #expect(draining.object?["status"] as? String == "shutting down", "\(draining.text)")
            let finished = try slow.readResponse()
            #expect(finished.status == 200, "\(finished.text)")
            #expect(finished.object?["slept"] as? Int == 1, "\(finished.text)")
            #expect(proxy.waitForExit() == 0)
        }
    }
}
