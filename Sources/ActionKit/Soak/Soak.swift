import Foundation

/// A soak: many activations on one proxy, one after the other, each
/// checked against its request, while the proxy's memory, descriptors and
/// children are watched for leaks.
public final class Soak {
    public struct Options: Sendable {
        public var count = 100_000
        public var seed: UInt64 = 1
        public var mix = SoakWorkload.Mix()
        /// Activations before the first sample that counts ("first"): the
        /// allocator and the caches reach their working size meanwhile.
        public var warmup: Int?
        /// Sample every N activations.
        public var sampleEvery: Int?
        public var maxRSSGrowthMB = 8.0
        public var maxFDGrowth = 2

        public init() {}

        var effectiveWarmup: Int { min(warmup ?? max(200, min(count / 100, 2_000)), count) }
        var effectiveSampleEvery: Int { max(sampleEvery ?? max(count / 200, 50), 1) }
    }

    private let proxy: ServedProxy
    private let code: ActionCode
    private let options: Options
    private let probe: ProcessProbe?
    private let progress: (String) -> Void
    private var client: HTTPClient?
    private var report: SoakReport

    /// `proxy` is initialised with `code` (the echo action); `pid` is the
    /// proxy's process, when the kit can see it.
    public init(
        proxy: ServedProxy, code: ActionCode, pid: Int32?, options: Options, target: String,
        progress: @escaping (String) -> Void = { _ in }
    ) {
        self.proxy = proxy
        self.code = code
        self.options = options
        probe = pid.map(ProcessProbe.init(pid:))
        self.progress = progress
        report = SoakReport(target: target, options: options)
    }

    public func run() -> SoakReport {
        var workload = SoakWorkload(seed: options.seed, mix: options.mix)
        /// Per activation that reached the action, in order: for the log check.
        var reached: [(nonce: String, fault: EchoRequest.Fault)] = []
        reached.reserveCapacity(options.count)
        report.startSample = probe?.sample(after: 0)
        let began = Date()
        var lastProgress = began
        for index in 0..<options.count {
            let request = workload.request(index)
            let reachedAction = perform(request)
            if reachedAction { reached.append((request.nonce, request.fault)) }
            report.activations += 1
            let done = index + 1
            let sampling =
                done == options.effectiveWarmup
                || (done > options.effectiveWarmup && done % options.effectiveSampleEvery == 0)
            if sampling { takeSample(after: done) }
            if Date().timeIntervalSince(lastProgress) >= 2 {
                lastProgress = Date()
                progress(progressLine(done, since: began))
            }
            // Asking is not free (a container's state is a docker command):
            // only at samples, and when a request went unanswered.
            if (sampling || !reachedAction) && !proxy.isRunning {
                report.failures.append("the proxy is gone after \(done) activations")
                report.proxyDied = true
                break
            }
        }
        report.durationSeconds = Date().timeIntervalSince(began)
        if report.activations % options.effectiveSampleEvery != 0 { takeSample(after: report.activations) }
        report.finalZombies = settledZombies()
        client = nil
        checkLogs(reached)
        report.evaluate()
        return report
    }

    // MARK: - One activation

    /// Sends one request (again while the action restarts after a missed
    /// deadline) and checks its answer. Whether it reached the action.
    private func perform(_ request: EchoRequest) -> Bool {
        let activationID = ActivationFields.newID()
        for _ in 0..<1_000 {
            let answer: HTTPResponse
            do {
                answer = try connection().request("POST", "/run", body: request.body(activationID: activationID))
            } catch {
                // The request may or may not have reached the action: the
                // log check can no longer line activations up.
                client = nil
                report.connectionErrors += 1
                report.failure("activation \(request.nonce) (\(request.fault)): no answer: \(error)")
                return false
            }
            if answer.status == 503 && answer.error?.contains("restarting") == true {
                report.restartWaits += 1
                usleep(10_000)
                continue
            }
            check(answer, for: request)
            if request.fault == .crash { reinitialize() }
            return true
        }
        report.failure("activation \(request.nonce): the action did not come back after a missed deadline")
        return false
    }

    private func connection() throws(HTTPClientError) -> HTTPClient {
        if let client { return client }
        let fresh = try HTTPClient(host: proxy.host, port: proxy.port, timeoutSeconds: 60)
        client = fresh
        return fresh
    }

