import Logging
import NIOCore
import NIOHTTP1

/// One HTTP connection: collects a request's body, hands it to the proxy and
/// writes the JSON answer. Requests on a connection are served in order
/// (pipelining is serialised by `HTTPServerPipelineHandler` in front).
final class HTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        case idle
        case collecting(Route, HTTPRequestHead, ByteBuffer?)
        /// The answer is known from the head: the body is read and dropped.
        case refusing(HTTPRequestHead, ProxyError)
        /// Answered early (body too large); the connection closes.
        case closing
    }

    private let proxy: Proxy
    private let maxBodyBytes: Int
    private let logger: Logger
    private var state = State.idle
    private var isActive = true

    init(proxy: Proxy, logger: Logger) {
        self.proxy = proxy
        self.maxBodyBytes = proxy.configuration.maxBodyBytes
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            received(head, context: context)
        case .body(var chunk):
            guard case .collecting(let route, let head, var body) = state else { return }
            state = .idle
            if var collected = body {
                guard collected.readableBytes + chunk.readableBytes <= maxBodyBytes else {
                    return refuseOversized(head, context: context)
                }
                body = nil
                collected.writeBuffer(&chunk)
                body = collected
            } else {
                guard chunk.readableBytes <= maxBodyBytes else { return refuseOversized(head, context: context) }
                body = chunk
            }
            state = .collecting(route, head, body)
        case .end:
            let current = state
            state = .idle
            switch current {
            case .collecting(let route, let head, let body):
                dispatch(route, head, body ?? ByteBuffer(), context: context)
            case .refusing(let head, let error):
                respond(.error(error), to: head, context: context)
            case .idle, .closing:
                break
            }
        }
    }

    private func received(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        switch Route.resolve(head) {
        case .failure(let error):
            state = .refusing(head, error)
        case .success(let route):
            if let length = head.headers.first(name: "content-length").flatMap(Int.init), length > maxBodyBytes {
                return refuseOversized(head, context: context)
            }
            if route == .initialize, let refusal = proxy.refusalOfInit() {
                state = .refusing(head, refusal)
            } else {
                state = .collecting(route, head, nil)
                // curl asks before sending bodies over 1 KB; don't make it wait a second.
                if head.headers["expect"].contains(where: { $0.lowercased() == "100-continue" }) {
                    let interim = HTTPResponseHead(version: head.version, status: .continue)
                    context.writeAndFlush(wrapOutboundOut(.head(interim)), promise: nil)
                }
            }
        }
    }

    private func dispatch(_ route: Route, _ head: HTTPRequestHead, _ body: ByteBuffer, context: ChannelHandlerContext) {
        let answer: EventLoopFuture<ProxyResponse>
        switch route {
        case .initialize: answer = proxy.initialize(body: body)
        case .run: answer = proxy.run(body: body)
        case .health:
            let ready = proxy.isReady
            let text = "{\"status\":\"\(ready ? "ready" : "waiting for /init")\",\"ready\":\(ready)}\n"
            respond(.json(.ok, ByteBuffer(string: text)), to: head, context: context)
            return
        }
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
        state = .closing
        respond(.error(.bodyTooLarge(limit: maxBodyBytes)), to: head, context: context, close: true)
    }

    private func respond(
        _ response: ProxyResponse, to request: HTTPRequestHead, context: ChannelHandlerContext, close: Bool = false
    ) {
        guard isActive else { return }
        let keepAlive = request.isKeepAlive && !close
        var headers = HTTPHeaders()
        headers.reserveCapacity(3)
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(response.body.readableBytes))
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: request.version, status: response.status, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if request.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(response.body))), promise: nil)
        }
        let written = context.writeAndFlushPromise()
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
        if !keepAlive {
            written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        isActive = false
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        isActive = false
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if let parseError = error as? HTTPParserError, isActive {
            // A request that cannot be parsed still gets a JSON answer.
            logger.debug("bad HTTP request", metadata: ["error": "\(parseError)"])
            let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/")
            state = .closing
            respond(.error(.malformedHTTP("\(parseError)")), to: head, context: context, close: true)
        } else {
            context.close(promise: nil)
        }
    }
}

extension ChannelHandlerContext {
    fileprivate func writeAndFlushPromise() -> EventLoopPromise<Void> { eventLoop.makePromise() }
}
