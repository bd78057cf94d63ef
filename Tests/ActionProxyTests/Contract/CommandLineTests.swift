import Foundation
import Testing

@Suite("Command line and logs")
struct CommandLineTests {
    @Test("the reference's single-dash flags work: -host, -port")
    func singleDashFlags() throws {
        let proxy = try TestProxy.start(singleDash: true)
        defer { proxy.stop() }
        #expect(try proxy.request("GET", "/health").status == 200)
    }

    @Test("-version prints the version and exits 0")
    func version() throws {
        let output = try Fixtures.runTool(TestProxy.binary, ["-version"])
        #expect(String(decoding: output, as: UTF8.self).hasPrefix("actionproxy v"))
    }

    @Test("a port already in use ends the proxy with exit 1 and says so")
    func portInUse() throws {
        let proxy = try TestProxy.start()
        defer { proxy.stop() }
        let second = #expect(throws: HTTPTestError.self) {
            try Fixtures.runTool(TestProxy.binary, ["--host", "127.0.0.1", "--port", "\(proxy.port)"])
        }
        #expect(second?.description.contains("cannot serve on 127.0.0.1:\(proxy.port): Address already in use") == true)
        #expect(try proxy.request("GET", "/health").status == 200)
    }

    @Test("by default the proxy writes nothing into the log but the sentinels")
    func quietByDefault() throws {
        try withProxy { proxy throws in
            #expect(try proxy.initialize(code: "#!/bin/sh\nwhile read -r l; do echo '{}' >&3; done\n").status == 200)
            #expect(try proxy.run([:]).status == 200)
            #expect(try proxy.request("GET", "/nowhere").status == 404)
            #expect(try proxy.initialize(code: "again").status == 403)
            #expect(try proxy.run([:]).status == 200)
            proxy.waitForSentinels(2)
            let sentinels = TestProxy.sentinel + "\n" + TestProxy.sentinel + "\n"
            #expect(proxy.stdout == sentinels)
            #expect(proxy.stderr == sentinels)
        }
    }

    @Test("with -debug the proxy explains what it does on stderr")
    func debugLogs() throws {
        try withProxy(arguments: ["-debug"]) { proxy throws in
            #expect(try proxy.initialize(code: try Fixtures.text("echo.sh")).status == 200)
            #expect(proxy.stderr.contains("started the action"))
        }
    }
}
