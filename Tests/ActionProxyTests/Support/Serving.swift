import ActionKit
import Foundation
import Testing

/// Where a test case runs. Every suite that drives a proxy takes a list of
/// these as its arguments, so that one test, written once, runs on every
/// target that should show its behaviour; a case that only makes sense on
/// some targets takes a shorter list. The container targets run only where
/// Docker and the image are here, and always in CI (`TestImage.enabled`).
///
/// To see which targets run a test, look at its `arguments:`.
enum Serving: Sendable, CustomTestStringConvertible {
    /// The proxy alone on the host: no launcher, no compiler, no ack. The
    /// plain contract of PROTOCOL.md.
    case proxy
    /// The same proxy in an image, started as an invoker starts it, with the
    /// image's runtime variables blanked so that it serves the plain contract
    /// too, and the test fixtures mounted at `/fixtures`.
    case proxyIn(TestImage)
    /// Our proxy on the host serving `Runtimes/<lang>`, as its image does.
    case host(Runtime)
    /// The image as it is.
    case image(TestImage)

    var testDescription: String {
        switch self {
        case .proxy: "host proxy"
        case .proxyIn(let image): "\(image.rawValue), proxy alone"
        case .host(let runtime): "host \(runtime.rawValue)"
        case .image(let image): image.rawValue
        }
    }

    /// The contract cases: the host proxy and the proxy of the Python image
    /// (python3 and bash for the fixtures).
    static let contract = [Serving.proxy] + enabled(.proxyIn(.python))
    /// The size cases: the host proxy and the proxy of actionproxy/native in
    /// the invoker's 256 MB.
    static let sizes = [Serving.proxy] + enabled(.proxyIn(.native))
    /// The host proxy and every image's, as it is (a language's default
    /// version: its other versions carry the same proxy).
    static let everyProxy = [Serving.proxy] + TestImage.defaultVersions.flatMap { enabled(.image($0)) }
    /// A language runtime on the host and as its images, one per version.
    static func cases(_ runtime: Runtime, _ images: TestImage...) -> [Serving] {
        [.host(runtime)] + images.flatMap { enabled(.image($0)) }
    }

    static let python = cases(.python, .python, .python311)
    static let nodejs = cases(.nodejs, .nodejs, .nodejs22)
    /// The Go runtime in its image only: the hosts that run the suite have
    /// no Go toolchain of their own.
    static let go = enabled(.image(.go))
    static let swift = cases(.swift, .swift)
    static let blackbox = cases(.blackbox, .native)

    /// `target` when it can run here (a container target needs its image).
    static func enabled(_ target: Serving) -> [Serving] {
        guard let image = target.testImage else { return [target] }
        return TestImage.enabled(image) ? [target] : []
    }

    var testImage: TestImage? {
        switch self {
        case .proxy, .host: nil
        case .proxyIn(let image), .image(let image): image
        }
    }

    var isContainer: Bool { testImage != nil }

    /// The path under which the proxy finds a file of `Tests/…/Fixtures`.
    func fixture(_ name: String) -> String {
        isContainer ? "/fixtures/\(name)" : Fixtures.url(name).path
    }

    /// A folder of the host as the proxy sees it: itself on the host,
    /// mounted read-only in a container (pass it to `serve(mounts:)`).
    func mount(_ folder: URL) -> Mount {
        Mount(host: folder.path, path: isContainer ? "/mnt/\(folder.lastPathComponent)" : folder.path)
    }

    struct Mount: Sendable {
        var host: String
        /// Where the proxy finds it.
        var path: String
    }

    /// Whether init errors are logged (`OW_LOG_INIT_ERROR`): on every
    /// runtime and image, not on the proxy alone unless a test sets it.
    var logsInitErrors: Bool {
        switch self {
        case .proxy, .proxyIn: false
        case .host, .image: true
        }
    }

    /// The `/init` error of a start failure on this target: the cause, after
    /// the reference's words (`cannot start action: `, or its sentence
    /// where init errors are logged).
    func startError(_ reason: String) -> String {
        (logsInitErrors ? InitFailure.start : "cannot start action: ") + reason
    }

    /// The `/init` error of a compile failure: the compiler's output, after
    /// the reference's sentence where init errors are logged.
    func compileError(_ output: String) -> String { (logsInitErrors ? InitFailure.compile : "") + output }

