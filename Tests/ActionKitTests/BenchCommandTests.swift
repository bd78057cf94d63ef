import ActionKit
import Foundation
import Testing

/// A smoke run of `actionkit bench`, so that the command cannot rot: it
/// checks what the report holds, never how fast anything was.
@Suite("actionkit bench")
struct BenchCommandTests {
    /// A script action that echoes each line it reads back on fd 3.
    static let echo = "#!/bin/sh\nwhile IFS= read -r line; do printf '%s\\n' \"$line\" >&3; done\n"

    /// Runs `actionkit bench --action ECHO ARGUMENTS`, the echo script in a scratch folder.
    static func bench(_ arguments: [String]) throws -> Kit.Outcome {
        let folder = try Kit.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let action = folder.appendingPathComponent("echo.sh")
        try Data(echo.utf8).write(to: action)
        return try Kit.run(["bench", "--action", action.path] + arguments)
    }

    @Test("a short run against our proxy, with itself as the reference, gives a JSON report of every scenario")
    func shortRunReportsEveryScenario() throws {
        let outcome = try Self.bench([
            "--proxy", Kit.proxyBinary, "--reference", "\(Kit.proxyBinary) --port {port}", "--rounds", "1",
            "--duration", "0.4", "--warmup", "0.1",
            "--samples", "1", "--activations", "20", "--scenario", "warm", "--scenario", "init",
            "--scenario", "cold", "--scenario", "rss", "--json",
        ])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("round 1/1"))
        let report = try JSONDecoder().decode(BenchReport.self, from: Data(outcome.stdout.utf8))
        #expect(report.scenarios.map(\.scenario) == ["warm", "init", "cold", "rss"])
        #expect(report.settings.reference != nil)
        for result in report.scenarios {
            for target in [result.proxy, result.reference].compactMap({ $0 }) {
                #expect(target.completed > 0, "\(result.scenario)")
                #expect(target.errors == 0, "\(result.scenario)")
            }
        }
        let warm = try #require(report.scenarios.first)
        #expect(warm.proxy.latency?.distribution.count == 101)
        #expect(warm.proxy.throughput != nil && warm.proxy.rssKiB != nil)
        #expect(Set(["p50", "p99", "throughput", "rss"]).isSubset(of: warm.ratios.keys))
        #expect(report.scenarios.last?.ratios["rss"] != nil)
    }

    @Test(
        "the large-init scenario inits a zip and a script of --large-init-size on both proxies and reports their peak RSS"
    )
    func largeInitReportsBothForms() throws {
        let outcome = try Self.bench([
            "--proxy", Kit.proxyBinary, "--reference", "\(Kit.proxyBinary) --port {port}", "--rounds", "1",
            "--samples", "2", "--scenario", "large-init",
            "--large-init-size", "\(2 << 20)", "--json",
        ])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let report = try JSONDecoder().decode(BenchReport.self, from: Data(outcome.stdout.utf8))
        #expect(report.scenarios.map(\.scenario) == ["large-init-zip", "large-init-source"])
        #expect(report.settings.largeInitBytes == 2 << 20)
        for result in report.scenarios {
            #expect(result.goal == RatioGoal(figure: "p50", atMost: 0.5), "\(result.scenario)")
            #expect(result.ratios["p50"] != nil && result.ratios["rssPeak"] != nil, "\(result.scenario)")
            for target in [result.proxy, result.reference].compactMap({ $0 }) {
                #expect(target.completed == 2 && target.errors == 0, "\(result.scenario)")
                // The proxy held the 2 MB body at its peak.
                #expect((target.rssPeakKiB ?? 0) > 2048, "\(result.scenario)")
            }
        }
        #expect(report.scenarios.first?.title.contains("zip") == true)
        #expect(report.scenarios.last?.title.contains("script of 2 MiB") == true)
    }

    @Test("the table names each figure and its ratio")
    func tableOutput() throws {
        let outcome = try Self.bench([
            "--proxy", Kit.proxyBinary, "--rounds", "1", "--duration", "0.3",
            "--warmup", "0",
        ])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        for word in ["p50", "p99", "throughput", "RSS", "ratio"] { #expect(outcome.stdout.contains(word)) }
    }

    @Test("bench without an action is refused with a usage error")
    func missingAction() throws {
        let outcome = try Kit.run(["bench"])
        #expect(outcome.status != 0)
        #expect(outcome.stderr.contains("--action"))
    }
}
