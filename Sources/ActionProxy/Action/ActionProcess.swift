import Logging
import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// One running action: the process, its stdin and its fd 3, confined to one
/// event loop. An exchange is a line written to stdin and the line read back
/// from fd 3: one at a time, or, once a launcher asks for it at its ack,
/// several at once with framed lines (`<id> <json>`, see docs/contract.md).
///
/// Sendable only to travel inside futures of its own loop: every method that
/// touches its state asserts that it runs there.
final class ActionProcess: @unchecked Sendable {
    /// What an exchange with the action ends with.
    enum Reply {
        case line(ByteBuffer)
        case oversized
        case exited
    }

    let pid: pid_t
    private let eventLoop: EventLoop
    private let logger: Logger
    private var channel: Channel?
    private var log: ActionLog?
    /// fd 3's reader and the pipe it reads, for `discardStrayOutput`.
    private var resultReader: (reader: LineReader, fd: Int32)?
    /// The one exchange in flight, in plain mode.
    private var waiting: EventLoopPromise<Reply>?
    /// The exchanges in flight by id, in framed mode.
    private var framed: [UInt64: EventLoopPromise<Reply>] = [:]
    private var lastFrameID: UInt64 = 0
    /// Framed lines: the launcher serves several activations at once.
    private(set) var isConcurrent = false
    private var exitStatus: Int32?
    private var outputClosed = false
    private var stopped = false
    private var endWaiters: [EventLoopPromise<Bool>] = []
    /// The cgroup's OOM kills when it started: more at its end mean the
    /// kernel killed it (or another process) for want of memory.
    private let oomKillsAtStart = MemoryCgroup.oomKills()
    private var statusWaiters: [EventLoopPromise<Int32?>] = []

    /// Gone for good: exited, stopped, or closed its fd 3 so it cannot answer again.
    var isAlive: Bool { exitStatus == nil && !outputClosed && !stopped }

    private init(pid: pid_t, eventLoop: EventLoop, logger: Logger) {
        self.pid = pid
        self.eventLoop = eventLoop
        self.logger = logger
    }

