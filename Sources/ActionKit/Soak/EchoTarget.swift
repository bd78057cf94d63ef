import Foundation

/// The proxy that soak and load drive, initialised with the echo action.
public struct EchoTarget: Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        /// Our host proxy serving the echo action's language.
        case host
        /// A proxy command run on this machine (given `--port N`).
        case command(String)
        /// A container of an image.
        case image(String)
        /// A running, uninitialised proxy; `pid` (if known) for its figures.
        case url(host: String, port: Int, pid: Int32?)
    }

    public var kind: Kind
    public var language: EchoAction.Language
    /// Environment for the proxy: its process's or its container's.
    public var environment: [String: String] = [:]

    public init(kind: Kind, language: EchoAction.Language) {
        self.kind = kind
        self.language = language
    }

    public var description: String {
        switch kind {
        case .host: "the host proxy serving \(language)"
        case .command(let command): command
        case .image(let image): image
        case .url(let host, let port, _): "http://\(host):\(port)"
        }
    }

    /// Whether the kit starts the proxy, and so may configure it (a URL
    /// target was configured by whoever started it).
    public var isStartedByKit: Bool {
        if case .url = kind { return false }
        return true
    }

    /// The echo action for an image: its language when it is one of our
    /// language images, else the native one.
    public static func language(forImage image: String) -> EchoAction.Language {
        EchoAction.Language.allCases.first { $0 != .native && $0.runtime.image == image } ?? .native
    }

    /// Starts the proxy (or reaches it) and sends `/init` with the echo action.
    public func start(code: ActionCode) throws(TargetError) -> ServedProxy {
        let proxy: ServedProxy
        switch kind {
        case .host:
            let (target, hostEnvironment) = try RuntimeKind.hostTarget(language.runtime)
            proxy = try target.start(environment: hostEnvironment.merging(environment) { $1 })
        case .command(let command):
            proxy = try ProxyTarget.command(command).start(environment: environment)
        case .image(let image):
            proxy = try ProxyTarget.image(image).start(environment: environment, timeout: 60)
        case .url(let host, let port, _):
            proxy = try ProxyTarget.url(host: host, port: port).start()
        }
        do {
            let response = try proxy.initialize(code, main: "main", timeoutSeconds: 120)
            guard response.status == 200 else {
                throw TargetError.notServing("/init of the echo action answered \(response.status): \(response.text)")
            }
        } catch {
            proxy.stop()
            throw error as? TargetError ?? .notServing("/init of the echo action failed: \(error)")
        }
        return proxy
    }

    /// The proxy's process id, for its memory and descriptors.
    public func processID(of proxy: ServedProxy) -> Int32? {
        if case .url(_, _, let pid) = kind { return pid }
        return proxy.processID
    }
}
