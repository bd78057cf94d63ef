import ActionKit
import Foundation
import Testing

extension ConformTests {
    /// Containers take about a second each: one full run on the native
    /// image, a few cases on each language image.
    @Suite("conform against our images passes")
    struct Images {
        @Test(
            "the native image: every case, its runtime (blackbox) found from the image",
            .enabled(if: Kit.imageEnabled("actionproxy/native")))
        func native() throws {
            let outcome = try Kit.run(["conform", "--image", "actionproxy/native", "--group", "all"])
            #expect(outcome.status == 0, "\(outcome.stdout)\n\(outcome.stderr)")
            #expect(outcome.stdout.hasPrefix("actionkit conform: image actionproxy/native, runtime blackbox,"))
            #expect(outcome.stdout.contains(" 0 failed, 0 skipped\n"), "\(outcome.stdout)")
        }

        @Test(
            "the native image's proxy as a plain action loop (launcher unset): robustness cases",
            .enabled(if: Kit.imageEnabled("actionproxy/native")))
        func nativeLineProtocol() throws {
            let outcome = try Kit.run([
                "conform", "--image", "actionproxy/native", "--runtime", "native", "--env", "OW_LAUNCHER=", "--env",
                "OW_DEFAULT_ACTION=", "--env", "PROXY_ALLOW_REINIT=", "--env", "OW_COMPILER=", "--group", "all",
                "--filter", "robust.zip-*", "--filter", "robust.concurrent-runs", "--filter", "logs.sentinels",
                "--filter", "run.echo",
            ])
            #expect(outcome.status == 0, "\(outcome.stdout)\n\(outcome.stderr)")
            #expect(outcome.stdout.hasSuffix("7 passed, 0 failed, 0 skipped\n"), "\(outcome.stdout)")
        }

        /// Each image with its conform options (every version of a language:
        /// issue 18): the native image also as a plain action loop,
        /// swift-slim without its Swift version guard.
        static let everyImage: [(image: String, options: [String])] = [
            ("actionproxy/python", []), ("actionproxy/python:3.11", []), ("actionproxy/nodejs", []),
            ("actionproxy/nodejs:22", []), ("actionproxy/swift", []),
            ("actionproxy/native", []),
            (
                "actionproxy/native",
                [
                    "--runtime", "native", "--env", "OW_LAUNCHER=", "--env", "OW_DEFAULT_ACTION=", "--env",
                    "PROXY_ALLOW_REINIT=", "--env", "OW_COMPILER=",
                ]
            ),
            ("actionproxy/swift-slim", ["--env", "OW_EXECUTION_ENV="]),
        ]

        /// Issues 15, 16 and 17: each image's whole suite (its language's
        /// cases, upstream's among them, the contract's, the robustness and
        /// the entrypoint ones), the container driven as an OpenWhisk invoker
        /// drives it, and as a Knative revision runs it (read-only root,
        /// `/tmp` a tmpfs, `$PORT`).
        @Test(
            "every image passes its whole conformance suite driven as an OpenWhisk invoker drives it and run as a Knative revision",
            arguments: ["openwhisk", "knative"], Self.everyImage)
        func platform(platform: String, target: (image: String, options: [String])) throws {
            try #require(Kit.imageEnabled(target.image), "\(target.image) is not here")
            let arguments =
                ["conform", "--image", target.image, "--platform", platform, "--group", "all"] + target.options
            let listed = try Kit.run(arguments + ["--list"])
            let count = listed.stdout.split(separator: "\n").count
            #expect(count >= 20, "\(listed.stdout)")
            let outcome = try Kit.run(arguments)
            #expect(outcome.status == 0, "\(outcome.stdout)\n\(outcome.stderr)")
            #expect(outcome.stdout.hasSuffix("\(count) passed, 0 failed, 0 skipped\n"), "\(outcome.stdout)")
        }

        /// swift-slim's cases are the native ones (scripts), which carry no
        /// bin/exec.env: its Swift version guard is unset for them.
        @Test(
            "a language image: a few of its own cases and of the contract's",
            arguments: [
                ("actionproxy/python", ["python.hello", "python.zip-virtualenv", "python.logs", "init.ack-exit"], []),
                ("actionproxy/nodejs", ["nodejs.zip", "nodejs.concurrent", "run.echo"], []),
                ("actionproxy/swift", ["swift.codable", "swift.compile-error"], []),
                ("actionproxy/swift-slim", ["init.ok", "run.unicode"], ["--env", "OW_EXECUTION_ENV="]),
            ])
        func language(image: String, ids: [String], options: [String]) throws {
            try #require(Kit.imageEnabled(image), "\(image) is not here")
            let outcome = try Kit.run(["conform", "--image", image] + options + ids.flatMap { ["--filter", $0] })
            #expect(outcome.status == 0, "\(outcome.stdout)\n\(outcome.stderr)")
            #expect(outcome.stdout.hasSuffix("\(ids.count) passed, 0 failed, 0 skipped\n"), "\(outcome.stdout)")
        }
    }
}
