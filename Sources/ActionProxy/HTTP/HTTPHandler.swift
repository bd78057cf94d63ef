import Logging
import NIOCore
import NIOHTTP1

/// One HTTP connection: collects a request's body, hands it to the proxy and
/// writes the JSON answer as raw bytes (`ResponseWriter`). Requests on a
/// connection are answered in order: parts that arrive while an answer is
/// pending wait in `queued`, and reading stops while any do, so a client that
/// pipelines cannot make the queue grow. A connection that does not pipeline
/// never stops reading (no epoll changes per request).
final class HTTPHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum State {
        case idle
        /// The body so far is in `body`, not here: a buffer held by the enum
        /// and by a local copy would be copied at every chunk (quadratic).
        case collecting(Route, HTTPRequestHead)
        /// The answer is known from the head: the body is read and dropped.
        case refusing(HTTPRequestHead, ProxyError)
        /// A request was handed over; its answer is not written yet.
        case answering
        /// Answered early (body too large, malformed request); the connection closes.
        case closing
    }

    private let proxy: Proxy
    private let maxBodyBytes: Int
    private let logger: Logger
    private var state = State.idle
    /// The body of the request being collected; its one reference, so that
    /// appending a chunk never copies what came before.
    private var body: ByteBuffer?
    private var isActive = true
    /// Parts of pipelined requests that came while an answer was pending.
    private var queued = CircularBuffer<HTTPServerRequestPart>()
    /// A `read` held back while requests are queued.
    private var readHeld = false

    init(proxy: Proxy, logger: Logger) {
        self.proxy = proxy
        self.maxBodyBytes = proxy.configuration.maxBodyBytes
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch state {
        case .answering:
            queued.append(part)
        case .closing:
            break
        case .idle, .collecting, .refusing:
            if queued.isEmpty { handle(part, context: context) } else { queued.append(part) }
        }
    }

    func read(context: ChannelHandlerContext) {
        if queued.isEmpty {
            context.read()
        } else {
            readHeld = true
        }
    }

    private func handle(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch part {
        case .head(let head):
            received(head, context: context)
        case .body(var chunk):
            guard case .collecting(_, let head) = state else { return }
            let collected = body?.readableBytes ?? 0
            guard collected + chunk.readableBytes <= maxBodyBytes else {
                body = nil
                return refuseOversized(head, context: context)
            }
            guard var collecting = body else {
                // One allocation of the announced length instead of doubling as chunks come.
                let announced = head.headers.first(name: "content-length").flatMap(Int.init) ?? 0
                if announced > chunk.readableBytes {
                    var first = context.channel.allocator.buffer(capacity: announced)
                    first.withUnsafeMutableWritableBytes { HugePages.advise($0.baseAddress, count: $0.count) }
                    first.writeBuffer(&chunk)
                    body = first
                } else {
                    body = chunk
                }
                return
            }
            body = nil  // `collecting` is now the buffer's one reference: appending does not copy.
            collecting.writeBuffer(&chunk)
            body = collecting
        case .end:
            let current = state
            state = .idle
            switch current {
            case .collecting(let route, let head):
                let collected = body ?? ByteBuffer()
                body = nil
                dispatch(route, head, collected, context: context)
            case .refusing(let head, let error):
                respond(.error(error), to: head, context: context)
            case .idle, .answering, .closing:
                break
            }
        }
    }

    private func received(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        switch Route.resolve(head, entrypointMethods: proxy.configuration.entrypointMethods) {
        case .failure(let error):
            state = .refusing(head, error)
        case .success(let route):
            if let length = head.headers.first(name: "content-length").flatMap(Int.init), length > maxBodyBytes {
                return refuseOversized(head, context: context)
            }
            if route == .initialize, let refusal = proxy.refusalOfInit() {
                state = .refusing(head, refusal)
            } else {
                state = .collecting(route, head)
                // curl asks before sending bodies over 1 KB; don't make it wait a second.
                if head.headers["expect"].contains(where: { $0.lowercased() == "100-continue" }) {
                    let interim = ResponseWriter.interimContinue(
                        version: head.version, allocator: context.channel.allocator)
                    context.writeAndFlush(wrapOutboundOut(interim), promise: nil)
                }
            }
        }
    }

    private func dispatch(_ route: Route, _ head: HTTPRequestHead, _ body: ByteBuffer, context: ChannelHandlerContext) {
        let answer: EventLoopFuture<ProxyResponse>
        switch route {
        case .initialize: answer = proxy.initialize(body: body)
        case .run: answer = proxy.run(body: body)
        case .entrypoint: answer = proxy.entrypoint(body: body, http: HTTPContext(head))
        case .health:
            respond(proxy.health, to: head, context: context)
            return
        }
        state = .answering
        answer.assumeIsolated().whenComplete { result in
            switch result {
            case .success(let response): self.respond(response, to: head, context: context)
            case .failure(let error): self.respond(.error(.startFailed("\(error)")), to: head, context: context)
            }
        }
    }

    /// A body over the limit is answered at once, without reading the rest,
    /// and the connection is closed.
    private func refuseOversized(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        respond(.error(.bodyTooLarge(limit: maxBodyBytes)), to: head, context: context, close: true)
    }

    private func respond(
        _ response: ProxyResponse, to request: HTTPRequestHead, context: ChannelHandlerContext, close: Bool = false
    ) {
        let keepAlive = request.isKeepAlive && !close
        state = keepAlive ? .idle : .closing
        guard isActive else { return }
        let bytes = ResponseWriter.encode(
            response, version: request.version, includeBody: request.method != .HEAD, keepAlive: keepAlive,
            allocator: context.channel.allocator)
        let written = keepAlive ? nil : context.eventLoop.makePromise(of: Void.self)
        if let body = bytes.body {
            context.write(wrapOutboundOut(bytes.head), promise: nil)
            context.writeAndFlush(wrapOutboundOut(body), promise: written)
        } else {
            context.writeAndFlush(wrapOutboundOut(bytes.head), promise: written)
        }
        if let written {
            queued.removeAll()
            written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        } else {
            serveQueued(context: context)
        }
    }

    /// Serves the parts that waited for the last answer, then reads again if
    /// a read was held back.
    private func serveQueued(context: ChannelHandlerContext) {
        while !queued.isEmpty, isActive {
            if case .answering = state { return }
            if case .closing = state { return queued.removeAll() }
            handle(queued.removeFirst(), context: context)
        }
        if readHeld, queued.isEmpty {
            readHeld = false
            context.read()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        isActive = false
        queued.removeAll()
        body = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        isActive = false
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        let isAnswering: Bool
        if case .answering = state { isAnswering = true } else { isAnswering = false }
        if let parseError = error as? HTTPParserError, isActive, !isAnswering, queued.isEmpty {
            // A request that cannot be parsed still gets a JSON answer.
            logger.debug("bad HTTP request", metadata: ["error": "\(parseError)"])
            let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/")
            respond(.error(.malformedHTTP("\(parseError)")), to: head, context: context, close: true)
        } else {
            context.close(promise: nil)
        }
    }
}
