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
    private let proxy: NIOLoopBound<Proxy>
    /// True once `shutdown` has finished: `wait` returns then, not when the
    /// listener closes (which is shutdown's first step).
    private let stopped = ConditionLock(value: false)

    /// The address actually bound (the port is the real one when 0 was asked).
    public var localAddress: SocketAddress? { channel.localAddress }

    private init(
        configuration: Configuration, group: MultiThreadedEventLoopGroup, threadPool: NIOThreadPool,
        channel: Channel, proxy: NIOLoopBound<Proxy>
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
        try FileSystem.makeDirectories(configuration.actionDirectory)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        // Started once the port is open (below), while the first request is
        // on its way: a thread start is a millisecond of a cold start here.
        let threadPool = NIOThreadPool(numberOfThreads: 1)
        let eventLoop = group.next()
        let proxy = try eventLoop.submit {
            NIOLoopBound(
                Proxy(configuration: configuration, eventLoop: eventLoop, threadPool: threadPool, logger: logger),
                eventLoop: eventLoop)
        }.wait()
        do {
            let channel = try ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
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
                .bind(to: try listeningAddress(configuration))
                .wait()
            logger.debug("listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
            threadPool.start()
            ChildReaper.prepare()
            return HTTPServer(
                configuration: configuration, group: group, threadPool: threadPool, channel: channel, proxy: proxy)
        } catch {
            try? threadPool.syncShutdownGracefully()
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

    /// Blocks until `shutdown` has finished.
    public func wait() {
        stopped.lock(whenValue: true)
        stopped.unlock()
    }

    /// Stops taking connections, lets the activations in flight finish (for
    /// at most `OW_SHUTDOWN_GRACE_MS`), stops the action and the loop.
    public func shutdown() {
        let proxy = self.proxy
        let grace = configuration.shutdownGraceMilliseconds
        try? channel.close().wait()
        try? channel.eventLoop.flatSubmit { proxy.value.drain(within: grace) }.wait()
        try? channel.eventLoop.submit { proxy.value.stop() }.wait()
        try? threadPool.syncShutdownGracefully()
        try? group.syncShutdownGracefully()
        stopped.lock()
        stopped.unlock(withValue: true)
    }
}
