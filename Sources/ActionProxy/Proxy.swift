import Logging
import NIOCore
import NIOPosix

/// The contract's state machine (PROTOCOL.md §2–§4), confined to one event
/// loop. Blocking work (decoding, extraction, compilation) runs on a thread
/// pool and comes back to the loop.
final class Proxy {
    /// Whether the one init has happened.
    enum Initialization {
        case notStarted
        case inProgress(wasDone: Bool)
        case done
    }

    /// The action process, as `/run` sees it.
    enum Action {
        case none
        case idle(ActionProcess)
        case busy(ActionProcess)
        /// It died after a successful init: runs answer "command exited",
        /// with why when it was killed.
        case exited(ExitReport?)
        /// Stopped after it missed a deadline, and being started again.
        case restarting
    }

    /// The self-initialization of an action baked into the image.
    enum BakedInitialization {
        case inProgress
        case failed(String)
        case done
    }

    private(set) var initialization = Initialization.notStarted
    /// Nil for a stem cell, which an init specializes. A baked action is in
    /// progress from the start, before the server listens: no probe may see
    /// the stem cell's "waiting for /init" in the moment before it begins.
    private(set) var baked: BakedInitialization?
    /// What the single entrypoint's runs take from the last init.
    private var entrypointDefaults: EntrypointRequest.Defaults
    private(set) var action = Action.none
    let configuration: Configuration
    private let eventLoop: EventLoop
    private let threadPool: NIOThreadPool
    private let logger: Logger
    private var lastFolderNumber: Int
    /// What the last successful init started, to start it again after a missed deadline.
    private var lastPrepared: PreparedAction?
    /// Activations sent to the action and not answered yet.
    private var inFlight = 0
    /// Runs that arrived while the action was busy (or restarting), in
    /// arrival order: each starts when the one before it is answered.
    private var waiting = CircularBuffer<WaitingRun>()
    private var lastWaitingNumber = 0
    /// Completed when nothing is in flight or waiting (shutdown).
    private var drained: [EventLoopPromise<Void>] = []
    /// SIGTERM came: every new request is refused with 503.
    private(set) var shuttingDown = false

    init(configuration: Configuration, eventLoop: EventLoop, threadPool: NIOThreadPool, logger: Logger) {
        self.configuration = configuration
        self.eventLoop = eventLoop
        self.threadPool = threadPool
        self.logger = logger
        baked = configuration.bakedAction == nil ? nil : .inProgress
        let existing = (try? FileSystem.listDirectory(configuration.actionDirectory)) ?? []
        lastFolderNumber = existing.compactMap { Int($0) }.max() ?? 0
        entrypointDefaults = EntrypointRequest.Defaults(
            actionName: configuration.bakedAction?.name ?? "", raw: configuration.bakedAction?.raw ?? false,
            namespace: configuration.environment["__OW_NAMESPACE"] ?? "")
    }

    /// Ready for `/run`: initialized and its process alive. `/health` answers with it.
    var isReady: Bool {
        if shuttingDown { return false }
        switch action {
        case .idle(let process), .busy(let process): return process.isAlive
        case .none, .exited, .restarting: return false
        }
    }

    /// `GET /health`: 200 when the proxy can take the request it waits for
    /// (a run, or a stem cell's init), 503 otherwise; readiness probes read
    /// only the status.
    var health: ProxyResponse {
        let state: (ok: Bool, status: String, error: String?)
        if shuttingDown {
            state = (false, "shutting down", nil)
        } else if isReady {
            state = (true, "ready", nil)
        } else {
            switch (baked, action) {
            case (.inProgress?, _): state = (false, "initializing", nil)
            case (.failed(let reason)?, _): state = (false, "initialization failed", reason)
            case (_, .restarting): state = (false, "restarting after a missed deadline", nil)
            case (_, .none):
                if case .inProgress = initialization {
                    state = (true, "initializing", nil)
                } else {
                    state = (true, "waiting for /init", nil)
                }
            case (_, .idle), (_, .busy), (_, .exited): state = (false, "the action exited", nil)
            }
        }
        var members = [
            JSONMember(key: "status", value: .string(state.status)),
            JSONMember(key: "ready", value: .bool(isReady)),
        ]
        if let error = state.error { members.append(JSONMember(key: "error", value: .string(error))) }
        return .json(
            state.ok ? .ok : .serviceUnavailable, ByteBuffer(string: JSONValue.object(members).compactText + "\n"))
    }

