/// The limits an invoker puts on an action container.
public struct ContainerLimits: Sendable, Equatable {
    /// `--memory` (and `--memory-swap`: no swap beyond it).
    public var memory: String = "256m"
    public var pids: Int = 1024
    /// More `docker run` options, as they are.
    public var options: [String] = []

    public init(memory: String = "256m", pids: Int = 1024, options: [String] = []) {
        self.memory = memory
        self.pids = pids
        self.options = options
    }

    var dockerOptions: [String] {
        [
            "--memory", memory, "--memory-swap", memory, "--pids-limit", String(pids),
            "--security-opt", "no-new-privileges",
        ] + options
    }
}
