import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A proxy process spawned for a cold start: no shell in front, a fresh
/// working folder, its output thrown away. `startedAt` is taken just before
/// the spawn.
final class SpawnedProxy {
    let startedAt: UInt64
    private let process = Process()
    private let directory: URL

    init(arguments: [String], environment: [String: String]) throws(BenchError) {
        guard let executable = arguments.first.flatMap(Self.resolve) else {
            throw .failed("cannot find the command \(arguments.first ?? "(none)")")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("actionkit-cold-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .failed("cannot make a working folder: \(error)")
        }
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(arguments.dropFirst())
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.currentDirectoryURL = directory
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        startedAt = Clock.now()
        do {
            try process.run()
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw .failed("cannot run \(executable): \(error)")
        }
    }

    var isRunning: Bool { process.isRunning }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// A path as it is, or the first match on `PATH`.
    private static func resolve(_ name: String) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }
}
