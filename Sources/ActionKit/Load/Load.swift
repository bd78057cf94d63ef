import Foundation

/// Many clients against one proxy at once, for a bounded time: each client
/// a thread with its own keep-alive connection, each `/run` a unique nonce.
/// An action that runs one activation at a time serves overlapping runs in
/// turn, and refuses one with 503 only when more than OW_MAX_WAITING_RUNS
/// wait already (docs/contract.md); one that declared concurrency must
/// answer every run.
public final class Load {
    public struct Options: Sendable {
        public var clients = 32
        public var duration: TimeInterval = 10
        /// Pad bytes in each value.
        public var valueSize = 64
        /// The action serves overlapping activations: every run must answer 200.
        public var concurrent = false

        public init() {}

        /// The statuses the contract allows.
        public var allowedStatuses: Set<Int> { concurrent ? [200] : [200, 503] }
    }

    static let busyMessage = "The action runs one activation at a time and"

    private let proxy: ServedProxy
    private let options: Options
    private let target: String
    private let progress: (String) -> Void

    public init(proxy: ServedProxy, options: Options, target: String, progress: @escaping (String) -> Void = { _ in }) {
        self.proxy = proxy
        self.options = options
        self.target = target
        self.progress = progress
    }

    public func run() -> LoadReport {
        let tally = LoadTally()
        let group = DispatchGroup()
        let began = Date()
        let end = began.addingTimeInterval(options.duration)
        let host = proxy.host
        let port = proxy.port
        let options = self.options
        for index in 0..<options.clients {
            group.enter()
            let thread = Thread {
                Self.client(index, host: host, port: port, until: end, options: options, tally: tally)
                group.leave()
            }
            thread.name = "actionkit load client \(index)"
            thread.start()
        }
        while group.wait(timeout: .now() + 2) == .timedOut {
            let runs = tally.answeredSoFar
            let seconds = Date().timeIntervalSince(began)
            progress("\(Int(seconds)) s, \(runs) runs answered (\(Int(Double(runs) / max(seconds, 0.001)))/s)")
        }
        var report = LoadReport(target: target, options: options, tally: tally.snapshot())
        report.durationSeconds = Date().timeIntervalSince(began)
        report.proxyAlive = proxy.isRunning && Self.stillServes(proxy)
        report.sentinels = countSentinels(
            expected: report.tally.statuses[200, default: 0] + report.tally.statuses[503, default: 0]
                + (report.proxyAlive ? 1 : 0))
        report.evaluate()
        return report
    }

    /// One client: requests back to back on one connection until the end.
    private static func client(
        _ index: Int, host: String, port: Int, until end: Date, options: Options, tally: LoadTally
    ) {
        var local = LoadTally.Counts()
        var connection: HTTPClient?
        var number = 0
        let pad = [UInt8](repeating: UInt8(ascii: "x"), count: options.valueSize)
        while Date() < end {
            number += 1
            let request = EchoRequest(nonce: "c\(index)r\(number)", pad: pad)
            let started = DispatchTime.now().uptimeNanoseconds
            let answer: HTTPResponse
            do {
                let client = try connection ?? HTTPClient(host: host, port: port, timeoutSeconds: 30)
                connection = client
                answer = try client.request("POST", "/run", body: request.body(activationID: "load\(index)x\(number)"))
            } catch {
                connection = nil
                local.connectionErrors += 1
                local.note("client \(index): request \(number): \(error)")
                // A refused connection would spin: give the proxy a moment.
                usleep(10_000)
                continue
            }
            let elapsed = DispatchTime.now().uptimeNanoseconds - started
            local.requests += 1
            if local.requests % 100 == 0 { tally.progressed(by: 100) }
            local.statuses[answer.status, default: 0] += 1
            switch answer.status {
            case 200:
                local.latencies.append(elapsed / 1000)
                if answer.body != request.expectedAnswer {
                    local.mismatches += 1
                    let owner = (answer.object?["nonce"] as? String).map { " (the answer to \($0))" } ?? ""
                    local.note("\(request.nonce): not its echo\(owner): \(answer.text.prefix(100))")
                }
            case 503 where options.allowedStatuses.contains(503):
                if answer.error?.hasPrefix(Self.busyMessage) != true {
                    local.unexpected += 1
                    local.note("\(request.nonce): 503 with \(answer.text.prefix(100))")
                }
            default:
                local.unexpected += 1
                local.note("\(request.nonce): status \(answer.status): \(answer.text.prefix(100))")
            }
        }
        tally.merge(local)
    }

    /// A last run on a fresh connection, answered with its own echo.
    private static func stillServes(_ proxy: ServedProxy) -> Bool {
        let request = EchoRequest(nonce: "final")
        guard let client = try? HTTPClient(host: proxy.host, port: proxy.port, timeoutSeconds: 30),
            let answer = try? client.request("POST", "/run", body: request.body(activationID: "final"))
        else { return false }
        return answer.status == 200 && answer.body == request.expectedAnswer
    }

    /// Sentinels on each stream: one per activation that reached the action.
    private func countSentinels(expected: Int) -> LoadReport.Sentinels? {
        guard let logs = proxy.logs(withSentinels: expected) else { return nil }
        return LoadReport.Sentinels(
            expected: expected, stdout: ActivationLogs(logs.stdout).count, stderr: ActivationLogs(logs.stderr).count)
    }
}

/// The clients' counts, merged under a lock as each client ends.
final class LoadTally: @unchecked Sendable {
    // @unchecked: `counts` is only touched with `lock` held.
    struct Counts: Sendable {
        var requests = 0
        var statuses: [Int: Int] = [:]
        var mismatches = 0
        var unexpected = 0
        var connectionErrors = 0
        /// Microseconds, of the 200 answers.
        var latencies: [UInt64] = []
        var notes: [String] = []

