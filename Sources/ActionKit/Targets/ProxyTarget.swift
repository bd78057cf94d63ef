import Foundation

/// How the kit gets a proxy to talk to, as a command line names it:
/// `--image`, `--proxy` or `--url`.
public enum ProxyTarget: Sendable, CustomStringConvertible {
    /// A fresh container of an image for each start, with the invoker's limits.
    case image(String, limits: ContainerLimits = ContainerLimits())
    /// A fresh host process for each start: a shell command line, given the
    /// port as `--port N` (or in place of `{port}`), unless it always
    /// listens on `fixedPort` (the reference proxy: 8080).
    case command(String, fixedPort: Int? = nil)
    /// One proxy that is already running: the kit can use it once.
    case url(host: String, port: Int)

    /// Whether each `start` gives a new, uninitialised proxy.
    public var startsFresh: Bool {
        if case .url = self { return false }
        return true
    }

    public var description: String {
        switch self {
        case .image(let image, _): "image \(image)"
        case .command(let command, _): "command \(command)"
        case .url(let host, let port): "http://\(host):\(port)"
        }
    }

    /// Starts a proxy (or connects to the running one) and waits until it
    /// answers. `environment` goes to the proxy's process or container.
    public func start(environment: [String: String] = [:], timeout: TimeInterval = 30) throws(TargetError)
        -> ServedProxy
    {
        switch self {
        case .image(let image, let limits):
            try ProxyContainer.start(image: image, limits: limits, environment: environment, timeout: timeout)
        case .command(let command, let fixedPort):
            try ProxyProcess.start(
                command: command, fixedPort: fixedPort, environment: environment, timeout: timeout)
        case .url(let host, let port):
            // A running proxy answers at once or not at all: no start to wait for.
            try RemoteProxy.connect(host: host, port: port, timeout: min(timeout, 10))
        }
    }

    /// Parses a `--url` value: `http://HOST:PORT` (the path is ignored).
    public static func url(_ text: String) throws(TargetError) -> ProxyTarget {
        let (host, port) = try address(text)
        return .url(host: host, port: port)
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

/// The limits an invoker puts on an action container.
public struct ContainerLimits: Sendable, Equatable {
    /// `--memory` (and `--memory-swap`: no swap beyond it).
    public var memory: String = "256m"
    public var pids: Int = 1024
    /// More `docker run` options, as they are.
    public var options: [String] = []

    public init(memory: String = "256m", pids: Int = 1024, options: [String] = []) {
        self.memory = memory
        self.pids = pids
        self.options = options
    }

    var dockerOptions: [String] {
        [
            "--memory", memory, "--memory-swap", memory, "--pids-limit", String(pids),
            "--security-opt", "no-new-privileges",
        ] + options
    }
}
