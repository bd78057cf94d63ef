#if canImport(Glibc)
    import Glibc
#endif

/// The benchmark's side of one keep-alive connection: a request prepared
/// once as bytes, sent whole, and a response read into a reused buffer with
/// only its status and `Content-Length` looked at. Whatever the client costs
/// is added to both proxies' times and pulls their ratio towards 1, so it
/// does as little as it can (the kit's `HTTPClient` parses every header).
final class BenchConnection {
    private let fd: Int32
    private var buffer: UnsafeMutableRawBufferPointer
    /// Bytes of `buffer` that belong to the response being read.
    private var filled = 0

    init(port: Int, timeoutSeconds: Int = 60) throws(BenchError) {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw .connection("socket failed: errno \(errno)") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(socketFD, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var noDelay: Int32 = 1
        setsockopt(socketFD, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
        guard Self.connect(socketFD, port: port) else {
            let code = errno
            close(socketFD)
            throw .connection("connect to 127.0.0.1:\(port) failed: \(String(cString: strerror(code)))")
        }
        fd = socketFD
        buffer = .allocate(byteCount: 64 * 1024, alignment: 16)
    }

    deinit {
        close(fd)
        buffer.deallocate()
    }

    private static func connect(_ socketFD: Int32, port: Int) -> Bool {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(clamping: port).bigEndian)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// `POST path` with a JSON body, as bytes ready to send.
    static func post(_ path: String, body: [UInt8]) -> [UInt8] {
        let head =
            "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.count)\r\n\r\n"
        return Array(head.utf8) + body
    }

    /// The body of the last response, as text (for error messages).
    var body: String {
        guard let end = findHeadEnd() else { return "" }
        return String(decoding: UnsafeRawBufferPointer(rebasing: buffer[end..<filled]), as: UTF8.self)
    }

    /// Sends `request` and reads the whole response: its status.
    func exchange(_ request: [UInt8]) throws(BenchError) -> Int {
        try send(request)
        return try readResponse()
    }

    private func send(_ request: [UInt8]) throws(BenchError) {
        let failure: Int32? = request.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let sent = Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if sent < 0 && errno == EINTR { continue }
                if sent <= 0 { return errno }
                offset += sent
            }
            return nil
        }
        if let failure { throw .connection("send failed: \(String(cString: strerror(failure)))") }
    }

    private func readResponse() throws(BenchError) -> Int {
        filled = 0
        var headEnd = 0
        while true {
            try fill()
            if let end = findHeadEnd() {
                headEnd = end
                break
            }
        }
        let head = UnsafeRawBufferPointer(rebasing: buffer[0..<headEnd])
        guard headEnd > 12, let status = Int(String(decoding: head[9..<12], as: UTF8.self)) else {
            throw .malformed("bad status line")
        }
        guard let length = Self.contentLength(head) else { throw .malformed("a response without Content-Length") }
        let total = headEnd + length
        if total > buffer.count {
            let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: total, alignment: 16)
            grown.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[0..<filled]))
            buffer.deallocate()
            buffer = grown
        }
        while filled < total { try fill() }
        return status
    }

    private func fill() throws(BenchError) {
        if filled == buffer.count {
            let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count * 2, alignment: 16)
            grown.copyMemory(from: UnsafeRawBufferPointer(buffer))
            buffer.deallocate()
            buffer = grown
        }
        let count = recv(fd, buffer.baseAddress! + filled, buffer.count - filled, 0)
        if count == 0 { throw .connection("the proxy closed the connection") }
        if count < 0 {
            if errno == EINTR { return }
            throw .connection("recv failed: \(String(cString: strerror(errno)))")
        }
        filled += count
    }

    /// The index just past `\r\n\r\n`, once the head is complete.
    private func findHeadEnd() -> Int? {
        guard filled >= 4 else { return nil }
        var i = 0
        while i + 3 < filled {
            if buffer[i + 3] != 0x0A {
                // Neither this byte nor the next two can end a match here.
                i += buffer[i + 3] == 0x0D ? 1 : 4
                continue
            }
            if buffer[i] == 0x0D && buffer[i + 1] == 0x0A && buffer[i + 2] == 0x0D { return i + 4 }
            i += 1
        }
        return nil
    }

    private static let lengthName = Array("\r\ncontent-length:".utf8)

    private static func contentLength(_ head: UnsafeRawBufferPointer) -> Int? {
        let name = lengthName
        var i = 0
        search: while i + name.count <= head.count {
            for (offset, expected) in name.enumerated() {
                var byte = head[i + offset]
                if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { byte += 32 }
                if byte != expected {
                    i += 1
                    continue search
                }
            }
            var j = i + name.count
            while j < head.count && head[j] == UInt8(ascii: " ") { j += 1 }
            var value = 0
            var digits = 0
            while j < head.count, head[j] >= UInt8(ascii: "0"), head[j] <= UInt8(ascii: "9"), digits < 18 {
                value = value * 10 + Int(head[j] - UInt8(ascii: "0"))
                j += 1
                digits += 1
            }
            return digits > 0 ? value : nil
        }
        return nil
    }
}

/// Why a benchmark could not go on.
public enum BenchError: Error, CustomStringConvertible {
    case connection(String)
    case malformed(String)
    case failed(String)

    public var description: String {
        switch self {
        case .connection(let reason), .failed(let reason): reason
        case .malformed(let reason): "malformed response: \(reason)"
        }
    }
}
