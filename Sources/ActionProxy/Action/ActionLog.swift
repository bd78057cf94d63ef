import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The action's stdout and stderr, passed on to the proxy's own streams so
/// that the invoker's cut at the sentinels is right (PROTOCOL.md §4):
///
/// - what the action wrote before its result is passed on before the
///   sentinels (the caller waits until `hasPendingOutput` is false, then
///   `close`s);
/// - what it writes after its result, until the next activation begins,
///   belongs to an activation already cut and would land in the next one's
///   log: it is dropped (read while closed), with a count in the debug log.
///
/// With framed (concurrent) lines activations overlap and no cut is exact, so
/// the log stays open. Confined to the action's event loop.
final class ActionLog {
    private let streams: [LogStream]
    private(set) var isOpen = true
    /// Framed lines: activations overlap, so the log is never closed.
    private var overlapping = false

    private init(streams: [LogStream]) {
        self.streams = streams
    }

    /// Pipes for the child's fds 1 and 2: what `Spawn` maps, and what `attach`
    /// then reads.
    struct Pipes {
        let stdout: Pipe
        let stderr: Pipe

        init() throws(SpawnError) {
            stdout = try Pipe()
            stderr = try Pipe()
        }

        var mappings: [Spawn.Mapping] {
            [.init(source: stdout.writeEnd, target: 1), .init(source: stderr.writeEnd, target: 2)]
        }

        /// The child has its copies: the proxy keeps only the read ends.
        func closeWriteEnds() {
            Glibc.close(stdout.writeEnd)
            Glibc.close(stderr.writeEnd)
        }

        func closeAll() {
            for fd in [stdout.readEnd, stdout.writeEnd, stderr.readEnd, stderr.writeEnd] { Glibc.close(fd) }
        }
    }

    /// Reads both pipes on `eventLoop`, passing what comes to fds 1 and 2.
    static func attach(_ pipes: Pipes, on eventLoop: EventLoop) -> EventLoopFuture<ActionLog> {
        let stdout = LogStream(source: pipes.stdout.readEnd, target: 1)
        let stderr = LogStream(source: pipes.stderr.readEnd, target: 2)
        let log = NIOLoopBound(ActionLog(streams: [stdout, stderr]), eventLoop: eventLoop)
        let attached = [stdout, stderr].map { stream in
            let source = stream.source
            let bound = NIOLoopBound(stream, eventLoop: eventLoop)
            return NIOPipeBootstrap(group: eventLoop)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            LogStreamHandler(stream: bound.value, log: log.value))
                    }
                }
                .takingOwnershipOfDescriptor(input: source)
                .map { _ in () }
        }
        return EventLoopFuture.andAllSucceed(attached, on: eventLoop).map { log.value }
    }

    /// The read ends, to poll for output not read yet; -1 for one closed.
    var sources: (stdout: Int32, stderr: Int32) {
        (streams[0].sourceIsOpen ? streams[0].source : -1, streams[1].sourceIsOpen ? streams[1].source : -1)
    }

    /// An activation begins (the caller made sure the output written since
    /// the last one ended was read, and so dropped). Returns how many bytes were.
    @discardableResult
    func open() -> Int {
        isOpen = true
        var dropped = 0
        for stream in streams {
            dropped += stream.dropped
            stream.dropped = 0
        }
        return dropped
    }

    /// An activation ended (the caller made sure what the action wrote was
    /// read): each stream ends on a newline, so the sentinel is a line of its
    /// own, and output is dropped until `open`.
    func close() {
        for stream in streams { stream.endLine() }
        isOpen = overlapping
    }

    /// Framed lines: from now on activations overlap.
    func keepOpen() {
        overlapping = true
        isOpen = true
    }

    fileprivate func received(_ buffer: ByteBuffer, on stream: LogStream) {
        if isOpen { stream.pass(buffer) } else { stream.dropped += buffer.readableBytes }
    }
}

/// One of the action's output pipes and the proxy stream it goes to.
private final class LogStream {
    let source: Int32
    let target: Int32
    /// The pipe's read end is still open (NIO closes it at the end).
    var sourceIsOpen = true
    var endsWithNewline = true
    var dropped = 0

    init(source: Int32, target: Int32) {
        self.source = source
        self.target = target
    }

    func pass(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { write($0) }
    }

    /// A newline when the action's last output did not end with one.
    func endLine() {
        guard !endsWithNewline else { return }
        let newline: [UInt8] = [UInt8(ascii: "\n")]
        newline.withUnsafeBytes { write($0) }
    }

    private func write(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        endsWithNewline = bytes[bytes.count - 1] == UInt8(ascii: "\n")
        StandardStreams.writeAll(target, bytes)
    }
}

private final class LogStreamHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let stream: LogStream
    private let log: ActionLog

    init(stream: LogStream, log: ActionLog) {
        self.stream = stream
        self.log = log
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        log.received(unwrapInboundIn(data), on: stream)
    }

    func channelInactive(context: ChannelHandlerContext) {
        stream.sourceIsOpen = false
        context.fireChannelInactive()
    }
}
