import Foundation

/// The proxy that soak and load drive, initialised with the echo action.
public struct EchoTarget: Sendable, CustomStringConvertible {
    /// Where the proxy comes from (`.host` serves the echo action's language).
    public var target: ProxyTarget
    public var language: EchoAction.Language
    /// Environment for the proxy: its process's or its container's.
    public var environment: [String: String] = [:]

    public init(target: ProxyTarget, language: EchoAction.Language) {
        self.target = target
        self.language = language
    }

    public var description: String { target.description }

    /// The echo action for an image: its language when it is one of our
    /// language images, else the native one.
    public static func language(forImage image: String) -> EchoAction.Language {
        EchoAction.Language.allCases.first { $0 != .native && $0.runtime.image == image } ?? .native
    }

    /// Starts the proxy (or reaches it) and sends `/init` with the echo action.
    public func start(code: ActionCode) throws(TargetError) -> ServedProxy {
        let proxy = try target.start(environment: environment)
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
}