    private func check(_ answer: HTTPResponse, for request: EchoRequest) {
        report.statuses[answer.status, default: 0] += 1
        report.faults[request.fault.rawValue, default: 0] += 1
        guard answer.status == request.expectedStatus else {
            report.unexpected += 1
            report.failure(
                "activation \(request.nonce) (\(request.fault)): status \(answer.status), expected \(request.expectedStatus): \(answer.text.prefix(200))"
            )
            return
        }
        switch request.fault {
        case .none, .error:
            if answer.body != request.expectedAnswer {
                report.mismatches += 1
                let other = (answer.object?["nonce"] as? String).map { " (the answer to \($0))" } ?? ""
                report.failure(
                    "activation \(request.nonce) (\(request.fault)): the answer is not its echo\(other): \(answer.text.prefix(120))"
                )
            }
        case .result:
            if answer.error != "The action did not return a dictionary or array." {
                report.unexpected += 1
                report.failure("activation \(request.nonce) (result): \(answer.text.prefix(200))")
            }
        case .deadline, .crash:
            break
        }
    }

    /// After a crash the action needs a new init, as the platform would give
    /// it a new container (the proxy allows it with PROXY_ALLOW_REINIT).
    private func reinitialize() {
        report.reinits += 1
        do {
            let response = try connection().request(
                "POST", "/init", body: try JSONSerialization.data(withJSONObject: code.initBody(main: "main")))
            if response.status != 200 {
                report.unexpected += 1
                report.failure("re-init after a crash answered \(response.status): \(response.text.prefix(200))")
            }
        } catch {
            client = nil
            report.connectionErrors += 1
            report.failure("re-init after a crash: \(error)")
        }
    }

    // MARK: - Watching the proxy

    private func takeSample(after activations: Int) {
        guard let probe, var sample = probe.sample(after: activations) else { return }
        if !sample.zombies.isEmpty {
            // A child that just died is a zombie until the reaper gets to it:
            // only one still there a moment later counts.
            usleep(200_000)
            sample.zombies.formIntersection(probe.zombieChildren())
        }
        report.add(sample, first: activations <= options.effectiveWarmup || report.firstSample == nil)
    }

    private func settledZombies() -> Int? {
        guard let probe else { return nil }
        usleep(300_000)
        var zombies = probe.zombieChildren()
        if !zombies.isEmpty {
            usleep(300_000)
            zombies.formIntersection(probe.zombieChildren())
        }
        return zombies.count
    }

    /// Each activation's log lines sit between its sentinels: `soak NONCE`
    /// on stdout, `soak failing NONCE` on stderr for an application error.
    private func checkLogs(_ reached: [(nonce: String, fault: EchoRequest.Fault)]) {
        // An output out of reach is said first; it is read only when needed.
        guard report.connectionErrors == 0 || proxy.logs == nil else {
            report.logCheck = "skipped: requests without an answer cannot be lined up with the log"
            return
        }
        guard let logs = proxy.logs(withSentinels: reached.count) else {
            report.logCheck = "skipped: the proxy's output is out of reach"
            return
        }
        let stdout = ActivationLogs(logs.stdout)
        let stderr = ActivationLogs(logs.stderr)
        report.sentinels = (stdout.count, stderr.count)
        guard stdout.count == reached.count, stderr.count == reached.count else {
            report.logCheck =
                "failed: \(reached.count) activations, \(stdout.count) sentinels on stdout, \(stderr.count) on stderr"
            report.misattributedLogs += 1
            return
        }
        var wrong = 0
        for (index, activation) in reached.enumerated() {
            let outLines = stdout.activations[index]
            let errLines = stderr.activations[index]
            let own = outLines.contains("soak \(activation.nonce)")
            let foreign = outLines.contains { $0.hasPrefix("soak ") && $0 != "soak \(activation.nonce)" }
            let failing = errLines.contains("soak failing \(activation.nonce)")
            if !own || foreign || (activation.fault == .error) != failing {
                wrong += 1
                if wrong <= 5 {
                    report.failure(
                        "log of activation \(index) (\(activation.nonce)): stdout \(outLines.prefix(3)), stderr \(errLines.prefix(3))"
                    )
                }
            }
        }
        report.misattributedLogs = wrong
        report.logCheck = wrong == 0 ? "passed" : "failed: \(wrong) activations with lines that are not theirs"
    }

