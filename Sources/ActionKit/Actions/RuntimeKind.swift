import Foundation

/// The languages an image or a host proxy serves, as `--runtime` names them.
public enum RuntimeKind: String, CaseIterable, Sendable, CustomStringConvertible {
    /// Executables and scripts run as they are (no compiler).
    case native
    /// The platform's "docker action" image: an executable run per activation.
    case blackbox
    case python
    case nodejs
    case swift

    public var description: String { rawValue }

    /// Our image for it (`Dockerfiles/`, `make images`).
    public var image: String {
        switch self {
        case .native: "actionproxy/native"
        case .blackbox: "actionproxy/native"
        case .python: "actionproxy/python"
        case .nodejs: "actionproxy/nodejs"
        case .swift: "actionproxy/swift"
        }
    }

    /// What a host `actionproxy` needs in its environment to serve this
    /// runtime as its image does (`Runtimes/<lang>/compile` as OW_COMPILER;
    /// every image logs init errors, then the sentinels, as upstream's
    /// Python image does: OW_LOG_INIT_ERROR).
    public func hostEnvironment(runtimes: URL) -> [String: String] {
        switch self {
        case .native:
            return [:]
        case .blackbox:
            let folder = runtimes.appendingPathComponent("blackbox")
            return [
                "OW_COMPILER": folder.appendingPathComponent("compile").path,
                "OW_WAIT_FOR_ACK": "1",
                "OW_LAUNCHER": folder.appendingPathComponent("launcher").path,
                "OW_DEFAULT_ACTION": folder.path,
                "PROXY_ALLOW_REINIT": "1", "OW_LOG_INIT_ERROR": "1",
            ]
        case .python, .nodejs, .swift:
            return [
                "OW_COMPILER": runtimes.appendingPathComponent("\(rawValue)/compile").path,
                "OW_WAIT_FOR_ACK": "1", "OW_LOG_INIT_ERROR": "1",
            ]
        }
    }

    /// The host proxy serving this runtime (`ProxyTarget.host`): the
    /// `actionproxy` binary's command line, with the environment above.
    /// Fails when the runtimes' files are not found.
    func hostProxy() throws(TargetError) -> (command: String, environment: [String: String]) {
        guard let runtimes = Installation.runtimesFolder else {
            throw .launch(
                "cannot find the Runtimes/ folder: run the kit from the repository's build, or set ACTIONKIT_RUNTIMES"
            )
        }
        if self == .blackbox {
            let launcher = runtimes.appendingPathComponent("blackbox/launcher").path
            if !FileManager.default.isExecutableFile(atPath: launcher) {
                throw .launch("the blackbox launcher is not built: make -C \(runtimes.path)/blackbox launcher")
            }
        }
        return (shellQuoted(Installation.proxyBinary), hostEnvironment(runtimes: runtimes))
    }
}

/// `text` as one shell word.
public func shellQuoted(_ text: String) -> String {
    let plain = text.allSatisfy { $0.isLetter || $0.isNumber || "/._-+=:,@".contains($0) }
    return plain && !text.isEmpty ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
