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
