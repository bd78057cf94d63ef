import Foundation

/// What `actionkit invoke` is asked to do: one action, where to run it, and
/// how often.
public struct InvocationPlan: Sendable {
    /// Where the action runs: a fresh container of an image with the
    /// platform's limits, our host proxy serving a language, a proxy command
    /// (given `--port N`), or a running proxy, which the kit neither starts
    /// nor stops (nor replaces after a failure: `startsFresh`).
    public var target: ProxyTarget
    /// The action's code; nil sends no `/init` (a `--url` proxy that is
    /// initialised already).
    public var code: ActionCode?
    public var main: String?
    public var name: String
    public var namespace: String = "guest"
    public var parameters = ActionParameters()
    /// The init's `env`.
    public var environment: [String: String] = [:]
    public var timeout: TimeInterval = 60
    public var memoryMegabytes: Int = 256
    public var repeatCount: Int = 1
    public var keep = false
    /// The record's `kind` annotation.
    public var kind: String = "blackbox"
    /// A container is started before the first activation arrives, as the
    /// invoker starts the stem cells of a kind (`stemCells` in its
    /// manifest): the activation finds it running, not yet initialised.
    public var prewarm = false

    public init(target: ProxyTarget, code: ActionCode?, name: String) {
        self.target = target
        self.code = code
        self.name = name
    }

    var timeoutMilliseconds: Int { Int((timeout * 1000).rounded()) }

    /// The target as the progress lines name it: an image with its limits.
    var targetDescription: String {
        guard case .image(let image, let limits) = target else { return target.description }
        let driven = limits.driver == .openWhisk ? ", driven as an OpenWhisk invoker drives it" : ""
        return "\(image) (memory \(limits.memory), pids \(limits.pids), no new privileges\(driven))"
    }
}

/// A proxy left running by `--keep`.
public struct KeptProxy: Sendable {
    /// `container` or `process`.
    public var kind: String
    /// The container id or the process id.
    public var id: String
    public var url: String

    /// A host proxy's working folder (its action files and output).
    public var folder: String?

    /// How to get rid of it.
    public var removal: String {
        if kind == "container" { return "docker rm -f \(id)" }
        return "kill \(id)" + (folder.map { " && rm -rf \(shellQuoted($0))" } ?? "")
    }
}

/// What an invocation did: one record per activation.
public struct InvocationResult: Sendable {
    public var records: [ActivationRecord]
    public var kept: KeptProxy?

    public var summary: InvocationSummary { InvocationSummary(records) }

    /// The worst status among the activations.
    public var status: ActivationStatus { records.map(\.outcome.status).max() ?? .whiskError }

    /// The record alone for one activation, else every record and the
    /// cold/warm summary.
    public var jsonObject: Any {
        if records.count == 1 { return records[0].jsonObject }
        return ["activations": records.map(\.jsonObject), "summary": summary.jsonObject]
    }
}

/// A local invoker: does for one action what the platform's invoker does —
/// starts a container (or a host proxy), sends `/init` with the code, `/run`
/// with a complete activation body, enforces the time limit, cuts the logs
/// at the sentinels and writes the activation record. A proxy that failed
/// (developer or whisk error) is replaced before the next activation, as the
/// platform replaces the container.
public final class Invoker {
    private let plan: InvocationPlan
    private let progress: (String) -> Void

    /// `progress` receives one line per step (the command prints them on stderr).
    public init(plan: InvocationPlan, progress: @escaping (String) -> Void = { _ in }) {
        self.plan = plan
        self.progress = progress
    }

    /// A started proxy and its logs.
    private struct Warm {
        var proxy: ServedProxy
        var logs: ActivationLogCollector
    }