    /// An image's runtime variables, blanked (an empty variable is unset for
    /// the proxy): no launcher, no compiler, no ack, one init.
    static let plainContract = [
        "OW_COMPILER": "", "OW_LAUNCHER": "", "OW_DEFAULT_ACTION": "", "OW_WAIT_FOR_ACK": "", "PROXY_ALLOW_REINIT": "",
        "OW_EXECUTION_ENV": "", "OW_LOG_INIT_ERROR": "",
    ]

    /// Starts the proxy for `body` and always stops it. `arguments` go to the
    /// proxy after its listening flags; `singleDash` spells those as the
    /// reference does (`-host`, `-port`; in a container they are given then,
    /// as `-host 0.0.0.0 -port 8080`). Two containers run at a time, one per
    /// core of the machines the suite runs on: more would make the timing
    /// cases (ack timeouts, overlapping runs) compete for the cores.
    func serve<T>(
        environment: [String: String] = [:], arguments: [String] = [], singleDash: Bool = false,
        mounts: [Mount] = [], _ body: (any ProxyUnderTest) throws -> T
    ) throws -> T {
        var arguments = arguments
        if singleDash && isContainer { arguments = ["-host", "0.0.0.0", "-port", "8080"] + arguments }
        switch self {
        case .proxy:
            let proxy = try TestProxy.start(environment: environment, arguments: arguments, singleDash: singleDash)
            defer { proxy.stop() }
            return try body(proxy)
        case .host(let runtime):
            try Runtime.prepared.get()
            let proxy = try TestProxy.start(
                environment: runtime.environment(environment), arguments: arguments, singleDash: singleDash)
            defer { proxy.stop() }
            return try body(proxy)
        case .proxyIn(let image):
            return try Serving.containerLanes.run {
                try withContainer(
                    image, environment: Self.plainContract.merging(environment) { $1 }, arguments: arguments,
                    volumes: volumes(mounts)
                ) { try body($0) }
            }
        case .image(let image):
            return try Serving.containerLanes.run {
                try withContainer(image, environment: environment, arguments: arguments, volumes: volumes(mounts)) {
                    try body($0)
                }
            }
        }
    }

    private func volumes(_ mounts: [Mount]) -> [String: String] {
        var volumes = [Fixtures.directory.path: "/fixtures"]
        for mount in mounts { volumes[mount.host] = mount.path }
        return volumes
    }

    private static let containerLanes = Lanes(2)

    /// Runs the proxy binary of this target once to its end, as a command
    /// (`-compile main`, `-version`): the host binary, or `docker run -i
    /// --rm IMAGE ARGUMENTS` with the fixtures and `mounts` mounted, on the
    /// host's network with `hostNetwork` (a server of the test on 127.0.0.1).
    func runOnce(
        _ arguments: [String], input: Data? = nil, environment: [String: String] = [:], mounts: [Mount] = [],
        hostNetwork: Bool = false
    ) throws -> ProcessRunner.Outcome {
        switch self {
        case .proxy, .host:
            let scratch = try Fixtures.scratch()
            defer { try? FileManager.default.removeItem(at: scratch) }
            var variables = ["PATH": "/usr/bin:/bin"]
            if case .host(let runtime) = self { variables = runtime.environment() }
            return try ProcessRunner.run(
                TestProxy.binary, arguments, environment: variables.merging(environment) { $1 }, directory: scratch,
                input: input)
        case .proxyIn(let image), .image(let image):
            var variables: [String: String] = [:]
            if case .proxyIn = self { variables = Self.plainContract }
            variables.merge(environment) { $1 }
            let flags = variables.sorted(by: { $0.key < $1.key }).flatMap { ["-e", "\($0.key)=\($0.value)"] }
            let volumes = volumes(mounts).sorted(by: { $0.key < $1.key }).flatMap { ["-v", "\($0.key):\($0.value):ro"] }
            return try Docker.run(
                ["run", "-i", "--rm"] + (hostNetwork ? ["--network", "host"] : []) + flags + volumes
                    + [image.reference] + arguments, input: input)
        }
    }
}

/// The sentences a failed init starts with under `OW_LOG_INIT_ERROR`.
enum InitFailure {
    static let compile = "The action failed to generate or locate a binary. See logs for details. "
    static let start = "Cannot start action. Check logs for details. "
}

/// At most `count` bodies at a time.
final class Lanes: Sendable {
    private let semaphore: DispatchSemaphore

    init(_ count: Int) { semaphore = DispatchSemaphore(value: count) }

    func run<T>(_ body: () throws -> T) rethrows -> T {
        semaphore.wait()
        defer { semaphore.signal() }
        return try body()
    }
}
