import ActionKit
import Foundation
import Testing

@Suite("actionkit load")
struct LoadTests {
    @Test("32 clients for 3 s on the host proxy: each run waits its turn and answers 200 with its own echo")
    func hostProxy() throws {
        let (status, report, stderr) = try kitReport(["load", "--clients", "32", "--duration", "3s"])
        #expect(status == 0, "\(report["problems"] ?? "") \(stderr)")
        #expect(report["passed"] as? Bool == true)
        #expect(report["mismatches"] as? Int == 0)
        #expect(report["connectionErrors"] as? Int == 0)
        #expect(report["proxyAlive"] as? Bool == true)
        let statuses = report["statuses"] as? [String: Int] ?? [:]
        #expect(Set(statuses.keys) == ["200"], "\(statuses)")
        #expect(statuses["200"] ?? 0 > 0)
        let sentinels = report["sentinels"] as? [String: Int] ?? [:]
        #expect(sentinels["stdout"] == sentinels["expected"] && sentinels["stderr"] == sentinels["expected"])
        #expect(sentinels["expected"] == (statuses["200"] ?? 0) + 1, "one per run answered 200, and the last check")
    }

    @Test("a concurrent Node.js action answers every overlapping run 200 with its own echo")
    func concurrentNode() throws {
        let (status, report, _) = try kitReport([
            "load", "--runtime", "nodejs", "--concurrent", "--clients", "8", "--duration", "3s",
        ])
        #expect(status == 0, "\(report["problems"] ?? "")")
        #expect(Set((report["statuses"] as? [String: Int] ?? [:]).keys) == ["200"])
        #expect(report["mismatches"] as? Int == 0)
    }

    @Test("load fails on a proxy whose concurrent runs share one answer")
    func sharedAnswersFail() throws {
        let fake = try FakeProxy.command("--shared")
        defer { try? FileManager.default.removeItem(at: fake.folder) }
        let (status, report, _) = try kitReport([
            "load", "--proxy", fake.command, "--clients", "8", "--duration", "2s",
        ])
        #expect(status == 1)
        #expect(report["passed"] as? Bool == false)
        #expect(report["mismatches"] as? Int ?? 0 > 0)
        let problems = report["problems"] as? [String] ?? []
        #expect(problems.contains { $0.contains("not their request's echo") }, "\(problems)")
    }
}