    public func run() -> InvocationResult {
        var records: [ActivationRecord] = []
        var warm: Warm?
        if plan.prewarm {
            progress("prewarming a stem cell of \(plan.kind)")
            stemCell = try? plan.target.start()
        }
        for index in 0..<max(plan.repeatCount, 1) {
            var fields = ActivationFields(namespace: plan.namespace, actionName: plan.name, timeout: plan.timeout)
            let label = plan.repeatCount > 1 ? " \(index + 1)/\(plan.repeatCount)" : ""
            let requested = Self.nowMilliseconds()
            var coldStart: Int64?
            var initTime: Int?
            if warm == nil {
                switch prepare(fields: fields) {
                case .ready(let ready):
                    warm = ready.warm
                    initTime = ready.initTime
                    coldStart = ready.initStart
                case .failed(let failure):
                    progress("activation\(label): \(failure.outcome.status.text)")
                    let start = failure.initStart ?? Self.nowMilliseconds()
                    records.append(
                        record(
                            fields, start: start, outcome: failure.outcome, logs: failure.logs,
                            initTime: failure.initTime, waitTime: start - requested))
                    // The proxy that refused the init: kept for a look after
                    // the last activation, else replaced.
                    if let failed = failure.warm {
                        if isLast(index) && keepsFailures { warm = failed } else { tearDown(failed) }
                    }
                    continue
                }
            }
            guard let current = warm else { continue }
            fields.deadline = String(Self.nowMilliseconds() + Int64(plan.timeoutMilliseconds))
            let runStart = Self.nowMilliseconds()
            let start = coldStart ?? runStart
            let answer = Self.exchange {
                try current.proxy.run(
                    plan.parameters.values, fields: fields.members, timeoutSeconds: plan.timeout + 1)
            }
            let runEnd = Self.nowMilliseconds()
            let outcome = ActivationInterpreter.run(
                answer, elapsedMilliseconds: Int(runEnd - runStart), timeoutMilliseconds: plan.timeoutMilliseconds)
            var handled = outcome.status == .success || outcome.status == .applicationError
            let logs = current.logs.next(wait: handled ? 2 : 0.5)
            var lines = ActivationLimits.limit(logs.lines.map(\.formatted))
            if !handled {
                lines.append(PlatformMessages.logsAfterFailure)
            } else if !logs.complete {
                // The platform records what it read, and replaces the container.
                progress("activation\(label): the log has no end-of-activation sentinel on both streams")
                lines.append(PlatformMessages.logsIncomplete)
                handled = false
            }
            progress(
                "activation\(label): /run \(Self.describe(answer)) after \(runEnd - runStart) ms: \(outcome.status.text)"
            )
            records.append(
                record(
                    fields, start: start, end: runEnd, outcome: outcome, logs: lines, initTime: initTime,
                    waitTime: start - requested))
            if !handled && plan.target.startsFresh && !(isLast(index) && keepsFailures) {
                progress("the proxy failed: it is removed\(isLast(index) ? "" : " and started afresh")")
                tearDown(current)
                warm = nil
            }
        }
        var kept: KeptProxy?
        if let current = warm {
            if plan.keep {
                kept = keep(current)
            } else {
                tearDown(current)
            }
        }
        return InvocationResult(records: records, kept: kept)
    }

    private func isLast(_ index: Int) -> Bool { index + 1 >= plan.repeatCount }

    /// `--keep` keeps the last proxy even when it failed: that is when a
    /// look inside is worth most.
    private var keepsFailures: Bool { plan.keep && plan.target.startsFresh }

    // MARK: - Cold start

    private struct Ready {
        var warm: Warm
        var initTime: Int?
        /// When the init began (the cold activation's start), nil without one.
        var initStart: Int64?
    }

    private struct Failure {
        var outcome: ActivationOutcome
        var logs: [String] = []
        /// How long the failed init took, and when it began; nil when there was none.
        var initTime: Int?
        var initStart: Int64?
        /// The proxy, when it started and the init failed.
        var warm: Warm?
    }

    /// Starts the proxy and initialises it with the action.
    /// How a cold start ended (not a `Result`: a failure may carry a proxy,
    /// which is not `Sendable` as an `Error` must be).
    private enum Preparation {
        case ready(Ready)
        case failed(Failure)
    }

    /// The prewarmed container, until the first activation takes it.
    private var stemCell: ServedProxy?

    private func prepare(fields: ActivationFields) -> Preparation {
        let proxy: ServedProxy
        do {
            if let prewarmed = stemCell {
                stemCell = nil
                progress("the activation takes the stem cell")
                proxy = prewarmed
            } else {
                progress("starting \(plan.targetDescription)")
                proxy = try plan.target.start()
            }
        } catch {
            progress("cannot start it: \(error)")
            return .failed(Failure(outcome: .error(.whiskError, PlatformMessages.resourceProvisionError)))
        }
        progress("serving on \(proxy.host):\(proxy.port)\(Self.identity(of: proxy))")
        let logs = ActivationLogCollector(source: Self.logSource(of: proxy))
        let warm = Warm(proxy: proxy, logs: logs)
        guard let code = plan.code else {
            progress("\(proxy.name) on port \(proxy.port): no code, so no /init")
            return .ready(Ready(warm: warm, initTime: nil, initStart: nil))
        }
        let initStart = Self.nowMilliseconds()
        let answer = Self.exchange {
            try proxy.initialize(
                code, main: plan.main, name: plan.name, env: initEnvironment(fields), timeoutSeconds: plan.timeout)
        }
        let initEnd = Self.nowMilliseconds()
        progress("/init \(Self.describe(answer)) after \(initEnd - initStart) ms")
        if case .success(let response) = answer, response.status == 200 {
            return .ready(Ready(warm: warm, initTime: Int(initEnd - initStart), initStart: initStart))
        }
        let outcome = ActivationInterpreter.initFailure(answer, timeoutMilliseconds: plan.timeoutMilliseconds)
        let lines =
            ActivationLimits.limit(logs.next(wait: 0.5).lines.map(\.formatted)) + [
                PlatformMessages.logsAfterFailure
            ]
        return .failed(
            Failure(
                outcome: outcome, logs: lines, initTime: Int(initEnd - initStart), initStart: initStart,
                warm: plan.target.startsFresh ? warm : nil))
    }

