import NIOCore

/// The decoded body of a `POST /init`:
/// `{"value": {"code", "binary", "main", "env", "name"}}`.
struct InitRequest: Sendable {
    var code: [UInt8]
    var main: String
    /// In the order given; strings as they are, other values as compact JSON.
    var environment: [(name: String, value: String)]

    /// Decodes and validates a body. Missing or empty code is `missingCode`
    /// (403); a body that is not JSON, wrong types or bad base64 are
    /// `invalidRequest` (400).
    static func decode(_ body: ByteBuffer) throws(ProxyError) -> InitRequest {
        if body.readableBytes == 0 || body.readableBytesView.allSatisfy(isJSONWhitespace) {
            throw .missingCode
        }
        let document: JSONValue
        do {
            document = try body.withUnsafeReadableBytes { raw throws(JSONError) in try JSONParser.parse(raw) }
        } catch {
            throw .invalidRequest("The /init body is not valid JSON: \(error.description)")
        }
        let value: [JSONMember]
        switch document {
        case .null: throw .missingCode
        case .object:
            switch document["value"] {
            case nil, .null?: throw .missingCode
            case .object(let members)?: value = members
            default: throw .invalidRequest("The /init body's \"value\" must be an object.")
            }
        default: throw .invalidRequest("The /init body must be a JSON object.")
        }
        let fields = JSONValue.object(value)

        let code = try field(fields, "code", as: \.stringValue, expected: "a string") ?? ""
        if code.isEmpty { throw .missingCode }
        let binary = try field(fields, "binary", as: \.boolValue, expected: "a boolean") ?? false
        let main = try field(fields, "main", as: \.stringValue, expected: "a string") ?? ""

        var environment: [(name: String, value: String)] = []
        switch fields["env"] {
        case nil, .null?: break
        case .object(let members)?:
            for member in members {
                if case .string(let text) = member.value {
                    environment.append((member.key, text))
                } else {
                    environment.append((member.key, member.value.compactText))
                }
            }
        default: throw .invalidRequest("The /init field \"env\" must be an object.")
        }

        let bytes: [UInt8]
        if binary {
            do {
                bytes = try Base64.decode(code)
            } catch {
                throw .invalidRequest("cannot decode the request: \(error.description)")
            }
            if bytes.isEmpty { throw .missingCode }
        } else {
            bytes = Array(code.utf8)
        }
        return InitRequest(code: bytes, main: main.isEmpty ? "main" : main, environment: environment)
    }

    /// A typed optional field: absent and `null` are nil, a wrong type is a 400.
    private static func field<T>(
        _ object: JSONValue, _ name: String, as read: (JSONValue) -> T?, expected: String
    ) throws(ProxyError) -> T? {
        guard let value = object[name], value != .null else { return nil }
        guard let typed = read(value) else {
            throw .invalidRequest("The /init field \"\(name)\" must be \(expected).")
        }
        return typed
    }
}

@inline(__always)
func isJSONWhitespace(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
}
