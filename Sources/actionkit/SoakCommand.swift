import ActionKit
import ArgumentParser
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Where soak and load find their proxy, and which echo action it runs.
struct EchoTargetOptions: ParsableArguments {
    @OptionGroup var target: TargetOptions<EchoTargets>

    @Option(
        help: "The echo action's language (native, python, nodejs); by default --runtime's, the image's, or native.")
    var action: String?

    func validate() throws {
        if let action, let refusal = EchoTargets.refusal(runtime: action) { throw ValidationError(refusal) }
        if let runtime = target.runtime, let action, runtime != action {
            throw ValidationError("--runtime \(runtime) serves the \(runtime) echo action, not \(action)")
        }
        if target.image == RuntimeKind.native.image {
            throw ValidationError(
                "\(RuntimeKind.native.image) is the blackbox image (one process per activation), which the echo action"
                    + " does not speak: use --runtime native for the proxy itself, or an ActionLoop image")
        }
    }

    func echoTarget() throws -> EchoTarget {
        let chosen = action.flatMap(EchoAction.Language.init(rawValue:))
        let served = target.runtime.flatMap(EchoAction.Language.init(rawValue:))
        let language = target.image.map { chosen ?? EchoTarget.language(forImage: $0) } ?? served ?? chosen ?? .native
        return EchoTarget(target: try target.proxyTarget(host: language.runtime), language: language)
    }
}

/// soak's and load's target flags: --runtime is the host proxy serving an
/// echo action's language; a --url proxy's process may be given.
enum EchoTargets: TargetRules {
    typealias PID = PIDOption

    static let runtimeHelp = ArgumentHelp(
        "Our host proxy serving this language's echo action: native (C, built with cc), python, nodejs. The default: native."
    )

    static func refusal(runtime: String) -> String? {
        guard EchoAction.Language(rawValue: runtime) == nil else { return nil }
        return "no echo action for \(runtime): one of native, python, nodejs"
    }
}

struct SoakCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak",
        abstract: "Many activations on one proxy: every answer checked, memory, descriptors and zombies watched.",
        discussion: """
            Starts a proxy (our host proxy by default), initialises it with an echo action, then sends --count activations one after the other with seeded values from a few bytes to about a megabyte, each carrying a unique nonce. Every answer must be its own request's echo, byte for byte. Some activations fail on purpose, in ways the contract survives: application errors (200 {"error"}), non-object results (502), activations that sleep past their deadline (504; the proxy restarts the action, and a run during the restart gets 503 and is sent again), and crashes (400 command exited; then a new /init, as the platform would start a new container: the kit starts its proxies with PROXY_ALLOW_REINIT=1).

            Every --sample-every activations it reads the proxy's VmRSS and open descriptors from /proc and looks for zombie children. Growth is measured from the first sample after the warm-up (which takes every path once, the largest value included) to the last. At the end, each activation's log lines must sit between its own sentinels on both streams.

            Exit status: 0 when everything matched and stayed within the limits, 1 otherwise (mismatch, unexpected answer, zombie, growth over a limit, misattributed log line), 64 a bad command line.

            Examples:
              actionkit soak --count 2000 --json
              actionkit soak --count 100000 --proxy .build/release/actionproxy
              actionkit soak --count 5000 --runtime python --max-size 100000
              actionkit soak --count 5000 --image actionproxy/nodejs
            """
    )

    @OptionGroup var target: EchoTargetOptions

    @Option(help: "How many activations.")
    var count = 100_000

    @Option(help: "The seed of the sizes and faults.")
    var seed: UInt64 = 1

    @Option(help: "The largest value, bytes.")
    var maxSize = 1_000_000

    @Option(help: "The share of activations that answer {\"error\": ...}.")
    var errorRate = 0.02

    @Option(help: "The share that answer something other than an object (502).")
    var badResultRate = 0.005

    @Option(help: "Every Nth activation sleeps past its deadline (0: none).")
    var deadlineEvery = 5_000

    @Option(
        help: "Every Nth activation crashes and the action is initialised again (0: none; default 5000, 0 with --url).")
    var crashEvery: Int?

    @Option(help: "Sample memory, descriptors and zombies every N activations (default: count/200, at least 50).")
    var sampleEvery: Int?

    @Option(
        help: "Activations before the first sample that growth is measured from (default: 1% of count, 200 to 2000).")
    var warmup: Int?

    @Option(name: .customLong("max-rss-growth-mb"), help: "Fail when resident memory grows by more (MB).")
    var maxRSSGrowthMB = 8.0

    @Option(name: .customLong("max-fd-growth"), help: "Fail when open descriptors grow by more.")
    var maxFDGrowth = 2

    @Flag(help: "Print the report as JSON (default: a few lines of text).")
    var json = false

    func validate() throws {
        guard count >= 1 else { throw ValidationError("--count must be 1 or more") }
        guard maxSize >= 0, errorRate >= 0, badResultRate >= 0, errorRate + badResultRate <= 1 else {
            throw ValidationError("sizes and rates must be positive, the rates at most 1 together")
        }
    }

    func run() throws {
        let progress = ProgressLine(prefix: "soak")
        var echo = try target.echoTarget()
        var options = Soak.Options()
        options.count = count
        options.seed = seed
        options.mix.maxSize = maxSize
        options.mix.errorRate = errorRate
        options.mix.badResultRate = badResultRate
        options.mix.deadlineEvery = deadlineEvery
        options.mix.crashEvery = crashEvery ?? (echo.target.startsFresh ? 5_000 : 0)
        options.sampleEvery = sampleEvery
        options.warmup = warmup
        options.maxRSSGrowthMB = maxRSSGrowthMB
        options.maxFDGrowth = maxFDGrowth
        if options.mix.crashEvery > 0 && echo.target.startsFresh { echo.environment["PROXY_ALLOW_REINIT"] = "1" }

        let code = try EchoAction.code(echo.language)
        progress.say("starting \(echo) with the \(echo.language) echo action")
        let proxy = try echo.start(code: code)
        defer { proxy.stop() }  // a running --url proxy is left running (RemoteProxy.stop)
        let soak = Soak(
            proxy: proxy, code: code, pid: proxy.processID, options: options, target: echo.description,
            progress: progress.show)
        let report = soak.run()
        progress.say("done")
        try printReport(json ? .json(report.jsonObject) : .text(report.text, failures: report.failures))
        if !report.passed { throw ExitCode(1) }
    }
}