    /// Checked when the request head arrives, before its body is read (and
    /// again when it was read). A refused second init is also written to the
    /// log, without sentinels, as the reference does: upstream's test harness
    /// looks for the line there.
    func refusalOfInit() -> ProxyError? {
        if let bakedAction = configuration.bakedAction { return .dedicatedAction(variable: bakedAction.origin) }
        switch initialization {
        case .inProgress: return .initializationInProgress
        case .done where !configuration.allowReinit:
            Sentinels.writeToLog(ProxyError.alreadyInitialized.message + "\n")
            return .alreadyInitialized
        case .notStarted, .done: return nil
        }
    }

    // MARK: - /init

    func initialize(body: ByteBuffer) -> EventLoopFuture<ProxyResponse> {
        eventLoop.assertInEventLoop()
        if shuttingDown { return eventLoop.makeSucceededFuture(.error(.shuttingDown)) }
        if let refusal = refusalOfInit() { return eventLoop.makeSucceededFuture(.error(refusal)) }
        return initialize { () throws(ProxyError) in try InitRequest.decode(body) }
    }

    /// Builds and starts the action that `read` gives (it runs on the thread pool).
    private func initialize(_ read: @escaping @Sendable () throws -> InitRequest) -> EventLoopFuture<ProxyResponse> {
        let wasDone: Bool
        if case .done = initialization { wasDone = true } else { wasDone = false }
        initialization = .inProgress(wasDone: wasDone)
        lastFolderNumber += 1
        let number = lastFolderNumber
        let builder = ActionBuilder(configuration: configuration)
        let configuration = self.configuration
        let bound = NIOLoopBound(self, eventLoop: eventLoop)

        // Started by the server once it listens; a request that came first
        // starts it here (a second start does nothing).
        threadPool.start()
        return threadPool.runIfActive(eventLoop: eventLoop) { () throws -> PreparedAction in
            let request = try read()
            let executable: String
            var folder: String?
            if let code = request.code {
                executable = try builder.build(
                    code: code, main: request.main, environment: request.environment, number: number)
                folder = builder.folder(number)
            } else if let defaultAction = configuration.defaultAction {
                executable = defaultAction + "/exec"
            } else {
                throw ProxyError.missingCode
            }
            let environment = ActionEnvironment.forAction(configuration, initEnvironment: request.environment)
            do {
                try ScriptInterpreter.check(executable, environment: environment)
            } catch {
                if let folder { FileSystem.removeTree(folder) }
                throw error
            }
            return PreparedAction(
                folder: folder, name: request.name, raw: request.raw,
                command: configuration.launcher.map { [$0, FileSystem.absolutePath(executable)] } ?? [executable],
                environment: environment)
        }
        .flatMap { prepared in
            bound.value.start(prepared).map { ($0, prepared) }.flatMapErrorThrowing { error in
                if let folder = prepared.folder { FileSystem.removeTree(folder) }
                throw error
            }
        }
        .map { (process, prepared) in
            bound.value.initialized(with: process, prepared: prepared)
            return ProxyResponse.ok()
        }
        .recover { error in
            bound.value.initializationFailed(error, wasDone: wasDone)
        }
    }

    /// A built action, ready to start.
    private struct PreparedAction: Sendable {
        /// The numbered folder made for it; nil for the default action.
        var folder: String?
        /// The init's `name` and `raw`, for the single entrypoint's runs.
        var name: String?
        var raw: Bool
        /// `bin/exec`, or the launcher and `bin/exec`.
        var command: [String]
        var environment: [String]
    }

