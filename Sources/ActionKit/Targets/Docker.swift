import Foundation

/// The `docker` command line: the client first on PATH, or `$DOCKER`.
public enum Docker {
    /// What one docker command did.
    public struct Outcome: Sendable {
        public var status: Int32
        public var stdout: Data
        public var stderr: Data

        public var output: String { String(decoding: stdout, as: UTF8.self) }
        public var errors: String { String(decoding: stderr, as: UTF8.self) }
    }

    /// Runs `docker ARGUMENTS`. Input and output go through files, not
    /// pipes: neither stream can fill up and stall the other, and a client
    /// that exits early cannot kill the kit with SIGPIPE.
    @discardableResult
    public static func run(_ arguments: [String], input: Data? = nil, environment: [String: String] = [:])
        throws(TargetError) -> Outcome
    {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("actionkit-docker-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let outURL = folder.appendingPathComponent("stdout")
            let errURL = folder.appendingPathComponent("stderr")
            let inURL = folder.appendingPathComponent("stdin")
            _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
            _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
            _ = FileManager.default.createFile(atPath: inURL.path, contents: input ?? Data())
            let out = try FileHandle(forWritingTo: outURL)
            let err = try FileHandle(forWritingTo: errURL)
            let stdin = try FileHandle(forReadingFrom: inURL)
            defer {
                try? out.close()
                try? err.close()
                try? stdin.close()
            }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [ProcessInfo.processInfo.environment["DOCKER"] ?? "docker"] + arguments
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            process.standardOutput = out
            process.standardError = err
            process.standardInput = stdin
            try process.run()
            process.waitUntilExit()
            return Outcome(
                status: process.terminationStatus, stdout: try Data(contentsOf: outURL),
                stderr: try Data(contentsOf: errURL))
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
