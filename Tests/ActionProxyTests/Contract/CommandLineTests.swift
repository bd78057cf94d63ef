import ActionKit
import Foundation
import Testing

@Suite("Command line and logs")
struct CommandLineTests {
    @Test("the reference's single-dash flags work: -host, -port", arguments: Serving.contract)
    func singleDashFlags(_ target: Serving) throws {
        try target.serve(singleDash: true) { proxy throws in
            #expect(try proxy.request("GET", "/health").status == 200)
        }
    }

    @Test("-version prints the version and exits 0", arguments: Serving.everyProxy)
    func version(_ target: Serving) throws {
        let outcome = try target.runOnce(["-version"])
        #expect(outcome.status == 0)
        #expect(outcome.output.hasPrefix("actionproxy v"))
    }

    /// On the host only: in a container each proxy has a network of its own.
    @Test("a port already in use ends the proxy with exit 1 and says so", arguments: [Serving.proxy])
    func portInUse(_ target: Serving) throws {
        try target.serve { proxy throws in
            let second = try target.runOnce(["--host", "127.0.0.1", "--port", "\(proxy.port)"])
            #expect(second.status == 1)
            #expect(second.errors.contains("cannot serve on 127.0.0.1:\(proxy.port): Address already in use"))
            #expect(try proxy.request("GET", "/health").status == 200)
        }
    }

    /// On the host only: a container's port is what its platform maps.
    @Test(
        "$PORT is the port when --port is not given, --port wins over it, and a $PORT that is no port is a usage error",
        arguments: [Serving.proxy])
    func portFromEnvironment(_ target: Serving) throws {
        let port = try FreePort.pick()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestProxy.binary)
        process.arguments = ["--host", "127.0.0.1"]
        process.environment = ["PORT": "\(port)", "PATH": "/usr/bin:/bin"]
        process.currentDirectoryURL = FileManager.default.temporaryDirectory
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        var answered: Int?
        for _ in 0..<200 where answered == nil {
            answered = try? HTTPClient(host: "127.0.0.1", port: port, timeoutSeconds: 2).request("GET", "/health")
                .status
            if answered == nil { usleep(20_000) }
        }
        #expect(answered == 200, "nothing answered on $PORT \(port)")

        try target.serve(environment: ["PORT": "1"]) { proxy throws in
            #expect(try proxy.request("GET", "/health").status == 200)
        }
        let refused = try target.runOnce(["--version"], environment: ["PORT": "http"])
        #expect(refused.status == 64)
        #expect(refused.errors.contains("The value 'http' of $PORT is not a port number"))
    }

    @Test(
        "by default the proxy writes nothing into the log but the sentinels and a refused second init",
        arguments: Serving.contract)
    func quietByDefault(_ target: Serving) throws {
        try target.serve { proxy throws in
            #expect(try proxy.initialize(code: "#!/bin/sh\nwhile read -r l; do echo '{}' >&3; done\n").status == 200)
            #expect(try proxy.run([:]).status == 200)
            #expect(try proxy.request("GET", "/nowhere").status == 404)
            #expect(try proxy.initialize(code: "again").status == 403)
            #expect(try proxy.run([:]).status == 200)
            proxy.waitForSentinels(2)
            let sentinel = TestProxy.sentinel + "\n"
            #expect(proxy.stdout == sentinel + sentinel)
            #expect(proxy.stderr == sentinel + "Cannot initialize the action more than once.\n" + sentinel)
        }
    }

    @Test("with -debug the proxy explains what it does on stderr", arguments: Serving.contract)
    func debugLogs(_ target: Serving) throws {
        try target.serve(arguments: ["-debug"]) { proxy throws in
            #expect(try proxy.initialize(code: try Fixtures.text("echo.sh")).status == 200)
            #expect(proxy.stderr.contains("started the action"))
        }
    }
}
