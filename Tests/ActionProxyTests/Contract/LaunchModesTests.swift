import Foundation
import Testing

@Suite("Concurrent activations with framed lines")
struct ConcurrencyTests {
    @Test(
        "a launcher that acks concurrent gets overlapping activations, each with its own result",
        arguments: Serving.contract)
    func overlapping(_ target: Serving) throws {
        try target.serve(environment: ["OW_WAIT_FOR_ACK": "1"]) { proxy throws in
            #expect(try proxy.initialize(code: try Fixtures.text("concurrent.py")).status == 200)
            let clients = try (0..<6).map { _ in try proxy.client() }
            let started = Date()
            for (index, client) in clients.enumerated() {
                // The first sent finishes last: answers come back out of order.
                let body = "{\"value\":{\"n\":\(index),\"sleep\":\(Double(6 - index) * 0.1)}}"
                try client.send("POST", "/run", body: Data(body.utf8))
            }
            for (index, client) in clients.enumerated() {
                let response = try client.readResponse()
                #expect(response.status == 200)
                #expect(response.json as? [String: Int] == ["n": index])
            }
            // Serially the sleeps add up to 2.1 s; together they take the longest one.
            #expect(Date().timeIntervalSince(started) < 1.5)
            proxy.waitForSentinels(6)
            #expect(proxy.sentinelCount(stderr: false) == 6)
        }
    }

    @Test("a framed line with an unknown id is dropped", arguments: Serving.contract)
    func strayFrame(_ target: Serving) throws {
        try target.serve(environment: ["OW_WAIT_FOR_ACK": "1"]) { proxy throws in
            #expect(try proxy.initialize(code: try Fixtures.text("concurrent.py")).status == 200)
            #expect(try proxy.run(["n": 1, "stray": true]).json as? [String: Int] == ["n": 1])
            #expect(try proxy.run(["n": 2]).json as? [String: Int] == ["n": 2])
        }
    }
}

@Suite("OW_LAUNCHER and OW_DEFAULT_ACTION")
struct LaunchModesTests {
    @Test("with OW_LAUNCHER the launcher starts with the absolute path of bin/exec", arguments: Serving.contract)
    func launcherWrapsTheAction(_ target: Serving) throws {
        let environment = ["OW_LAUNCHER": target.fixture("per-activation-launcher.sh"), "OW_WAIT_FOR_ACK": "1"]
        try target.serve(environment: environment) { proxy throws in
            let action = "#!/bin/sh\necho \"a log line\"\necho \"{\\\"me\\\":\\\"$0\\\",\\\"pid\\\":$$}\"\n"
            #expect(try proxy.initialize(code: action).status == 200)
            let first = try #require(try proxy.run([:]).json as? [String: Any])
            let second = try #require(try proxy.run([:]).json as? [String: Any])
            let path = try #require(first["me"] as? String)
            #expect(path.hasPrefix("/"))
            #expect(path.hasSuffix("/action/1/bin/exec"))
            #expect(path == proxy.workingDirectory + "/action/1/bin/exec")
            // Run once per activation: a new process each time.
            #expect(first["pid"] as? Int != second["pid"] as? Int)
        }
    }

    @Test("with OW_DEFAULT_ACTION an init without code starts the preinstalled exec", arguments: Serving.contract)
    func defaultAction(_ target: Serving) throws {
        let folder = try Fixtures.scratch()
        let exec = folder.appendingPathComponent("exec")
        try "#!/bin/sh\necho '{\"preinstalled\":true}'\n".write(to: exec, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: exec.path)
        let preinstalled = target.mount(folder)
        let environment = [
            "OW_LAUNCHER": target.fixture("per-activation-launcher.sh"), "OW_WAIT_FOR_ACK": "1",
            "OW_DEFAULT_ACTION": preinstalled.path,
            "PROXY_ALLOW_REINIT": "1",
        ]
        try target.serve(environment: environment, mounts: [preinstalled]) { proxy throws in
            #expect(
                try proxy.request("POST", "/init", body: Data("{\"value\":{\"main\":\"main\"}}".utf8)).status == 200)
            #expect(try proxy.run([:]).json as? [String: Bool] == ["preinstalled": true])
            // An init with code replaces it.
            #expect(try proxy.initialize(code: "#!/bin/sh\necho '{\"replaced\":true}'\n").status == 200)
            #expect(try proxy.run([:]).json as? [String: Bool] == ["replaced": true])
        }
    }
}
