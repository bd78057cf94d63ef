import Foundation
import Testing

/// The contract cases of `Contract/CodeIntakeTests.swift`, `HTTPTests.swift`,
/// `LaunchModesTests.swift`, `CommandLineTests.swift` and `ExampleTests.swift`,
/// against the proxy of an image (see `withImageProxy`).
extension ContainerTests {
    @Suite("Container: code intake", .enabled(if: TestImage.enabled(.python), skipNote(.python)))
    struct CodeIntakeContainerTests {
        @Test("a native ELF binary built on a Debian host becomes the action")
        func elf() throws {
            let binary = try Fixtures.nativeEcho.get()
            try withImageProxy { proxy throws in
                #expect(try proxy.initialize(file: binary).status == 200)
                let response = try proxy.run(["native": "❄"])
                #expect(response.status == 200)
                #expect((response.json as? [String: Any])?["value"] as? [String: String] == ["native": "❄"])
                proxy.waitForSentinels(1)
                #expect(proxy.stdout.contains("echo.c got"))
            }
        }

        @Test("a zip with an executable exec at its top becomes the action")
        func zipWithExec() throws {
            let zip = try Fixtures.zip([
                ("exec", try Fixtures.nativeEcho.get(), 0o755), ("data/readme.txt", Fixtures.url("echo.c"), 0o644),
            ])
            try withImageProxy { proxy throws in
                #expect(try proxy.initialize(code: zip.base64EncodedString(), binary: true).status == 200)
                #expect(try proxy.run(["zip": 1]).status == 200)
                #expect(proxy.fileExists("action/1/bin/data/readme.txt"))
            }
        }

        @Test("a tar.gz with exec becomes the action")
        func tarGzWithExec() throws {
            let archive = try Fixtures.tarGz([("exec", Fixtures.url("echo.sh"), 0o755)])
            try withImageProxy { proxy throws in
                #expect(try proxy.initialize(code: archive.base64EncodedString(), binary: true).status == 200)
                let response = try proxy.run(["tar": "gz"])
                #expect((response.json as? [String: Any])?["value"] as? [String: String] == ["tar": "gz"])
            }
        }

        @Test("a #! script sent as text becomes the action")
        func script() throws {
            try withImageProxy { proxy throws in
                #expect(try proxy.initialize(code: try Fixtures.text("echo.sh")).status == 200)
                #expect(try proxy.run(["script": true]).status == 200)
            }
        }

        @Test("a source is compiled with OW_COMPILER, which gets main and the folders")
        func sourceWithCompiler() throws {
            try withImageProxy(environment: ["OW_COMPILER": "/fixtures/compile.sh"]) { proxy throws in
                let source = "while read -r line; do echo \"{\\\"main\\\":\\\"$(sed -n 2p \"$0\")\\\"}\" >&3; done\n"
                #expect(try proxy.initialize(code: source, main: "hello").status == 200)
                let response = try proxy.run([:])
                #expect(response.status == 200)
                #expect((response.json as? [String: String])?["main"] == "# main: hello")
            }
        }

        @Test("a zip without exec goes to the compiler")
        func zipWithoutExecIsCompiled() throws {
            let zip = try zipOf(["exec": "while read -r line; do echo '{\"from\":\"zip\"}' >&3; done\n"])
            try withImageProxy(environment: ["OW_COMPILER": "/fixtures/compile.sh"]) { proxy throws in
                #expect(try proxy.initialize(code: zip.base64EncodedString(), binary: true).status == 200)
                #expect(try proxy.run([:]).json as? [String: String] == ["from": "zip"])
            }
        }

