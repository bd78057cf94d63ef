import Foundation

/// The `docker` command line: the client first on PATH, or `$DOCKER`.
public enum Docker {
    /// What one docker command did.
    public typealias Outcome = ProcessRunner.Outcome

    /// Runs `docker ARGUMENTS` to its end (`ProcessRunner`: through files).
    @discardableResult
    public static func run(_ arguments: [String], input: Data? = nil, environment: [String: String] = [:])
        throws(TargetError) -> Outcome
    {
        do {
            return try ProcessRunner.run(
                "/usr/bin/env", [ProcessInfo.processInfo.environment["DOCKER"] ?? "docker"] + arguments,
                environment: ProcessInfo.processInfo.environment.merging(environment) { $1 }, input: input)
        } catch {
            throw .launch("cannot run docker: \(error)")
        }
    }

    /// Like `run`, but a failure is an error carrying docker's message.
    @discardableResult
    public static func check(_ arguments: [String], input: Data? = nil, environment: [String: String] = [:])
        throws(TargetError) -> Outcome
    {
        let outcome = try run(arguments, input: input, environment: environment)
        guard outcome.status == 0 else {
            let message = outcome.errors.trimmingCharacters(in: .whitespacesAndNewlines)
            throw .launch("docker \(arguments.prefix(2).joined(separator: " ")) failed: \(message)")
        }
        return outcome
    }

    /// Runs `docker ARGUMENTS` with what it prints passed on to `output` as
    /// it comes (a build's progress); returns its status and last lines.
    public static func relay(_ arguments: [String], to output: FileHandle, lastLines count: Int = 5)
        throws(TargetError) -> ProcessRunner.Relayed
    {
        do {
            return try ProcessRunner.relay(
                "/usr/bin/env", [ProcessInfo.processInfo.environment["DOCKER"] ?? "docker"] + arguments, to: output,
                lastLines: count)
        } catch {
            throw .launch("cannot run docker: \(error)")
        }
    }

    /// Why no container can run here (no client, no daemon), or nil.
    public static let unavailable: String? = {
        // env answers 127 when it finds no such command.
        guard let outcome = try? run(["info", "--format", "{{.ServerVersion}}"]), outcome.status != 127 else {
            return "no docker client on PATH"
        }
        guard outcome.status == 0 else {
            return "no Docker daemon answers: \(outcome.errors.trimmingCharacters(in: .whitespacesAndNewlines))"
        }
        return nil
    }()

    public static func hasImage(_ image: String) -> Bool {
        (try? run(["image", "inspect", "--format", "{{.Id}}", image]))?.status == 0
    }
}
