import NIOCore

/// A request to the single entrypoint `/` (apache/openwhisk's "Action Proxy
/// Single Entrypoint Interface"): a JSON object with `init` (the `/init`
/// fields), `activation` (the `/run` fields but `value`) and `value` (the
/// parameters). `init` alone initializes; `init` with `activation`
/// initializes and runs; without `init` it runs.
package struct EntrypointRequest: Sendable {
    package var initialization: InitRequest?
    /// The `/run` body the activation makes; nil for an init alone.
    package var run: ByteBuffer?

    /// What a run takes from the proxy when the request does not say it.
    package struct Defaults: Sendable {
        /// The action's name (its init's, or `__OW_ACTION_NAME`).
        package var actionName: String
        /// A raw web action: `__ow_body` carries the parameters as base64 JSON.
        package var raw: Bool
        /// `__ow_user` when the activation gives no namespace (`__OW_NAMESPACE`).
        package var namespace: String

        package init(actionName: String, raw: Bool, namespace: String) {
            self.actionName = actionName
            self.raw = raw
            self.namespace = namespace
        }
    }

    private static let codePath = ["init", "code"]
    private static let shape = "a JSON object with \"init\", \"activation\" or \"value\""

    package static func decode(_ body: ByteBuffer, http: HTTPContext, defaults: Defaults) throws(ProxyError)
        -> EntrypointRequest
    {
        try body.withUnsafeReadableBytes { raw throws(ProxyError) in try decode(raw, http: http, defaults: defaults) }
    }

    private static func decode(_ body: UnsafeRawBufferPointer, http: HTTPContext, defaults: Defaults)
        throws(ProxyError) -> EntrypointRequest
    {
        var document = JSONValue.object([])
        var codeBytes: JSONStringBytes?
        if !body.allSatisfy(isJSONWhitespace) {
            do {
                (document, codeBytes) = try JSONParser.parse(body, bytesOfStringAt: codePath)
            } catch {
                throw .invalidRequest("The body of a request to / is not valid JSON: \(error.description)")
            }
        }
        guard case .object = document else { throw .invalidRequest("The body of a request to / must be \(shape).") }
        func member(_ name: String) throws(ProxyError) -> [JSONMember]? {
            switch document[name] {
            case nil, .null?: return nil
            case .object(let members)?: return members
            default: throw .invalidRequest("The \"\(name)\" of a request to / must be an object.")
            }
        }
        let initialization = try member("init").map { (fields) throws(ProxyError) in
            try InitRequest.decode(fields: .object(fields), code: codeBytes, in: body, route: "init")
        }
        let activation = try member("activation")
        let value = try member("value") ?? []
        guard initialization == nil || activation != nil else {
            return EntrypointRequest(initialization: initialization)
        }

        let raw = initialization?.raw ?? defaults.raw
        var name = initialization?.name ?? defaults.actionName
        if case .string(let given)? = activation?.last(where: { $0.key == "action_name" })?.value, !given.isEmpty {
            name = given
        }
        var namespace = defaults.namespace
        if case .string(let given)? = activation?.last(where: { $0.key == "namespace" })?.value, !given.isEmpty {
            namespace = given
        }
        var context: [JSONMember] = [
            JSONMember(key: "__ow_method", value: .string(http.method)),
            JSONMember(key: "__ow_headers", value: http.headersObject),
            JSONMember(key: "__ow_path", value: .string(http.path)),
            JSONMember(key: "__ow_query", value: .string(http.query)),
            JSONMember(key: "__ow_user", value: .string(namespace)),
        ]
        if raw {
            context.append(
                JSONMember(key: "__ow_body", value: .string(Base64.encode(JSONValue.object(value).compactUTF8))))
        }
        let given = Set(context.map(\.key))
        let parameters = value.filter { !given.contains($0.key) } + context
        var line = (activation ?? []).filter { $0.key != "value" && $0.key != "action_name" }
        line.append(JSONMember(key: "action_name", value: .string(name)))
        line.append(JSONMember(key: "value", value: .object(parameters)))
        var run = ByteBuffer()
        run.writeBytes(JSONValue.object(line).compactUTF8)
        return EntrypointRequest(initialization: initialization, run: run)
    }
}