        @Test("a compile error answers 502 with the compiler's output")
        func compileError() throws {
            try withImageProxy(environment: ["OW_COMPILER": "/fixtures/compile.sh"]) { proxy throws in
                let response = try proxy.initialize(code: "syntax error\n", main: "broken")
                #expect(response.status == 502)
                #expect(response.error == "compile.sh: syntax error in broken\n")
                let silent = try proxy.initialize(code: "print nothing and fail\n")
                #expect(silent.status == 502)
                #expect(silent.error?.contains("exit status 3") == true)
                #expect(try proxy.initialize(code: "while read -r l; do echo '{}' >&3; done\n").status == 200)
            }
        }

        @Test("with OW_SAVE_JAR a jar is kept whole for the compiler")
        func saveJar() throws {
            let jar = try zipOf(["META-INF/MANIFEST.MF": "Manifest-Version: 1.0\n", "Hello.class": "not really"])
            let environment = ["OW_COMPILER": "/fixtures/compile-jar.sh", "OW_SAVE_JAR": "action.jar"]
            try withImageProxy(environment: environment) { proxy throws in
                #expect(
                    try proxy.initialize(code: jar.base64EncodedString(), binary: true, main: "Hello").status == 200)
                let result = try #require(try proxy.run([:]).json as? [String: Any])
                #expect(result["jar_bytes"] as? Int == jar.count)
                #expect(result["main"] as? String == "Hello")
            }
        }

        @Test("each init uses a fresh numbered folder")
        func numberedFolders() throws {
            try withImageProxy(environment: ["PROXY_ALLOW_REINIT": "1"]) { proxy throws in
                #expect(try proxy.initialize(code: try Fixtures.text("echo.sh")).status == 200)
                #expect(try proxy.initialize(code: try Fixtures.text("launcher.py")).status == 200)
                #expect(proxy.fileExists("action/1/bin/exec"))
                #expect(proxy.fileExists("action/2/bin/exec"))
                #expect(try proxy.run(["do": "input"]).status == 200)
            }
        }

        @Test("an archive entry that escapes the action folder is refused with 400")
        func zipSlip() throws {
            let target = try Fixtures.scratch().appendingPathComponent("evil.zip")
            try Fixtures.runTool(
                "/usr/bin/python3",
                [
                    "-c",
                    """
                    import zipfile
                    with zipfile.ZipFile("\(target.path)", "w") as z:
                        z.writestr("exec", "#!/bin/sh\\n")
                        z.writestr("../../escaped.txt", "pwned")
                    """,
                ])
            let zip = try Data(contentsOf: target)
            try withImageProxy { proxy throws in
                let response = try proxy.initialize(code: zip.base64EncodedString(), binary: true)
                #expect(response.status == 400)
                #expect(response.error?.contains("../../escaped.txt") == true)
                #expect(!proxy.fileExists("escaped.txt"))
                #expect(!proxy.fileExists("action/escaped.txt"))
            }
        }

