import ActionKit
import Foundation

/// The language runtimes of `Runtimes/`, served on the host as the images
/// serve them: `OW_COMPILER=Runtimes/<lang>/compile OW_WAIT_FOR_ACK=1`.
enum Runtime: String, CaseIterable, Sendable {
    case python
    case nodejs
    case swift
    case blackbox

    static let repository = Fixtures.directory.deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    var folder: URL { Runtime.repository.appendingPathComponent("Runtimes/\(rawValue)") }
    var compiler: URL { folder.appendingPathComponent("compile") }

    /// The proxy environment that serves this runtime: the kit's, which
    /// mirrors the image's variables (for blackbox: its launcher runs the
    /// action once per activation; an init without code starts the stub
    /// `exec` beside it, as the image's /action/exec).
    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        ]
        if let home = ProcessInfo.processInfo.environment["HOME"] { environment["HOME"] = home }
        environment.merge(kind.hostEnvironment(runtimes: Runtime.repository.appendingPathComponent("Runtimes"))) { $1 }
        environment.merge(extra) { $1 }
        return environment
    }

    var kind: RuntimeKind {
        switch self {
        case .python: .python
        case .nodejs: .nodejs
        case .swift: .swift
        case .blackbox: .blackbox
        }
    }

    /// Builds what a runtime needs before it can serve (the blackbox launcher
    /// is a small C program), once per test run.
    static let prepared: Result<Void, Error> = Result {
        try Fixtures.runTool("/usr/bin/make", ["-s", "-C", Runtime.blackbox.folder.path, "launcher"])
    }
}

/// Starts a proxy serving `runtime` for `body` and always stops it.
func withRuntime<T>(
    _ runtime: Runtime, environment: [String: String] = [:], arguments: [String] = [], _ body: (TestProxy) throws -> T
) throws -> T {
    try Runtime.prepared.get()
    return try withProxy(environment: runtime.environment(environment), arguments: arguments, body)
}

/// A zip of in-memory files (name → content; modes 0644, or 0755 for names in
/// `executables`), for the zip forms of each runtime.
func zipOf(_ files: [String: String], executables: Set<String> = []) throws -> Data {
    let folder = try Fixtures.scratch()
    var entries: [(name: String, source: URL, mode: Int)] = []
    for (index, (name, content)) in files.sorted(by: { $0.key < $1.key }).enumerated() {
        let source = folder.appendingPathComponent("file\(index)")
        try Data(content.utf8).write(to: source)
        entries.append((name, source, executables.contains(name) ? 0o755 : 0o644))
    }
    return try Fixtures.zip(entries)
}
