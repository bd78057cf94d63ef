import Foundation

/// Runs cases one after another against a target: a fresh proxy per case
/// (a container or a host process, stopped afterwards), or one running proxy
/// shared by the cases that allow it. Each case is bounded by its timeout,
/// so a proxy that hangs fails the case instead of the run.
public struct ConformanceRunner: Sendable {
    public let target: ProxyTarget
    public let runtime: RuntimeKind
    /// Added to every proxy the runner starts (what a host runtime needs).
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
    public enum Event {
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
                result = CaseResult(conformanceCase, .failed, "not run: the target did not start twice in a row (\(last))")
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
        defer { Self.stop(proxy) }
        if conformanceCase.needsLogs && proxy.logs == nil {
            return CaseResult(conformanceCase, .skipped, "the target's logs are out of reach")
        }
        let outcome = execute(conformanceCase, on: proxy, initialise: true)
        if case .failed(let reason) = outcome, reason.hasPrefix(Self.timeoutMarker) {
            Self.stop(proxy)
        }
        return outcome.result(conformanceCase, duration: Date().timeIntervalSince(started))
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
        let order = cases.indices.sorted { rank(cases[$0]) < rank(cases[$1]) || (rank(cases[$0]) == rank(cases[$1]) && $0 < $1) }
        var results = [CaseResult?](repeating: nil, count: cases.count)
        var proxy: ServedProxy?
        var connectFailure: String?
        var sharedAction: TestAction?
        var sharedInit: Result<HTTPResponse, CaseFailure>?
        for (position, index) in order.enumerated() {
            let conformanceCase = cases[index]
            observe(.started(index: position, count: cases.count, conformanceCase))
            let started = Date()
            let result: CaseResult
            if !conformanceCase.need.sharable {
                result = CaseResult(
                    conformanceCase, .skipped, "needs a fresh proxy of its own (a --url target is one proxy)")
            } else if conformanceCase.needsLogs {
                result = CaseResult(conformanceCase, .skipped, "the target's logs are out of reach")
            } else if let connectFailure {
                result = CaseResult(conformanceCase, .failed, "the target does not answer: \(connectFailure)")
            } else {
                if proxy == nil {
                    do {
                        proxy = try target.start(timeout: startTimeout)
                    } catch {
                        connectFailure = "\(error)"
                    }
                }
                if let proxy {
                    var outcome: Outcome
                    if case .initialised(let action) = conformanceCase.need {
                        if sharedAction == nil {
                            sharedAction = action
                            let context = CaseContext(proxy: proxy, runtime: runtime)
                            do {
                                sharedInit = .success(try context.initialize(action))
                            } catch {
                                sharedInit = .failure(CaseFailure("\(error)"))
                            }
                        }
                        if sharedAction?.name != action.name {
                            outcome = .skipped("needs its own init (the target was initialised with \(sharedAction?.name ?? "?"))")
                        } else {
                            switch sharedInit {
                            case .success(let response) where response.status == 200:
                                outcome = execute(conformanceCase, on: proxy, initResponse: response)
                            case .success(let response):
                                outcome = .failed("the init of \(action.name) answered \(CaseContext.show(response))")
                            case .failure(let failure):
                                outcome = .failed("the init of \(action.name) failed: \(failure)")
                            case nil:
                                outcome = .failed("the init of \(action.name) was not made")
                            }
                        }
                    } else {
                        outcome = execute(conformanceCase, on: proxy, initialise: false)
                    }
                    result = outcome.result(conformanceCase, duration: Date().timeIntervalSince(started))
                } else {
                    result = CaseResult(
                        conformanceCase, .failed, "the target does not answer: \(connectFailure ?? "?")")
                }
            }
            observe(.finished(result))
            results[index] = result
        }
        return results.compactMap { $0 }
    }

    private func rank(_ conformanceCase: ConformanceCase) -> Int {
        switch conformanceCase.need {
        case .uninitialised: 0
        case .initialised: 1
        case .fresh: 2
        }
    }

    // MARK: Running a body

    static let timeoutMarker = "did not finish within"

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
            return .failed("\(Self.timeoutMarker) \(CaseContext.seconds(timeout)): the proxy hangs")
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
