import ActionKit
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The images of `Dockerfiles/` that the container tests run
/// (`scripts/build-images --list`): the untagged name is a language's
/// default version, the tagged ones the others.
enum TestImage: String, CaseIterable, Sendable {
    case native = "actionproxy/native"
    /// Python 3.13.
    case python = "actionproxy/python"
    case python311 = "actionproxy/python:3.11"
    /// Node.js 24.
    case nodejs = "actionproxy/nodejs"
    case nodejs22 = "actionproxy/nodejs:22"
    /// Go 1.27.
    case go = "actionproxy/go"
    case swift = "actionproxy/swift"
    case swiftSlim = "actionproxy/swift-slim"

    /// In CI (`CI=true`) the container tests must run: a missing daemon or
    /// image fails them instead of skipping them.
    static let required = ProcessInfo.processInfo.environment["CI"] == "true"

    /// The image the tests run: its name, or the one the environment gives
    /// for it, to test an image built from a branch without replacing the
    /// one of that name. The variable is the name after `actionproxy/`, in
    /// capitals, with `_` for each `-`, `:` or `.`:
    /// `ACTIONPROXY_TEST_IMAGE_SWIFT=actionproxy/swift:mybranch`,
    /// `…_SWIFT_SLIM` for actionproxy/swift-slim, `…_PYTHON_3_11` for
    /// actionproxy/python:3.11.
    var reference: String {
        ProcessInfo.processInfo.environment[overrideVariable] ?? rawValue
    }

    var overrideVariable: String {
        let name = rawValue.split(separator: "/").last.map(String.init) ?? rawValue
        let spelled = name.uppercased().map { "-:.".contains($0) ? "_" : String($0) }.joined()
        return "ACTIONPROXY_TEST_IMAGE_" + spelled
    }

    /// One image per language, its default version.
    static let defaultVersions = allCases.filter { !$0.rawValue.contains(":") }

    /// Why these images cannot be tested here, or nil when they can.
    static func unavailable(_ images: [TestImage]) -> String? {
        if let reason = Docker.unavailable { return reason }
        let missing = images.filter { !Docker.hasImage($0.reference) }.map(\.reference)
        return missing.isEmpty ? nil : "not built: \(missing.joined(separator: ", ")) (make images)"
    }

    /// Whether a suite on these images runs: when it can, and always in CI.
    static func enabled(_ images: TestImage...) -> Bool { required || unavailable(images) == nil }
}

/// A container of one of the images, started as an invoker starts it (the
/// kit's `ProxyContainer`: `docker run -d` with the invoker's limits, port
/// 8080 published on 127.0.0.1 only), with the same API as `TestProxy` so
/// that test bodies read the same. Its stdout and stderr are what `docker
/// logs` shows.
final class TestContainer: ProxyUnderTest, @unchecked Sendable {
    private let container: ProxyContainer
    var image: String { container.image }
    var id: String { container.id }
    var port: Int { container.port }
    /// The proxy's working folder in the container: actions go to `action/N/`.
    let directory = "/action"

    private init(_ container: ProxyContainer) {
        self.container = container
    }

    /// Starts a container and waits until the proxy answers `/health`.
    /// `volumes` maps host folders to container paths, mounted read-only.
    static func start(
        _ image: TestImage, environment: [String: String] = [:], arguments: [String] = [],
        volumes: [String: String] = [:], memory: String = "256m", options: [String] = [],
        driver: ContainerDriver = .kit
    ) throws -> TestContainer {
        try start(
            image: image.reference, environment: environment, arguments: arguments, volumes: volumes, memory: memory,
            options: options, driver: driver)
    }

    /// `options` go to `docker run` as they are (`--cap-drop ALL`); `driver`
    /// runs it as the kit, an OpenWhisk invoker or Knative does.
    static func start(
        image: String, environment: [String: String] = [:], arguments: [String] = [],
        volumes: [String: String] = [:], memory: String = "256m", options: [String] = [],
        driver: ContainerDriver = .kit
    ) throws -> TestContainer {
        // An image whose proxy never served fails every later test at once,
        // instead of each waiting for its own timeout.
        if let failure = Self.failures.get(image) {
            throw HTTPTestError(description: "\(image) did not serve in an earlier test: \(failure)")
        }
        let mounts = volumes.sorted(by: { $0.key < $1.key }).flatMap { ["-v", "\($0.key):\($0.value):ro"] }
        do {
            let limits = ContainerLimits(memory: memory, options: options + mounts, driver: driver)
            return TestContainer(
                try ProxyContainer.start(image: image, limits: limits, environment: environment, arguments: arguments))
        } catch {
            if arguments.isEmpty && environment.isEmpty && options.isEmpty {
                Self.failures.set(image, "\(error)")
            }
            throw error
        }
    }

