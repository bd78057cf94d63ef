import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The proxy's HTTP server. Everything runs on one event loop: the proxy
/// serves one action, and one loop keeps its pipes and its connections free
/// of thread hops.
public final class HTTPServer: Sendable {
    public let configuration: Configuration
    private let group: MultiThreadedEventLoopGroup
    private let threadPool: NIOThreadPool
    private let channel: Channel
    private let proxy: NIOLoopBoundBox<Proxy>
    /// True once `shutdown` has finished: `wait` returns then, not when the
    /// listener closes (which is shutdown's first step).
    private let stopped = ConditionLock(value: false)

    /// The address actually bound (the port is the real one when 0 was asked).
    public var localAddress: SocketAddress? { channel.localAddress }

    private init(
        configuration: Configuration, group: MultiThreadedEventLoopGroup, threadPool: NIOThreadPool,
        channel: Channel, proxy: NIOLoopBoundBox<Proxy>
    ) {
        self.configuration = configuration
        self.group = group
        self.threadPool = threadPool
        self.channel = channel
        self.proxy = proxy
    }

    /// Binds and starts serving.
    public static func start(configuration: Configuration, logger: Logger) throws -> HTTPServer {
        // Writes to a pipe whose reader is gone must fail, not kill the proxy.
        signal(SIGPIPE, SIG_IGN)
        var configuration = configuration
        configuration.actionDirectory = try configuration.preparedActionDirectory()
        // The port is open before anything else starts: a client's connection
        // and first request travel while the event loop comes up.
        let socket = try listeningSocket(try listeningAddress(configuration))
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        // Started once the channel is up (below), while the first request is
        // on its way: a thread start is a millisecond of a cold start here.
        let threadPool = NIOThreadPool(numberOfThreads: 1)
        let eventLoop = group.next()
        // Made here and handed to the loop, which alone touches it from now on.
        let proxy = NIOLoopBoundBox.makeBoxSendingValue(
            Proxy(configuration: configuration, eventLoop: eventLoop, threadPool: threadPool, logger: logger),
            eventLoop: eventLoop)
        do {
            let channel = try ServerBootstrap(group: group)
                .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                .childChannelOption(.maxMessagesPerRead, value: 16)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let pipeline = channel.pipeline.syncOperations
                        // The decoder only: HTTPHandler writes its answers as bytes and
                        // serialises pipelined requests itself (see there why).
                        try pipeline.addHandler(ByteToMessageHandler(HTTPRequestDecoder()))
                        try pipeline.addHandler(HTTPHandler(proxy: proxy.value, logger: logger))
                    }
                }
                .withBoundSocket(socket)
                .wait()
            logger.debug("listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
            threadPool.start()
            ChildReaper.prepare()
            eventLoop.execute { proxy.value.initializeBakedAction() }
            return HTTPServer(
                configuration: configuration, group: group, threadPool: threadPool, channel: channel, proxy: proxy)
        } catch {
            try? group.syncShutdownGracefully()
            throw error
        }
    }

    /// An IP address is taken as it is: the resolver (netlink, nscd) costs a
    /// millisecond of every cold start. Names are resolved.
    private static func listeningAddress(_ configuration: Configuration) throws -> SocketAddress {
        if let address = try? SocketAddress(ipAddress: configuration.host, port: configuration.port) {
            return address
        }
        return try SocketAddress.makeAddressResolvingHost(configuration.host, port: configuration.port)
    }

    /// A nonblocking TCP socket bound to `address` and listening.
    private static func listeningSocket(_ address: SocketAddress) throws -> CInt {
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd = Glibc.socket(address.protocol.rawValue, type, 0)
        guard fd >= 0 else { throw ListenError(code: errno) }
        var one: CInt = 1
        let bound =
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<CInt>.size)) == 0
            && address.withSockAddr { bind(fd, $0, socklen_t($1)) } == 0
            && listen(fd, 256) == 0
        guard bound else {
            let code = errno
            close(fd)
            throw ListenError(code: code)
        }
        return fd
    }

    /// Blocks until `shutdown` has finished.
    public func wait() {
        stopped.lock(whenValue: true)
        stopped.unlock()
    }

    /// Stops taking connections and work (new requests get 503), lets the
    /// activations in flight finish (for at most `OW_SHUTDOWN_GRACE_MS`),
    /// stops the action and the loop.
    public func shutdown() {
        let proxy = self.proxy
        let grace = configuration.shutdownGraceMilliseconds
        try? channel.close().wait()
        try? channel.eventLoop.flatSubmit {
            proxy.value.beginShutdown()
            return proxy.value.drain(within: grace)
        }.wait()
        try? channel.eventLoop.submit { proxy.value.stop() }.wait()
        try? threadPool.syncShutdownGracefully()
        try? group.syncShutdownGracefully()
        stopped.lock()
        stopped.unlock(withValue: true)
    }
}

/// The port could not be opened: "Address already in use (errno 98)".
struct ListenError: Error, CustomStringConvertible {
    let code: Int32
    var description: String { "\(String(cString: strerror(code))) (errno \(code))" }
}
