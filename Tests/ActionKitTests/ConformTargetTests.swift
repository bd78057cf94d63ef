import ActionKit
import Foundation
import Testing

extension ConformTests {
    @Suite("conform targets: a running proxy, a broken one, images")
    struct Targets {
        @Test("--url runs the cases that fit one init on the running proxy and skips the rest")
        func urlSkipsFreshCases() throws {
            let proxy = try ProxyTarget.command(Kit.proxyBinary).start()
            defer { proxy.stop() }
            let outcome = try Kit.run(["conform", "--url", "http://127.0.0.1:\(proxy.port)"])
            #expect(outcome.status == 0, "\(outcome.stdout)")
            let counts = try #require(ConformTests.summary(outcome.stdout))
            #expect(counts.failed == 0 && counts.passed >= 10 && counts.skipped >= 5, "\(outcome.stdout)")
            #expect(ConformTests.row(outcome.stdout, "init.no-code")?.contains("PASS") == true)
            #expect(ConformTests.row(outcome.stdout, "run.echo")?.contains("PASS") == true)
            #expect(ConformTests.row(outcome.stdout, "init.env")?.contains("SKIP") == true)
            #expect(
                ConformTests.row(outcome.stdout, "run.exit-during-run")?.contains("needs a fresh proxy of its own")
                    == true)
            #expect(ConformTests.row(outcome.stdout, "logs.sentinels")?.contains("logs are out of reach") == true)
            // The one init the kit made is still serving.
            let run = try proxy.run(["still": "here"], fields: ActivationFields().members)
            #expect(run.status == 200)
        }

        @Test("a --proxy command with a relative path and a variable before it runs from the current folder")
        func relativeProxyCommand() throws {
            let repository = Kit.repository.standardizedFileURL.path + "/"
            let binary = URL(fileURLWithPath: Kit.proxyBinary).standardizedFileURL.path
            try #require(binary.hasPrefix(repository), "the build folder is outside the repository")
            let relative = "./" + binary.dropFirst(repository.count)
            let outcome = try Kit.run([
                "conform", "--proxy", "OW_WAIT_FOR_ACK=1 \(relative)", "--filter", "init.ack-ok", "--filter",
                "run.echo",
            ])
            #expect(outcome.status == 0, "\(outcome.stdout)")
            #expect(
                outcome.stdout.hasPrefix("actionkit conform: command OW_WAIT_FOR_ACK=1 \(relative), runtime native"))
            #expect(outcome.stdout.hasSuffix("2 passed, 0 failed, 0 skipped\n"), "\(outcome.stdout)")
        }

        @Test("a proxy that answers wrongly fails the cases it breaks, and the exit status is 1")
        func brokenProxyFails() throws {
            let folder = try Kit.scratch()
            defer { try? FileManager.default.removeItem(at: folder) }
            let script = try Self.brokenProxy(in: folder)
            let outcome = try Kit.run([
                "conform", "--proxy", "python3 \(script.path)", "--filter", "init.ok", "--filter", "init.no-code",
                "--filter", "run.before-init", "--filter", "run.echo", "--filter", "run.not-object",
            ])
            #expect(outcome.status == 1, "\(outcome.stdout)")
            #expect(outcome.stdout.hasSuffix("1 passed, 4 failed, 0 skipped\n"), "\(outcome.stdout)")
            #expect(ConformTests.row(outcome.stdout, "init.ok")?.contains("PASS") == true)
            let noCode = try #require(ConformTests.row(outcome.stdout, "init.no-code"))
            #expect(noCode.contains("FAIL") && noCode.contains("expected 403"), "\(noCode)")
            let beforeInit = try #require(ConformTests.row(outcome.stdout, "run.before-init"))
            #expect(beforeInit.contains("FAIL") && beforeInit.contains("got 200 {\"wrong\":true}"), "\(beforeInit)")
            #expect(ConformTests.row(outcome.stdout, "run.echo")?.contains("FAIL") == true)
            #expect(ConformTests.row(outcome.stdout, "run.not-object")?.contains("FAIL") == true)
        }

        @Test("a proxy that never answers a run fails the case at its timeout, and the run goes on")
        func hangingProxyTimesOut() throws {
            let folder = try Kit.scratch()
            defer { try? FileManager.default.removeItem(at: folder) }
            let script = try Self.brokenProxy(in: folder)
            let started = Date()
            let outcome = try Kit.run([
                "conform", "--proxy", "python3 \(script.path) --hang", "--timeout", "3", "--filter", "run.before-init",
                "--filter", "init.ok",
            ])
            #expect(outcome.status == 1, "\(outcome.stdout)")
            #expect(Date().timeIntervalSince(started) < 20)
            let row = try #require(ConformTests.row(outcome.stdout, "run.before-init"))
            #expect(row.contains("FAIL") && row.contains("did not finish within 3 s"), "\(row)")
            #expect(outcome.stdout.hasSuffix("1 passed, 1 failed, 0 skipped\n"), "\(outcome.stdout)")
        }

        /// A "proxy" that gets everything wrong: every init succeeds, every
        /// other request answers the same object (with `--hang`, a run never
        /// answers).
        static func brokenProxy(in folder: URL) throws -> URL {
            let script = folder.appendingPathComponent("broken.py")
            try Data(
                #"""
                import http.server, sys, time

                class Handler(http.server.BaseHTTPRequestHandler):
                    def answer(self):
                        self.rfile.read(int(self.headers.get("Content-Length") or 0))
                        if "--hang" in sys.argv and self.path == "/run":
                            time.sleep(60)
                        body = b'{"ok":true}\n' if self.path == "/init" else b'{"wrong":true}\n'
                        self.send_response(200)
                        self.send_header("Content-Type", "application/json")
                        self.send_header("Content-Length", str(len(body)))
                        self.end_headers()
                        self.wfile.write(body)

                    do_GET = do_POST = answer

                    def log_message(self, *args):
                        pass

                port = int(sys.argv[sys.argv.index("--port") + 1])
                http.server.HTTPServer(("127.0.0.1", port), Handler).serve_forever()
                """#.utf8
            ).write(to: script)
            return script
        }

        @Test("a proxy command that does not start fails its cases with the reason, quickly")
        func proxyThatDoesNotStart() throws {
            let outcome = try Kit.run(["conform", "--proxy", "sh -c 'echo no such proxy >&2; exit 3'"])
            #expect(outcome.status == 1)
            let counts = try #require(ConformTests.summary(outcome.stdout))
            #expect(counts.passed == 0 && counts.failed > 2)
            #expect(outcome.stdout.contains("no such proxy"))
            #expect(outcome.stdout.contains("did not start twice in a row"))
        }
    }
}
