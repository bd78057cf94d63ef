import NIOCore

/// Cuts the action's fd 3 into lines of any length (up to a limit) and hands
/// each, newline included, to the action process. Searching resumes where the
/// last search stopped, so a 50 MB line costs one pass.
final class LineReader: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    enum Event {
        case line(ByteBuffer)
        /// A line grew past the limit; its bytes are dropped up to its newline.
        /// Its first bytes come along (a framed line's id is there).
        case oversized(head: ByteBuffer)
        case closed
    }

    private let maxLineBytes: Int
    private let deliver: (Event) -> Void
    private var pending: ByteBuffer?
    private var searched = 0
    private var discarding = false

    init(maxLineBytes: Int, deliver: @escaping (Event) -> Void) {
        self.maxLineBytes = maxLineBytes
        self.deliver = deliver
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var chunk = unwrapInboundIn(data)
        if var buffer = pending {
            pending = nil
            buffer.writeBuffer(&chunk)
            pending = buffer
        } else {
            pending = chunk
        }
        splitLines()
    }

    func channelInactive(context: ChannelHandlerContext) {
        pending = nil
        deliver(.closed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    private func splitLines() {
        while var buffer = pending {
            let newline = buffer.withUnsafeReadableBytes { raw -> Int? in
                guard searched < raw.count, let base = raw.baseAddress,
                    let found = memchr(base + searched, 0x0A, raw.count - searched)
                else { return nil }
                return base.distance(to: UnsafeRawPointer(found))
            }
            guard let newline else {
                searched = buffer.readableBytes
                if !discarding && searched > maxLineBytes {
                    discarding = true
                    deliver(.oversized(head: buffer.getSlice(at: buffer.readerIndex, length: 32) ?? ByteBuffer()))
                }
                if discarding {
                    pending = nil
                    searched = 0
                }
                return
            }
            let line = buffer.readSlice(length: newline + 1)
            pending = buffer.readableBytes > 0 ? buffer : nil
            searched = 0
            if discarding {
                discarding = false
            } else if let line {
                let isOversized = line.readableBytes > maxLineBytes + 1
                deliver(isOversized ? .oversized(head: line.getSlice(at: line.readerIndex, length: 32) ?? line) : .line(line))
            }
        }
    }
}

extension LineReader {
    /// Before an exchange in plain mode nothing on fd 3 can be its answer
    /// yet: a partial line there is the start of a stray one, dropped up to
    /// its newline so that it is never read as the next answer. (Whole lines
    /// were dropped as they came: no exchange waited for them.)
    func dropPartialLine() {
        if pending != nil {
            pending = nil
            searched = 0
            discarding = true
        }
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif
