import ActionKit
import ArgumentParser
import Foundation

struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Many concurrent clients against one proxy for a bounded time: no mixed answers, no crash.",
        discussion: """
            Starts a proxy (our host proxy by default) with the echo action, then runs --clients threads for --duration, each with its own keep-alive connection sending /run after /run, each with a unique nonce. An action that runs one activation at a time serves overlapping runs in turn, each 200 with its own echo, and refuses one with 503 only when more than OW_MAX_WAITING_RUNS (64) wait already (docs/contract.md); with --concurrent the proxy gets __OW_ALLOW_CONCURRENT=1 (use it with --runtime nodejs, whose launcher serves overlapping activations) and every run must answer 200.

            It fails on any answer that is not its request's echo, any status the contract does not allow, any connection error, a proxy that stops serving, or sentinel counts that differ from the activations that reached the action.

            Exit status: 0 passed, 1 failed, 64 a bad command line.

            Examples:
              actionkit load --clients 32 --duration 10s
              actionkit load --clients 32 --duration 60s --proxy .build/release/actionproxy
              actionkit load --runtime nodejs --concurrent --clients 16 --duration 10s
            """
    )

    @OptionGroup var target: EchoTargetOptions

    @Option(help: "How many clients (threads, one connection each).")
    var clients = 32

    @Option(help: "How long: 10s, 500ms, 2m, or seconds.")
    var duration = "10s"

    @Option(help: "Pad bytes in each value.")
    var size = 64

    @Flag(help: "The action serves overlapping activations (__OW_ALLOW_CONCURRENT=1): every run must answer 200.")
    var concurrent = false

    @Flag(help: "Print the report as JSON (default: a few lines of text).")
    var json = false

    func validate() throws {
        guard clients >= 1 else { throw ValidationError("--clients must be 1 or more") }
        guard size >= 0 else { throw ValidationError("--size must be 0 or more") }
    }

    func run() throws {
        let seconds: TimeInterval
        do {
            seconds = try InvocationUnits.seconds(duration)
        } catch {
            throw ValidationError(error.description)
        }
        let progress = ProgressLine(prefix: "load")
        var echo = try target.echoTarget()
        if concurrent && echo.target.startsFresh { echo.environment["__OW_ALLOW_CONCURRENT"] = "1" }
        var options = Load.Options()
        options.clients = clients
        options.duration = seconds
        options.valueSize = size
        options.concurrent = concurrent
        let code = try EchoAction.code(echo.language)
        progress.say("starting \(echo) with the \(echo.language) echo action")
        let proxy = try echo.start(code: code)
        defer { proxy.stop() }  // a running --url proxy is left running (RemoteProxy.stop)
        let report = Load(proxy: proxy, options: options, target: echo.description, progress: progress.show).run()
        progress.say("done")
        try printReport(
            json ? .json(report.jsonObject) : .text(report.text, failures: report.failures))
        if !report.passed { throw ExitCode(1) }
    }
}
