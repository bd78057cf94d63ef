import ActionKit
import ArgumentParser

/// The target flags of conform, invoke, soak and load: `--image`, `--proxy`,
/// `--url` and `--runtime`, and the flags that qualify one of them where the
/// command takes them (`--memory`, `--fixed-port`, `--pid`). Checks that
/// the command line names one target and builds it. `Rules` says how the
/// command reads them.
struct TargetOptions<Rules: TargetRules>: ParsableArguments {
    @Option(help: "A container of this image (needs Docker).")
    var image: String?

    @OptionGroup var memory: Rules.Memory

    @OptionGroup var platform: Rules.Platform

    @Option(
        help: ArgumentHelp(
            "A proxy command started on this machine (given --port N), e.g. .build/release/actionproxy.",
            valueName: "CMD"))
    var proxy: String?

    @OptionGroup var fixedPort: Rules.FixedPort

    @Option(help: "Talk to a proxy that is already running (http://127.0.0.1:PORT); it is left running.")
    var url: String?

    @OptionGroup var pid: Rules.PID

    @Option(help: Rules.runtimeHelp)
    var runtime: String?

    func validate() throws {
        let flags = ["--image", "--proxy", "--url"] + (Rules.runtimeIsTarget ? ["--runtime"] : [])
        let given = [image, proxy, url, Rules.runtimeIsTarget ? runtime : nil].compactMap { $0 }.count
        if given > 1 || (given == 0 && Rules.targetRequired) {
            throw ValidationError(
                "give one target: \(flags.dropLast().joined(separator: ", ")) or \(flags.last ?? "")")
        }
        if let runtime, let refusal = Rules.refusal(runtime: runtime) { throw ValidationError(refusal) }
        if fixedPort.value != nil && proxy == nil { throw ValidationError("--fixed-port goes with --proxy") }
        if let port = fixedPort.value, !(1...65535).contains(port) { throw ValidationError("--fixed-port: not a port") }
        if pid.value != nil && url == nil { throw ValidationError("--pid goes with --url") }
        if let driver = platform.value, driver != .kit, image == nil {
            throw ValidationError("--platform goes with --image")
        }
    }

    /// The language `--runtime` names.
    var runtimeKind: RuntimeKind? { runtime.flatMap(RuntimeKind.init(rawValue:)) }

    /// The limits of an `--image` container: `--memory` and `--platform`,
    /// where the command takes them.
    var limits: ContainerLimits {
        ContainerLimits(memory: memory.value ?? ContainerLimits().memory, driver: platform.value ?? .kit)
    }

    /// The target named: `--image`, `--proxy` or `--url`, else the host
    /// proxy serving `host` (by default `--runtime`'s language, else native).
    func proxyTarget(host: RuntimeKind? = nil) throws(TargetError) -> ProxyTarget {
        if let image { return .image(image, limits: limits) }
        if let proxy { return .command(absoluteCommand(proxy), fixedPort: fixedPort.value) }
        if let url { return try .url(url, pid: pid.value) }
        return .host(host ?? runtimeKind ?? .native)
    }
}

/// How one command reads its target flags.
protocol TargetRules {
    /// `--memory` of an `--image` container, or `Omitted`.
    associatedtype Memory: TargetModifier<String> = Omitted<String>
    /// `--fixed-port` of a `--proxy`, or `Omitted`.
    associatedtype FixedPort: TargetModifier<Int> = Omitted<Int>
    /// `--pid` of a `--url` proxy, or `Omitted`.
    associatedtype PID: TargetModifier<Int32> = Omitted<Int32>
    /// `--platform` of an `--image` container, or `Omitted`.
    associatedtype Platform: TargetModifier<ContainerDriver> = Omitted<ContainerDriver>

    /// What `--runtime` means to the command.
    static var runtimeHelp: ArgumentHelp { get }
    /// Whether `--runtime` is a target (the host proxy), one of the four,
    /// rather than a language that goes with any target (default: it is).
    static var runtimeIsTarget: Bool { get }
    /// Whether the command line must name a target (default: no, the host
    /// proxy serving `--runtime`, else native).
    static var targetRequired: Bool { get }
    /// Why `--runtime NAME` is refused, or nil (default: unless NAME is a
    /// `RuntimeKind`).
    static func refusal(runtime: String) -> String?
}

extension TargetRules {
    static var runtimeIsTarget: Bool { true }
    static var targetRequired: Bool { false }

    static func refusal(runtime: String) -> String? {
        guard RuntimeKind(rawValue: runtime) == nil else { return nil }
        let names = RuntimeKind.allCases.map(\.rawValue).joined(separator: ", ")
        return "unknown runtime '\(runtime)': use one of \(names)"
    }
}

/// A flag that qualifies one kind of target, which a command takes or not.
protocol TargetModifier<Value>: ParsableArguments {
    associatedtype Value
    var value: Value? { get }
}

/// A qualifying flag the command does not take: no flag at all.
struct Omitted<Value>: TargetModifier {
    var value: Value? { nil }
}

/// `--memory`: the limit of an `--image` container.
struct MemoryOption: TargetModifier {
    @Option(help: "The container's memory limit (docker --memory; the host proxy has none).")
    var memory = "256m"

    var value: String? { memory }
}

/// `--platform openwhisk|knative`: drive the `--image` container as an
/// OpenWhisk invoker does, or run it as Knative Serving runs a revision.
struct PlatformOption: TargetModifier {
    @Option(
        help: ArgumentHelp(
            "With --image: drive the container as this platform's invoker does (openwhisk: its docker run options, host network with the proxy on a loopback $PORT, no probe but connects retried every 50 ms, the invoker's /init and /run bodies, the json-file log, the container paused between requests; knative: a read-only root with /tmp an exec tmpfs, $PORT on the host network's loopback, K_SERVICE/K_REVISION, requests only once GET /health answers 200).",
            valueName: "platform"))
    var platform: ContainerDriver?

    var value: ContainerDriver? { platform }
}

extension ContainerDriver: ExpressibleByArgument {}

/// `--fixed-port`: a `--proxy` that always listens on one port.
struct FixedPortOption: TargetModifier {
    @Option(help: ArgumentHelp("The port a --proxy always listens on (it is then given no --port).", valueName: "port"))
    var fixedPort: Int?

    var value: Int? { fixedPort }
}

/// `--pid`: the process of a `--url` proxy.
struct PIDOption: TargetModifier {
    @Option(help: "With --url: the proxy's process id, to watch its memory, descriptors and children.")
    var pid: Int32?

    var value: Int32? { pid }
}
