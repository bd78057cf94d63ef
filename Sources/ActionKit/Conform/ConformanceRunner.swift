import Foundation

/// Runs cases one after another against a target: a fresh proxy per case
/// (a container or a host process, stopped afterwards), or one running proxy
/// shared by the cases that allow it. Each case is bounded by its timeout,
/// so a proxy that hangs fails the case instead of the run.
public struct ConformanceRunner: Sendable {
    public let target: ProxyTarget
    public let runtime: RuntimeKind
    /// Added to every proxy the runner starts (the command line's `--env`).
    public let environment: [String: String]
    /// Replaces every case's own timeout when set.
    public let caseTimeout: TimeInterval?
    /// How long a fresh proxy may take to answer.
    public let startTimeout: TimeInterval

    public init(
        target: ProxyTarget, runtime: RuntimeKind, environment: [String: String] = [:],
        caseTimeout: TimeInterval? = nil, startTimeout: TimeInterval = 60
    ) {
        self.target = target
        self.runtime = runtime
        self.environment = environment
        self.caseTimeout = caseTimeout
        self.startTimeout = startTimeout
    }

    /// What the runner is doing, for a progress line.
    public enum Event: Sendable {
        case started(index: Int, count: Int, ConformanceCase)
        case finished(CaseResult)
    }

    /// Runs `cases` and returns their results in the same order.
    public func run(_ cases: [ConformanceCase], observe: (Event) -> Void = { _ in }) -> [CaseResult] {
        target.startsFresh ? runFresh(cases, observe: observe) : runShared(cases, observe: observe)
    }

    // MARK: A fresh proxy per case

    private func runFresh(_ cases: [ConformanceCase], observe: (Event) -> Void) -> [CaseResult] {
        var results: [CaseResult] = []
        var startFailures: [String] = []
        for (index, conformanceCase) in cases.enumerated() {
            observe(.started(index: index, count: cases.count, conformanceCase))
            let result: CaseResult
            if startFailures.count >= 2, let last = startFailures.last {
                result = CaseResult(
                    conformanceCase, .failed, "not run: the target did not start twice in a row (\(last))")
            } else {
                result = runFresh(conformanceCase, startFailures: &startFailures)
            }
            observe(.finished(result))
            results.append(result)
        }
        return results
    }

    private func runFresh(_ conformanceCase: ConformanceCase, startFailures: inout [String]) -> CaseResult {
        let started = Date()
        var environment = self.environment
        if case .fresh(let extra) = conformanceCase.need { environment.merge(extra) { $1 } }
        let proxy: ServedProxy
        do {
            try waitForFixedPort()
            proxy = try target.start(environment: environment, timeout: startTimeout)
            startFailures = []
        } catch {
            startFailures.append("\(error)")
            return CaseResult(
                conformanceCase, .failed, "the target did not start: \(error)",
                duration: Date().timeIntervalSince(started))
        }
        // Stopping the proxy also ends a body that timed out: its requests
        // fail once their connections close.
        defer { Self.stop(proxy) }
        if conformanceCase.needsLogs && proxy.logs == nil {
            return CaseResult(conformanceCase, .skipped, "the target's logs are out of reach")
        }
        return execute(conformanceCase, on: proxy, initialise: true).result(
            conformanceCase, duration: Date().timeIntervalSince(started))
    }

    /// A proxy that always listens on the same port must find it free: a
    /// proxy left over from an earlier case (or another program) would
    /// otherwise answer in its place.
    private func waitForFixedPort() throws(TargetError) {
        guard case .command(_, let fixedPort?) = target else { return }
        let deadline = Date().addingTimeInterval(5)
        while (try? HTTPClient(port: fixedPort, timeoutSeconds: 1)) != nil {
            if Date() > deadline { throw .launch("port \(fixedPort) is in use by another program") }
            usleep(50_000)
        }
    }

    private static func stop(_ proxy: ServedProxy) {
        // SIGTERM first, so that a proxy that cleans up (stops its action)
        // gets to; a container is removed with everything in it anyway.
        if let process = proxy as? ProxyProcess { _ = process.terminate(waitSeconds: 2) }
        proxy.stop()
    }

    // MARK: One running proxy

    private func runShared(_ cases: [ConformanceCase], observe: (Event) -> Void) -> [CaseResult] {
        // Cases that leave the proxy uninitialised go first; then one init
        // serves the cases that need that action.
        let order = cases.indices.sorted { (rank(cases[$0]), $0) < (rank(cases[$1]), $1) }
        let shared = SharedProxy(target: target, runtime: runtime, startTimeout: startTimeout)
        var results = [CaseResult?](repeating: nil, count: cases.count)
        for (position, index) in order.enumerated() {
            let conformanceCase = cases[index]
            observe(.started(index: position, count: cases.count, conformanceCase))
            let started = Date()
            let result = sharedOutcome(conformanceCase, shared).result(
                conformanceCase, duration: Date().timeIntervalSince(started))
            observe(.finished(result))
            results[index] = result
        }
        return results.compactMap { $0 }
    }