    /// Starts the process and waits until it is ready: its ack, or a few
    /// milliseconds without an early exit.
    private func start(_ prepared: PreparedAction) -> EventLoopFuture<ActionProcess> {
        let configuration = self.configuration
        return ActionProcess.start(
            command: prepared.command, environment: prepared.environment,
            maxLineBytes: configuration.maxResultBytes, on: eventLoop, logger: logger
        ).flatMap { process in
            let ready: EventLoopFuture<Void>
            if configuration.waitForAck != nil {
                ready = Proxy.awaitAck(process, timeout: configuration.ackTimeoutMilliseconds)
            } else {
                ready = process.waitForEnd(within: configuration.startGraceMilliseconds).flatMapThrowing { ended in
                    if ended { throw ProxyError.startFailed("command exited") }
                }
            }
            return ready.map { process }.flatMapErrorThrowing { error in
                process.stop()
                throw error
            }
        }
    }

    private static func awaitAck(_ process: ActionProcess, timeout: Int64) -> EventLoopFuture<Void> {
        let reply = process.nextLine()
        let timedOut = NIOLoopBoundBox(false, eventLoop: reply.eventLoop)
        let timer = reply.eventLoop.scheduleTask(in: .milliseconds(timeout)) {
            timedOut.value = true
            process.stop()
        }
        return reply.flatMapThrowing { reply in
            timer.cancel()
            switch reply {
            case .line(let line):
                if case .failed(let message) = ActionAnswer(line) { throw ProxyError.actionFailed(message) }
                let ack = try? line.withUnsafeReadableBytes { raw throws(JSONError) in try JSONParser.parse(raw) }
                guard ack?["ok"] == .bool(true) else {
                    throw ProxyError.startFailed("The action did not initialize properly.")
                }
                // A launcher that serves activations concurrently says so here.
                if ack?["concurrent"] == .bool(true) { process.useFramedLines() }
            case .oversized:
                throw ProxyError.startFailed("The action did not initialize properly.")
            case .exited:
                if timedOut.value {
                    throw ProxyError.startFailed(
                        "The action did not acknowledge its initialization within \(timeout) ms.")
                }
                throw ProxyError.startFailed("Command exited abruptly during initialization.")
            }
        }
    }

    private func initialized(with process: ActionProcess, prepared: PreparedAction) {
        if case .idle(let previous) = action { previous.stop() }
        if case .busy(let previous) = action { previous.stop() }
        action = .idle(process)
        lastPrepared = prepared
        initialization = .done
        if configuration.bakedAction == nil {
            entrypointDefaults.actionName = prepared.name ?? ""
            entrypointDefaults.raw = prepared.raw
        }
        logger.debug("initialized", metadata: ["pid": "\(process.pid)"])
        startWaiting()
    }

    private func initializationFailed(_ error: Error, wasDone: Bool) -> ProxyResponse {
        initialization = wasDone ? .done : .notStarted
        let failure = error as? ProxyError ?? .startFailed("\(error)")
        logger.debug("init failed", metadata: ["error": "\(failure.message)"])
        if configuration.logInitErrors, let short = failure.messageWhenLoggingInitErrors {
            Sentinels.writeToLog(failure.message.hasSuffix("\n") ? failure.message : failure.message + "\n")
            Sentinels.write()
            return .error(failure, message: short)
        }
        // The action's own words: it logged the details, the log needs its end.
        if configuration.logInitErrors, case .actionFailed = failure { Sentinels.write() }
        return .error(failure)
    }

