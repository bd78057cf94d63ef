import Foundation

/// The fields an invoker sends with each activation besides `value`
/// (PROTOCOL.md §3), with values like the platform's.
public struct ActivationFields: Sendable {
    public var activationID: String
    public var namespace: String
    public var actionName: String
    public var actionVersion: String
    public var apiHost: String
    public var transactionID: String
    /// Milliseconds since the epoch, as a string (the platform's form).
    public var deadline: String

    /// Fields for a new activation of `action` that must end within `timeout`.
    public init(
        namespace: String = "guest", actionName: String = "action", timeout: TimeInterval = 60,
        now: Date = Date()
    ) {
        activationID = Self.newID()
        self.namespace = namespace
        self.actionName = "/\(namespace)/\(actionName)"
        actionVersion = "0.0.1"
        apiHost = "https://localhost"
        transactionID = Self.newID()
        deadline = String(Int64((now.timeIntervalSince1970 + timeout) * 1000))
    }

    /// The run body's members other than `value`.
    public var members: [String: Any] {
        [
            "activation_id": activationID, "namespace": namespace, "action_name": actionName,
            "action_version": actionVersion, "api_host": apiHost, "transaction_id": transactionID,
            "deadline": deadline,
        ]
    }

    /// 32 hex digits, as the platform's activation ids.
    public static func newID() -> String {
        (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }
}

extension ServedProxy {
    /// POSTs a JSON value on a new connection.
    public func post(_ path: String, json: Any, timeoutSeconds: Double = 60) throws -> HTTPResponse {
        let body = try JSONSerialization.data(withJSONObject: json, options: [.fragmentsAllowed])
        return try client(timeoutSeconds: timeoutSeconds).request("POST", path, body: body)
    }

    /// `/init` with an action's code.
    public func initialize(
        _ code: ActionCode, main: String? = nil, name: String? = nil, env: [String: String]? = nil,
        timeoutSeconds: Double = 120
    ) throws -> HTTPResponse {
        try post("/init", json: code.initBody(main: main, name: name, env: env), timeoutSeconds: timeoutSeconds)
    }

    /// `/run` with a value and the activation's other members.
    public func run(_ value: Any, fields: [String: Any] = [:], timeoutSeconds: Double = 60) throws -> HTTPResponse {
        var body = fields
        body["value"] = value
        return try post("/run", json: body, timeoutSeconds: timeoutSeconds)
    }
}
