import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A proxy command as the benchmark starts it: given a port as `--port N`
/// or in place of `{port}`, or always on `fixedPort` (the reference: 8080).
public struct BenchTarget: Sendable {
    /// `proxy` or `reference`, for progress lines.
    public var role: String
    public var command: String
    public var fixedPort: Int?

    public init(role: String, command: String, fixedPort: Int? = nil) {
        self.role = role
        self.command = command
        self.fixedPort = fixedPort
    }

    /// Started with the kit's targets: a shell runs the command, and the
    /// start returns once the proxy answers.
    func start() throws(BenchError) -> ServedProxy {
        do {
            return try ProxyTarget.command(command, fixedPort: fixedPort).start()
        } catch {
            throw .failed("\(role) did not start: \(error)")
        }
    }

    /// The command line with its port, as words: `NAME=value` words in front
    /// become environment variables. Words are split at spaces (no quoting):
    /// the cold start spawns the proxy itself, without a shell, so that a
    /// shell's start is not part of what it measures.
    func words(port: Int) -> (environment: [String: String], arguments: [String]) {
        let line = ProxyProcess.commandLine(command, port: port, fixedPort: fixedPort)
        var environment: [String: String] = [:]
        var arguments: [String] = []
        for word in line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init) {
            if arguments.isEmpty, let equals = word.firstIndex(of: "="), word.first != "=" {
                environment[String(word[..<equals])] = String(word[word.index(after: equals)...])
            } else {
                arguments.append(word)
            }
        }
        return (environment, arguments)
    }
}

/// Resident memory of a process, from `/proc/PID/status`, in KiB.
struct ResidentMemory {
    var total: Int
    var anonymous: Int
    var file: Int
    /// The most it has been resident since it started (`VmHWM`).
    var peak: Int?

    static func of(_ pid: Int32) -> ResidentMemory? {
        guard let text = ProcessProbe.read("/proc/\(pid)/status") else { return nil }
        var values: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(whereSeparator: { $0 == ":" || $0 == " " || $0 == "\t" })
            if parts.count >= 2, let value = Int(parts[1]) { values[String(parts[0])] = value }
        }
        guard let total = values["VmRSS"] else { return nil }
        return ResidentMemory(
            total: total, anonymous: values["RssAnon"] ?? 0, file: values["RssFile"] ?? 0, peak: values["VmHWM"])
    }
}

/// The monotonic clock, in nanoseconds.
enum Clock {
    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