    private func progressLine(_ done: Int, since began: Date) -> String {
        let rate = Double(done) / max(Date().timeIntervalSince(began), 0.001)
        var line = "\(done)/\(options.count) activations, \(Int(rate))/s"
        if let last = report.samples.last {
            line += ", rss \(String(format: "%.1f", Double(last.rssKB) / 1024)) MB, fds \(last.fds)"
        }
        line += ", mismatches \(report.mismatches), unexpected \(report.unexpected)"
        return line
    }
}

extension ServedProxy {
    /// How long its log may lag behind its answers: a host process writes
    /// straight to files; Docker's log arrives a little later.
    var logLag: TimeInterval { self is ProxyContainer ? 10 : 1 }

    /// Its output once each stream holds `count` sentinels, or as it is when
    /// `logLag` has passed; nil when the kit cannot see it. Read every 0.1 s
    /// (for a container, each read is a `docker logs`).
    func logs(withSentinels count: Int) -> ProxyLogs? {
        guard var logs = self.logs else { return nil }
        let deadline = Date().addingTimeInterval(logLag)
        while ActivationLogs(logs.stdout).count < count || ActivationLogs(logs.stderr).count < count,
            Date() < deadline
        {
            usleep(100_000)
            logs = self.logs ?? logs
        }
        return logs
    }
}

/// What a soak saw.
public struct SoakReport: Sendable {
    public var target: String
    public var options: Soak.Options
    public var activations = 0
    public var durationSeconds = 0.0
    /// Answers by HTTP status, and requests by fault.
    public var statuses: [Int: Int] = [:]
    public var faults: [String: Int] = [:]
    public var mismatches = 0
    public var unexpected = 0
    public var connectionErrors = 0
    public var reinits = 0
    /// Requests sent again because the action was restarting (503).
    public var restartWaits = 0
    public var proxyDied = false
    public var startSample: ProcessProbe.Sample?
    public var firstSample: ProcessProbe.Sample?
    public var samples: [ProcessProbe.Sample] = []
    /// The most zombies that outlived a sample's second look, and at the end.
    public var maxZombies = 0
    public var finalZombies: Int?
    public var sentinels: (stdout: Int, stderr: Int)?
    public var misattributedLogs = 0
    public var logCheck = "not run"
    /// The first failures, for people.
    public var failures: [String] = []
    public var passed = false
    public var verdicts: [String] = []

    init(target: String, options: Soak.Options) {
        self.target = target
        self.options = options
    }

    mutating func failure(_ text: String) {
        if failures.count < 20 { failures.append(text) }
    }

    mutating func add(_ sample: ProcessProbe.Sample, first: Bool) {
        if first { firstSample = sample }
        samples.append(sample)
        maxZombies = max(maxZombies, sample.zombies.count)
    }

    public var rate: Double { durationSeconds > 0 ? Double(activations) / durationSeconds : 0 }
    public var lastSample: ProcessProbe.Sample? { samples.last }
    /// From the first sample after the warm-up to the last, kB.
    public var rssGrowthKB: Int? { firstSample.flatMap { first in lastSample.map { $0.rssKB - first.rssKB } } }
    public var fdGrowth: Int? { firstSample.flatMap { first in lastSample.map { $0.fds - first.fds } } }
    public var maxRSSKB: Int? { samples.map(\.rssKB).max() }

    /// Decides `passed` and says why not.
    mutating func evaluate() {
        var problems: [String] = []
        if mismatches > 0 { problems.append("\(mismatches) answers that do not match their request") }
        if unexpected > 0 { problems.append("\(unexpected) answers the contract does not give") }
        if connectionErrors > 0 { problems.append("\(connectionErrors) requests without an answer") }
        if proxyDied { problems.append("the proxy died") }
        if maxZombies > 0 || (finalZombies ?? 0) > 0 {
            problems.append("zombie children: up to \(maxZombies) during the run, \(finalZombies ?? 0) at the end")
        }
        if let growth = rssGrowthKB, Double(growth) / 1024 > options.maxRSSGrowthMB {
            problems.append(
                String(
                    format: "resident memory grew by %.1f MB (limit %.1f)", Double(growth) / 1024,
                    options.maxRSSGrowthMB))
        }
        if let growth = fdGrowth, growth > options.maxFDGrowth {
            problems.append("open descriptors grew by \(growth) (limit \(options.maxFDGrowth))")
        }
        if misattributedLogs > 0 || logCheck.hasPrefix("failed") { problems.append("logs: \(logCheck)") }
        verdicts = problems
        passed = problems.isEmpty
    }

