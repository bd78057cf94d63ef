import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A response as a client sees it on the wire.
struct HTTPTestResponse {
    var status: Int
    var headers: [String: String]
    var body: Data

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body as a JSON value (Foundation's parser: an independent oracle).
    var json: Any? { try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) }

    /// `{"error": …}`'s message.
    var error: String? { (json as? [String: Any])?["error"] as? String }
}

struct HTTPTestError: Error, CustomStringConvertible {
    let description: String
}

/// A blocking HTTP/1.1 client on one keep-alive connection to 127.0.0.1,
/// written on raw sockets so that tests see exactly what the proxy sends.
final class HTTPTestClient {
    private let fd: Int32
    private var buffer = Data()

    init(port: Int, timeoutSeconds: Int = 30) throws {
        // `fd` is assigned last: a failed init must not run deinit, which
        // would close the descriptor a second time (and maybe someone else's).
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw HTTPTestError(description: "socket failed") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(socketFD, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            close(socketFD)
            throw HTTPTestError(description: "connect to 127.0.0.1:\(port) failed: errno \(code)")
        }
        fd = socketFD
    }

    deinit { close(fd) }

    func request(_ method: String, _ path: String, body: Data? = nil, headers: [String: String] = [:])
        throws -> HTTPTestResponse
    {
        try send(method, path, body: body, headers: headers)
        return try readResponse(method: method)
    }

    func send(_ method: String, _ path: String, body: Data? = nil, headers: [String: String] = [:]) throws {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body, headers["Transfer-Encoding"] == nil { head += "Content-Length: \(body.count)\r\n" }
        if body == nil && headers["Content-Length"] == nil && (method == "POST" || method == "PUT") {
            head += "Content-Length: 0\r\n"
        }
        head += "\r\n"
        var data = Data(head.utf8)
        if let body { data.append(body) }
        try sendRaw(data)
    }

    func sendRaw(_ data: Data) throws {
        try data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let sent = Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if sent <= 0 { throw HTTPTestError(description: "send failed: errno \(errno)") }
                offset += sent
            }
        }
    }

    func readResponse(method: String = "POST") throws -> HTTPTestResponse {
        let separator = Data("\r\n\r\n".utf8)
        while buffer.range(of: separator) == nil { try fill() }
        let headEnd = buffer.range(of: separator)!
        let headText = String(decoding: buffer[buffer.startIndex..<headEnd.lowerBound], as: UTF8.self)
        buffer = Data(buffer[headEnd.upperBound...])
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw HTTPTestError(description: "bad status line in \(headText)")
        }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        guard let length = headers["content-length"].flatMap(Int.init) else {
            throw HTTPTestError(description: "response without Content-Length: \(headText)")
        }
        let bodyLength = method == "HEAD" ? 0 : length
        while buffer.count < bodyLength { try fill() }
        let body = Data(buffer.prefix(bodyLength))
        buffer = Data(buffer.dropFirst(bodyLength))
        return HTTPTestResponse(status: status, headers: headers, body: body)
    }

    /// Reads a 1xx interim response (a status line and headers, no body).
    func readInterim() throws -> Int {
        let separator = Data("\r\n\r\n".utf8)
        while buffer.range(of: separator) == nil { try fill() }
        let headEnd = buffer.range(of: separator)!
        let head = String(decoding: buffer[buffer.startIndex..<headEnd.lowerBound], as: UTF8.self)
        buffer = Data(buffer[headEnd.upperBound...])
        return head.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
    }

    /// True when the server closed the connection (reads end).
    func isClosedByServer() -> Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, 0) == 0
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 256 * 1024)
        let count = recv(fd, &chunk, chunk.count, 0)
        if count <= 0 { throw HTTPTestError(description: "connection closed or timed out (errno \(errno))") }
        buffer.append(contentsOf: chunk[0..<count])
    }
}
