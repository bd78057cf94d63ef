import ActionKit
import Foundation
import Testing

/// A deliberately bad proxy for soak and load to catch: it speaks enough of
/// the contract to be initialised and to echo values, and can mix answers
/// up, leak memory, descriptors and child processes, and share one answer
/// slot between concurrent runs (as the reference proxy shares its pipes).
enum FakeProxy {
    static let source = #"""
        import argparse, http.server, os, subprocess, threading, time

        parser = argparse.ArgumentParser()
        parser.add_argument("--port", type=int, required=True)
        parser.add_argument("--mix-every", type=int, default=0)
        parser.add_argument("--leak-kb", type=int, default=0)
        parser.add_argument("--fd-every", type=int, default=0)
        parser.add_argument("--zombie-every", type=int, default=0)
        parser.add_argument("--shared", action="store_true")
        options = parser.parse_args()

        lock = threading.Lock()
        state = {"count": 0, "previous": b"{}", "slot": b"{}"}
        kept = []


        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Head and body go out in two writes: without this, each answer
            # waits for the client's delayed acknowledgement.
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def answer(self, body):
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                self.answer(b'{"ok":true}\n')

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.path == "/init":
                    return self.answer(b'{"ok":true}\n')
                value = body[body.find(b'"value":') + 8 : body.rfind(b"}")]
                with lock:
                    state["count"] += 1
                    count, previous, state["previous"] = state["count"], state["previous"], value
                    if options.leak_kb:
                        kept.append(bytearray(os.urandom(options.leak_kb * 1024)))
                    if options.fd_every and count % options.fd_every == 0:
                        kept.append(open(os.devnull))
                    if options.zombie_every and count % options.zombie_every == 0:
                        kept.append(subprocess.Popen(["true"]))
                if options.shared:
                    state["slot"] = value
                    time.sleep(0.002)
                    value = state["slot"]
                elif options.mix_every and count % options.mix_every == 0:
                    value = previous
                self.answer(value + b"\n")


        server = http.server.ThreadingHTTPServer(("127.0.0.1", options.port), Handler)
        server.daemon_threads = True
        server.serve_forever()
        """#

    /// The command that runs it with `flags` (the kit appends `--port N`).
    static func command(_ flags: String) throws -> (command: String, folder: URL) {
        let folder = try Kit.scratch()
        let script = folder.appendingPathComponent("fake_proxy.py")
        try Data(source.utf8).write(to: script)
        return ("python3 \(script.path) \(flags)", folder)
    }
}

/// `actionkit … --json`: its exit status and report.
func kitReport(_ arguments: [String]) throws -> (status: Int32, report: [String: Any], stderr: String) {
    let (outcome, report) = try Kit.json(arguments + ["--json"])
    return (outcome.status, report, outcome.stderr)
}

@Suite("actionkit soak")
struct SoakTests {
    @Test(
        "2000 activations on the host proxy: every answer is its request's, nothing leaks, every log line is in its activation"
    )
    func hostProxy() throws {
        let (status, report, stderr) = try kitReport(["soak", "--count", "2000"])
        #expect(status == 0, "\(report["problems"] ?? "") \(stderr)")
        #expect(report["passed"] as? Bool == true)
        #expect(report["activations"] as? Int == 2000)
        #expect(report["mismatches"] as? Int == 0)
        #expect(report["unexpected"] as? Int == 0)
        #expect(report["connectionErrors"] as? Int == 0)
        // Every fault the contract survives came up: application errors and
        // bad results (200, 502), a missed deadline (504) and a crash (400, then a new init).
        let statuses = report["statuses"] as? [String: Int] ?? [:]
        #expect(Set(statuses.keys) == ["200", "400", "502", "504"], "\(statuses)")
        #expect(report["reinits"] as? Int ?? 0 >= 1)
        let zombies = report["zombies"] as? [String: Int]
        #expect(zombies?["max"] == 0 && zombies?["final"] == 0)
        let fds = report["fds"] as? [String: Int]
        #expect(fds?["growth"] ?? 99 <= 2, "\(fds ?? [:])")
        let rss = report["rss"] as? [String: Any]
        #expect(rss?["growthMB"] as? Double ?? 99 <= 8, "\(rss ?? [:])")
        #expect(report["logCheck"] as? String == "passed")
        #expect((report["sentinels"] as? [String: Int])?["stdout"] == 2000)
        #expect(stderr.contains("soak: starting"))
    }

    @Test("the Python echo action's answers are byte for byte its requests")
    func pythonEcho() throws {
        let (status, report, _) = try kitReport([
            "soak", "--runtime", "python", "--count", "300", "--max-size", "100000",
        ])
        #expect(status == 0, "\(report["problems"] ?? "")")
        #expect(report["mismatches"] as? Int == 0)
        #expect(report["logCheck"] as? String == "passed")
    }

    @Test("the checks fail on a proxy that mixes answers up and leaks memory, descriptors and children")
    func badProxyFails() throws {
        let fake = try FakeProxy.command("--mix-every 7 --leak-kb 64 --fd-every 20 --zombie-every 50")
        defer { try? FileManager.default.removeItem(at: fake.folder) }
        let (status, report, _) = try kitReport([
            "soak", "--proxy", fake.command, "--count", "600", "--max-size", "2000", "--error-rate", "0",
            "--bad-result-rate", "0", "--deadline-every", "0", "--crash-every", "0", "--sample-every", "50",
        ])
        #expect(status == 1)
        #expect(report["passed"] as? Bool == false)
        #expect(report["mismatches"] as? Int ?? 0 >= 600 / 7 - 2, "\(report["failures"] ?? "")")
        let failures = report["failures"] as? [String] ?? []
        #expect(failures.contains { $0.contains("the answer to n") }, "a mixed-up answer names its owner: \(failures)")
        #expect((report["fds"] as? [String: Int])?["growth"] ?? 0 >= 10)
        #expect((report["rss"] as? [String: Any])?["growthMB"] as? Double ?? 0 > 8)
        #expect((report["zombies"] as? [String: Int])?["max"] ?? 0 >= 1)
        #expect((report["logCheck"] as? String)?.hasPrefix("failed") == true, "the fake writes no sentinels")
        let problems = report["problems"] as? [String] ?? []
        for word in ["do not match", "resident memory", "descriptors", "zombie", "logs"] {
            #expect(problems.contains { $0.contains(word) }, "\(word) in \(problems)")
        }
    }
}