        mutating func note(_ text: String) {
            if notes.count < 10 { notes.append(text) }
        }
    }

    private let lock = NSLock()
    private var counts = Counts()
    /// Runs answered so far by all clients, for progress lines (the counts
    /// are merged only as each client ends).
    private var answered = 0

    func progressed(by runs: Int) {
        lock.lock()
        answered += runs
        lock.unlock()
    }

    var answeredSoFar: Int {
        lock.lock()
        defer { lock.unlock() }
        return answered
    }

    func merge(_ other: Counts) {
        lock.lock()
        defer { lock.unlock() }
        counts.requests += other.requests
        counts.statuses.merge(other.statuses, uniquingKeysWith: +)
        counts.mismatches += other.mismatches
        counts.unexpected += other.unexpected
        counts.connectionErrors += other.connectionErrors
        counts.latencies += other.latencies
        counts.notes += other.notes.prefix(max(0, 20 - counts.notes.count))
    }

    func snapshot() -> Counts {
        lock.lock()
        defer { lock.unlock() }
        return counts
    }
}

/// What a load run saw.
public struct LoadReport: Sendable {
    public struct Sentinels: Sendable {
        public var expected: Int
        public var stdout: Int
        public var stderr: Int
    }

    public var target: String
    public var options: Load.Options
    var tally: LoadTally.Counts
    public var durationSeconds = 0.0
    public var proxyAlive = false
    public var sentinels: Sentinels?
    public var passed = false
    public var problems: [String] = []

    init(target: String, options: Load.Options, tally: LoadTally.Counts) {
        self.target = target
        self.options = options
        self.tally = tally
        self.tally.latencies.sort()
    }

    /// What went wrong, request by request (at most a few).
    public var failures: [String] { tally.notes }

    /// Latency of the 200 answers at `fraction` (0.5, 0.99), milliseconds
    /// (the latencies were sorted once, at `init`).
    func latency(_ fraction: Double) -> Double? {
        let sorted = tally.latencies
        guard !sorted.isEmpty else { return nil }
        let index = min(sorted.count - 1, Int(Double(sorted.count) * fraction))
        return (Double(sorted[index]) / 1000 * 100).rounded() / 100
    }

    mutating func evaluate() {
        var found: [String] = []
        if tally.mismatches > 0 { found.append("\(tally.mismatches) answers that are not their request's echo") }
        let disallowed = tally.statuses.filter { !options.allowedStatuses.contains($0.key) }
        if !disallowed.isEmpty || tally.unexpected > 0 {
            found.append(
                "answers the contract does not allow: "
                    + disallowed.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
                    + (tally.unexpected > 0 ? " (\(tally.unexpected) in all)" : ""))
        }
        if tally.connectionErrors > 0 { found.append("\(tally.connectionErrors) connection errors") }
        if !proxyAlive { found.append("the proxy no longer serves") }
        if let sentinels, sentinels.stdout != sentinels.expected || sentinels.stderr != sentinels.expected {
            found.append(
                "\(sentinels.expected) activations but \(sentinels.stdout) sentinels on stdout, \(sentinels.stderr) on stderr"
            )
        }
        if tally.statuses[200, default: 0] == 0 { found.append("no run succeeded") }
        problems = found
        passed = found.isEmpty
    }

    public var jsonObject: [String: Any] {
        var object: [String: Any] = [
            "target": target,
            "clients": options.clients,
            "concurrent": options.concurrent,
            "durationSeconds": (durationSeconds * 100).rounded() / 100,
            "requests": tally.requests,
            "rate": (Double(tally.requests) / max(durationSeconds, 0.001)).rounded(),
            "statuses": Dictionary(uniqueKeysWithValues: tally.statuses.map { (String($0.key), $0.value) }),
            "allowedStatuses": options.allowedStatuses.sorted(),
            "mismatches": tally.mismatches,
            "unexpected": tally.unexpected,
            "connectionErrors": tally.connectionErrors,
            "proxyAlive": proxyAlive,
            "failures": failures,
            "passed": passed,
            "problems": problems,
        ]
        if let p50 = latency(0.5), let p99 = latency(0.99), let max = latency(1) {
            object["latencyMs"] = ["p50": p50, "p99": p99, "max": max]
        }
        if let sentinels {
            object["sentinels"] = [
                "expected": sentinels.expected, "stdout": sentinels.stdout, "stderr": sentinels.stderr,
            ]
        }
        return object
    }

    public var text: String {
        let rate = Double(tally.requests) / max(durationSeconds, 0.001)
        var lines = [
            "load on \(target): \(options.clients) clients for \(String(format: "%.1f", durationSeconds)) s: \(tally.requests) runs (\(Int(rate))/s)"
                + (options.concurrent ? ", concurrent action" : ""),
            "statuses: "
                + tally.statuses.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
                + " (allowed: \(options.allowedStatuses.sorted().map(String.init).joined(separator: ", ")))",
            "mismatches \(tally.mismatches), unexpected answers \(tally.unexpected), connection errors \(tally.connectionErrors), proxy alive \(proxyAlive ? "yes" : "NO")",
        ]
        if let p50 = latency(0.5), let p99 = latency(0.99) {
            lines.append("latency of the 200s: p50 \(p50) ms, p99 \(p99) ms")
        }
        if let sentinels {
            lines.append(
                "sentinels: \(sentinels.stdout) on stdout, \(sentinels.stderr) on stderr, for \(sentinels.expected) activations"
            )
        }
        lines.append(passed ? "passed" : "FAILED: " + problems.joined(separator: "; "))
        return lines.joined(separator: "\n")
    }
}
