import Foundation

/// What `actionkit bench` measured: for each scenario, the proxy's figures,
/// the reference's (measured in the same rounds) and their ratios.
public struct BenchReport: Codable, Sendable {
    public var machine: MachineInfo
    public var settings: BenchSettings
    public var scenarios: [ScenarioResult]
}

/// Where the figures come from: they only compare within one report.
public struct MachineInfo: Codable, Sendable {
    public var cores: Int
    public var kernel: String
    /// The 1-minute load average when the run began: other work on the machine.
    public var loadAverage: Double
    public var date: String

    public static func current() -> MachineInfo {
        var names = utsname()
        uname(&names)
        let kernel = withUnsafeBytes(of: &names.release) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
        var loads = [Double](repeating: 0, count: 3)
        getloadavg(&loads, 3)
        return MachineInfo(
            cores: ProcessInfo.processInfo.activeProcessorCount, kernel: kernel, loadAverage: loads[0],
            date: ISO8601DateFormatter().string(from: Date()))
    }
}

/// The options a run was made with.
public struct BenchSettings: Codable, Sendable {
    public var proxy: String
    public var reference: String?
    public var action: String
    /// The action of the init scenario, when another one.
    public var initAction: String?
    public var rounds: Int
    public var durationSeconds: Double
    public var warmupSeconds: Double
    public var concurrency: Int
    public var payloadBytes: Int
    public var largePayloadBytes: Int
    public var samples: Int
    public var activations: Int
}

/// One scenario, both proxies.
public struct ScenarioResult: Codable, Sendable {
    /// `warm`, `large`, `init`, `cold` or `rss`.
    public var scenario: String
    /// What was measured, in words.
    public var title: String
    public var proxy: TargetResult
    public var reference: TargetResult?
    /// proxy / reference for each figure both have: `p50`, `p90`, `p99`,
    /// `max`, `mean`, `throughput`, `rss`.
    public var ratios: [String: Double]
}

/// One proxy's figures in one scenario, over all rounds.
public struct TargetResult: Codable, Sendable {
    public var command: String
    /// Requests (or starts, or inits) that got the expected answer.
    public var completed: Int
    /// Those that did not (another status, a closed connection).
    public var errors: Int
    public var latency: LatencySummary?
    /// Answered requests per second of measuring (warm scenarios).
    public var throughput: Double?
    /// Resident memory (`VmRSS`) at the end, in KiB: the largest of the rounds.
    public var rssKiB: Int?
    /// Its anonymous and file-backed parts (`RssAnon`, `RssFile`).
    public var rssAnonKiB: Int?
    public var rssFileKiB: Int?
}

extension ScenarioResult {
    /// The ratios of every figure both results have.
    static func ratios(_ proxy: TargetResult, _ reference: TargetResult?) -> [String: Double] {
        guard let reference else { return [:] }
        var ratios: [String: Double] = [:]
        func put(_ name: String, _ mine: Double?, _ theirs: Double?) {
            if let mine, let theirs, theirs > 0 { ratios[name] = mine / theirs }
        }
        put("p50", proxy.latency?.p50, reference.latency?.p50)
        put("p90", proxy.latency?.p90, reference.latency?.p90)
        put("p99", proxy.latency?.p99, reference.latency?.p99)
        put("max", proxy.latency?.max, reference.latency?.max)
        put("mean", proxy.latency?.mean, reference.latency?.mean)
        put("throughput", proxy.throughput, reference.throughput)
        put("rss", proxy.rssKiB.map(Double.init), reference.rssKiB.map(Double.init))
        return ratios
    }
}

extension BenchReport {
    /// The report as a table for people.
    public func table() -> String {
        var lines: [[String]] = [["scenario", "figure", "proxy", "reference", "ratio"]]
        for result in scenarios {
            var first = true
            func row(_ figure: String, _ key: String, _ value: (TargetResult) -> String?) {
                guard let mine = value(result.proxy) else { return }
                let theirs = result.reference.flatMap(value) ?? "-"
                let ratio = result.ratios[key].map { String(format: "%.2f", $0) } ?? "-"
                lines.append([first ? result.title : "", figure, mine, theirs, ratio])
                first = false
            }
            let ms = { (value: Double) in String(format: value < 10 ? "%.3f ms" : "%.1f ms", value) }
            row("p50", "p50") { $0.latency.map { ms($0.p50) } }
            row("p90", "p90") { $0.latency.map { ms($0.p90) } }
            row("p99", "p99") { $0.latency.map { ms($0.p99) } }
            row("max", "max") { $0.latency.map { ms($0.max) } }
            row("throughput", "throughput") { $0.throughput.map { String(format: "%.0f req/s", $0) } }
            row("RSS", "rss") { $0.rssKiB.map { String(format: "%.1f MB", Double($0) / 1024) } }
            row("  anon/file", "") { result in
                guard let anon = result.rssAnonKiB, let file = result.rssFileKiB else { return nil }
                return String(format: "%.1f/%.1f MB", Double(anon) / 1024, Double(file) / 1024)
            }
            row("answered/errors", "") { "\($0.completed)/\($0.errors)" }
        }
        let widths = (0..<5).map { column in lines.map { $0[column].count }.max() ?? 0 }
        return lines.map { line in
            line.enumerated().map { column, text in
                column < 2 ? text.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - text.count) + text
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
