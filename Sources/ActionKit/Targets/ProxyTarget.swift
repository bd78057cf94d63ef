import Foundation

/// The proxy a kit command drives, as its command line names it: `--image`,
/// `--runtime`, `--proxy` or `--url`. Every command (conform, invoke, soak,
/// load, and bench for its commands) chooses and starts its proxy with it;
/// each says in its own words what it started.
public enum ProxyTarget: Sendable, CustomStringConvertible {
    /// A fresh container of an image for each start, with the invoker's limits.
    case image(String, limits: ContainerLimits = ContainerLimits())
    /// Our host proxy serving a language from `Runtimes/` (no Docker): a
    /// fresh `actionproxy` process for each start, with the environment the
    /// language's image would give it.
    case host(RuntimeKind)
    /// A fresh host process for each start: a shell command line, given the
    /// port as `--port N` (or in place of `{port}`), unless it always
    /// listens on `fixedPort` (the reference proxy: 8080).
    case command(String, fixedPort: Int? = nil)
    /// One proxy that is already running: the kit neither starts nor stops
    /// it, and can use it once. `pid`, when given, is its process on this
    /// machine, for its memory, descriptors and children.
    case url(host: String, port: Int, pid: Int32? = nil)

    /// Whether each `start` gives a new proxy that the kit started: one it
    /// may configure (its environment), replace after a failure, and start
    /// afresh for each conformance case. Not a `--url` proxy, which whoever
    /// started it configured, and which may have been initialised already.
    public var startsFresh: Bool {
        if case .url = self { return false }
        return true
    }

    /// The image, the command or the URL as given; the host proxy and its language.
    public var description: String {
        switch self {
        case .image(let image, _): image
        case .host(let runtime): "the host proxy serving \(runtime)"
        case .command(let command, _): command
        case .url(let host, let port, _): "http://\(host):\(port)"
        }
    }

    /// Starts a proxy (or connects to the running one) and waits until it
    /// answers. `environment` goes to the proxy's process or container (on
    /// top of what a host proxy's language needs). `timeout` defaults to
    /// 60 s for a container (docker's start is part of it), 30 s for a
    /// process; a running proxy gets 10 s at most: it answers at once or not
    /// at all.
    public func start(environment: [String: String] = [:], timeout: TimeInterval? = nil) throws(TargetError)
        -> ServedProxy
    {
        switch self {
        case .image(let image, let limits):
            return try ProxyContainer.start(
                image: image, limits: limits, environment: environment, timeout: timeout ?? 60)
        case .host(let runtime):
            let host = try runtime.hostProxy()
            return try ProxyProcess.start(
                command: host.command, environment: host.environment.merging(environment) { $1 },
                timeout: timeout ?? 30)
        case .command(let command, let fixedPort):
            return try ProxyProcess.start(
                command: command, fixedPort: fixedPort, environment: environment, timeout: timeout ?? 30)
        case .url(let host, let port, let pid):
            return try RemoteProxy.connect(host: host, port: port, pid: pid, timeout: min(timeout ?? 10, 10))
        }
    }

    /// Fails now on what would fail every start (a host proxy without its
    /// `Runtimes/` files), so that a command that starts many proxies says
    /// it once.
    public func checkStartable() throws(TargetError) {
        if case .host(let runtime) = self { _ = try runtime.hostProxy() }
    }

    /// Parses a `--url` value: `http://HOST:PORT` (the path is ignored).
    public static func url(_ text: String, pid: Int32? = nil) throws(TargetError) -> ProxyTarget {
        let (host, port) = try address(text)
        return .url(host: host, port: port, pid: pid)
    }

    /// The host and port of an `http://HOST:PORT` URL.
    public static func address(_ text: String) throws(TargetError) -> (host: String, port: Int) {
        var rest = Substring(text)
        if rest.hasPrefix("http://") { rest = rest.dropFirst("http://".count) }
        let authority = rest.split(separator: "/", maxSplits: 1).first ?? ""
        let parts = authority.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]), (1...65535).contains(port) else {
            throw .launch("not an http://HOST:PORT URL: \(text)")
        }
        return (String(parts[0]), port)
    }
}
