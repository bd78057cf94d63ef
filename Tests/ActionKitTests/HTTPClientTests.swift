import ActionKit
import Foundation
import Testing

/// The kit's client against a real server on loopback that answers as
/// blackbox images may: a chunked body of many small chunks, then, on the
/// same connection, a `Content-Length` one.
@Suite("actionkit's HTTP client")
struct HTTPClientTests {
    /// Answers two requests on one connection: 20,000 chunks of 100 bytes
    /// (each `i:` and padding), then `{"second":true}` with a length.
    static let server = """
        import socket, sys
        s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
        print(s.getsockname()[1], flush=True)
        c, _ = s.accept()
        def head():
            data = b""
            while b"\\r\\n\\r\\n" not in data: data += c.recv(65536)
        head()
        parts = [b"HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n"]
        for i in range(20000):
            chunk = (b"%d:" % i).ljust(100, b".")
            parts.append(b"%x\\r\\n%s\\r\\n" % (len(chunk), chunk))
        parts.append(b"0\\r\\n\\r\\n")
        c.sendall(b"".join(parts))
        head()
        body = b'{"second":true}'
        c.sendall(b"HTTP/1.1 200 OK\\r\\nContent-Length: %d\\r\\n\\r\\n%s" % (len(body), body))
        c.recv(1)
        """

    @Test("a chunked body of 20,000 chunks reads whole and in order, and the next response on the connection after it")
    func manySmallChunks() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", Self.server]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        defer { process.terminate() }
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty { break }
            line.append(byte)
        }
        let port = try #require(Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))

        let client = try HTTPClient(port: port)
        let first = try client.request("GET", "/chunks")
        #expect(first.status == 200)
        #expect(first.body.count == 20_000 * 100)
        let text = String(decoding: first.body, as: UTF8.self)
        #expect(text.hasPrefix("0:...."))
        #expect(text.hasSuffix("19999:" + String(repeating: ".", count: 94)))
        let second = try client.request("GET", "/second")
        #expect(second.status == 200)
        #expect(String(decoding: second.body, as: UTF8.self) == "{\"second\":true}")
    }
}