    /// Initializes the action baked into the image (`__OW_ACTION_CODE…`),
    /// once, at start. Runs that come meanwhile wait for it; a failure keeps
    /// `/health` at 503 and every run answers why.
    func initializeBakedAction() {
        eventLoop.assertInEventLoop()
        guard let bakedAction = configuration.bakedAction, case .notStarted = initialization else { return }
        let maxCodeBytes = configuration.maxBodyBytes
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        initialize { () throws(ProxyError) in try bakedAction.request(maxCodeBytes: maxCodeBytes) }
            .whenSuccess { response in
                let proxy = bound.value
                if response.status == .ok {
                    proxy.baked = .done
                } else {
                    let reason =
                        response.body.withUnsafeReadableBytes { raw in try? JSONParser.parse(raw) }?["error"]?
                        .stringValue ?? "status \(response.status.code)"
                    proxy.baked = .failed("\(bakedAction.origin): \(reason)")
                    StandardStreams.writeError(
                        "actionproxy: the action baked into this image (\(bakedAction.origin)) failed to initialize: \(reason)\n"
                    )
                }
                proxy.startWaiting()
            }
    }

    // MARK: - / (the single entrypoint)

    /// `POST /` with `init`, `activation` and `value` (EntrypointRequest):
    /// an init answers as `/init`, a run as a web action (WebAnswer).
    func entrypoint(body: ByteBuffer, http: HTTPContext) -> EventLoopFuture<ProxyResponse> {
        eventLoop.assertInEventLoop()
        if shuttingDown { return eventLoop.makeSucceededFuture(.error(.shuttingDown)) }
        let defaults = entrypointDefaults
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        // Started by the server once it listens; a request that came first starts it here.
        threadPool.start()
        return threadPool.runIfActive(eventLoop: eventLoop) { () throws -> EntrypointRequest in
            try EntrypointRequest.decode(body, http: http, defaults: defaults)
        }
        .flatMap { request in
            let proxy = bound.value
            guard let initialization = request.initialization else {
                return proxy.webRun(request.run ?? ByteBuffer(string: "{}"), http)
            }
            if let refusal = proxy.refusalOfInit() { return proxy.eventLoop.makeSucceededFuture(.error(refusal)) }
            return proxy.initialize { initialization }.flatMap { response in
                guard response.status == .ok, let run = request.run else {
                    return bound.value.eventLoop.makeSucceededFuture(response)
                }
                return bound.value.webRun(run, http)
            }
        }
        .recover { error in .error(error as? ProxyError ?? .startFailed("\(error)")) }
    }

    private func webRun(_ body: ByteBuffer, _ http: HTTPContext) -> EventLoopFuture<ProxyResponse> {
        run(body: body).map { WebAnswer.shape($0, for: http) }
    }

    // MARK: - /run

    /// A run that waits for its turn; answered by `promise`.
    private struct WaitingRun {
        var number: Int
        var body: ByteBuffer
        /// The body's inspection, nil when it is no JSON object.
        var request: RunRequest.Inspection?
        var promise: EventLoopPromise<ProxyResponse>
        /// Answers it at its deadline if it is still waiting then.
        var timer: Scheduled<Void>?
    }

    func run(body: ByteBuffer) -> EventLoopFuture<ProxyResponse> {
        eventLoop.assertInEventLoop()
        if shuttingDown {
            Sentinels.write()
            return eventLoop.makeSucceededFuture(.error(.shuttingDown))
        }
        let request = RunRequest.inspect(body)
        // Runs that came first go first.
        if mustWait || !waiting.isEmpty { return wait(body, request) }
        return start(body, request)
    }

    /// The action is busy with a run, being restarted, or the baked action
    /// is being initialized: a run waits for its turn.
    private var mustWait: Bool {
        if case .inProgress? = baked { return true }
        switch action {
        case .busy, .restarting: return true
        case .idle, .none, .exited: return false
        }
    }

