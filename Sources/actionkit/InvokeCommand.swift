import ActionKit
import ArgumentParser
import Foundation

struct InvokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invoke",
        abstract: "Runs one action as the platform would, and prints its activation record.",
        discussion: """
            Packages the code (a folder is zipped), starts a proxy (a container with the platform's limits, or our host proxy with --runtime), sends /init, then /run with a complete activation body (activation id, deadline = now + timeout, namespace, action name), enforces the time limit, cuts the logs at the end-of-activation sentinels, removes what it started, and prints the activation record as JSON on stdout. Progress goes to stderr.

            response.status is the platform's: "success" (200 without an error member), "application error" (200 with {"error": ...}), "action developer error" (the init failed, any other status, the action died, or it ran past its time limit), "whisk internal error" (no proxy to talk to). A proxy that ended in a developer or whisk error is replaced before the next --repeat, as the platform replaces the container.

            Exit status: 0 success, 1 application error, 2 action developer error, 3 whisk internal error (the worst over --repeat), 64 a bad command line.

            Examples (from the repository's root):
              actionkit invoke --runtime python -p name World \\
                  --code Examples/python/hello/hello.py
              actionkit invoke --image actionproxy/nodejs --repeat 5 \\
                  --code Examples/nodejs/hello/hello.js
              actionkit invoke --image actionproxy/python -p title 'Hi there' \\
                  --code Examples/python/slugify
              actionkit invoke --runtime native --code Examples/hello/exec \\
                  --param-file params.json --env GREETING=hi --timeout 5s --json
              actionkit invoke --image actionproxy/native --keep \\
                  --code Examples/blackbox/exec
              actionkit invoke --url http://127.0.0.1:8080 -p name Ada
                  (a proxy that is running and initialised: no --code, no /init)
              actionkit invoke --kind python:3.11 --code Examples/python/hello/hello.py
                  (the kind's image of deploy/openwhisk/runtimes.json, from a stem cell)
            """
    )

    @OptionGroup var target: TargetOptions<InvokeTargets>

    @Option(
        help: ArgumentHelp(
            "An OpenWhisk kind of --manifest (python:3.11, nodejs:default): its image, driven as the invoker drives it (--platform openwhisk), with its stem cells' memory, from a prewarmed stem cell when it has them.",
            valueName: "KIND"))
    var kind: String?

    @Option(help: ArgumentHelp("The runtimes manifest that --kind is read from.", valueName: "FILE"))
    var manifest = "deploy/openwhisk/runtimes.json"

    @Option(
        help: ArgumentHelp(
            "The action: a source file, an executable, an archive, or a folder (zipped).", valueName: "FILE|DIR"))
    var code: String?

    @Option(help: "The entry point the init names (default: main).")
    var main: String?

    @Flag(help: "Send the file as base64 even when it is text.")
    var binary = false

    @Option(
        name: [.customShort("p"), .customLong("param")], parsing: .upToNextOption,
        help: ArgumentHelp(
            "A parameter: -p KEY VALUE, repeatable; VALUE is JSON when it parses as JSON, else a string.",
            valueName: "KEY VALUE"))
    var parameters: [String] = []

    @Option(help: ArgumentHelp("Parameters from a JSON object (-p wins over it).", valueName: "FILE"))
    var paramFile: String?

    @Option(
        help: ArgumentHelp(
            "An environment variable for the action (the init's env), repeatable.", valueName: "KEY=VALUE"))
    var env: [String] = []

    @Option(help: "The action's time limit: 60s, 500ms, 2m, or seconds.")
    var timeout = "60s"

    @Option(
        name: .customLong("repeat"), help: "Run the action N times on the warm proxy; reports cold and warm durations.")
    var repeatCount = 1

    @Flag(help: "Leave the container (or host proxy) running and print its id and URL on stderr.")
    var keep = false

    @Option(help: "The action's name in the record (default: the code's file name).")
    var name: String?

    @Option(help: "The namespace in the record and the activation.")
    var namespace = "guest"

    @Flag(help: "Print the record as one line of JSON (default: indented).")
    var json = false

    func validate() throws {
        let named = (target.image ?? target.proxy ?? target.url ?? target.runtime) != nil
        if kind != nil && named {
            throw ValidationError("--kind names the image: give no --image, --proxy, --url or --runtime with it")
        }
        if kind == nil && !named {
            throw ValidationError("give one target: --image, --proxy, --url, --runtime or --kind")
        }
        if code == nil && target.url == nil {
            throw ValidationError("--code is required (only --url may go without it)")
        }
        guard repeatCount >= 1 else { throw ValidationError("--repeat must be 1 or more") }
        guard parameters.count % 2 == 0 else {
            throw ValidationError(InvocationInputError.parameterPairs(parameters.count).description)
        }
    }

    func run() throws {
        let plan = try makePlan()
        let progress = ProgressLine(prefix: "invoke")
        let result = Invoker(plan: plan, progress: progress.say).run()
        var options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed]
        if !json { options.insert(.prettyPrinted) }
        let data = try JSONSerialization.data(withJSONObject: result.jsonObject, options: options)
        FileHandle.standardOutput.write(data + Data("\n".utf8))
        if result.records.count > 1 { progress.say(result.summary.text) }
        if let kept = result.kept {
            progress.say("kept \(kept.kind) \(kept.id) at \(kept.url) (remove: \(kept.removal))")
        }
        if result.status != .success { throw ExitCode(result.status.exitCode) }
    }

    private func makePlan() throws -> InvocationPlan {
        let seconds: TimeInterval
        let megabytes: Int
        let environment: [String: String]
        let parameterValues: ActionParameters
        do {
            seconds = try InvocationUnits.seconds(timeout)
            megabytes = try InvocationUnits.megabytes(target.limits.memory)
            environment = try InvocationUnits.environment(env)
            parameterValues = try ActionParameters(pairs: parameters, file: paramFile)
        } catch {
            throw ValidationError(error.description)
        }
        var actionCode: ActionCode?
        if let code {
            do {
                actionCode = try ActionCode.load(path: code)
            } catch {
                throw ValidationError(error.description)
            }
            if binary, let text = actionCode, !text.binary {
                actionCode = ActionCode(code: Data(text.code.utf8).base64EncodedString(), binary: true)
            }
        }
        var plan = try kind.map { try manifestPlan(kind: $0, code: actionCode) } ?? targetPlan(code: actionCode)
        if kind == nil { plan.memoryMegabytes = megabytes }
        plan.main = main
        plan.namespace = namespace
        plan.parameters = parameterValues
        plan.environment = environment
        plan.timeout = seconds
        plan.repeatCount = repeatCount
        plan.keep = keep
        return plan
    }

    /// The plan for the target flags: the record's kind from the image or
    /// the host runtime.
    private func targetPlan(code actionCode: ActionCode?) throws -> InvocationPlan {
        let proxyTarget = try target.proxyTarget()
        var kind = "blackbox"
        switch proxyTarget {
        case .image(let image, _):
            // actionproxy/native is the blackbox runtime: its kind stays "blackbox".
            if let runtime = RuntimeKind.allCases.first(where: {
                $0.image == image && $0 != .blackbox && $0 != .native
            }) {
                kind = runtime.rawValue
            }
        case .host(let runtime):
            kind = runtime.rawValue
        case .command, .url:
            break
        }
        var plan = InvocationPlan(target: proxyTarget, code: actionCode, name: name ?? Self.actionName(code))
        plan.kind = kind
        return plan
    }

    /// The kind's image from the manifest, driven as OpenWhisk drives it,
    /// with its stem cells' memory (else --memory) and prewarmed when it has
    /// stem cells.
    private func manifestPlan(kind name: String, code: ActionCode?) throws -> InvocationPlan {
        let runtimes: RuntimesManifest
        do {
            runtimes = try RuntimesManifest.load(URL(fileURLWithPath: manifest))
        } catch {
            throw ValidationError("--manifest \(manifest): \(error.description)")
        }
        guard let kind = runtimes.manifest(for: name) else {
            let kinds = runtimes.runtimes.values.joined().map(\.kind).sorted().joined(separator: ", ")
            throw ValidationError("\(manifest) has no kind \(name): it has \(kinds)")
        }
        let cell = kind.stemCells?.first
        let memory = cell.flatMap(\.memoryBytes).map { "\($0 >> 20)m" } ?? target.limits.memory
        let limits = ContainerLimits(memory: memory, driver: .openWhisk)
        var plan = InvocationPlan(
            target: .image(kind.image.localReference, limits: limits), code: code,
            name: self.name ?? Self.actionName(self.code))
        plan.kind = kind.kind
        plan.prewarm = cell != nil
        plan.memoryMegabytes = (try? InvocationUnits.megabytes(memory)) ?? 256
        return plan
    }

    /// `-p KEY VALUE` as `--param=KEY --param=VALUE`, for `invoke` only: the
    /// parser would take a VALUE such as `-5` or `--x` for an option, and
    /// `wsk -p` takes the next two words whatever they look like.
    static func attachingParameterValues(_ arguments: [String]) -> [String] {
        guard let invoke = arguments.firstIndex(of: configuration.commandName ?? "invoke") else { return arguments }
        var rewritten = Array(arguments[...invoke])
        var index = invoke + 1
        while index < arguments.count {
            let word = arguments[index]
            if word == "--" {
                rewritten += arguments[index...]
                break
            }
            if (word == "-p" || word == "--param") && index + 2 < arguments.count {
                rewritten += ["--param=\(arguments[index + 1])", "--param=\(arguments[index + 2])"]
                index += 3
            } else {
                rewritten.append(word)
                index += 1
            }
        }
        return rewritten
    }

    /// `hello` for `Examples/python/hello/hello.py`, `slugify` for a folder.
    static func actionName(_ path: String?) -> String {
        guard let path else { return "action" }
        let last = URL(fileURLWithPath: path).standardized.lastPathComponent
        let stem = last.split(separator: ".").first.map(String.init) ?? last
        return stem.isEmpty ? "action" : stem
    }
}

/// invoke's target flags: exactly one, --runtime among them.
enum InvokeTargets: TargetRules {
    typealias Memory = MemoryOption
    typealias Platform = PlatformOption

    static let runtimeHelp = ArgumentHelp(
        "Run it on our host proxy serving this language (native, blackbox, python, nodejs, swift): no Docker.")
    /// Checked by the command: `--kind` names an image too.
    static let targetRequired = false
}