        @Test("a corrupt zip answers 400 and the proxy stays up")
        func corruptZip() throws {
            var zip = try Fixtures.zip([("exec", Fixtures.url("echo.sh"), 0o755)])
            zip = zip.prefix(zip.count / 2)
            try withImageProxy { proxy throws in
                let response = try proxy.initialize(code: zip.base64EncodedString(), binary: true)
                #expect(response.status == 400)
                #expect(proxy.isRunning)
                #expect(try proxy.initialize(code: try Fixtures.text("echo.sh")).status == 200)
            }
        }
    }

    @Suite("Container: actionproxy -compile", .enabled(if: TestImage.enabled(.python), skipNote(.python)))
    struct CompileModeContainerTests {
        /// `docker run -i IMAGE -compile main` with `input` on stdin.
        func compile(_ input: Data) throws -> Docker.Outcome {
            try Docker.run(
                [
                    "run", "-i", "--rm", "-e", "OW_COMPILER=/fixtures/compile.sh", "-v",
                    "\(Fixtures.directory.path):/fixtures:ro", TestImage.python.reference, "-compile", "main",
                ], input: input)
        }

        @Test("-compile in a container produces a zip that a later init accepts as a binary action")
        func compileThenInit() throws {
            let outcome = try compile(
                try zipOf(["exec": "while read -r line; do echo '{\"prebuilt\":true}' >&3; done\n"]))
            #expect(outcome.status == 0)
            #expect(outcome.stdout.starts(with: [0x50, 0x4B, 0x03, 0x04]))
            try withImageProxy { proxy throws in
                #expect(try proxy.initialize(code: outcome.stdout.base64EncodedString(), binary: true).status == 200)
                #expect(try proxy.run([:]).json as? [String: Bool] == ["prebuilt": true])
            }
        }

        @Test("-compile reports a compile error on stderr and exits non-zero")
        func compileError() throws {
            let outcome = try compile(Data("syntax error\n".utf8))
            #expect(outcome.status != 0)
            #expect(outcome.stdout.isEmpty)
            #expect(outcome.errors.contains("syntax error in main"))
        }
    }

    @Suite("Container: HTTP", .enabled(if: TestImage.enabled(.python), skipNote(.python)))
    struct HTTPContainerTests {
        @Test("an unknown path answers 404 with a JSON error")
        func unknownPath() throws {
            try withImageProxy { proxy throws in
                for path in ["/", "/nope", "/init/extra", "/runs", "/INIT"] {
                    let response = try proxy.request("POST", path, body: Data("{}".utf8))
                    #expect(response.status == 404, "\(path)")
                    #expect(response.error?.isEmpty == false)
                    #expect(response.headers["content-type"] == "application/json")
                }
            }
        }

        @Test("a wrong method answers 405 with a JSON error")
        func wrongMethod() throws {
            try withImageProxy { proxy throws in
                for (method, path) in [
                    ("GET", "/init"), ("GET", "/run"), ("PUT", "/run"), ("DELETE", "/init"), ("POST", "/health"),
                ] {
                    let response = try proxy.request(method, path)
                    #expect(response.status == 405, "\(method) \(path)")
                    #expect(response.error?.contains(method) == true)
                }
            }
        }

        @Test("health answers 200 and tells whether the action is ready")
        func health() throws {
            try withImageProxy { proxy throws in
                let before = try proxy.request("GET", "/health")
                #expect(before.status == 200)
                #expect((before.json as? [String: Any])?["ready"] as? Bool == false)
                #expect(try proxy.initialize(code: try Fixtures.text("echo.sh")).status == 200)
                let after = try proxy.request("GET", "/health")
                #expect((after.json as? [String: Any])?["ready"] as? Bool == true)
            }
        }

        @Test("one keep-alive connection carries many requests, each with a Content-Length")
        func keepAlive() throws {
            try withImageProxy { proxy throws in
                let client = try proxy.client()
                let body = try JSONSerialization.data(withJSONObject: ["value": ["code": try Fixtures.text("echo.sh")]])
                #expect(try client.request("POST", "/init", body: body).status == 200)
                for index in 0..<20 {
                    let response = try client.request(
                        "POST", "/run", body: Data("{\"value\":{\"i\":\(index)}}".utf8))
                    #expect(response.status == 200)
                    #expect(response.headers["content-length"] == "\(response.body.count)")
                }
                #expect(try client.request("GET", "/nowhere").status == 404)
                #expect(try client.request("POST", "/run", body: Data("{\"value\":{}}".utf8)).status == 200)
            }
        }

        @Test("a body over the limit answers 413 without being read")
        func bodyTooLarge() throws {
            try withImageProxy(environment: ["OW_MAX_BODY_BYTES": "1000"]) { proxy throws in
                let client = try proxy.client()
                try client.sendRaw(Data("POST /run HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n".utf8))
                let response = try client.readResponse()
                #expect(response.status == 413)
                #expect(response.error?.contains("1000") == true)
                let chunked = try proxy.request("POST", "/init", body: Data(repeating: 0x41, count: 5000))
                #expect(chunked.status == 413)
                #expect(proxy.isRunning)
            }
        }

        @Test("Expect: 100-continue gets its interim answer, then the real one")
        func expectContinue() throws {
            try withImageProxy { proxy throws in
                let client = try proxy.client()
                let body = try JSONSerialization.data(withJSONObject: ["value": ["code": try Fixtures.text("echo.sh")]])
                try client.send(
                    "POST", "/init", headers: ["Expect": "100-continue", "Content-Length": "\(body.count)"])
                #expect(try client.readInterim() == 100)
                try client.sendRaw(body)
                #expect(try client.readResponse().status == 200)
            }
        }

        @Test("a malformed request gets a JSON 400 and the proxy stays up")
        func malformedRequest() throws {
            try withImageProxy { proxy throws in
                let client = try proxy.client()
                try client.sendRaw(Data("THIS IS NOT HTTP\r\n\r\n".utf8))
                let response = try client.readResponse()
                #expect(response.status == 400)
                #expect(response.error?.isEmpty == false)
                #expect(try proxy.request("GET", "/health").status == 200)
            }
        }

        @Test("docker stop (SIGTERM to the proxy, the container's first process) exits 0 at once")
        func sigterm() throws {
            try withImageProxy { proxy throws in
                #expect(
                    try proxy.initialize(code: "#!/bin/sh\nwhile read -r l; do echo '{}' >&3; done\n").status == 200)
                let started = Date()
                #expect(proxy.terminateAndWait() == 0)
                // Well before docker's 10 s grace period: the signal was handled, not ignored.
                #expect(Date().timeIntervalSince(started) < 5)
            }
        }
    }

    @Suite("Container: launchers and concurrency", .enabled(if: TestImage.enabled(.python), skipNote(.python)))
    struct LaunchModesContainerTests {
        @Test("a launcher that acks concurrent gets overlapping activations, each with its own result")
        func overlapping() throws {
            try withImageProxy(environment: ["OW_WAIT_FOR_ACK": "1"]) { proxy throws in
                #expect(try proxy.initialize(code: try Fixtures.text("concurrent.py")).status == 200)
                let clients = try (0..<6).map { _ in try proxy.client() }
                let started = Date()
                for (index, client) in clients.enumerated() {
                    let body = "{\"value\":{\"n\":\(index),\"sleep\":\(Double(6 - index) * 0.1)}}"
                    try client.send("POST", "/run", body: Data(body.utf8))
                }
                for (index, client) in clients.enumerated() {
                    let response = try client.readResponse()
                    #expect(response.status == 200)
                    #expect(response.json as? [String: Int] == ["n": index])
                }
                #expect(Date().timeIntervalSince(started) < 1.5)
                proxy.waitForSentinels(6)
                #expect(proxy.sentinelCount(stderr: false) == 6)
            }
        }

        @Test("a framed line with an unknown id is dropped")
        func strayFrame() throws {
            try withImageProxy(environment: ["OW_WAIT_FOR_ACK": "1"]) { proxy throws in
                #expect(try proxy.initialize(code: try Fixtures.text("concurrent.py")).status == 200)
                #expect(try proxy.run(["n": 1, "stray": true]).json as? [String: Int] == ["n": 1])
                #expect(try proxy.run(["n": 2]).json as? [String: Int] == ["n": 2])
            }
        }

        @Test("with OW_LAUNCHER the launcher starts with the absolute path of bin/exec")
        func launcherWrapsTheAction() throws {
            let environment = ["OW_LAUNCHER": "/fixtures/per-activation-launcher.sh", "OW_WAIT_FOR_ACK": "1"]
            try withImageProxy(environment: environment) { proxy throws in
                let action = "#!/bin/sh\necho \"a log line\"\necho \"{\\\"me\\\":\\\"$0\\\",\\\"pid\\\":$$}\"\n"
                #expect(try proxy.initialize(code: action).status == 200)
                let first = try #require(try proxy.run([:]).json as? [String: Any])
                let second = try #require(try proxy.run([:]).json as? [String: Any])
                #expect(first["me"] as? String == "/action/action/1/bin/exec")
                #expect(first["pid"] as? Int != second["pid"] as? Int)
            }
        }

        @Test("with OW_DEFAULT_ACTION an init without code starts the preinstalled exec")
        func defaultAction() throws {
            let folder = try Fixtures.scratch()
            let exec = folder.appendingPathComponent("exec")
            try "#!/bin/sh\necho '{\"preinstalled\":true}'\n".write(to: exec, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: exec.path)
            let environment = [
                "OW_LAUNCHER": "/fixtures/per-activation-launcher.sh", "OW_WAIT_FOR_ACK": "1",
                "OW_DEFAULT_ACTION": "/preinstalled", "PROXY_ALLOW_REINIT": "1",
            ]
            try withImageProxy(environment: environment, volumes: [folder.path: "/preinstalled"]) { proxy throws in
                let bare = Data("{\"value\":{\"main\":\"main\"}}".utf8)
                #expect(try proxy.request("POST", "/init", body: bare).status == 200)
                #expect(try proxy.run([:]).json as? [String: Bool] == ["preinstalled": true])
                #expect(try proxy.initialize(code: "#!/bin/sh\necho '{\"replaced\":true}'\n").status == 200)
                #expect(try proxy.run([:]).json as? [String: Bool] == ["replaced": true])
            }
        }
    }

    @Suite(
        "Container: command line, logs and the README's example",
        .enabled(if: TestImage.enabled(.python), skipNote(.python)))
    struct CommandLineContainerTests {
        @Test("the reference's single-dash flags work: -host, -port")
        func singleDashFlags() throws {
            try withImageProxy(arguments: ["-host", "0.0.0.0", "-port", "8080"]) { proxy throws in
                #expect(try proxy.request("GET", "/health").status == 200)
            }
        }

        @Test("every image's proxy prints its version", arguments: TestImage.allCases)
        func version(image: TestImage) throws {
            if TestImage.unavailable([image]) != nil && !TestImage.required { return }
            let outcome = try Docker.check(["run", "--rm", image.reference, "-version"])
            #expect(outcome.output.hasPrefix("actionproxy v"))
        }

        @Test("by default the proxy writes nothing into the log but the sentinels")
        func quietByDefault() throws {
            try withImageProxy { proxy throws in
                #expect(
                    try proxy.initialize(code: "#!/bin/sh\nwhile read -r l; do echo '{}' >&3; done\n").status == 200)
                #expect(try proxy.run([:]).status == 200)
                #expect(try proxy.request("GET", "/nowhere").status == 404)
                #expect(try proxy.initialize(code: "again").status == 403)
                #expect(try proxy.run([:]).status == 200)
                proxy.waitForSentinels(2)
                let sentinels = TestContainer.sentinel + "\n" + TestContainer.sentinel + "\n"
                let logs = proxy.logs
                #expect(logs.stdout == sentinels)
                #expect(logs.stderr == sentinels)
            }
        }

        @Test("with -debug the proxy explains what it does on stderr")
        func debugLogs() throws {
            try withImageProxy(arguments: ["-debug"]) { proxy throws in
                #expect(try proxy.initialize(code: try Fixtures.text("echo.sh")).status == 200)
                #expect(proxy.stderr.contains("started the action"))
            }
        }

        @Test("the README's example greets through the proxy of an image")
        func greets() throws {
            let example = Runtime.repository.appendingPathComponent("Examples/hello/init.json")
            try withImageProxy { proxy throws in
                #expect(try proxy.request("POST", "/init", body: try Data(contentsOf: example)).status == 200)
                let response = try proxy.run(["name": "Ada"])
                #expect(response.text == "{\"greeting\":\"Hello, Ada!\"}\n")
            }
        }
    }
}