    /// `, container ID` or `, process PID`: what to look for when something stays behind.
    private static func identity(of proxy: ServedProxy) -> String {
        if let container = proxy as? ProxyContainer { return ", container \(container.id)" }
        if let pid = proxy.processID { return ", process \(pid)" }
        return ""
    }

    /// Where the proxy's output is followed; nil for a proxy whose output
    /// the kit cannot read (a `--url` one).
    private static func logSource(of proxy: ServedProxy) -> LogSource? {
        if let process = proxy as? ProxyProcess { return FileLogFollower(folder: process.directory) }
        if let container = proxy as? ProxyContainer { return DockerLogSource(containerID: container.id) }
        return nil
    }

    /// The init's `env`: the user's, and the activation context the
    /// platform adds as `__OW_*` keys.
    private func initEnvironment(_ fields: ActivationFields) -> [String: String] {
        var environment = OpenWhiskInvoker.initEnvironment(fields)
        environment["__OW_API_HOST"] = fields.apiHost
        environment["__OW_DEADLINE"] = String(Self.nowMilliseconds() + Int64(plan.timeoutMilliseconds))
        environment.merge(plan.environment) { $1 }
        return environment
    }

    // MARK: - End

    private func tearDown(_ warm: Warm) {
        warm.logs.close()
        // SIGTERM first: our proxy then stops the action's process group too.
        _ = warm.proxy.terminate(waitSeconds: 3)
        warm.proxy.stop()
    }

    private func keep(_ warm: Warm) -> KeptProxy? {
        warm.logs.close()
        let url = "http://\(warm.proxy.host):\(warm.proxy.port)"
        if let container = warm.proxy as? ProxyContainer {
            return KeptProxy(kind: "container", id: container.id, url: url)
        }
        if let pid = warm.proxy.processID {
            let folder = (warm.proxy as? ProxyProcess)?.directory.path
            return KeptProxy(kind: "process", id: String(pid), url: url, folder: folder)
        }
        return nil
    }

    // MARK: - Helpers

    private func record(
        _ fields: ActivationFields, start: Int64, end: Int64? = nil, outcome: ActivationOutcome, logs: [String],
        initTime: Int?, waitTime: Int64
    ) -> ActivationRecord {
        // waitTime: from the request to the activation's start (a cold one
        // waits for its proxy to start), as the platform reports it.
        let annotations: [(key: String, value: Any)] = [
            (key: "path", value: "\(plan.namespace)/\(plan.name)"),
            (key: "waitTime", value: waitTime),
            (key: "kind", value: plan.kind),
            (
                key: "limits",
                value: [
                    "timeout": plan.timeoutMilliseconds, "memory": plan.memoryMegabytes, "logs": 10,
                    "concurrency": 1,
                ]
            ),
        ]
        return ActivationRecord(
            activationID: fields.activationID, namespace: plan.namespace, name: plan.name, start: start,
            end: end ?? Self.nowMilliseconds(), outcome: outcome, logs: logs, annotations: annotations,
            initTime: initTime)
    }

    /// Runs one request; its errors as the client's errors.
    private static func exchange(_ body: () throws -> HTTPResponse) -> Result<HTTPResponse, HTTPClientError> {
        do {
            return .success(try body())
        } catch let error as HTTPClientError {
            return .failure(error)
        } catch {
            return .failure(.connection("\(error)"))
        }
    }

    private static func describe(_ answer: Result<HTTPResponse, HTTPClientError>) -> String {
        switch answer {
        case .success(let response): "answered \(response.status)"
        case .failure(let error): "got no answer (\(error))"
        }
    }

    static func nowMilliseconds() -> Int64 { Timestamp.nowMicroseconds() / 1000 }
}