    private func sharedOutcome(_ conformanceCase: ConformanceCase, _ shared: SharedProxy) -> Outcome {
        guard conformanceCase.need.sharable else {
            return .skipped("needs a fresh proxy of its own (a --url target is one proxy)")
        }
        guard !conformanceCase.needsLogs else { return .skipped("the target's logs are out of reach") }
        let proxy: ServedProxy
        do {
            proxy = try shared.proxy()
        } catch {
            return .failed("the target does not answer: \(error)")
        }
        guard case .initialised(let action) = conformanceCase.need else { return execute(conformanceCase, on: proxy) }
        if let other = shared.action, other.name != action.name {
            return .skipped("needs its own init (the target was initialised with \(other.name))")
        }
        do {
            return execute(conformanceCase, on: proxy, initResponse: try shared.initialise(action))
        } catch {
            return .failed("\(error)")
        }
    }

    private func rank(_ conformanceCase: ConformanceCase) -> Int {
        switch conformanceCase.need {
        case .uninitialised: 0
        case .initialised: 1
        case .fresh: 2
        }
    }

    // MARK: Running a body

    /// How a case body ended.
    enum Outcome: Sendable {
        case passed(String)
        case failed(String)
        case skipped(String)

        func result(_ conformanceCase: ConformanceCase, duration: TimeInterval) -> CaseResult {
            switch self {
            case .passed(let note): CaseResult(conformanceCase, .passed, note, duration: duration)
            case .failed(let reason): CaseResult(conformanceCase, .failed, reason, duration: duration)
            case .skipped(let reason): CaseResult(conformanceCase, .skipped, reason, duration: duration)
            }
        }
    }

    /// Runs the case's body (after the init of its action, for an
    /// `.initialised` case when `initialise`) on a thread of its own, and
    /// waits for it at most the case's timeout.
    private func execute(
        _ conformanceCase: ConformanceCase, on proxy: ServedProxy, initialise: Bool = false,
        initResponse: HTTPResponse? = nil
    ) -> Outcome {
        let timeout = caseTimeout ?? conformanceCase.timeout
        let runtime = self.runtime
        let box = OutcomeBox()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            defer { done.signal() }
            do {
                var response = initResponse
                if initialise, case .initialised(let action) = conformanceCase.need {
                    let first = try CaseContext(proxy: proxy, runtime: runtime).initialize(action)
                    guard first.status == 200 else {
                        throw CaseFailure("the init of \(action.name) answered \(CaseContext.show(first))")
                    }
                    response = first
                }
                let context = CaseContext(proxy: proxy, runtime: runtime, initResponse: response)
                try conformanceCase.body(context)
                box.set(.passed(context.noteText))
            } catch let failure as CaseFailure {
                box.set(.failed(failure.description))
            } catch let skip as CaseSkip {
                box.set(.skipped(skip.description))
            } catch {
                box.set(.failed("\(error)"))
            }
        }
        // Room for a megabyte of JSON being built and parsed.
        thread.stackSize = 8 << 20
        thread.start()
        guard done.wait(timeout: .now() + timeout) == .success else {
            return .failed("did not finish within \(CaseContext.seconds(timeout)): the proxy hangs")
        }
        return box.get() ?? .failed("the case ended without an outcome")
    }
}

/// The outcome a case's thread leaves for the runner.
private final class OutcomeBox: @unchecked Sendable {
    // @unchecked: every access goes through `lock`.
    private let lock = NSLock()
    private var outcome: ConformanceRunner.Outcome?

    func set(_ value: ConformanceRunner.Outcome) { lock.withLock { outcome = value } }
    func get() -> ConformanceRunner.Outcome? { lock.withLock { outcome } }
}

/// The one proxy of a `--url` target: connected at first use, initialised
/// once, with the action of the first case that needs one.
private final class SharedProxy {
    private let target: ProxyTarget
    private let runtime: RuntimeKind
    private let startTimeout: TimeInterval
    private var connection: Result<ServedProxy, TargetError>?
    private(set) var action: TestAction?
    private var initialisation: Result<HTTPResponse, CaseFailure>?

    init(target: ProxyTarget, runtime: RuntimeKind, startTimeout: TimeInterval) {
        self.target = target
        self.runtime = runtime
        self.startTimeout = startTimeout
    }

    func proxy() throws(TargetError) -> ServedProxy {
        let current =
            connection
            ?? Result { () throws(TargetError) -> ServedProxy in
                try target.start(timeout: startTimeout)
            }
        connection = current
        return try current.get()
    }

    /// The answer to the one init (made by the first call): 200, or a failure.
    func initialise(_ action: TestAction) throws(CaseFailure) -> HTTPResponse {
        if let initialisation { return try initialisation.get() }
        self.action = action
        let made: Result<HTTPResponse, CaseFailure>
        do {
            let response = try CaseContext(proxy: try proxy(), runtime: runtime).initialize(action)
            // A --url target must come uninitialised: say so when it was not.
            let hint = response.status == 403 ? " (was the target initialised before?)" : ""
            made =
                response.status == 200
                ? .success(response)
                : .failure(
                    CaseFailure("the init of \(action.name) answered \(CaseContext.show(response))\(hint)"))
        } catch {
            made = .failure(CaseFailure("the init of \(action.name) failed: \(error)"))
        }
        initialisation = made
        return try made.get()
    }
}
