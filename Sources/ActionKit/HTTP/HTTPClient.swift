import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A blocking HTTP/1.1 client on one keep-alive connection, written on raw
/// sockets so that what the kit sees is exactly what the proxy sent: no
/// retries, no redirects, no header rewriting.
public final class HTTPClient {
    private let fd: Int32
    private var buffer = Data()

    /// Connects to `host:port` (an IPv4 address or a name, `localhost` for
    /// 127.0.0.1). `timeoutSeconds` bounds every read.
    public init(host: String = "127.0.0.1", port: Int, timeoutSeconds: Double = 30) throws(HTTPClientError) {
        // `fd` is assigned last: a failed init must not run deinit, which
        // would close the descriptor a second time (and maybe someone else's).
        var address = try Self.resolve(host: host, port: port)
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw .connection("socket failed: errno \(errno)") }
        let seconds = max(timeoutSeconds, 0.001)
        var timeout = timeval(
            tv_sec: Int(seconds), tv_usec: Int((seconds - seconds.rounded(.down)) * 1_000_000))
        setsockopt(socketFD, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var noDelay: Int32 = 1
        setsockopt(socketFD, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            close(socketFD)
            throw .connection("connect to \(host):\(port) failed: \(String(cString: strerror(code)))")
        }
        fd = socketFD
    }

    deinit { close(fd) }

    /// Sends a request and reads its response.
    public func request(_ method: String, _ path: String, body: Data? = nil, headers: [String: String] = [:])
        throws(HTTPClientError) -> HTTPResponse
    {
        try send(method, path, body: body, headers: headers)
        return try readResponse(method: method)
    }

    /// Sends a request without reading the response.
    public func send(_ method: String, _ path: String, body: Data? = nil, headers: [String: String] = [:])
        throws(HTTPClientError)
    {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body, headers["Transfer-Encoding"] == nil { head += "Content-Length: \(body.count)\r\n" }
        if body == nil && headers["Content-Length"] == nil && (method == "POST" || method == "PUT") {
            head += "Content-Length: 0\r\n"
        }
        if body != nil && headers["Content-Type"] == nil { head += "Content-Type: application/json\r\n" }
        head += "\r\n"
        var data = Data(head.utf8)
        if let body { data.append(body) }
        try sendRaw(data)
    }

    /// Sends bytes as they are (for malformed requests).
    public func sendRaw(_ data: Data) throws(HTTPClientError) {
        let failure: Int32? = data.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return nil }
            var offset = 0
            while offset < raw.count {
                let sent = Glibc.send(fd, base + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if sent <= 0 { return errno }
                offset += sent
            }
            return nil
        }
        if let failure { throw .connection("send failed: \(String(cString: strerror(failure)))") }
    }

    /// Reads one response: `Content-Length`, chunked, or up to the close.
    public func readResponse(method: String = "POST") throws(HTTPClientError) -> HTTPResponse {
        let (status, headers) = try readHead()
        if method == "HEAD" || status == 204 || status == 304 {
            return HTTPResponse(status: status, headers: headers, body: Data())
        }
        if let length = headers["content-length"].flatMap(Int.init) {
            while buffer.count < length { try fill() }
            let body = Data(buffer.prefix(length))
            consume(upTo: buffer.startIndex + length)
            return HTTPResponse(status: status, headers: headers, body: body)
        }
        if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            return HTTPResponse(status: status, headers: headers, body: try readChunkedBody())
        }
        while (try? fill()) != nil {}
        let body = buffer
        buffer = Data()
        return HTTPResponse(status: status, headers: headers, body: body)
    }

    /// Reads a 1xx interim response (a status line and headers, no body).
    public func readInterim() throws(HTTPClientError) -> Int {
        try readHead().status
    }

    /// True when the server closed the connection (reads end).
    public func isClosedByServer() -> Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, 0) == 0
    }

    private func readHead() throws(HTTPClientError) -> (status: Int, headers: [String: String]) {
        let headEnd = try readUntil("\r\n\r\n")
        let headText = String(decoding: buffer[buffer.startIndex..<headEnd.lowerBound], as: UTF8.self)
        consume(upTo: headEnd.upperBound)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw .malformed("bad status line in \(headText)")
        }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...]
                .trimmingCharacters(in: .whitespaces)
        }
        return (status, headers)
    }

    private func readChunkedBody() throws(HTTPClientError) -> Data {
        var body = Data()
        while true {
            let lineEnd = try readUntil("\r\n")
            let sizeText = String(decoding: buffer[buffer.startIndex..<lineEnd.lowerBound], as: UTF8.self)
            consume(upTo: lineEnd.upperBound)
            guard let size = Int(sizeText.split(separator: ";").first ?? "", radix: 16) else {
                throw .malformed("bad chunk size \(sizeText)")
            }
            if size == 0 {
                _ = try readUntil("\r\n")
                let end = try readUntil("\r\n")
                consume(upTo: end.upperBound)
                return body
            }
            while buffer.count < size + 2 { try fill() }
            body.append(buffer.prefix(size))
            consume(upTo: buffer.startIndex + size + 2)
        }
    }

    /// Drops what was read up to `index`: a slice of the same storage, not
    /// a copy of the rest (copying it at every chunk made many small chunks
    /// quadratic); the storage is compacted once the dropped part outweighs
    /// what remains, so a long keep-alive connection stays bounded.
    private func consume(upTo index: Data.Index) {
        buffer = buffer[index...]
        if buffer.startIndex > 1 << 20 && buffer.startIndex > buffer.count { buffer = Data(buffer) }
    }

    private func readUntil(_ separator: String) throws(HTTPClientError) -> Range<Data.Index> {
        let bytes = Data(separator.utf8)
        while true {
            if let range = buffer.range(of: bytes) { return range }
            try fill()
        }
    }

    private func fill() throws(HTTPClientError) {
        var chunk = [UInt8](repeating: 0, count: 256 * 1024)
        let count = recv(fd, &chunk, chunk.count, 0)
        if count == 0 { throw .closed }
        if count < 0 {
            let code = errno
            if code == EAGAIN || code == EWOULDBLOCK { throw .timedOut }
            throw .connection("recv failed: \(String(cString: strerror(code)))")
        }
        buffer.append(contentsOf: chunk[0..<count])
    }

    private static func resolve(host: String, port: Int) throws(HTTPClientError) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(clamping: port).bigEndian)
        let name = host == "localhost" ? "127.0.0.1" : host
        if inet_pton(AF_INET, name, &address.sin_addr) == 1 { return address }
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(name, nil, &hints, &list) == 0, let first = list, let found = first.pointee.ai_addr
        else { throw .connection("cannot resolve \(host)") }
        defer { freeaddrinfo(list) }
        found.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address.sin_addr = $0.pointee.sin_addr }
        return address
    }
}

/// Why a request got no response.
public enum HTTPClientError: Error, CustomStringConvertible, Equatable {
    case connection(String)
    case closed
    case timedOut
    case malformed(String)

    public var description: String {
        switch self {
        case .connection(let reason): reason
        case .closed: "the connection was closed before a complete response"
        case .timedOut: "no response in time"
        case .malformed(let reason): "malformed response: \(reason)"
        }
    }
}
