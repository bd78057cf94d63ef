import Foundation

/// What a case body works with: the started proxy, the runtime it serves,
/// and checks that turn a wrong answer into a `CaseFailure` naming what was
/// expected and what came.
public final class CaseContext: @unchecked Sendable {
    // @unchecked: the only mutable state, `notes`, is behind `lock`.
    public let proxy: ServedProxy
    public let runtime: RuntimeKind
    /// The runner's answer to the init of a `.initialised` case's action.
    public let initResponse: HTTPResponse?
    private let lock = NSLock()
    private var notes: [String] = []

    init(proxy: ServedProxy, runtime: RuntimeKind, initResponse: HTTPResponse? = nil) {
        self.proxy = proxy
        self.runtime = runtime
        self.initResponse = initResponse
    }

    /// Adds to the reason reported with a pass (how a defect was avoided).
    public func note(_ text: String) {
        lock.withLock { notes.append(text) }
    }

    var noteText: String { lock.withLock { notes.joined(separator: "; ") } }

    // MARK: Requests

    /// `POST /init` with an action, and `env` as the init's `env` object.
    public func initialize(_ action: TestAction, env: [String: Any]? = nil, timeout: Double = 180) throws
        -> HTTPResponse
    {
        guard drivenAsOpenWhisk else {
            return try post("/init", json: action.code.initBody(main: action.main, env: env), timeout: timeout)
        }
        // The invoker's init: the action's name, and the first activation's
        // context in env (the case's own env wins).
        let context: [String: Any] = OpenWhiskInvoker.initEnvironment(ActivationFields(actionName: "conform"))
        let body = action.code.initBody(
            main: action.main ?? "main", name: "conform", env: context.merging(env ?? [:]) { $1 })
        return try post("/init", json: body, timeout: timeout)
    }

    /// Whether the proxy is a container driven as an OpenWhisk invoker
    /// drives one (`--platform openwhisk`).
    public var drivenAsOpenWhisk: Bool { (proxy as? ProxyContainer)?.driver == .openWhisk }

    /// Initialises `action` and fails the case unless the proxy answers 200.
    public func expectInitialized(_ action: TestAction, env: [String: Any]? = nil, timeout: Double = 180) throws {
        let response = try initialize(action, env: env, timeout: timeout)
        guard response.status == 200 else {
            throw CaseFailure("the init of \(action.name) answered \(Self.show(response))")
        }
    }

    /// `POST /run` with `value` and the activation's other members (a new
    /// activation's, unless `fields` is given).
    /// `what` names the run in a failure to get an answer.
    public func run(_ value: Any, fields: [String: Any]? = nil, timeout: Double = 30, what: String? = nil) throws
        -> HTTPResponse
    {
        let activation = ActivationFields(actionName: "conform")
        var body = fields ?? (drivenAsOpenWhisk ? OpenWhiskInvoker.runMembers(activation) : activation.members)
        body["value"] = value
        do {
            return try post("/run", json: body, timeout: timeout)
        } catch let failure as CaseFailure {
            guard let what else { throw failure }
            throw CaseFailure("\(what): \(failure)")
        }
    }

    /// POSTs a JSON value, its keys sorted (so a shell action finds a run's
    /// `value` as its last member).
    public func post(_ path: String, json: Any, timeout: Double = 30) throws -> HTTPResponse {
        let body: Data
        do {
            body = try JSONSerialization.data(
                withJSONObject: json, options: [.fragmentsAllowed, .sortedKeys, .withoutEscapingSlashes])
        } catch {
            throw CaseFailure("the kit could not encode its request: \(error)")
        }
        return try request("POST", path, body: body, timeout: timeout)
    }

    /// Sends a request on a new connection; no answer is a failure.
    public func request(_ method: String, _ path: String, body: Data? = nil, timeout: Double = 30) throws
        -> HTTPResponse
    {
        proxy.willSend()
        defer { proxy.answered() }
        do {
            return try proxy.client(timeoutSeconds: timeout).request(method, path, body: body)
        } catch HTTPClientError.timedOut {
            throw CaseFailure("\(method) \(path) got no answer within \(Self.seconds(timeout))")
        } catch {
            throw CaseFailure("\(method) \(path) got no answer: \(error)")
        }
    }

    /// A new connection, for cases that send and read separately.
    public func connect(timeout: Double = 30) throws -> HTTPClient {
        proxy.holdsConnection()
        do {
            return try proxy.client(timeoutSeconds: timeout)
        } catch {
            throw CaseFailure("cannot connect to the proxy: \(error)")
        }
    }

    // MARK: Checks

