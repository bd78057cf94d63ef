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
    /// The size of the large-init actions' code, when that scenario ran.
    public var largeInitBytes: Int?
}

/// One scenario, both proxies.
public struct ScenarioResult: Codable, Sendable {
    /// `warm`, `large`, `init`, `cold`, `rss`, or for the large-init
    /// scenario one row per form: `large-init-zip`, `large-init-source`.
    public var scenario: String
    /// What was measured, in words.
    public var title: String
    public var proxy: TargetResult
    public var reference: TargetResult?
    /// proxy / reference for each figure both have: `p50`, `p90`, `p99`,
    /// `max`, `mean`, `throughput`, `rss`, `rssPeak`.
    public var ratios: [String: Double]
    /// The ratio this scenario is held to, when it has one.
    public var goal: RatioGoal?
}

/// A ratio proxy / reference that a scenario should not exceed.
public struct RatioGoal: Codable, Sendable, Equatable {
    /// The key of the ratio in `ratios` (`p50`).
    public var figure: String
    public var atMost: Double

    public init(figure: String, atMost: Double) {
        self.figure = figure
        self.atMost = atMost
    }

    /// `≤ 0.5`, and whether `ratio` meets it.
    func describe(_ ratio: Double?) -> String {
        let bound = "≤ " + String(format: "%g", atMost)
        guard let ratio else { return bound }
        return bound + (ratio <= atMost ? " met" : " missed")
    }
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
    /// Peak resident memory (`VmHWM`) in KiB, read after each init answered
    /// (init scenarios): the largest of the samples.
    public var rssPeakKiB: Int?
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
        put("rssPeak", proxy.rssPeakKiB.map(Double.init), reference.rssPeakKiB.map(Double.init))
        return ratios
    }
}

extension BenchReport {
    /// The report as a table for people.
    public func table() -> String {
        let goals = scenarios.contains { $0.goal != nil }
        var lines: [[String]] = [["scenario", "figure", "proxy", "reference", "ratio"] + (goals ? ["target"] : [])]
        for result in scenarios {
            var first = true
            func row(_ figure: String, _ key: String, _ value: (TargetResult) -> String?) {
                guard let mine = value(result.proxy) else { return }
                let theirs = result.reference.flatMap(value) ?? "-"
                let ratio = result.ratios[key].map { String(format: "%.2f", $0) } ?? "-"
                var line = [first ? result.title : "", figure, mine, theirs, ratio]
                if goals {
                    line.append(result.goal.flatMap { $0.figure == key ? $0.describe(result.ratios[key]) : nil } ?? "")
                }
                lines.append(line)
                first = false
            }
            let ms = { (value: Double) in String(format: value < 10 ? "%.3f ms" : "%.1f ms", value) }
            let inits = result.scenario == BenchScenario.`init`.rawValue
                || result.scenario.hasPrefix(BenchScenario.largeInit.rawValue)
            row("p50", "p50") { $0.latency.map { ms($0.p50) } }
            if inits { row("range", "") { $0.latency.map { ms($0.distribution[0]) + "–" + ms($0.max) } } }
            row("p90", "p90") { $0.latency.map { ms($0.p90) } }
            row("p99", "p99") { $0.latency.map { ms($0.p99) } }
            row("max", "max") { $0.latency.map { ms($0.max) } }
            row("throughput", "throughput") { $0.throughput.map { String(format: "%.0f req/s", $0) } }
            row("RSS", "rss") { $0.rssKiB.map { String(format: "%.1f MB", Double($0) / 1024) } }
            row("  anon/file", "") { result in
                guard let anon = result.rssAnonKiB, let file = result.rssFileKiB else { return nil }
                return String(format: "%.1f/%.1f MB", Double(anon) / 1024, Double(file) / 1024)
            }
            row("peak RSS", "rssPeak") { $0.rssPeakKiB.map { String(format: "%.1f MB", Double($0) / 1024) } }
            row("answered/errors", "") { "\($0.completed)/\($0.errors)" }
        }
        let widths = (0..<lines[0].count).map { column in lines.map { $0[column].count }.max() ?? 0 }
        return lines.map { line in
            line.enumerated().map { column, text in
                column < 2 || column == 5 ? text.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - text.count) + text
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