    public var jsonObject: [String: Any] {
        func orNull(_ value: Int?) -> Any { value.map { $0 as Any } ?? NSNull() }
        var object: [String: Any] = [
            "target": target,
            "seed": options.seed,
            "activations": activations,
            "durationSeconds": (durationSeconds * 100).rounded() / 100,
            "rate": rate.rounded(),
            "statuses": Dictionary(uniqueKeysWithValues: statuses.map { (String($0.key), $0.value) }),
            "faults": faults,
            "mismatches": mismatches,
            "unexpected": unexpected,
            "connectionErrors": connectionErrors,
            "reinits": reinits,
            "restartWaits": restartWaits,
            "proxyDied": proxyDied,
            "logCheck": logCheck,
            "misattributedLogs": misattributedLogs,
            "failures": failures,
            "passed": passed,
            "problems": verdicts,
            "thresholds": ["maxRSSGrowthMB": options.maxRSSGrowthMB, "maxFDGrowth": options.maxFDGrowth],
        ]
        if let sentinels { object["sentinels"] = ["stdout": sentinels.stdout, "stderr": sentinels.stderr] }
        if firstSample != nil {
            let growthMB: Any = rssGrowthKB.map { (Double($0) / 1024 * 100).rounded() / 100 } ?? NSNull()
            let rss: [String: Any] = [
                "startKB": orNull(startSample?.rssKB), "firstKB": orNull(firstSample?.rssKB),
                "lastKB": orNull(lastSample?.rssKB), "maxKB": orNull(maxRSSKB), "growthKB": orNull(rssGrowthKB),
                "growthMB": growthMB,
            ]
            let fds: [String: Any] = [
                "start": orNull(startSample?.fds), "first": orNull(firstSample?.fds), "last": orNull(lastSample?.fds),
                "max": orNull(samples.map(\.fds).max()), "growth": orNull(fdGrowth),
            ]
            object["rss"] = rss
            object["fds"] = fds
            object["zombies"] = ["max": maxZombies, "final": orNull(finalZombies)] as [String: Any]
            object["warmup"] = options.effectiveWarmup
            object["samples"] = samples.map { [$0.activations, $0.rssKB, $0.fds] }
        } else {
            object["rss"] = NSNull()
            object["fds"] = NSNull()
            object["zombies"] = NSNull()
        }
        return object
    }

    /// A few lines for people.
    public var text: String {
        var lines = [
            "soak of \(target): \(activations) activations in \(String(format: "%.1f", durationSeconds)) s (\(Int(rate.rounded()))/s), seed \(options.seed)",
            "statuses: " + statuses.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
                + "; re-inits \(reinits), waits for a restart \(restartWaits)",
            "mismatches \(mismatches), unexpected answers \(unexpected), requests without an answer \(connectionErrors)",
        ]
        if let first = firstSample, let last = lastSample {
            lines.append(
                String(
                    format:
                        "resident memory: %.1f MB at start, %.1f MB after the warm-up, %.1f MB at the end (max %.1f): growth %+.2f MB",
                    Double(startSample?.rssKB ?? 0) / 1024, Double(first.rssKB) / 1024, Double(last.rssKB) / 1024,
                    Double(maxRSSKB ?? 0) / 1024, Double(last.rssKB - first.rssKB) / 1024))
            lines.append(
                "open descriptors: \(first.fds) after the warm-up, \(last.fds) at the end: growth \(last.fds - first.fds)"
            )
            lines.append("zombie children: at most \(maxZombies) during the run, \(finalZombies ?? 0) at the end")
        } else {
            lines.append("memory, descriptors, zombies: not watched (no process id for this proxy)")
        }
        lines.append("logs: \(logCheck)")
        lines.append(passed ? "passed" : "FAILED: " + verdicts.joined(separator: "; "))
        return lines.joined(separator: "\n")
    }
}
