import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A proxy run as a host process in a fresh working folder, its stdout and
/// stderr captured to files there (files, not pipes: a proxy that writes a
/// lot can never stall on a full pipe).
public final class ProxyProcess: ServedProxy, @unchecked Sendable {
    public let name: String
    public let host = "127.0.0.1"
    public let port: Int
    /// The proxy's working folder: actions go to `action/` under it.
    public let directory: URL
    private let process: Process

    private init(name: String, port: Int, directory: URL, process: Process) {
        self.name = name
        self.port = port
        self.directory = directory
        self.process = process
    }

    /// Starts `command` through `/bin/sh` (so that it may carry quotes and
    /// `NAME=value` assignments in front) as `exec env COMMAND`, so that the
    /// process is the proxy itself.
    /// Retries on another port when the one picked was taken meanwhile.
    public static func start(
        command: String, fixedPort: Int? = nil, environment: [String: String] = [:], timeout: TimeInterval = 30
    ) throws(TargetError) -> ProxyProcess {
        var lastError = TargetError.launch("\(command) did not start")
        for _ in 0..<(fixedPort == nil ? 3 : 1) {
            do {
                return try startOnce(
                    command: command, fixedPort: fixedPort, environment: environment, timeout: timeout)
            } catch let error {
                lastError = error
            }
        }
        throw lastError
    }

    /// `command` told its port: as it is for a proxy that always listens on
    /// one (`fixedPort`), the port in place of `{port}`, else `--port N` after it.
    static func commandLine(_ command: String, port: Int, fixedPort: Int?) -> String {
        if fixedPort != nil { return command }
        if command.contains("{port}") { return command.replacingOccurrences(of: "{port}", with: String(port)) }
        return "\(command) --port \(port)"
    }

    /// Starts `executable` itself (no shell) with `arguments(port)` and
    /// exactly `environment` (nothing of the kit's own), as a test starts the
    /// proxy binary. Retries on another port when the one picked was taken.
    public static func start(
        executable: String, environment: [String: String], timeout: TimeInterval = 30,
        arguments: (Int) -> [String]
    ) throws(TargetError) -> ProxyProcess {
        var lastError = TargetError.launch("\(executable) did not start")
        for _ in 0..<3 {
            do {
                let port = try FreePort.pick()
                let process = Process()
                process.executableURL = URL(fileURLWithPath: executable)
                process.arguments = arguments(port)
                process.environment = environment
                return try launch(process, name: executable, port: port, timeout: timeout)
            } catch let error {
                lastError = error
            }
        }
        throw lastError
    }

    private static func startOnce(
        command: String, fixedPort: Int?, environment: [String: String], timeout: TimeInterval
    ) throws(TargetError) -> ProxyProcess {
        let port: Int
        if let fixedPort { port = fixedPort } else { port = try FreePort.pick() }
        let line = commandLine(command, port: port, fixedPort: fixedPort)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "exec env \(line)"]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        return try launch(process, name: command, port: port, timeout: timeout)
    }

    /// Runs `process` in a fresh working folder, its output to files there,
    /// and waits until it answers on `port`.
    private static func launch(_ process: Process, name: String, port: Int, timeout: TimeInterval)
        throws(TargetError) -> ProxyProcess
    {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("actionkit-proxy-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: directory.appendingPathComponent("stdout").path, contents: nil)
            _ = FileManager.default.createFile(atPath: directory.appendingPathComponent("stderr").path, contents: nil)
            process.standardOutput = try FileHandle(forWritingTo: directory.appendingPathComponent("stdout"))
            process.standardError = try FileHandle(forWritingTo: directory.appendingPathComponent("stderr"))
        } catch {
            throw .launch("cannot make a working folder: \(error)")
        }
        process.currentDirectoryURL = directory
        process.standardInput = FileHandle.nullDevice
        let proxy = ProxyProcess(name: name, port: port, directory: directory, process: process)
        do {
            try process.run()
        } catch {
            proxy.stop()
            let command = ([process.executableURL?.path ?? name] + (process.arguments ?? [])).joined(separator: " ")
            throw .launch("cannot run \(command): \(error)")
        }
        do {
            try proxy.waitUntilServing(timeout: timeout) {
                process.isRunning ? nil : "status \(process.terminationStatus): \(proxy.logs?.stderr ?? "")"
            }
        } catch {
            proxy.stop()
            throw error
        }
        return proxy
    }

    public var logs: ProxyLogs? {
        ProxyLogs(stdout: read("stdout"), stderr: read("stderr"))
    }

    public var processID: Int32? { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    public func terminate(waitSeconds seconds: Double) -> Int32? {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(5_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// Sends a signal to the proxy.
    public func signal(_ number: Int32) {
        if process.isRunning { kill(process.processIdentifier, number) }
    }

    /// Waits for the proxy to exit by itself: its status.
    public func waitForExit() -> Int32 {
        process.waitUntilExit()
        return process.terminationStatus
    }

    public func stop() { stop(graceSeconds: 0) }

    /// Stops it for good: SIGTERM first when `graceSeconds` is more than
    /// zero, SIGKILL if it is still running after them.
    public func stop(graceSeconds: Double) {
        if graceSeconds > 0 { _ = terminate(waitSeconds: graceSeconds) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    private func read(_ stream: String) -> String {
        let data = (try? Data(contentsOf: directory.appendingPathComponent(stream))) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}

/// A loopback port that nothing listens on right now.
public enum FreePort {
    public static func pick() throws(TargetError) -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .launch("socket failed: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                guard bind(fd, pointer, length) == 0 else { return -1 }
                return getsockname(fd, pointer, &length)
            }
        }
        guard bound == 0 else { throw .launch("cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