    /// Queues a run behind the ones before it, within its own deadline and
    /// up to `OW_MAX_WAITING_RUNS`.
    private func wait(_ body: ByteBuffer, _ request: RunRequest.Inspection?) -> EventLoopFuture<ProxyResponse> {
        guard waiting.count < configuration.maxWaitingRuns else {
            Sentinels.write()
            return eventLoop.makeSucceededFuture(.error(.tooManyWaitingRuns(limit: configuration.maxWaitingRuns)))
        }
        lastWaitingNumber += 1
        let number = lastWaitingNumber
        let promise = eventLoop.makePromise(of: ProxyResponse.self)
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        let timer = atDeadline(request?.deadline) { bound.value.expire(number) }
        waiting.append(WaitingRun(number: number, body: body, request: request, promise: promise, timer: timer))
        return promise.futureResult
    }

    /// A waiting run's deadline passed before its turn came.
    private func expire(_ number: Int) {
        guard let index = waiting.firstIndex(where: { $0.number == number }) else { return }
        let run = waiting.remove(at: index)
        Sentinels.write()
        run.promise.succeed(.error(.deadlinePassedWhileWaiting))
    }

    /// Starts the waiting runs whose turn it is: the next one, when the
    /// action is free again (and each at once when it is gone).
    private func startWaiting() {
        while let next = waiting.first, !mustWait {
            waiting.removeFirst()
            next.timer?.cancel()
            next.promise.completeWith(start(next.body, next.request))
        }
    }

    /// Runs `task` at `deadline` (milliseconds since the epoch) if it is
    /// still ahead: test kits send placeholder deadlines ("123"), which are
    /// not enforced.
    private func atDeadline(_ deadline: Int64?, _ task: @escaping () -> Void) -> Scheduled<Void>? {
        guard let remaining = deadline.map({ $0 - WallClock.milliseconds() }), remaining > 0 else { return nil }
        return eventLoop.scheduleTask(in: .milliseconds(remaining), task)
    }

    private func start(_ body: ByteBuffer, _ request: RunRequest.Inspection?) -> EventLoopFuture<ProxyResponse> {
        let process: ActionProcess
        switch action {
        case .none:
            if case .failed(let reason)? = baked {
                Sentinels.write()
                return eventLoop.makeSucceededFuture(.error(.bakedActionFailed(reason)))
            }
            return eventLoop.makeSucceededFuture(.error(.notInitialized))
        case .busy, .restarting:
            return wait(body, request)
        case .exited(let report):
            Sentinels.write()
            return eventLoop.makeSucceededFuture(.error(.actionAlreadyExited(report)))
        case .idle(let idle):
            process = idle
        }
        guard process.isAlive else {
            // It died between runs: say why once the reaper knows.
            action = .exited(nil)
            let bound = NIOLoopBound(self, eventLoop: eventLoop)
            return process.exitReport(within: 200).map { report in
                if case .exited = bound.value.action { bound.value.action = .exited(report) }
                Self.log(report)
                Sentinels.write()
                return .error(.actionAlreadyExited(report))
            }
        }
        guard let request else {
            Sentinels.write()
            return eventLoop.makeSucceededFuture(.error(.invalidRequest("The /run body must be a JSON object.")))
        }
        if !process.isConcurrent { action = .busy(process) }
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        let missedDeadline = NIOLoopBoundBox(false, eventLoop: eventLoop)
        let timer = atDeadline(request.deadline) {
            missedDeadline.value = true
            process.stop()
        }
        inFlight += 1
        let line = RunRequest.singleLine(body)
        let exchanged =
            process.beginActivation().map { $0.flatMap { process.exchange(line) } }
            ?? process.exchange(line)
        let loop = eventLoop
        return exchanged.flatMap { reply in
            timer?.cancel()
            let settle = { (report: ExitReport?) -> EventLoopFuture<ProxyResponse> in
                let finish = {
                    bound.value.finished(process, reply, missedDeadline: missedDeadline.value, report: report)
                }
                guard let settled = process.endActivation() else { return loop.makeSucceededFuture(finish()) }
                return settled.map(finish)
            }
            // An action that died: why, once the reaper knows (fd 3 closes first).
            if case .exited = reply, !missedDeadline.value {
                return process.exitReport(within: 200).flatMap(settle)
            }
            return settle(nil)
        }
    }

