import ActionKit
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The real `actionproxy` binary, started on a free loopback port in a fresh
/// working folder, with its stdout and stderr captured.
final class TestProxy: ProxyUnderTest, @unchecked Sendable {
    let port: Int
    let directory: URL
    private let process: Process
    private let lock = NSLock()
    private var stdoutData = Data()
    private var stderrData = Data()

    static let sentinel = ActivationLogs.sentinel

    /// The built binary, beside the test bundle (or `ACTIONPROXY_BINARY`).
    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["ACTIONPROXY_BINARY"] { return path }
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return me.deletingLastPathComponent().appendingPathComponent("actionproxy").path
    }

    private init(port: Int, directory: URL, process: Process) {
        self.port = port
        self.directory = directory
        self.process = process
    }

    /// Starts a proxy; retries on another port if the one picked was taken.
    /// `singleDash` spells the listening flags as the reference does (`-host`, `-port`).
    static func start(environment: [String: String] = [:], arguments: [String] = [], singleDash: Bool = false)
        throws -> TestProxy
    {
        var lastError: Error = HTTPTestError(description: "proxy did not start")
        for _ in 0..<3 {
            do {
                return try startOnce(environment: environment, arguments: arguments, singleDash: singleDash)
            } catch {
                lastError = error
            }
        }
        throw lastError
    }

    private static func startOnce(environment: [String: String], arguments: [String], singleDash: Bool) throws
        -> TestProxy
    {
        let port = try FreePort.pick()
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("actionproxy-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        let dashes = singleDash ? "-" : "--"
        process.arguments = ["\(dashes)host", "127.0.0.1", "\(dashes)port", "\(port)"] + arguments
        process.currentDirectoryURL = directory
        var env = ["PATH": "/usr/local/bin:/usr/bin:/bin"]
        for (name, value) in environment { env[name] = value }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let proxy = TestProxy(port: port, directory: directory, process: process)
        out.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            proxy.lock.withLock { proxy.stdoutData.append(data) }
        }
        err.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            proxy.lock.withLock { proxy.stderrData.append(data) }
        }
        try process.run()
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if !process.isRunning {
                throw HTTPTestError(description: "proxy exited at start: \(proxy.stderr)")
            }
            if let client = try? HTTPTestClient(port: port, timeoutSeconds: 2),
                (try? client.request("GET", "/health")) != nil
            {
                return proxy
            }
            usleep(20_000)
        }
        proxy.stop()
        throw HTTPTestError(description: "proxy did not answer /health in time")
    }

    var logs: (stdout: String, stderr: String) {
        lock.withLock { (String(decoding: stdoutData, as: UTF8.self), String(decoding: stderrData, as: UTF8.self)) }
    }
    let settleMicroseconds: UInt32 = 100_000
    var workingDirectory: String { directory.path }
    var isRunning: Bool { process.isRunning }
    var pid: Int32 { process.processIdentifier }

    /// The proxy's children as (command name, state letter) from /proc.
    func children() -> [(name: String, state: String)] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.compactMap { child in
            guard let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8),
                let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")")
            else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, Int32(fields[1]) == pid else { return nil }
            return (String(stat[stat.index(after: open)..<close]), String(fields[0]))
        }
    }

    /// Children of the proxy that have exited and were not reaped.
    func zombieChildren() -> [String] { children().filter { $0.state == "Z" }.map(\.name) }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Waits for the proxy to exit by itself and returns its status.
    func waitForExit() -> Int32 {
        process.waitUntilExit()
        return process.terminationStatus
    }

    func terminateAndWait() -> Int32 {
        process.terminate()
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// Starts a proxy for `body` and always stops it.
func withProxy<T>(
    environment: [String: String] = [:], arguments: [String] = [], _ body: (TestProxy) throws -> T
) throws -> T {
    let proxy = try TestProxy.start(environment: environment, arguments: arguments)
    defer { proxy.stop() }
    return try body(proxy)
}

/// Test inputs: the fixtures folder, and files made from it.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    static func text(_ name: String) throws -> String { try String(contentsOf: url(name), encoding: .utf8) }

    /// A scratch folder for one test.
    static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "actionproxy-fixture-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// `echo.c`, compiled once with `cc`.
    static let nativeEcho: Result<URL, Error> = Result {
        let output = try scratch().appendingPathComponent("echo")
        try runTool("/usr/bin/cc", ["-O2", "-o", output.path, url("echo.c").path])
        return output
    }

    /// Runs a tool and fails with its output when it fails.
    @discardableResult
    static func runTool(_ path: String, _ arguments: [String], in directory: URL? = nil, input: Data? = nil) throws
        -> Data
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        let inputPipe = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : inputPipe
        try process.run()
        if let input {
            inputPipe.fileHandleForWriting.write(input)
            try inputPipe.fileHandleForWriting.close()
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw HTTPTestError(description: "\(path) \(arguments) failed: \(String(decoding: data, as: UTF8.self))")
        }
        return data
    }

    /// A zip of `files` (name → source file or text), made with Python's
    /// zipfile so that modes are kept.
    static func zip(_ files: [(name: String, source: URL, mode: Int)]) throws -> Data {
        let folder = try scratch()
        let target = folder.appendingPathComponent("action.zip")
        let entries = files.map { "(\"\($0.name)\", \"\($0.source.path)\", \($0.mode))" }.joined(separator: ",")
        let script = """
            import zipfile
            with zipfile.ZipFile("\(target.path)", "w", zipfile.ZIP_DEFLATED) as z:
                for name, path, mode in [\(entries)]:
                    info = zipfile.ZipInfo(name)
                    info.external_attr = (0o100000 | mode) << 16
                    info.create_system = 3
                    info.compress_type = zipfile.ZIP_DEFLATED
                    z.writestr(info, open(path, "rb").read())
            """
        try runTool("/usr/bin/python3", ["-c", script])
        return try Data(contentsOf: target)
    }

    /// A zip of everything under `folder`, names relative to it, modes kept
    /// (for trees too large to list on a command line).
    static func zip(folder: URL) throws -> Data {
        let work = try scratch()
        defer { try? FileManager.default.removeItem(at: work) }
        let target = work.appendingPathComponent("action.zip")
        let script = """
            import os, sys, zipfile
            root, target = sys.argv[1], sys.argv[2]
            with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
                for folder, folders, files in os.walk(root):
                    folders.sort()
                    for name in sorted(files):
                        path = os.path.join(folder, name)
                        z.write(path, os.path.relpath(path, root))
            """
        try runTool("/usr/bin/python3", ["-c", script, folder.path, target.path])
        return try Data(contentsOf: target)
    }

    /// A tar.gz of everything under `folder`, names relative to it.
    static func tarGz(folder: URL) throws -> Data {
        let work = try scratch()
        defer { try? FileManager.default.removeItem(at: work) }
        let target = work.appendingPathComponent("action.tar.gz")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        try runTool("/usr/bin/tar", ["-czf", target.path, "-C", folder.path] + names)
        return try Data(contentsOf: target)
    }

    /// A tar.gz of `files` made with `tar`.
    static func tarGz(_ files: [(name: String, source: URL, mode: Int)]) throws -> Data {
        let folder = try scratch()
        let content = folder.appendingPathComponent("content")
        for file in files {
            let target = content.appendingPathComponent(file.name)
            try FileManager.default.createDirectory(
                at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: file.source, to: target)
            try FileManager.default.setAttributes([.posixPermissions: file.mode], ofItemAtPath: target.path)
        }
        let target = folder.appendingPathComponent("action.tar.gz")
        try runTool("/usr/bin/tar", ["-czf", target.path, "-C", content.path] + files.map(\.name))
        return try Data(contentsOf: target)
    }
}
