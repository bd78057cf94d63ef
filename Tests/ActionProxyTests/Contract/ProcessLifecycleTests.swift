import Foundation
import Testing

@Suite("Process lifecycle")
struct ProcessLifecycleTests {
    /// In a container the proxy is process 1: every orphan of the action
    /// becomes its child, and only it can reap them.
    @Test(
        "processes the action leaves behind are reaped by the proxy (process 1 in a container), not left as zombies",
        arguments: Serving.contract)
    func orphansReaped(_ target: Serving) throws {
        try target.serve { proxy throws in
            // Each activation leaves an orphan (a subshell's background sleep) behind.
            let action = "#!/bin/sh\nwhile read -r l; do ( sleep 0.5 & ); echo '{}' >&3; done\n"
            #expect(try proxy.initialize(code: action).status == 200)
            for _ in 0..<5 { #expect(try proxy.run([:]).status == 200) }
            // The orphans came to the proxy (a child subreaper, as PID 1 is in a container)…
            #expect(try proxy.children().contains { $0.name == "sleep" })
            usleep(1_000_000)
            // …and once they ended, the proxy reaped them.
            #expect(try !proxy.children().contains { $0.name == "sleep" })
            #expect(try proxy.zombies().isEmpty)
        }
    }

    @Test("an action that exits is reaped, and so is a failed compiler", arguments: Serving.contract)
    func exitedChildrenReaped(_ target: Serving) throws {
        try target.serve(environment: ["OW_COMPILER": target.fixture("compile.sh")]) { proxy throws in
            #expect(try proxy.initialize(code: "syntax error\n").status == 502)
            #expect(try proxy.initialize(code: "read -r l\nexit 0\n").status == 200)
            #expect(try proxy.run([:]).status == 400)
            usleep(300_000)
            #expect(try proxy.zombies().isEmpty)
        }
    }

    @Test(
        "SIGTERM lets the activation in flight finish, then stops the action and exits 0", arguments: Serving.contract)
    func sigtermDrains(_ target: Serving) throws {
        try target.serve { proxy throws in
            #expect(try proxy.initialize(code: try Fixtures.text("launcher.py")).status == 200)
            let client = try proxy.client()
            try client.send("POST", "/run", body: Data("{\"value\":{\"do\":\"sleep\",\"seconds\":0.5}}".utf8))
            usleep(150_000)
            try proxy.signal("TERM")
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect((response.json as? [String: Any])?["slept"] as? Double == 0.5)
            #expect(proxy.waitForExit() == 0)
        }
    }

    @Test(
        "after SIGTERM new requests get 503 shutting down, on a connection already open too, and so does a run still waiting; the one in flight finishes",
        arguments: Serving.contract)
    func sigtermRefusesNewWork(_ target: Serving) throws {
        try target.serve { proxy throws in
            #expect(try proxy.initialize(code: try Fixtures.text("launcher.py")).status == 200)
            let open = try proxy.client()
            #expect(try open.request("GET", "/health").status == 200)
            let slow = try proxy.client()
            try slow.send("POST", "/run", body: Data("{\"value\":{\"do\":\"sleep\",\"seconds\":1}}".utf8))
            usleep(150_000)
            let waiting = try proxy.client()
            try waiting.send("POST", "/run", body: Data("{\"value\":{\"n\":2}}".utf8))
            usleep(100_000)
            try proxy.signal("TERM")
            usleep(200_000)
            let refused = try waiting.readResponse()
            #expect(refused.status == 503)
            #expect(refused.error?.contains("shutting down") == true, "\(refused.text)")
            let late = try open.request("POST", "/run", body: Data("{\"value\":{}}".utf8))
            #expect(late.status == 503)
            #expect(late.error == refused.error)
            let health = try open.request("GET", "/health")
            #expect(health.status == 503, "\(health.text)")
            #expect((health.json as? [String: Any])?["status"] as? String == "shutting down", "\(health.text)")
            let finished = try slow.readResponse()
            #expect(finished.status == 200)
            #expect((finished.json as? [String: Any])?["slept"] as? Int == 1)
            #expect(proxy.waitForExit() == 0)
        }
    }

    @Test("SIGTERM waits at most OW_SHUTDOWN_GRACE_MS for an activation", arguments: Serving.contract)
    func sigtermBounded(_ target: Serving) throws {
        try target.serve(environment: ["OW_SHUTDOWN_GRACE_MS": "300"]) { proxy throws in
            #expect(try proxy.initialize(code: try Fixtures.text("launcher.py")).status == 200)
            let client = try proxy.client()
            try client.send("POST", "/run", body: Data("{\"value\":{\"do\":\"sleep\",\"seconds\":30}}".utf8))
            usleep(150_000)
            let started = Date()
            try proxy.signal("TERM")
            #expect(proxy.waitForExit() == 0)
            #expect(Date().timeIntervalSince(started) < 5)
        }
    }
}
