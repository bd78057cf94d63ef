import Foundation

/// A proxy that the kit talks to over HTTP: a host process or a container
/// that the kit started, or one that was already running at a URL.
public protocol ServedProxy: AnyObject, Sendable {
    /// What it is, for reports (`actionproxy/python`, the command, the URL).
    var name: String { get }
    var host: String { get }
    var port: Int { get }
    /// What the proxy wrote so far, or nil when the kit cannot see it.
    var logs: ProxyLogs? { get }
    /// The proxy's process id on this machine, when the kit knows it (for
    /// its resident memory and open descriptors).
    var processID: Int32? { get }
    var isRunning: Bool { get }
    /// SIGTERM, then waits up to `seconds` for the exit: its status, or nil
    /// when it did not exit or the kit cannot tell.
    func terminate(waitSeconds seconds: Double) -> Int32?
    /// Stops it for good and removes what the kit made for it.
    func stop()
    /// Called before each request the kit sends, and when its answer came
    /// (an OpenWhisk container is unpaused, then paused again).
    func willSend()
    func answered()
    /// Called when the kit keeps a connection open to read it itself.
    func holdsConnection()
}

extension ServedProxy {
    public func willSend() {}
    public func answered() {}
    public func holdsConnection() {}

    /// Waits until the proxy accepts a connection, trying every `interval`
    /// while it is refused, as an OpenWhisk invoker does before its `/init`
    /// (it sends no probe: an image must not accept before it can answer).
    func waitUntilAccepting(timeout: TimeInterval, every interval: TimeInterval, exited: () -> String?)
        throws(TargetError)
    {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (try? HTTPClient(host: host, port: port, timeoutSeconds: 2)) != nil { return }
            if let reason = exited() { throw .notServing("\(name) exited at start: \(reason)") }
            usleep(useconds_t(interval * 1_000_000))
        }
        throw .notServing("\(name) did not accept a connection on \(host):\(port) within \(Int(timeout)) s")
    }

    /// A new connection to the proxy.
    public func client(timeoutSeconds: Double = 30) throws(HTTPClientError) -> HTTPClient {
        try HTTPClient(host: host, port: port, timeoutSeconds: timeoutSeconds)
    }

    /// Waits until the proxy answers any HTTP request (the reference has no
    /// health route: a 404 is an answer too), or `untilReady`, until
    /// `/health` answers 200 as a readiness probe waits. `exited` reports a
    /// start that failed, so that the wait ends at once.
    func waitUntilServing(timeout: TimeInterval, exited: () -> String?, untilReady: Bool = false) throws(TargetError) {
        let deadline = Date().addingTimeInterval(timeout)
        var firstUnanswered: Date?
        var lastAnswer = ""
        while Date() < deadline {
            if let client = try? HTTPClient(host: host, port: port, timeoutSeconds: 2) {
                do {
                    let health = try client.request("GET", "/health")
                    if !untilReady || health.status == 200 { return }
                    lastAnswer = ": /health answers \(health.status) \(health.text.trimmingCharacters(in: .whitespacesAndNewlines))"
                    // A failed self-initialization stays failed.
                    if health.text.contains("\"initialization failed\"") { throw TargetError.notServing("\(name) is not ready\(lastAnswer)") }
                } catch let error as TargetError {
                    throw error
                } catch {
                    // Accepted and closed without an answer: listening but
                    // unable to serve, which no wait will mend.
                    let since = firstUnanswered ?? Date()
                    firstUnanswered = since
                    if Date().timeIntervalSince(since) > 5 {
                        throw .notServing("\(name) accepts connections but closes them without an answer (\(error))")
                    }
                }
            }
            if let reason = exited() { throw .notServing("\(name) exited at start: \(reason)") }
            usleep(10_000)
        }
        if !lastAnswer.isEmpty { throw .notServing("\(name) was not ready within \(Int(timeout)) s\(lastAnswer)") }
        throw .notServing("\(name) did not answer on \(host):\(port) within \(Int(timeout)) s")
    }
}

/// Both output streams of a proxy.
public struct ProxyLogs: Sendable, Equatable {
    public var stdout: String
    public var stderr: String

    public init(stdout: String, stderr: String) {
        self.stdout = stdout
        self.stderr = stderr
    }
}

/// Docker's json-file log (`{"log": …, "stream": "stdout"|"stderr", "time": …}`
/// per line), which an OpenWhisk invoker reads for an activation's logs.
enum JSONFileLog {
    static func read(path: String) -> ProxyLogs? {
        guard !path.isEmpty, let data = FileManager.default.contents(atPath: path) else { return nil }
        var logs = ProxyLogs(stdout: "", stderr: "")
        for line in data.split(separator: UInt8(ascii: "\n")) {
            guard let entry = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                let text = entry["log"] as? String
            else { continue }
            if entry["stream"] as? String == "stderr" { logs.stderr += text } else { logs.stdout += text }
        }
        return logs
    }
}

/// Why the kit could not get a proxy to talk to.
public enum TargetError: Error, CustomStringConvertible {
    case notServing(String)
    case launch(String)

    public var description: String {
        switch self {
        case .notServing(let reason), .launch(let reason): reason
        }
    }
}