    /// An action killed by a signal says so in the activation's log (stderr),
    /// before the sentinels.
    private static func log(_ report: ExitReport?) {
        if let report { Sentinels.writeToLog("The action was \(report.description).\n") }
    }

    private func finished(
        _ process: ActionProcess, _ reply: ActionProcess.Reply, missedDeadline: Bool, report: ExitReport?
    ) -> ProxyResponse {
        Self.log(report)
        Sentinels.write()
        inFlight -= 1
        defer {
            // The next run starts after this one's sentinels, then shutdown
            // sees whether any is left.
            startWaiting()
            notifyIfDrained()
        }
        let current: Bool
        switch action {
        case .idle(let serving), .busy(let serving): current = serving === process
        case .none, .exited, .restarting: current = false
        }
        switch reply {
        case .line(let line):
            if current { action = .idle(process) }
            switch ActionAnswer(line) {
            case .result: return .json(.ok, line)
            case .failed(let message): return .error(.actionFailed(message))
            case .invalid: return .error(.resultNotObjectOrArray)
            }
        case .oversized:
            if current { action = .idle(process) }
            return .error(.resultTooLarge(limit: configuration.maxResultBytes))
        case .exited where missedDeadline:
            if current { restart() }
            return .error(.deadlineExceeded)
        case .exited:
            if current { action = .exited(report) }
            return .error(.actionExitedDuringRun(report))
        }
    }

    /// Starts the action again after it was stopped at a deadline: the next
    /// activation finds it ready, as after the init.
    private func restart() {
        guard let prepared = lastPrepared else {
            action = .exited(nil)
            return
        }
        action = .restarting
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        start(prepared).whenComplete { result in
            let proxy = bound.value
            guard case .restarting = proxy.action else {
                // An init replaced it meanwhile.
                if case .success(let process) = result { process.stop() }
                return
            }
            switch result {
            case .success(let process): proxy.action = .idle(process)
            case .failure(let error):
                proxy.logger.error("the action could not be restarted after a missed deadline: \(error)")
                proxy.action = .exited(nil)
            }
            proxy.startWaiting()
            proxy.notifyIfDrained()
        }
    }

    /// Completes the shutdown's wait once nothing is in flight or waiting.
    private func notifyIfDrained() {
        guard inFlight == 0, waiting.isEmpty else { return }
        let waiters = drained
        drained = []
        for waiter in waiters { waiter.succeed() }
    }

    /// Completes when no activation is in flight or waiting, or after
    /// `milliseconds` (shutdown lets them finish, within bounds).
    func drain(within milliseconds: Int64) -> EventLoopFuture<Void> {
        eventLoop.assertInEventLoop()
        guard inFlight > 0 || !waiting.isEmpty else { return eventLoop.makeSucceededVoidFuture() }
        let promise = eventLoop.makePromise(of: Void.self)
        drained.append(promise)
        eventLoop.scheduleTask(in: .milliseconds(milliseconds)) { promise.succeed() }
        return promise.futureResult
    }

    /// SIGTERM: no more work. New requests, on connections old and new, and
    /// the runs still waiting for their turn get 503; what is in flight
    /// finishes (`drain`).
    func beginShutdown() {
        eventLoop.assertInEventLoop()
        shuttingDown = true
        refuseWaiting()
    }

    private func refuseWaiting() {
        while let run = waiting.popFirst() {
            run.timer?.cancel()
            Sentinels.write()
            run.promise.succeed(.error(.shuttingDown))
        }
    }

    /// Stops the action process (shutdown); runs still waiting are refused.
    func stop() {
        switch action {
        case .idle(let process), .busy(let process): process.stop()
        case .none, .exited, .restarting: break
        }
        action = .none
        refuseWaiting()
    }
}
