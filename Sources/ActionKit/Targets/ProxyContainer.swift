import Foundation

/// A proxy in a container of an image, started as an invoker starts one:
/// detached, with memory and process limits, port 8080 published on
/// 127.0.0.1 only (or, driven as OpenWhisk does, on the host network with
/// the proxy on a loopback port). Its stdout and stderr are its log.
public final class ProxyContainer: ServedProxy, @unchecked Sendable {
    public let image: String
    public let id: String
    public let host = "127.0.0.1"
    public let port: Int
    public var name: String { image }

    public let driver: ContainerDriver
    private let lock = NSLock()
    /// Requests under way (`willSend` … `answered`), and whether the
    /// container is paused meanwhile (OpenWhisk's idle containers).
    private var requests = 0
    private var paused = false
    private var pausing = true

    private init(image: String, id: String, port: Int, driver: ContainerDriver) {
        self.image = image
        self.id = id
        self.port = port
        self.driver = driver
    }

    /// Starts a container and waits until the proxy answers (or, driven as
    /// OpenWhisk does, until it accepts a connection).
    public static func start(
        image: String, limits: ContainerLimits = ContainerLimits(), environment: [String: String] = [:],
        arguments: [String] = [], timeout: TimeInterval = 30
    ) throws(TargetError) -> ProxyContainer {
        var command = ["run", "-d"] + limits.dockerOptions
        var environment = environment
        var port: Int?
        switch limits.driver {
        case .kit:
            command += ["-p", "127.0.0.1::8080"]
        case .openWhisk:
            let chosen = try FreePort.pick()
            port = chosen
            command += OpenWhiskInvoker.dockerOptions(port: chosen)
            environment = OpenWhiskInvoker.containerEnvironment.merging(environment) { $1 }
        case .knative:
            let chosen = try FreePort.pick()
            port = chosen
            command += KnativeRevision.dockerOptions(port: chosen)
            environment = KnativeRevision.containerEnvironment.merging(environment) { $1 }
        }
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) { command += ["-e", "\(name)=\(value)"] }
        command += [image] + arguments
        let id = try Docker.check(command).output.trimmingCharacters(in: .whitespacesAndNewlines)
        do {
            let container = ProxyContainer(
                image: image, id: id, port: try port ?? publishedPort(id), driver: limits.driver)
            let exited = { container.isRunning ? nil : container.exitReason }
            switch limits.driver {
            case .kit: try container.waitUntilServing(timeout: timeout, exited: exited)
            case .knative: try container.waitUntilServing(timeout: timeout, exited: exited, untilReady: true)
            case .openWhisk:
                try container.waitUntilAccepting(
                    timeout: timeout, every: OpenWhiskInvoker.connectRetry, exited: exited)
            }
            return container
        } catch {
            let logs = (try? Docker.run(["logs", id])).map { $0.output + $0.errors } ?? ""
            _ = try? Docker.run(["rm", "-f", "-v", id])
            throw .notServing("\(image) did not start: \(error); its log: \(logs)")
        }
    }

    /// The host port docker picked for the container's 8080 on 127.0.0.1.
    private static func publishedPort(_ id: String) throws(TargetError) -> Int {
        let lines = try Docker.check(["port", id, "8080/tcp"]).output.split(separator: "\n")
        for line in lines where line.hasPrefix("127.0.0.1:") {
            if let port = Int(line.split(separator: ":").last ?? "") { return port }
        }
        throw .launch("no port published on 127.0.0.1: \(lines)")
    }

    /// `docker logs`; driven as OpenWhisk does, the container's json-file
    /// log read as the invoker reads it, line by line with its stream.
    public var logs: ProxyLogs? {
        if driver == .openWhisk, let logs = JSONFileLog.read(path: inspect("{{.LogPath}}")) { return logs }
        guard let outcome = try? Docker.run(["logs", id]) else { return nil }
        return ProxyLogs(stdout: outcome.output, stderr: outcome.errors)
    }

    /// Before a request: an OpenWhisk invoker unpauses the container before
    /// it sends the next activation.
    public func willSend() {
        guard driver == .openWhisk else { return }
        lock.withLock {
            requests += 1
            unpauseLocked()
        }
    }

    /// After the answer: with nothing else under way, the container is
    /// paused, as the invoker pauses an idle one (after 10 s there; at once
    /// here, so that every request meets a container just unpaused).
    public func answered() {
        guard driver == .openWhisk else { return }
        lock.withLock {
            requests -= 1
            if requests == 0 && pausing && !paused && isRunning {
                paused = (try? Docker.run(["pause", id]))?.status == 0
            }
        }
    }

    /// A connection the kit reads from itself (overlapping requests): no
    /// more pausing for this container.
    public func holdsConnection() {
        lock.withLock {
            pausing = false
            unpauseLocked()
        }
    }

    /// `docker unpause` if the kit paused it; under `lock`.
    private func unpauseLocked() {
        guard paused else { return }
        _ = try? Docker.run(["unpause", id])
        paused = false
    }

    /// The proxy's process id as this machine sees it (the container's
    /// first process).
    public var processID: Int32? {
        Int32(inspect("{{.State.Pid}}")).flatMap { $0 > 0 ? $0 : nil }
    }

    public var isRunning: Bool { inspect("{{.State.Running}}") == "true" }

    var exitReason: String { "status \(inspect("{{.State.ExitCode}}"))" }

    public func terminate(waitSeconds seconds: Double) -> Int32? {
        holdsConnection()
        _ = try? Docker.run(["stop", "-t", String(Int(seconds.rounded(.up))), id])
        return isRunning ? nil : Int32(inspect("{{.State.ExitCode}}"))
    }

    /// Runs a command in the container.
    @discardableResult
    public func exec(_ command: [String]) throws(TargetError) -> Docker.Outcome {
        try Docker.run(["exec", id] + command)
    }

    public func stop() {
        _ = try? Docker.run(["rm", "-f", "-v", id])
    }

    private func inspect(_ format: String) -> String {
        ((try? Docker.run(["inspect", "-f", format, id]))?.output ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
