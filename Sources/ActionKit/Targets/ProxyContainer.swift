import Foundation

/// A proxy in a container of an image, started as an invoker starts one:
/// detached, with memory and process limits, port 8080 published on
/// 127.0.0.1 only. Its stdout and stderr are what `docker logs` shows.
public final class ProxyContainer: ServedProxy, @unchecked Sendable {
    public let image: String
    public let id: String
    public let host = "127.0.0.1"
    public let port: Int
    public var name: String { image }

    private init(image: String, id: String, port: Int) {
        self.image = image
        self.id = id
        self.port = port
    }

    /// Starts a container and waits until the proxy answers.
    public static func start(
        image: String, limits: ContainerLimits = ContainerLimits(), environment: [String: String] = [:],
        arguments: [String] = [], timeout: TimeInterval = 30
    ) throws(TargetError) -> ProxyContainer {
        var command = ["run", "-d", "-p", "127.0.0.1::8080"] + limits.dockerOptions
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) { command += ["-e", "\(name)=\(value)"] }
        command += [image] + arguments
        let id = try Docker.check(command).output.trimmingCharacters(in: .whitespacesAndNewlines)
        do {
            let container = ProxyContainer(image: image, id: id, port: try publishedPort(id))
            try container.waitUntilServing(timeout: timeout) { container.isRunning ? nil : container.exitReason }
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

    public var logs: ProxyLogs? {
        guard let outcome = try? Docker.run(["logs", id]) else { return nil }
        return ProxyLogs(stdout: outcome.output, stderr: outcome.errors)
    }

    /// The proxy's process id as this machine sees it (the container's
    /// first process).
    public var processID: Int32? {
        Int32(inspect("{{.State.Pid}}")).flatMap { $0 > 0 ? $0 : nil }
    }

    public var isRunning: Bool { inspect("{{.State.Running}}") == "true" }

    private var exitReason: String { "status \(inspect("{{.State.ExitCode}}"))" }

    public func terminate(waitSeconds seconds: Double) -> Int32? {
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