    /// Spawns `executable` with fds 0 and 3 as pipes to the proxy, 1 and 2
    /// as pipes into its `ActionLog`, and watches it until it ends.
    static func start(
        command: [String], environment: [String], maxLineBytes: Int, on eventLoop: EventLoop, logger: Logger
    ) -> EventLoopFuture<ActionProcess> {
        eventLoop.assertInEventLoop()
        let input: Pipe
        let output: Pipe
        let logPipes: ActionLog.Pipes
        let pid: pid_t
        do {
            input = try Pipe()
            output = try Pipe()
        } catch {
            return eventLoop.makeFailedFuture(ProxyError.startFailed("\(error)"))
        }
        let closeLinePipes = {
            for fd in [input.readEnd, input.writeEnd, output.readEnd, output.writeEnd] { close(fd) }
        }
        do {
            logPipes = try ActionLog.Pipes()
        } catch {
            closeLinePipes()
            return eventLoop.makeFailedFuture(ProxyError.startFailed("\(error)"))
        }
        do {
            pid = try Spawn(
                executable: command[0], arguments: Array(command.dropFirst()), environment: environment,
                mappings: [.init(source: input.readEnd, target: 0), .init(source: output.writeEnd, target: 3)]
                    + logPipes.mappings
            ).start()
        } catch {
            closeLinePipes()
            logPipes.closeAll()
            return eventLoop.makeFailedFuture(ProxyError.startFailed("\(error)"))
        }
        close(input.readEnd)
        close(output.writeEnd)
        logPipes.closeWriteEnds()
        logger.debug("started the action", metadata: ["pid": "\(pid)", "command": "\(command)"])

        let process = ActionProcess(pid: pid, eventLoop: eventLoop, logger: logger)
        process.watchExit()
        let bound = NIOLoopBound(process, eventLoop: eventLoop)
        return ActionLog.attach(logPipes, on: eventLoop).flatMap { log in
            bound.value.log = log
            return NIOPipeBootstrap(group: eventLoop)
                .channelOption(.allowRemoteHalfClosure, value: false)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let reader = LineReader(maxLineBytes: maxLineBytes) { event in bound.value.received(event) }
                        bound.value.resultReader = (reader, output.readEnd)
                        try channel.pipeline.syncOperations.addHandler(reader)
                    }
                }
                .takingOwnershipOfDescriptors(input: output.readEnd, output: input.writeEnd)
        }
        .map { channel in
            bound.value.channel = channel
            return bound.value
        }
        .flatMapErrorThrowing { error in
            bound.value.stop()
            throw ProxyError.startFailed("cannot attach to the action's pipes: \(error)")
        }
    }

    /// An activation begins. In one-at-a-time mode, output the action wrote
    /// since the last one ended (on stdout, stderr or fd 3) is read first, and
    /// dropped: it belongs to no activation, and must not reach this one.
    /// Nil when it could begin at once (nothing was waiting: the usual case,
    /// which then costs one `poll` and no future), else what to wait for.
    func beginActivation() -> EventLoopFuture<Void>? {
        eventLoop.assertInEventLoop()
        guard !isConcurrent, log != nil else { return nil }
        guard hasPendingOutput(onResultPipe: true) else {
            openActivation()
            return nil
        }
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        return settle(onResultPipe: true).map { bound.value.openActivation() }
    }

    private func openActivation() {
        resultReader?.reader.dropPartialLine()
        if let dropped = log?.open(), dropped > 0 {
            logger.debug("dropped output the action wrote after its result", metadata: ["bytes": "\(dropped)"])
        }
    }

    /// An activation ended: once what the action wrote for it is read and
    /// passed on, the caller writes the sentinels. Nil when that is so at
    /// once, else what to wait for.
    func endActivation() -> EventLoopFuture<Void>? {
        eventLoop.assertInEventLoop()
        guard log != nil else { return nil }
        guard hasPendingOutput(onResultPipe: false) else {
            log?.close()
            return nil
        }
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        return settle(onResultPipe: false).map { bound.value.log?.close() }
    }

    /// Completes once the action's pipes (and fd 3, if asked) have no bytes
    /// waiting, which the channels reading them then have taken. It only
    /// polls: the channels do the reading, on this loop, between the tries.
    /// An action that never stops writing is given up on after a bounded
    /// number of tries.
    private func settle(onResultPipe: Bool, tries: Int = 1000) -> EventLoopFuture<Void> {
        guard tries > 0, hasPendingOutput(onResultPipe: onResultPipe) else {
            return eventLoop.makeSucceededVoidFuture()
        }
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        return eventLoop.flatSubmit { bound.value.settle(onResultPipe: onResultPipe, tries: tries - 1) }
    }

    /// Whether stdout, stderr or fd 3 hold bytes not read yet: one `poll`,
    /// no allocation. Pipes already closed are skipped (a negative fd).
    private func hasPendingOutput(onResultPipe: Bool) -> Bool {
        let sources = log?.sources ?? (stdout: -1, stderr: -1)
        let result = onResultPipe ? resultReader?.fd ?? -1 : -1
        var pollers = (
            pollfd(fd: sources.stdout, events: Int16(POLLIN), revents: 0),
            pollfd(fd: sources.stderr, events: Int16(POLLIN), revents: 0),
            pollfd(fd: result, events: Int16(POLLIN), revents: 0)
        )
        let ready = withUnsafeMutableBytes(of: &pollers) { raw -> Int32 in
            guard let base = raw.baseAddress else { return 0 }
            return poll(base.assumingMemoryBound(to: pollfd.self), 3, 0)
        }
        guard ready > 0 else { return false }
        let pollin = Int16(POLLIN)
        return pollers.0.revents & pollin != 0 || pollers.1.revents & pollin != 0 || pollers.2.revents & pollin != 0
    }

    /// Writes `line` (without its newline) to stdin and waits for the next
    /// line on fd 3, or for the end of the process.
    func exchange(_ line: ByteBuffer) -> EventLoopFuture<Reply> {
        eventLoop.assertInEventLoop()
        guard isAlive, let channel else { return eventLoop.makeSucceededFuture(.exited) }
        let promise = eventLoop.makePromise(of: Reply.self)
        if isConcurrent {
            lastFrameID += 1
            framed[lastFrameID] = promise
            channel.write(ByteBuffer(string: "\(lastFrameID) "), promise: nil)
        } else {
            waiting = promise
        }
        channel.write(line, promise: nil)
        channel.writeAndFlush(ByteBuffer(integer: UInt8(ascii: "\n")), promise: nil)
        return promise.futureResult
    }

    /// From now on, lines are framed with an id and exchanges may overlap.
    func useFramedLines() {
        eventLoop.assertInEventLoop()
        isConcurrent = true
        log?.keepOpen()
    }

    /// Waits for the first line on fd 3 without writing anything: the ack.
    func nextLine() -> EventLoopFuture<Reply> {
        eventLoop.assertInEventLoop()
        guard isAlive else { return eventLoop.makeSucceededFuture(.exited) }
        let promise = eventLoop.makePromise(of: Reply.self)
        waiting = promise
        return promise.futureResult
    }

    /// True once the process is gone, false if it is still there after
    /// `milliseconds` (counted once its pipes are attached: counted from the
    /// spawn, a shell that exits at once was missed on a loaded machine).
    func waitForEnd(within milliseconds: Int64) -> EventLoopFuture<Bool> {
        guard isAlive else { return eventLoop.makeSucceededFuture(true) }
        let promise = eventLoop.makePromise(of: Bool.self)
        endWaiters.append(promise)
        eventLoop.scheduleTask(in: .milliseconds(milliseconds)) { promise.succeed(false) }
        return promise.futureResult
    }

    /// Why it ended, once the reaper has its status (within `milliseconds`:
    /// fd 3 closes before the exit is reaped): the signal and whether it ran
    /// out of memory; nil for a plain exit, a stop by the proxy, or no status.
    func exitReport(within milliseconds: Int64) -> EventLoopFuture<ExitReport?> {
        let status: EventLoopFuture<Int32?>
        if let exitStatus {
            status = eventLoop.makeSucceededFuture(exitStatus)
        } else {
            let promise = eventLoop.makePromise(of: Int32?.self)
            statusWaiters.append(promise)
            eventLoop.scheduleTask(in: .milliseconds(milliseconds)) { promise.succeed(nil) }
            status = promise.futureResult
        }
        let stopped = self.stopped
        let oomKillsAtStart = self.oomKillsAtStart
        return status.map { status in
            guard let status, !stopped else { return nil }
            return ExitReport(
                waitStatus: status, oomKillsAtStart: oomKillsAtStart, oomKillsNow: MemoryCgroup.oomKills(),
                limitBytes: MemoryCgroup.limitBytes())
        }
    }

    /// Kills the process and everything it started, and closes the pipes.
    func stop() {
        eventLoop.assertInEventLoop()
        if exitStatus == nil {
            kill(-pid, SIGKILL)
            kill(pid, SIGKILL)
        }
        stopped = true
        channel?.close(promise: nil)
        finishWaiting(.exited)
        notifyEnd()
    }

    private func received(_ event: LineReader.Event) {
        switch event {
        case .line(var line):
            if isConcurrent {
                if let id = FramedLine.readID(&line), let promise = framed.removeValue(forKey: id) {
                    return promise.succeed(.line(line))
                }
            } else if let waiting {
                self.waiting = nil
                return waiting.succeed(.line(line))
            }
            logger.debug(
                "dropped a line the action wrote outside an activation", metadata: ["bytes": "\(line.readableBytes)"])
        case .oversized(var head):
            if isConcurrent {
                if let id = FramedLine.readID(&head) { framed.removeValue(forKey: id)?.succeed(.oversized) }
            } else {
                finishWaiting(.oversized)
            }
        case .closed:
            outputClosed = true
            channel = nil
            resultReader = nil
            finishWaiting(.exited)
            notifyEnd()
        }
    }

    private func notifyEnd() {
        let waiters = endWaiters
        endWaiters = []
        for waiter in waiters { waiter.succeed(true) }
    }

    /// Ends every exchange in flight with `reply`.
    private func finishWaiting(_ reply: Reply) {
        if let waiting {
            self.waiting = nil
            waiting.succeed(reply)
        }
        let inFlight = framed
        framed = [:]
        for promise in inFlight.values { promise.succeed(reply) }
    }

    /// The reaper hears of the exit; the loop learns of it. The process's
    /// last line may still be in the pipe, so exchanges in flight wait a
    /// moment for fd 3 to close before they report the exit.
    private func watchExit() {
        let pid = self.pid
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        let eventLoop = self.eventLoop
        ChildReaper.shared.watch(pid) { status in
            eventLoop.execute {
                let process = bound.value
                process.exitStatus = status
                process.notifyEnd()
                let waiters = process.statusWaiters
                process.statusWaiters = []
                for waiter in waiters { waiter.succeed(status) }
                process.logger.debug(
                    "the action ended", metadata: ["pid": "\(pid)", "status": "\(describeWaitStatus(status))"])
                // A child of the action may keep fd 3 open: don't wait on it for long.
                eventLoop.scheduleTask(in: .milliseconds(50)) {
                    bound.value.channel?.close(promise: nil)
                    bound.value.finishWaiting(.exited)
                }
            }
        }
    }
}

/// The id in front of a framed line: decimal digits and one space.
enum FramedLine {
    /// Reads `<id> ` off the front of `line`; nil (and `line` untouched) if it
    /// does not start so.
    static func readID(_ line: inout ByteBuffer) -> UInt64? {
        var id: UInt64 = 0
        var digits = 0
        for byte in line.readableBytesView {
            if byte == UInt8(ascii: " ") && digits > 0 {
                line.moveReaderIndex(forwardBy: digits + 1)
                return id
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), digits < 19 else { return nil }
            id = id * 10 + UInt64(byte - UInt8(ascii: "0"))
            digits += 1
        }
        return nil
    }
}
