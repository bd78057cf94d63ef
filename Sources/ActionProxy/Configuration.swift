#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Everything the proxy needs to know, read once at start from the command line
/// and the `OW_*` environment (PROTOCOL.md §6).
public struct Configuration: Sendable {
    /// The address to listen on; `0.0.0.0` in a container.
    public var host: String = "0.0.0.0"
    /// The port to listen on; 0 picks a free one.
    public var port: Int = 8080
    /// Where numbered action folders are made: `OW_ACTION_DIR`, or `./action`.
    public var actionDirectory: String = "./action"
    /// Used instead of `./action` when that cannot be written (a read-only
    /// root): `$TMPDIR/actionproxy`. Nil when the folder was chosen explicitly.
    public var actionDirectoryFallback: String? = "/tmp/actionproxy"
    /// The action baked into the image (`__OW_ACTION_CODE`, `__OW_ACTION_CODE_FILE`):
    /// the proxy initializes itself with it at start and refuses inits.
    package var bakedAction: BakedAction?
    /// The methods the single entrypoint `/` answers (`__OW_HTTP_METHODS`).
    public var entrypointMethods: [String] = Configuration.allEntrypointMethods
    public static let allEntrypointMethods = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]
    /// `OW_COMPILER`: run as `compiler <main> <srcdir> <bindir>` for code that is not executable yet.
    public var compiler: String?
    /// `OW_WAIT_FOR_ACK`: the action writes `{"ok":true}` on fd 3 once it is ready.
    public var waitForAck: String?
    /// `OW_EXECUTION_ENV`: `bin/exec.env` must hold this value.
    public var executionEnvironment: String?
    /// `OW_LOG_INIT_ERROR`: init errors go to the log; the response says only where to look.
    public var logInitErrors: Bool = false
    /// `OW_SAVE_JAR`: a zip that is a jar is kept whole under this name instead of extracted.
    public var saveJar: String?
    /// `OW_LAUNCHER`: the action process is `launcher <absolute path of bin/exec>`
    /// instead of `bin/exec` itself (the blackbox runtime runs exec once per activation).
    public var launcher: String?
    /// `OW_DEFAULT_ACTION`: a folder whose `exec` an `/init` without code starts
    /// (a blackbox image's preinstalled `/action/exec`) instead of answering 403.
    public var defaultAction: String?
    /// `PROXY_ALLOW_REINIT`: a later `/init` replaces the action.
    public var allowReinit: Bool = false
    /// `-debug` / `OW_DEBUG`.
    public var debug: Bool = false
    /// Largest request body accepted (`OW_MAX_BODY_BYTES`).
    public var maxBodyBytes: Int = 128 << 20
    /// Largest result line accepted from the action (`OW_MAX_RESULT_BYTES`).
    public var maxResultBytes: Int = 128 << 20
    /// How long an action may take to ack at init, in milliseconds (`OW_ACK_TIMEOUT_MS`).
    public var ackTimeoutMilliseconds: Int64 = 60_000
    /// How long a compile (`OW_COMPILER`) may take, in milliseconds (`OW_COMPILE_TIMEOUT_MS`).
    public var compileTimeoutMilliseconds: Int64 = 300_000
    /// Without an ack, how long init watches the new process for an early exit.
    public var startGraceMilliseconds: Int64 = 5
    /// At SIGTERM, how long activations in flight may take to finish (`OW_SHUTDOWN_GRACE_MS`).
    public var shutdownGraceMilliseconds: Int64 = 5_000
    /// How many runs may wait for an action that runs one activation at a
    /// time (`OW_MAX_WAITING_RUNS`); one more is refused with 503.
    public var maxWaitingRuns: Int = 64
    /// Limits on what an archive may expand to (`OW_MAX_EXTRACT_*`).
    package var archiveLimits: ArchiveLimits = .default
    /// The proxy's own environment: `__OW_*` values are passed on to the action,
    /// `PATH` too (or a default one).
    public var environment: [String: String] = [:]

    public init() {}

    /// Defaults overlaid with the `OW_*` variables of `environment`.
    public init(environment: [String: String]) {
        self.environment = environment
        func flag(_ name: String) -> String? {
            guard let value = environment[name], !value.isEmpty else { return nil }
            return value
        }
        func number(_ name: String) -> Int? { flag(name).flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil } }
        compiler = flag("OW_COMPILER")
        waitForAck = flag("OW_WAIT_FOR_ACK")
        executionEnvironment = flag("OW_EXECUTION_ENV")
        logInitErrors = flag("OW_LOG_INIT_ERROR") != nil
        saveJar = flag("OW_SAVE_JAR")
        allowReinit = flag("PROXY_ALLOW_REINIT") != nil
        launcher = flag("OW_LAUNCHER")
        defaultAction = flag("OW_DEFAULT_ACTION")
        debug = flag("OW_DEBUG") != nil
        if let directory = flag("OW_ACTION_DIR") {
            actionDirectory = directory
            actionDirectoryFallback = nil
        } else {
            actionDirectoryFallback = (flag("TMPDIR") ?? "/tmp") + "/actionproxy"
        }
        bakedAction = BakedAction(environment: environment)
        if let methods = flag("__OW_HTTP_METHODS") { entrypointMethods = Self.methods(methods) }
        if let value = number("OW_MAX_BODY_BYTES") { maxBodyBytes = value }
        if let value = number("OW_MAX_RESULT_BYTES") { maxResultBytes = value }
        if let value = number("OW_ACK_TIMEOUT_MS") { ackTimeoutMilliseconds = Int64(value) }
        if let value = number("OW_COMPILE_TIMEOUT_MS") { compileTimeoutMilliseconds = Int64(value) }
        if let value = number("OW_SHUTDOWN_GRACE_MS") { shutdownGraceMilliseconds = Int64(value) }
        if let value = number("OW_MAX_WAITING_RUNS") { maxWaitingRuns = value }
        if let value = number("OW_MAX_EXTRACT_BYTES") { archiveLimits.maxTotalBytes = value }
        if let value = number("OW_MAX_EXTRACT_ENTRIES") { archiveLimits.maxEntries = value }
        if let value = number("OW_MAX_EXTRACT_FILE_BYTES") { archiveLimits.maxFileBytes = value }
    }

    /// The action folder, made if needed: `actionDirectory`, or the fallback
    /// when that cannot be made or written (a read-only root filesystem).
    func preparedActionDirectory() throws(FileSystemError) -> String {
        do throws(FileSystemError) {
            try FileSystem.makeDirectories(actionDirectory)
            guard access(actionDirectory, W_OK) == 0 else { throw FileSystemError("access", actionDirectory) }
            return actionDirectory
        } catch {
            guard let fallback = actionDirectoryFallback else { throw error }
            try FileSystem.makeDirectories(fallback)
            return fallback
        }
    }

    /// `[GET,POST]`, `GET, post` or `GET POST` as upper-case method names;
    /// unknown names are left out, and none left means all.
    static func methods(_ text: String) -> [String] {
        let names = text.uppercased().split(whereSeparator: { "[], \"'".contains($0) }).map(String.init)
        let known = names.filter { allEntrypointMethods.contains($0) }
        return known.isEmpty ? allEntrypointMethods : known
    }
}

/// The proxy's version, as `-version` prints it and `__OW_PROXY_VERSION` passes it on.
public enum ProxyVersion {
    public static let number = "0.1.0"
    /// The ActionLoop contract version this proxy speaks.
    public static let contract = "1.17.1"
}
