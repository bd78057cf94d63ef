import NIOCore
import NIOHTTP1

/// A complete response: every answer of the proxy has a body and a length.
/// Those of `/init`, `/run` and errors are JSON; a web action's (`WebAnswer`)
/// may set its own type and headers.
struct ProxyResponse {
    var status: HTTPResponseStatus
    var body: ByteBuffer
    var contentType = "application/json"
    /// Headers besides Content-Type and Content-Length, checked already.
    var headers: [(name: String, value: String)] = []

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

    /// 204 and 304 carry neither a body nor its length.
    var hasBody: Bool { status != .noContent && status != .notModified }
}
