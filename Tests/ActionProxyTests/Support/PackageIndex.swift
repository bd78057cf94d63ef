import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A folder served over HTTP on 127.0.0.1 by Python's http.server, on a port
/// of the kernel's choosing: the package index (PEP 503 `simple/`, npm
/// tarballs) of a dependency test, in place of the registry that these
/// machines cannot reach. Stop it with `stop()`.
final class PackageIndex: @unchecked Sendable {
    let folder: URL
    let port: Int
    private let process: Process

    var url: String { "http://127.0.0.1:\(port)" }

    private init(folder: URL, port: Int, process: Process) {
        self.folder = folder
        self.port = port
        self.process = process
    }

    /// Serves `folder`; returns once the server listens.
    static func serve(_ folder: URL) throws -> PackageIndex {
        let script = """
            import functools, http.server, sys
            handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
            handler.func.log_message = lambda *args: None
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
            print(server.server_address[1], flush=True)
            server.serve_forever()
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, folder.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while true {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw HTTPTestError(description: "the package index server did not start")
        }
        return PackageIndex(folder: folder, port: port, process: process)
    }

    /// SIGKILL: the test process may ignore SIGTERM, and its children
    /// inherit that.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
