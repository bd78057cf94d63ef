import NIOCore

/// The decoded body of a `POST /init`:
/// `{"value": {"code", "binary", "main", "env", "name"}}`.
package struct InitRequest: Sendable {
    /// The decoded code; nil when there is none (missing, null or empty).
    package var code: [UInt8]?
    package var main: String = "main"
    /// In the order given; strings as they are, other values as compact JSON.
    package var environment: [(name: String, value: String)] = []

    /// The action's name (`name`), when the init gives one.
    package var name: String?
    /// `raw`: a raw web action (the single entrypoint's `init`).
    package var raw = false

    /// Decodes and validates a body. A body that is not JSON, wrong types or
    /// bad base64 are `invalidRequest` (400); an empty body, `null`, `{}` or a
    /// missing `value` decode to a request without code.
    package static func decode(_ body: ByteBuffer) throws(ProxyError) -> InitRequest {
        try body.withUnsafeReadableBytes { raw throws(ProxyError) in try decode(raw) }
    }

    /// The code is read where it lies in the body (`codePath`): a 64 MB body
    /// is neither copied into a `String` nor held twice.
    private static func decode(_ body: UnsafeRawBufferPointer) throws(ProxyError) -> InitRequest {
        if body.allSatisfy(isJSONWhitespace) { return InitRequest() }
        let document: JSONValue
        let codeBytes: JSONStringBytes?
        do {
            (document, codeBytes) = try JSONParser.parse(body, bytesOfStringAt: codePath)
        } catch {
            throw .invalidRequest("The /init body is not valid JSON: \(error.description)")
        }
        switch document {
        case .null: return InitRequest()
        case .object:
            switch document["value"] {
            case nil, .null?: return InitRequest()
            case .object(let members)?: return try decode(fields: .object(members), code: codeBytes, in: body)
            default: throw .invalidRequest("The /init body's \"value\" must be an object.")
            }
        default: throw .invalidRequest("The /init body must be a JSON object.")
        }
    }

    /// The init's fields (`/init`'s `value`, the single entrypoint's `init`);
    /// `code` is "" in them when the parser gave its bytes apart, in `body`.
    static func decode(
        fields: JSONValue, code codeBytes: JSONStringBytes?, in body: UnsafeRawBufferPointer, route: String = "/init"
    ) throws(ProxyError) -> InitRequest {
        func field<T>(_ name: String, as read: (JSONValue) -> T?, expected: String) throws(ProxyError) -> T? {
            guard let value = fields[name], value != .null else { return nil }
            guard let typed = read(value) else {
                throw .invalidRequest("The \(route) field \"\(name)\" must be \(expected).")
            }
            return typed
        }
        let code = try field("code", as: \.stringValue, expected: "a string") ?? ""
        let binary = try field("binary", as: \.boolValue, expected: "a boolean") ?? false
        let main = try field("main", as: \.stringValue, expected: "a string") ?? ""
        let name = try field("name", as: \.stringValue, expected: "a string")
        let raw = try field("raw", as: \.boolValue, expected: "a boolean") ?? false
        let environment: [(name: String, value: String)]
        switch fields["env"] {
        case nil, .null?: environment = []
        case .object(let members)?: environment = environmentVariables(members)
        default: throw .invalidRequest("The \(route) field \"env\" must be an object.")
        }

        var bytes: [UInt8]? = nil
        do throws(Base64Error) {
            switch (codeBytes, binary) {
            case (.inInput(let range)?, true):
                bytes = try Base64.decode(UnsafeRawBufferPointer(rebasing: body[range]))
            case (.inInput(let range)?, false): bytes = Array(body[range])
            case (.unescaped(let text)?, true):
                bytes = try text.withUnsafeBytes { raw in Result { () throws(Base64Error) in try Base64.decode(raw) } }
                    .get()
            case (.unescaped(let text)?, false): bytes = text
            case (nil, true): bytes = try Base64.decode(code)
            case (nil, false): bytes = Array(code.utf8)
            }
        } catch {
            throw .invalidRequest("cannot decode the request: \(error.description)")
        }
        return InitRequest(
            code: bytes?.isEmpty == false ? bytes : nil, main: main.isEmpty ? "main" : main, environment: environment,
            name: name, raw: raw)
    }

    private static let codePath = ["value", "code"]

    /// `env` members as variables: strings as they are, other values as
    /// compact JSON (`5`, `true`, `{"a":1}`).
    static func environmentVariables(_ members: [JSONMember]) -> [(name: String, value: String)] {
        members.map { member in
            if case .string(let text) = member.value { return (member.key, text) }
            return (member.key, member.value.compactText)
        }
    }
}

@inline(__always)
func isJSONWhitespace(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
}
