import NIOCore
import NIOHTTP1

/// A complete JSON response: every answer of the proxy has a body and a length.
struct ProxyResponse {
    var status: HTTPResponseStatus
    var body: ByteBuffer

    static func ok() -> ProxyResponse {
        ProxyResponse(status: .ok, body: ByteBuffer(string: "{\"ok\":true}\n"))
    }

    /// `{"error":"…"}` plus a newline, as the reference writes it.
    static func error(_ error: ProxyError, message: String? = nil) -> ProxyResponse {
        let text = JSONValue.object([JSONMember(key: "error", value: .string(message ?? error.message))]).compactText
        return ProxyResponse(status: error.status, body: ByteBuffer(string: text + "\n"))
    }

    static func json(_ status: HTTPResponseStatus, _ body: ByteBuffer) -> ProxyResponse {
        ProxyResponse(status: status, body: body)
    }
}
