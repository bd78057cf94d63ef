import ActionKit
import ArgumentParser
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

struct ConformCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conform",
        abstract: "Check that a proxy or a runtime image speaks the action container contract.",
        discussion: """
            Runs the contract's cases (docs/contract.md) and the chosen
            runtime's own, one after another, each against a fresh proxy
            unless the target is a --url, and prints one row per case and the
            line "N passed, N failed, N skipped". The exit status is 1 when a
            case failed, 0 when every case passed or was skipped.

            Targets (one of them; none means our host proxy serving --runtime):
              --image IMAGE  a container per case, with the invoker's limits,
                             on 127.0.0.1 only, removed afterwards (Docker)
              --proxy "CMD"  a host process per case, given --port N (or CMD's
                             {port} replaced); --fixed-port P for a proxy
                             that always listens on P (the reference: 8080)
              --url URL      one running, uninitialised proxy: the cases that
                             fit a single init run, the others are skipped

            Groups: core (the contract: what every implementation must do)
            and robustness (the reference proxy's known defects: archive
            escapes, concurrent runs, stray result lines, hang-ups, deadlines,
            unknown paths); all for both.

            Examples:
              actionkit conform --runtime python
              actionkit conform --image actionproxy/nodejs --filter 'nodejs.*'
              actionkit conform --image actionproxy/python --junit out.xml
              actionkit conform --proxy "OW_WAIT_FOR_ACK=1 ./proxy" --json
              actionkit conform --proxy ./actionloop-proxy --fixed-port 8080 \\
                --group all
              actionkit conform --image actionproxy/native --runtime native \\
                --env OW_LAUNCHER= --env OW_DEFAULT_ACTION= \\
                --env PROXY_ALLOW_REINIT= --env OW_COMPILER=
              actionkit conform --url http://127.0.0.1:8080
              actionkit conform --list --runtime swift --group all
            """
    )

    @OptionGroup var target: TargetOptions<ConformTargets>

    @Option(help: ArgumentHelp("core, robustness, entrypoint (the single entrypoint / and baked actions) or all.", valueName: "group"))
    var group: String = "core"

    @Option(
        help: ArgumentHelp(
            "Run only the cases whose id contains this text, or matches it as a glob (run.*); repeatable.",
            valueName: "pattern"))
    var filter: [String] = []

    @Flag(help: "List the selected cases' ids and descriptions without running them.")
    var list = false

    @Flag(help: "Print the report as JSON on stdout instead of the table.")
    var json = false

    @Option(help: ArgumentHelp("Also write the report as JUnit XML to this file.", valueName: "file"))
    var junit: String?

    @Option(
        help: ArgumentHelp(
            "Seconds each case may take (default: its own, 60 s; 300 s for Swift compiles).", valueName: "seconds"))
    var timeout: Double?

    @Option(
        name: .customLong("env"),
        help: ArgumentHelp(
            "A variable for every proxy started (docker run -e, or the process's environment); an empty value unsets it in our images; repeatable.",
            valueName: "name=value"))
    var variables: [String] = []

    func validate() throws {
        if groups == nil { throw ValidationError("--group: use core, robustness, entrypoint or all") }
        if let timeout, timeout <= 0 { throw ValidationError("--timeout: a positive number of seconds") }
        if target.url != nil && !variables.isEmpty { throw ValidationError("--env cannot reach a running --url proxy") }
        do {
            _ = try InvocationUnits.environment(variables)
        } catch {
            if case .environment(let variable) = error { throw ValidationError("--env \(variable): expected NAME=VALUE") }
            throw ValidationError("\(error)")
        }
    }

    private var groups: [CaseGroup]? {
        switch group {
        case "all": CaseGroup.allCases
        default: CaseGroup(rawValue: group).map { [$0] }
        }
    }

    func run() throws {
        let groups = self.groups ?? [.core]
        let filters = filter.map(CaseFilter.init)
        if list {
            let runtime = target.runtimeKind ?? target.image.map(Self.guessRuntime(image:)) ?? .native
            let cases = ConformanceCatalog.select(runtime: runtime, groups: Set(groups), filters: filters)
            print(TableReport.list(cases), terminator: "")
            return
        }
        let (proxyTarget, runtime) = try resolveTarget()
        let environment = try InvocationUnits.environment(variables)
        let cases = ConformanceCatalog.select(runtime: runtime, groups: Set(groups), filters: filters)
        guard !cases.isEmpty else {
            throw ValidationError(
                "no \(group) case of the \(runtime) runtime matches \(filters.map(\.pattern).joined(separator: ", "))")
        }
        let runner = ConformanceRunner(
            target: proxyTarget, runtime: runtime, environment: environment, caseTimeout: timeout)
        let progress = ProgressLine(prefix: "conform")
        let started = Date()
        let results = runner.run(cases) { progress.show($0) }
        progress.clear()
        let report = ConformanceReport(
            target: target.image.map { "image \($0)" } ?? target.proxy.map { "command \($0)" }
                ?? (target.url == nil ? "host actionproxy" : proxyTarget.description),
            runtime: runtime, groups: groups, results: results,
            duration: Date().timeIntervalSince(started))
        if let junit {
            do {
                try Data(JUnitReport.render(report).utf8).write(to: URL(fileURLWithPath: junit))
            } catch {
                throw ValidationError("cannot write \(junit): \(error.localizedDescription)")
            }
        }
        if json {
            print(JSONReport.render(report), terminator: "")
            FileHandle.standardError.write(Data((report.summary.description + "\n").utf8))
        } else {
            print(TableReport.render(report), terminator: "")
        }
        if report.summary.failed > 0 { throw ExitCode(1) }
    }

    /// The target, and the runtime whose cases run.
    private func resolveTarget() throws -> (ProxyTarget, RuntimeKind) {
        var runtime = target.runtimeKind
        if let image = target.image {
            if let reason = Docker.unavailable { throw ValidationError("--image needs Docker: \(reason)") }
            guard Docker.hasImage(image) else {
                throw ValidationError("no image \(image) here (docker pull or build it)")
            }
            runtime = runtime ?? Self.guessRuntime(image: image)
        }
        let proxyTarget = try target.proxyTarget(host: runtime)
        try proxyTarget.checkStartable()
        return (proxyTarget, runtime ?? .native)
    }

    /// An image's runtime from the variables it sets: a launcher means the
    /// blackbox skeleton; a compiler under a language's folder, that language.
    private static func guessRuntime(image: String) -> RuntimeKind {
        guard let outcome = try? Docker.run(["image", "inspect", "--format", "{{json .Config.Env}}", image]),
            outcome.status == 0,
            let variables = try? JSONSerialization.jsonObject(with: outcome.stdout) as? [String]
        else { return .native }
        let environment = Dictionary(
            variables.map { entry in
                let parts = entry.split(separator: "=", maxSplits: 1)
                return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
            }, uniquingKeysWith: { $1 })
        if environment["OW_LAUNCHER", default: ""] != "" { return .blackbox }
        let compiler = environment["OW_COMPILER", default: ""]
        for runtime in [RuntimeKind.python, .nodejs, .swift] where compiler.contains("/\(runtime.rawValue)/") {
            return runtime
        }
        return .native
    }
}

/// conform's target flags: --runtime names the language whose cases run,
/// with any target (the host proxy's, when there is no other); a --proxy may
/// listen on a fixed port.
enum ConformTargets: TargetRules {
    typealias Memory = MemoryOption
    typealias Platform = PlatformOption
    typealias FixedPort = FixedPortOption

    static let runtimeHelp = ArgumentHelp(
        "The language whose cases run: native, blackbox, python, nodejs or swift (default: native; for an --image, guessed from its environment).",
        valueName: "runtime")
    static let runtimeIsTarget = false
}

extension ProgressLine {
    /// A case starting (on a terminal) or finished (in a log).
    func show(_ event: ConformanceRunner.Event) {
        switch event {
        case .started(let index, let count, let conformanceCase):
            if inPlace { show("[\(index + 1)/\(count)] \(conformanceCase.id) …") }
        case .finished(let result):
            if !inPlace { say("\(result.status.rawValue) \(result.id) (\(String(format: "%.1f", result.duration)) s)") }
        }
    }
}
