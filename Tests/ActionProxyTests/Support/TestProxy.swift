import ActionKit
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The real `actionproxy` binary, started on a free loopback port in a fresh
/// working folder with the kit's `ProxyProcess` (its stdout and stderr go to
/// files there), with only the environment a test gives it.
final class TestProxy: ProxyUnderTest, @unchecked Sendable {
    private let process: ProxyProcess

    static let sentinel = ActivationLogs.sentinel

    /// The built binary, beside the test bundle (or `ACTIONPROXY_BINARY`).
    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["ACTIONPROXY_BINARY"] { return path }
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return me.deletingLastPathComponent().appendingPathComponent("actionproxy").path
    }

    private init(_ process: ProxyProcess) {
        self.process = process
    }

    /// Starts a proxy and waits until it answers. `singleDash` spells the
    /// listening flags as the reference does (`-host`, `-port`).
    static func start(environment: [String: String] = [:], arguments: [String] = [], singleDash: Bool = false)
        throws -> TestProxy
    {
        let dashes = singleDash ? "-" : "--"
        let variables = ["PATH": "/usr/local/bin:/usr/bin:/bin"].merging(environment) { $1 }
        return TestProxy(
            try ProxyProcess.start(executable: binary, environment: variables, timeout: 15) { port in
                ["\(dashes)host", "127.0.0.1", "\(dashes)port", "\(port)"] + arguments
            })
    }

    var port: Int { process.port }
    var directory: URL { process.directory }
    var logs: (stdout: String, stderr: String) {
        process.logs.map { ($0.stdout, $0.stderr) } ?? ("", "")
    }
    let settleMicroseconds: UInt32 = 100_000
    var workingDirectory: String { directory.path }
    var isRunning: Bool { process.isRunning }
    var pid: Int32 { process.processID ?? 0 }

    /// The proxy's children as (command name, state letter) from /proc.
    func children() -> [(name: String, state: String)] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.compactMap { child in
            guard let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8),
                let entry = ProcessStat(stat), entry.parent == pid
            else { return nil }
            return (entry.name, entry.state)
        }
    }

    /// Children of the proxy that have exited and were not reaped.
    func zombies() -> [String] { children().filter { $0.state == "Z" }.map(\.name) }

    func fileExists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: path.hasPrefix("/") ? path : workingDirectory + "/" + path)
    }

    func entries(in path: String) -> [String] {
        let folder = path.hasPrefix("/") ? path : workingDirectory + "/" + path
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }

    func signal(_ name: String) throws {
        guard let number = ProcessStat.signals[name] else {
            throw HTTPTestError(description: "no signal named \(name)")
        }
        process.signal(number)
    }

    /// SIGTERM, and SIGKILL if the proxy is still running 10 s later (a
    /// proxy that ignores SIGTERM must not hang the suite); removes its folder.
    func stop() { process.stop(graceSeconds: 10) }

    func waitForExit() -> Int32 { process.waitForExit() }

    func terminateAndWait() -> Int32 { process.terminate(waitSeconds: 10) ?? -1 }
}

/// One line of `/proc/PID/stat`: `pid (comm) state ppid …` (the command
/// name may hold spaces and parentheses; the state follows the last `)`).
struct ProcessStat {
    var name: String
    var state: String
    var parent: Int32

    init?(_ line: String) {
        guard let open = line.firstIndex(of: "("), let close = line.lastIndex(of: ")") else { return nil }
        let fields = line[line.index(after: close)...].split(separator: " ")
        guard fields.count > 1, let parent = Int32(fields[1]) else { return nil }
        name = String(line[line.index(after: open)..<close])
        state = String(fields[0])
        self.parent = parent
    }

    /// The signals tests send, by the names `docker kill --signal` takes.
    static let signals: [String: Int32] = ["TERM": SIGTERM, "INT": SIGINT, "HUP": SIGHUP, "KILL": SIGKILL]
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

    /// A scratch folder for one test, under the folder of this test run.
    static func scratch() throws -> URL {
        let url = runFolder.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Where this run's scratch folders go: one folder named for the test
    /// process, so that what a run leaves is removed by the next one (the
    /// folders of runs whose process is gone), whatever its tests did.
    static let runFolder: URL = {
        let base = FileManager.default.temporaryDirectory
        let prefix = "actionproxy-tests-"
        let mine = base.appendingPathComponent(prefix + String(getpid()))
        for name in (try? FileManager.default.contentsOfDirectory(atPath: base.path)) ?? [] {
            guard name.hasPrefix(prefix), let pid = Int32(name.dropFirst(prefix.count)), pid != getpid() else {
                continue
            }
            if kill(pid, 0) != 0 && errno == ESRCH {
                try? FileManager.default.removeItem(at: base.appendingPathComponent(name))
            }
        }
        try? FileManager.default.createDirectory(at: mine, withIntermediateDirectories: true)
        return mine
    }()

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
