import Foundation

/// A response as a client sees it on the wire.
public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names in lower case.
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body as a JSON value (Foundation's parser: independent of the
    /// proxy's own), or nil when it is not JSON.
    public var json: Any? { try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) }

    /// The body when it is a JSON object.
    public var object: [String: Any]? { json as? [String: Any] }

    /// `{"error": …}`'s message.
    public var error: String? { object?["error"] as? String }
}
