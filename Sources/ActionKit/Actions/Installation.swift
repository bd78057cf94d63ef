import Foundation

/// Where the kit finds the proxy binary and the runtimes' files on this
/// machine: beside its own executable (a build folder or an install), or
/// where the environment says.
public enum Installation {
    /// `$ACTIONPROXY_BINARY`, the `actionproxy` beside this executable, or
    /// the one on PATH.
    public static var proxyBinary: String {
        if let path = ProcessInfo.processInfo.environment["ACTIONPROXY_BINARY"] { return path }
        let beside = executableFolder.appendingPathComponent("actionproxy").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        return "actionproxy"
    }

    /// `$ACTIONKIT_RUNTIMES`, or the first `Runtimes/` folder (with a
    /// `python/compile` in it) in the executable's folder or above it: the
    /// repository when the kit runs from its build folder.
    public static var runtimesFolder: URL? {
        if let path = ProcessInfo.processInfo.environment["ACTIONKIT_RUNTIMES"] {
            return URL(fileURLWithPath: path)
        }
        var folder = executableFolder
        while folder.path != "/" {
            let candidate = folder.appendingPathComponent("Runtimes")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("python/compile").path) {
                return candidate
            }
            folder.deleteLastPathComponent()
        }
        return nil
    }

    static var executableFolder: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    }
}
