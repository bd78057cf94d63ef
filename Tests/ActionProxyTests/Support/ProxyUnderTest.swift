import Foundation
import Testing

/// What a test talks to: the host proxy (`TestProxy`) or an image's proxy in
/// a container (`TestContainer`). Test bodies written against it run on both.
protocol ProxyUnderTest: AnyObject, Sendable {
    var port: Int { get }
    /// Both streams as far as they were written.
    var logs: (stdout: String, stderr: String) { get }
    var isRunning: Bool { get }
    /// The proxy's working folder as the proxy sees it: actions go to
    /// `action/N/` under it.
    var workingDirectory: String { get }
    /// How long `waitForSentinels` waits after the count is reached, so that
    /// an extra sentinel would show (reading a container's log takes longer).
    var settleMicroseconds: UInt32 { get }

    /// Whether `path` (relative to the working folder, or absolute) exists
    /// where the proxy runs.
    func fileExists(_ path: String) -> Bool
    /// The names in a folder (relative to the working folder, or absolute),
    /// sorted; none when it is missing.
    func entries(in path: String) throws -> [String]
    /// The proxy's child processes as (command name, state letter).
    func children() throws -> [(name: String, state: String)]
    /// Processes that exited and were not reaped: the proxy's children on the
    /// host, any process of the container in one.
    func zombies() throws -> [String]
    /// Sends the proxy a signal by name (`TERM`).
    func signal(_ name: String) throws
    /// Waits for the proxy to exit by itself: its status.
    func waitForExit() -> Int32
    /// SIGTERM (`docker stop` in a container), then the exit status.
    func terminateAndWait() -> Int32
}

extension ProxyUnderTest {
    static var sentinel: String { TestProxy.sentinel }

    var stdout: String { logs.stdout }
    var stderr: String { logs.stderr }

    /// Lines of stdout or stderr that are the sentinel.
    func sentinelCount(stderr useStderr: Bool) -> Int {
        let log = logs
        return Self.count(useStderr ? log.stderr : log.stdout)
    }

    /// Waits until both streams carry `count` sentinels (output is read on
    /// other threads), then a moment more so that an extra one would show.
    func waitForSentinels(_ count: Int, timeout: TimeInterval = 10) {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let log = logs
            if Self.count(log.stdout) >= count && Self.count(log.stderr) >= count { break }
            usleep(10_000)
        }
        usleep(settleMicroseconds)
    }

    /// Waits for the sentinels of `count` activations, expects exactly that
    /// many on each stream, and returns what each activation logged before
    /// its sentinels, stream by stream.
    func activationLogs(_ count: Int, sourceLocation: SourceLocation = #_sourceLocation) -> [(
        stdout: String, stderr: String
    )] {
        waitForSentinels(count)
        let log = logs
        #expect(Self.count(log.stdout) == count, sourceLocation: sourceLocation)
        #expect(Self.count(log.stderr) == count, sourceLocation: sourceLocation)
        let separator = Self.sentinel + "\n"
        let stdout = log.stdout.components(separatedBy: separator)
        let stderr = log.stderr.components(separatedBy: separator)
        return (0..<count).map { index in
            (index < stdout.count ? stdout[index] : "", index < stderr.count ? stderr[index] : "")
        }
    }

    private static func count(_ log: String) -> Int {
        log.split(separator: "\n").filter { $0 == sentinel }.count
    }

    func client() throws -> HTTPTestClient { try HTTPTestClient(port: port) }

    /// One request on a new connection.
    func request(_ method: String, _ path: String, body: Data? = nil) throws -> HTTPTestResponse {
        try client().request(method, path, body: body)
    }

    func post(_ path: String, json: Any) throws -> HTTPTestResponse {
        try request("POST", path, body: try JSONSerialization.data(withJSONObject: json, options: [.fragmentsAllowed]))
    }

    func initialize(code: String, binary: Bool = false, main: String? = nil, env: [String: Any]? = nil)
        throws -> HTTPTestResponse
    {
        var value: [String: Any] = ["code": code, "binary": binary]
        if let main { value["main"] = main }
        if let env { value["env"] = env }
        return try post("/init", json: ["value": value])
    }

    func initialize(file: URL) throws -> HTTPTestResponse {
        let data = try Data(contentsOf: file)
        return try initialize(code: data.base64EncodedString(), binary: true)
    }

    func run(_ value: Any, fields: [String: Any] = [:]) throws -> HTTPTestResponse {
        var body = fields
        body["value"] = value
        return try post("/run", json: body)
    }
}
