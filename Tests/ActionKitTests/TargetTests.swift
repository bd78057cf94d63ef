import ActionKit
import Foundation
import Testing

@Suite("Kit targets")
struct TargetTests {
    @Test("a proxy command is started on a free port, answers, and its logs are captured")
    func proxyCommandStartsAndCapturesLogs() throws {
        let proxy = try ProxyTarget.command(Kit.proxyBinary).start()
        defer { proxy.stop() }
        let response = try proxy.initialize(ActionCode(code: "#!/bin/sh\nwhile read l; do echo '{\"ok\":1}' >&3; done\n", binary: false))
        #expect(response.status == 200, "\(response.text)")
        let run = try proxy.run(["x": 1], fields: ActivationFields().members)
        #expect(run.object?["ok"] as? Int == 1, "\(run.text)")
        #expect(proxy.terminate(waitSeconds: 10) == 0)
        #expect(proxy.logs.map { ActivationLogs($0.stdout).count } == 1)
    }

    @Test("a proxy command may set variables in front of it, as in a shell")
    func proxyCommandWithAssignments() throws {
        let proxy = try ProxyTarget.command("OW_DEBUG=1 \(Kit.proxyBinary)").start()
        defer { proxy.stop() }
        let status = try proxy.client().request("GET", "/health").status
        #expect(status == 200)
    }

    @Test("a command that exits at start is reported with its status and stderr")
    func failingCommandIsReported() throws {
        #expect {
            _ = try ProxyTarget.command("sh -c 'echo broken >&2; exit 3'").start(timeout: 10)
        } throws: { error in
            "\(error)".contains("broken") && "\(error)".contains("status 3")
        }
    }

    @Test("a URL target names host and port, and bad URLs are refused")
    func urlParsing() throws {
        let target = try ProxyTarget.url("http://127.0.0.1:9999")
        #expect(target.description == "http://127.0.0.1:9999")
        #expect(throws: TargetError.self) { _ = try ProxyTarget.url("127.0.0.1") }
    }

    @Test("a folder is packaged as a zip and a text file as source")
    func codePackaging() throws {
        let folder = try Kit.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("print(1)\n".utf8).write(to: folder.appendingPathComponent("main.py"))
        let zipped = try ActionCode.load(path: folder.path)
        #expect(zipped.binary)
        #expect(Data(base64Encoded: zipped.code)?.prefix(2) == Data("PK".utf8))
        let source = try ActionCode.load(path: folder.appendingPathComponent("main.py").path)
        #expect(!source.binary && source.code == "print(1)\n")
    }

    @Test("logs are cut into activations at the sentinels")
    func logsAreCut() {
        let s = ActivationLogs.sentinel
        let logs = ActivationLogs("a\nb\n\(s)\n\(s)\nc\n")
        #expect(logs.activations == [["a", "b"], []])
        #expect(logs.trailing == ["c"])
    }
}
