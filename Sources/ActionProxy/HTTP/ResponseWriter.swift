import NIOCore
import NIOHTTP1

/// A response as the bytes on the wire. Every answer of the proxy is a status
/// line, a few headers and a body with its length, so it is written here in
/// one pass rather than through NIO's response encoder and header validator
/// (the header values are ours; a web action's were checked by `WebAnswer`).
enum ResponseWriter {
    /// Bodies up to this size are copied behind the head: one buffer, one
    /// `write`. Larger ones go out as a second buffer, without a copy.
    static let inlineBodyLimit = 16 * 1024

    static func encode(
        _ response: ProxyResponse, version: HTTPVersion, includeBody: Bool, keepAlive: Bool,
        allocator: ByteBufferAllocator
    ) -> (head: ByteBuffer, body: ByteBuffer?) {
        var body = response.body
        let includeBody = includeBody && response.hasBody
        let inline = includeBody && body.readableBytes <= inlineBodyLimit
        var head = allocator.buffer(capacity: 128 + (inline ? body.readableBytes : 0))
        writeStatusLine(version: version, status: response.status, into: &head)
        head.writeStaticString("Content-Type: ")
        head.writeString(response.contentType)
        for (name, value) in response.headers {
            head.writeStaticString("\r\n")
            head.writeString(name)
            head.writeStaticString(": ")
            head.writeString(value)
        }
        if response.hasBody {
            head.writeStaticString("\r\nContent-Length: ")
            head.writeString(String(body.readableBytes))
        }
        head.writeStaticString(keepAlive ? "\r\n\r\n" : "\r\nConnection: close\r\n\r\n")
        guard includeBody else { return (head, nil) }
        if inline {
            head.writeBuffer(&body)
            return (head, nil)
        }
        return (head, body)
    }

    /// `HTTP/1.1 100 Continue`, for a client that sent `Expect: 100-continue`.
    static func interimContinue(version: HTTPVersion, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 32)
        writeStatusLine(version: version, status: .continue, into: &buffer)
        buffer.writeStaticString("\r\n")
        return buffer
    }

    private static func writeStatusLine(version: HTTPVersion, status: HTTPResponseStatus, into buffer: inout ByteBuffer)
    {
        if version.major == 1 && version.minor == 1 {
            buffer.writeStaticString("HTTP/1.1 ")
        } else {
            buffer.writeString("HTTP/\(version.major).\(version.minor) ")
        }
        buffer.writeString(String(status.code))
        buffer.writeStaticString(" ")
        buffer.writeString(status.reasonPhrase)
        buffer.writeStaticString("\r\n")
    }
}