    public func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        if !condition { throw CaseFailure(message()) }
    }

    /// The response has `status`; `what` names the request in the failure.
    public func expectStatus(_ response: HTTPResponse, _ status: Int, _ what: String) throws {
        guard response.status == status else {
            throw CaseFailure("\(what): expected \(status), got \(Self.show(response))")
        }
    }

    /// The response is `status` with `{"error": message}` exactly.
    public func expectError(_ response: HTTPResponse, _ status: Int, _ message: String, _ what: String) throws {
        guard response.status == status, response.error == message else {
            throw CaseFailure(
                "\(what): expected \(status) {\"error\":\"\(message)\"}, got \(Self.show(response))")
        }
    }

    /// The response is `status` with an `{"error": …}` that starts with `prefix`.
    public func expectError(_ response: HTTPResponse, _ status: Int, prefix: String, _ what: String) throws {
        guard response.status == status, let error = response.error, error.hasPrefix(prefix), !error.isEmpty else {
            let shape = prefix.isEmpty ? "a JSON {\"error\":…}" : "{\"error\":\"\(prefix)…\"}"
            throw CaseFailure("\(what): expected \(status) with \(shape), got \(Self.show(response))")
        }
    }

    /// The reference's sentence for a start error under `OW_LOG_INIT_ERROR`.
    public static let startErrorLogged = "Cannot start action. Check logs for details."

    /// A 502 start error in either of the reference's forms: `cannot start
    /// action: REASON`, or, where init errors are logged (every image of
    /// ours sets `OW_LOG_INIT_ERROR`), the sentence `Cannot start action.
    /// Check logs for details.`, which ours follows with the reason. `reason`
    /// nil accepts any.
    public func expectStartError(_ response: HTTPResponse, reason: String?, _ what: String) throws {
        let error = response.error ?? ""
        let plain = "cannot start action: "
        let logged = Self.startErrorLogged
        let matches: Bool
        if let reason {
            matches = error == plain + reason || error == logged || error == logged + " " + reason
        } else {
            matches = (error.hasPrefix(plain) && error.count > plain.count) || error.hasPrefix(logged)
        }
        guard response.status == 502, matches else {
            let expected = "{\"error\":\"\(plain)\(reason ?? "…")\"} (or \"\(logged)\" and the reason)"
            throw CaseFailure("\(what): expected 502 \(expected), got \(Self.show(response))")
        }
    }

    /// The response is a refusal: a 4xx or 5xx with a JSON `{"error": …}`.
    public func expectRefusal(_ response: HTTPResponse, _ what: String) throws {
        guard (400..<600).contains(response.status), response.error?.isEmpty == false else {
            throw CaseFailure("\(what): expected a 4xx or 5xx with a JSON error, got \(Self.show(response))")
        }
    }

    /// The 200 answer's body as a JSON object.
    public func expectObject(_ response: HTTPResponse, _ what: String) throws -> [String: Any] {
        guard response.status == 200, let object = response.object else {
            throw CaseFailure("\(what): expected 200 with a JSON object, got \(Self.show(response))")
        }
        return object
    }

    /// The 200 answer's body as JSON equal to `expected` (compared as JSON
    /// values: runtimes differ in spacing and key order).
    public func expectResult(_ response: HTTPResponse, _ expected: Any, _ what: String) throws {
        guard response.status == 200, let json = response.json, JSONValue.equal(json, expected) else {
            throw CaseFailure("\(what): expected 200 \(JSONValue.text(expected)), got \(Self.show(response))")
        }
    }

    // MARK: Logs

    /// The proxy's output so far; skips the case when it is out of reach.
    public func logs() throws -> ProxyLogs {
        guard let logs = proxy.logs else { throw CaseSkip("the target's logs are out of reach") }
        return logs
    }

    /// Waits until each stream holds `count` sentinels (or `timeout` passes),
    /// then a moment more so that an extra sentinel would show too.
    public func waitForSentinels(_ count: Int, timeout: TimeInterval = 10) throws -> ProxyLogs {
        let deadline = Date().addingTimeInterval(timeout)
        var logs = try self.logs()
        while Date() < deadline {
            if ActivationLogs(logs.stdout).count >= count && ActivationLogs(logs.stderr).count >= count { break }
            usleep(20_000)
            logs = try self.logs()
        }
        usleep(200_000)
        return try self.logs()
    }

    /// Fails unless each stream holds exactly `count` sentinels.
    public func expectSentinels(_ logs: ProxyLogs, _ count: Int, _ what: String) throws {
        let out = ActivationLogs(logs.stdout).count
        let err = ActivationLogs(logs.stderr).count
        guard out == count && err == count else {
            throw CaseFailure(
                "\(what): expected \(count) sentinel\(count == 1 ? "" : "s") on each stream, found \(out) on stdout and \(err) on stderr"
            )
        }
    }

    // MARK: Text

    /// A response as a failure message shows it: status and (cut) body.
    public static func show(_ response: HTTPResponse) -> String {
        let body = response.text
        if body.isEmpty { return "\(response.status) with an empty body" }
        let cut = body.count > 160 ? String(body.prefix(160)) + "… (\(response.body.count) bytes)" : body
        return "\(response.status) \(cut.trimmingCharacters(in: .whitespacesAndNewlines))"
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : String(format: "%.1f s", value)
    }
}
