import Foundation

/// Runs a program to its end with its input and output through files, not
/// pipes: neither stream can fill up and stall the other, and a program that
/// exits early cannot kill the kit with SIGPIPE. The one way the kit (and its
/// tests) run a command and read what it printed.
public enum ProcessRunner {
    /// What one run did.
    public struct Outcome: Sendable {
        public var status: Int32
        public var stdout: Data
        public var stderr: Data

        public var output: String { String(decoding: stdout, as: UTF8.self) }
        public var errors: String { String(decoding: stderr, as: UTF8.self) }
    }

    /// Runs `executable ARGUMENTS` in `directory` (default: the current one).
    /// `environment` is the program's whole environment, or nil for the
    /// kit's own; `input` is its stdin (default: empty).
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, directory: URL? = nil,
        input: Data? = nil
    ) throws(TargetError) -> Outcome {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("actionkit-run-\(UUID())")
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
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            if let environment { process.environment = environment }
            if let directory { process.currentDirectoryURL = directory }
            process.standardOutput = out
            process.standardError = err
            process.standardInput = stdin
            try process.run()
            process.waitUntilExit()
            return Outcome(
                status: process.terminationStatus, stdout: try Data(contentsOf: outURL),
                stderr: try Data(contentsOf: errURL))
        } catch {
            throw .launch("cannot run \(executable): \(error)")
        }
    }

    /// What a relayed run did: its status and its last lines.
    public struct Relayed: Sendable {
        public var status: Int32
        public var lastLines: [String]
    }

    /// Runs `executable ARGUMENTS` with its stdout and stderr merged into one
    /// pipe, passed on to `output` as they come (a long command's progress),
    /// and keeps its last `count` non-empty lines. The one pipe is read to
    /// its end on this thread, so nothing can fill up; stdin is empty.
    public static func relay(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, to output: FileHandle,
        lastLines count: Int
    ) throws(TargetError) -> Relayed {
        let pipe = Pipe()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw .launch("cannot run \(executable): \(error)")
        }
        // Process has closed its copy of the writing end: the reads below
        // end when the child and its children have closed theirs.
        let tailLimit = 64 * 1024
        var tail = Data()
        while let chunk = try? pipe.fileHandleForReading.read(upToCount: 64 * 1024), !chunk.isEmpty {
            output.write(chunk)
            tail.append(chunk)
            if tail.count > 2 * tailLimit { tail = tail.suffix(tailLimit) }
        }
        process.waitUntilExit()
        let lines = String(decoding: tail, as: UTF8.self).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return Relayed(status: process.terminationStatus, lastLines: Array(lines.suffix(count)))
    }
}
