import NIOCore
import NIOHTTP1

/// A run's result as the HTTP answer of the single entrypoint `/`, as
/// OpenWhisk answers a web action: a result object with `statusCode`,
/// `headers` or `body` sets that status, those headers and that body; any
/// other result is the JSON answer. CORS headers are added where the action
/// set none (docs/knative.md, "Web-action answers").
enum WebAnswer {
    private static let statusCodeKey = Array("statusCode".utf8)
    private static let headersKey = Array("headers".utf8)
    private static let bodyKey = Array("body".utf8)
    /// Written by the proxy itself: an action's own would contradict them.
    private static let framingHeaders: Set<String> = ["content-length", "transfer-encoding", "connection"]

    /// The answer to `http` for a run's `response`: errors stay as they are.
    static func shape(_ response: ProxyResponse, for http: HTTPContext) -> ProxyResponse {
        guard response.status == .ok else { return response }
        var answer: ProxyResponse
        if isWebAnswer(response.body) {
            do {
                answer = try web(response.body)
            } catch {
                return .error(error)
            }
        } else {
            answer = response
        }
        addCORS(to: &answer, for: http)
        return answer
    }

    /// Whether the result has one of the three members, found without
    /// parsing the result (it may be megabytes).
    private static func isWebAnswer(_ line: ByteBuffer) -> Bool {
        line.withUnsafeReadableBytes { raw in
            [statusCodeKey, headersKey, bodyKey].contains { JSONValidator.object(raw, member: $0).member != nil }
        }
    }

    private static func web(_ line: ByteBuffer) throws(ProxyError) -> ProxyResponse {
        let parsed = line.withUnsafeReadableBytes { raw in
            Result { () throws(JSONError) -> JSONValue in try JSONParser.parse(raw) }
        }
        guard case .success(let result) = parsed else { throw .resultNotObjectOrArray }
        let status = try statusCode(result["statusCode"])
        var headers = try headerLines(result["headers"])
        let given = headers.firstIndex { $0.name.lowercased() == "content-type" }
        let contentType = given.map { headers.remove(at: $0).value }
        let body: [UInt8]
        let defaultType: String
        switch result["body"] {
        case nil, .null?:
            (body, defaultType) = ([], "application/json")
        case .string(let text)?:
            defaultType = "text/html"
            if let contentType, !isText(contentType) {
                do { body = try Base64.decode(text) } catch {
                    throw .invalidWebAnswer(
                        "its Content-Type \(contentType) is binary, so its body must be base64: \(error.description)")
                }
            } else {
                body = Array(text.utf8)
            }
        case let other?:
            (body, defaultType) = (other.compactUTF8, "application/json")
        }
        var buffer = ByteBuffer()
        buffer.writeBytes(body)
        return ProxyResponse(
            status: status == .ok && body.isEmpty ? .noContent : status, body: buffer,
            contentType: contentType ?? defaultType, headers: headers)
    }

    /// A number or a numeric string from 200 to 599; 200 when absent.
    private static func statusCode(_ value: JSONValue?) throws(ProxyError) -> HTTPResponseStatus {
        let code: Int?
        switch value {
        case nil, .null?: return .ok
        case .number(let literal)?:
            code = Int(literal) ?? Double(literal).flatMap { $0 == $0.rounded() ? Int($0) : nil }
        case .string(let text)?: code = Int(text)
        default: code = nil
        }
        guard let code, (200...599).contains(code) else {
            throw .invalidWebAnswer("its statusCode \(value?.compactText ?? "") is not an HTTP status from 200 to 599.")
        }
        return HTTPResponseStatus(statusCode: code)
    }

    /// Strings, numbers and booleans as text, arrays as repeated headers.
    /// A name must be an HTTP token and a value must not break the line:
    /// the action's result is written into the answer's head.
    private static func headerLines(_ value: JSONValue?) throws(ProxyError) -> [(name: String, value: String)] {
        guard let value, value != .null else { return [] }
        guard case .object(let members) = value else { throw .invalidWebAnswer("its headers must be an object.") }
        var lines: [(name: String, value: String)] = []
        for member in members {
            guard isToken(member.key) else {
                throw .invalidWebAnswer("its header name \(JSONValue.string(member.key).compactText) is not valid.")
            }
            if framingHeaders.contains(member.key.lowercased()) { continue }
            let values: [JSONValue]
            if case .array(let elements) = member.value { values = elements } else { values = [member.value] }
            for element in values {
                let text: String
                switch element {
                case .string(let string): text = string
                case .number(let literal): text = literal
                case .bool(let flag): text = flag ? "true" : "false"
                case .null: continue
                default: throw .invalidWebAnswer("its header \(member.key) must be a string, number or boolean.")
                }
                guard !text.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
                    throw .invalidWebAnswer("its header \(member.key) holds a line break.")
                }
                lines.append((member.key, text))
            }
        }
        return lines
    }

    private static func isToken(_ name: String) -> Bool {
        !name.isEmpty
            && name.utf8.allSatisfy { byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || "!#$%&'*+-.^_`|~".utf8.contains(byte)
            }
    }

    /// Text, JSON, XML, JavaScript and forms are sent as the string is;
    /// any other type's body is base64 (images, PDFs, octet streams).
    private static func isText(_ contentType: String) -> Bool {
        let type = contentType.lowercased()
        return type.hasPrefix("text/") || type.contains("json") || type.contains("xml") || type.contains("javascript")
            || type.contains("x-www-form-urlencoded")
    }

    /// `Access-Control-Allow-Origin: *`, the methods, and the request's
    /// `Access-Control-Request-Headers` (or a default) as the allowed
    /// headers, each unless the action set it.
    private static func addCORS(to response: inout ProxyResponse, for http: HTTPContext) {
        let defaults = [
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Allow-Methods", "OPTIONS, GET, DELETE, POST, PUT, HEAD, PATCH"),
            (
                "Access-Control-Allow-Headers",
                http.header("access-control-request-headers")
                    ?? "Authorization, Origin, X-Requested-With, Content-Type, Accept, User-Agent"
            ),
        ]
        let set = Set(response.headers.map { $0.name.lowercased() })
        for (name, value) in defaults where !set.contains(name.lowercased()) {
            response.headers.append((name, value))
        }
    }
}
