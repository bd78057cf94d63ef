/// The limits an invoker puts on an action container, and how the kit
/// drives it.
public struct ContainerLimits: Sendable, Equatable {
    /// `--memory` (and `--memory-swap`: no swap beyond it).
    public var memory: String = "256m"
    public var pids: Int = 1024
    /// More `docker run` options, as they are.
    public var options: [String] = []
    public var driver: ContainerDriver = .kit

    public init(memory: String = "256m", pids: Int = 1024, options: [String] = [], driver: ContainerDriver = .kit) {
        self.memory = memory
        self.pids = pids
        self.options = options
        self.driver = driver
    }

    var dockerOptions: [String] {
        [
            "--memory", memory, "--memory-swap", memory, "--pids-limit", String(pids),
            "--security-opt", "no-new-privileges",
        ] + options
    }
}

/// How the kit starts and talks to a container.
public enum ContainerDriver: String, Sendable, Equatable, CaseIterable {
    /// Port 8080 published on 127.0.0.1, waited for with `GET /health`
    /// until it answers, logs with `docker logs`.
    case kit
    /// As an OpenWhisk invoker does (`OpenWhiskInvoker`): `--platform openwhisk`.
    case openWhisk = "openwhisk"
    /// As Knative Serving runs a revision (`KnativeRevision`): `--platform knative`.
    case knative
}
