import ActionKit
import ArgumentParser
import Foundation

extension BenchScenario: ExpressibleByArgument {}

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measures a proxy, and a reference proxy side by side: latency, throughput, memory, start-up.",
        discussion: """
            Each proxy is started as a host process in a fresh folder, given its port as
            `--port N` (or in place of `{port}` in the command); a proxy that always
            listens on one port (the reference: 8080) is given `--reference-port 8080` and
            its command is run as it is. The action (a native binary, a zip, a script or a
            source file) is sent to /init; /run carries an invoker's fields and a string
            value of the asked size.

            Scenarios (--scenario, repeatable; default warm):
              warm    warm /run with a small value for --duration, --concurrency connections
              large   the same with a --large-payload-bytes value (1 MiB)
              init    POST /init of the action on a fresh proxy, --samples per round
              large-init
                      POST /init of two actions the kit makes, --large-init-size each
                      (40 MiB): a zip of random bytes and exec as base64, and a #!
                      script; a fresh proxy per sample, --samples per round; the time
                      and the peak RSS (VmHWM) after the answer; target p50 ratio <= 0.5
              cold    proxy spawned -> /init -> first /run answered, --samples per round
              rss     resident memory after --activations runs on a fresh proxy

            With --reference, every scenario runs on both proxies in each of --rounds
            rounds, the order alternating, and the table shows proxy/reference ratios:
            absolute times on a shared machine swing; ratios measured together hold.
            Progress goes to stderr; --json prints the report as JSON.
            """
    )

    @Option(help: "The proxy command (default: the actionproxy built beside this actionkit).")
    var proxy: String?

    @Option(help: "A reference proxy command, measured in the same rounds.")
    var reference: String?

    @Option(help: "The port the reference always listens on (it gets no --port then).")
    var referencePort: Int?

    @Option(help: "The action: a native binary, a zip or tar.gz, a script, a source file or a folder.")
    var action: String?

    @Option(help: "The action the init scenario sends (default: --action), a bigger zip say.")
    var initAction: String?

    @Option(help: "The action as source text (instead of --action).")
    var code: String?

    @Option(help: "The action's entry point.")
    var main = "main"

    @Option(
        name: .customLong("scenario"), help: "What to measure (repeatable): warm, large, init, cold, rss, large-init.")
    var scenarios: [BenchScenario] = [.warm]

    @Option(help: "Rounds; each runs every scenario on every proxy.")
    var rounds = 3

    @Option(help: "Seconds of measuring per warm scenario, round and proxy.")
    var duration = 2.0

    @Option(help: "Seconds of /run before measuring (not counted).")
    var warmup = 0.5

    @Option(help: "Connections driving /run at once (more than 1 needs an action that serves concurrently).")
    var concurrency = 1

    @Option(help: "Bytes of the string value each /run carries.")
    var payloadBytes = 32

    @Option(help: "Bytes of the value in the large scenario.")
    var largePayloadBytes = 1 << 20

    @Option(help: "Inits or cold starts per round and proxy.")
    var samples = 5

    @Option(help: "Activations before the rss scenario reads the resident memory.")
    var activations = 10_000

    @Option(help: "Bytes of each large-init action's code (the zip's base64, the script); made by the kit.")
    var largeInitSize = 40 << 20

    @Flag(help: "Print the report as JSON instead of a table.")
    var json = false

    @Option(help: "Also write the JSON report to this file (scripts/perf-chart draws it).")
    var jsonFile: String?

    func validate() throws {
        if (action == nil) == (code == nil) { throw ValidationError("give the action: --action FILE or --code TEXT") }
        if rounds < 1 || samples < 1 || concurrency < 1 || activations < 1 {
            throw ValidationError("--rounds, --samples, --concurrency and --activations must be at least 1")
        }
        if largeInitSize < 1024 { throw ValidationError("--large-init-size must be at least 1024") }
        if duration <= 0 || warmup < 0 { throw ValidationError("--duration must be positive, --warmup not negative") }
        if reference == nil && referencePort != nil { throw ValidationError("--reference-port needs --reference") }
    }

    func run() throws {
        let actionCode: ActionCode
        let actionName: String
        if let action {
            actionCode = try ActionCode.load(path: action)
            actionName = Self.describe(path: action, actionCode)
        } else {
            actionCode = ActionCode(code: code ?? "", binary: false)
            actionName = "source (\(ByteCount.text(actionCode.code.utf8.count)))"
        }
        let proxyCommand = proxy ?? Installation.proxyBinary
        let initCode = try initAction.map { path in
            let code = try ActionCode.load(path: path)
            return (code: code, name: Self.describe(path: path, code))
        }
        var bench = Bench(
            proxy: BenchTarget(role: "proxy", command: proxyCommand),
            reference: reference.map { BenchTarget(role: "reference", command: $0, fixedPort: referencePort) },
            action: actionCode, actionName: actionName)
        bench.main = main
        bench.initAction = initCode
        bench.scenarios = scenarios
        bench.rounds = rounds
        bench.durationSeconds = duration
        bench.warmupSeconds = warmup
        bench.concurrency = concurrency
        bench.payloadBytes = payloadBytes
        bench.largePayloadBytes = largePayloadBytes
        bench.samples = samples
        bench.activations = activations
        bench.largeInitBytes = largeInitSize
        bench.progress = ProgressLine(prefix: "bench").say
        let report = try bench.run()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let encoded = try encoder.encode(report) + Data("\n".utf8)
        if let jsonFile { try encoded.write(to: URL(fileURLWithPath: jsonFile)) }
        if json {
            FileHandle.standardOutput.write(encoded)
        } else {
            let machine = report.machine
            print(
                "\(machine.cores) cores, Linux \(machine.kernel), load \(String(format: "%.2f", machine.loadAverage))"
                    + " at the start; \(rounds) rounds")
            print(report.table(), terminator: "")
        }
    }

    /// `name (size)`, the size of the file as sent (decoded, for base64).
    private static func describe(path: String, _ code: ActionCode) -> String {
        let bytes = code.binary ? code.code.utf8.count / 4 * 3 : code.code.utf8.count
        return "\(URL(fileURLWithPath: path).lastPathComponent) (\(ByteCount.text(bytes)))"
    }
}