    /// Why an image's proxy did not serve, by image, for the tests that follow.
    private static let failures = FailureLog()

    private final class FailureLog: @unchecked Sendable {
        private let lock = NSLock()
        private var reasons: [String: String] = [:]

        func get(_ image: String) -> String? { lock.withLock { reasons[image] } }
        func set(_ image: String, _ reason: String) { lock.withLock { reasons[image] = reason } }
    }

    /// The container's log, both streams as `docker logs` separates them.
    var logs: (stdout: String, stderr: String) {
        container.logs.map { ($0.stdout, $0.stderr) } ?? ("", "")
    }

    let settleMicroseconds: UInt32 = 200_000
    var workingDirectory: String { directory }

    var isRunning: Bool { container.isRunning }

    /// Runs a command in the container.
    @discardableResult
    func exec(_ command: [String]) throws -> Docker.Outcome { try container.exec(command) }

    func fileExists(_ path: String) -> Bool {
        let absolute = path.hasPrefix("/") ? path : directory + "/" + path
        return (try? exec(["test", "-e", absolute]))?.status == 0
    }

    func entries(in path: String) throws -> [String] {
        let outcome = try exec([
            "sh", "-c", "ls -A \"$1\" 2>/dev/null; true", "sh", path.hasPrefix("/") ? path : directory + "/" + path,
        ])
        return outcome.output.split(separator: "\n").map(String.init).sorted()
    }

    /// Every process of the container, read from /proc (no ps in the slim
    /// images). The proxy is process 1: orphans become its children.
    private func processes() throws -> [ProcessStat] {
        let script = "for f in /proc/[0-9]*/stat; do read -r line < \"$f\" 2>/dev/null && echo \"$line\"; done"
        return try exec(["sh", "-c", script]).output.split(separator: "\n").compactMap { ProcessStat(String($0)) }
    }

    func children() throws -> [(name: String, state: String)] {
        try processes().filter { $0.parent == 1 }.map { ($0.name, $0.state) }
    }

    func zombies() throws -> [String] { try processes().filter { $0.state == "Z" }.map(\.name) }

    /// `docker stop` (SIGTERM to the proxy, which is the container's first
    /// process) and the proxy's exit status.
    func terminateAndWait() -> Int32 {
        container.terminate(waitSeconds: 10) ?? -1
    }

    /// Sends a signal to the proxy (`docker kill --signal`).
    func signal(_ name: String) throws {
        try Docker.check(["kill", "--signal", name, id])
    }

    /// Waits until the container has exited (`docker wait`): the proxy's exit status.
    func waitForExit() -> Int32 {
        let code = (try? Docker.run(["wait", id]))?.output
        return Int32(code?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? -1
    }

    func stop() { container.stop() }
}

/// Starts a container of `image` for `body` and always removes it.
func withContainer<T>(
    _ image: TestImage, environment: [String: String] = [:], arguments: [String] = [],
    volumes: [String: String] = [:], options: [String] = [], driver: ContainerDriver = .kit,
    _ body: (TestContainer) throws -> T
) throws -> T {
    try withContainer(
        image: image.reference, environment: environment, arguments: arguments, volumes: volumes, options: options,
        driver: driver, body)
}

/// The same for an image given by name (one a test built).
func withContainer<T>(
    image: String, environment: [String: String] = [:], arguments: [String] = [],
    volumes: [String: String] = [:], options: [String] = [], driver: ContainerDriver = .kit,
    _ body: (TestContainer) throws -> T
) throws -> T {
    let container = try TestContainer.start(
        image: image, environment: environment, arguments: arguments, volumes: volumes, options: options,
        driver: driver)
    defer { container.stop() }
    return try body(container)
}

/// An image built for one test (`docker build` of a Dockerfile and the files
/// beside it), removed afterwards.
func withBuiltImage<T>(
    dockerfile: String, files: [String: (content: Data, mode: Int)], _ body: (String) throws -> T
) throws -> T {
    let folder = try Fixtures.scratch()
    defer { try? FileManager.default.removeItem(at: folder) }
    try Data(dockerfile.utf8).write(to: folder.appendingPathComponent("Dockerfile"))
    for (name, file) in files {
        let url = folder.appendingPathComponent(name)
        try file.content.write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: file.mode], ofItemAtPath: url.path)
    }
    let tag = "actionproxy-test/image-\(UUID().uuidString.lowercased())"
    // The classic builder: every docker client can use it, with or without
    // the buildx plugin that BuildKit needs in recent clients.
    try Docker.check(["build", "-q", "-t", tag, folder.path], environment: ["DOCKER_BUILDKIT": "0"])
    defer { _ = try? Docker.run(["rmi", "-f", tag]) }
    return try body(tag)
}
