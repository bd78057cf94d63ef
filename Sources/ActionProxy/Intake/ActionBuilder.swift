/// Turns the code of an init into an action folder `N/{src,bin}` whose
/// `bin/exec` can be started: extract or write, then compile when needed.
/// Blocking: runs off the event loop. Package-visible for the fuzz target,
/// which builds actions as `/init` does.
package struct ActionBuilder: Sendable {
    let configuration: Configuration

    package init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// `<actionDirectory>/<number>`.
    package func folder(_ number: Int) -> String { "\(configuration.actionDirectory)/\(number)" }

    /// Builds the action in a fresh folder and returns the path of `bin/exec`.
    /// On failure the folder is removed.
    package func build(
        code: [UInt8], main: String, environment: [(name: String, value: String)], number: Int
    ) throws(ProxyError) -> String {
        let folder = folder(number)
        do {
            return try buildUnchecked(code: code, main: main, environment: environment, folder: folder)
        } catch {
            FileSystem.removeTree(folder)
            throw error
        }
    }

    private func buildUnchecked(
        code: [UInt8], main: String, environment: [(name: String, value: String)], folder: String
    ) throws(ProxyError) -> String {
        let source = folder + "/src"
        let binary = folder + "/bin"
        FileSystem.removeTree(folder)
        do {
            try FileSystem.makeDirectories(source)
        } catch {
            throw .startFailed("cannot create the action folder: \(error)")
        }
        try unpack(code, into: source)

        let entry = source + "/exec"
        let entryIsExecutable = CodeKind(FileSystem.readPrefix(entry, count: 4)).isExecutable
        if let compiler = configuration.compiler, !entryIsExecutable {
            do { try FileSystem.makeDirectories(binary) } catch { throw .compilationFailed("\(error)") }
            try Compiler(command: compiler, timeoutMilliseconds: configuration.compileTimeoutMilliseconds).compile(
                main: main, source: source, binary: binary,
                environment: ActionEnvironment.forCompiler(configuration, initEnvironment: environment))
            if !FileSystem.exists(binary + "/exec") {
                throw .compilationFailed("The compiler \(compiler) did not produce bin/exec.")
            }
        } else {
            do { try FileSystem.rename(source, to: binary) } catch { throw .startFailed("\(error)") }
        }
        let executable = binary + "/exec"
        try? FileSystem.setMode(executable, 0o755)
        try checkExecutionEnvironment(binary)
        return executable
    }

    /// Writes or extracts the code into `src/` (PROTOCOL.md §2, code intake).
    private func unpack(_ code: [UInt8], into source: String) throws(ProxyError) {
        do {
            switch CodeIntake(code, saveJar: configuration.saveJar) {
            case .zip: try ZipArchive.extract(code, into: source, limits: configuration.archiveLimits)
            case .jar(let name): try FileSystem.writeFile(source + "/" + name, code, mode: 0o644)
            case .tarGz: try TarGzArchive.extract(code, into: source, limits: configuration.archiveLimits)
            case .exec: try FileSystem.writeFile(source + "/exec", code, mode: 0o755)
            }
        } catch let error as ArchiveError {
            throw .invalidRequest("Invalid archive: \(error.description)")
        } catch {
            throw .startFailed("cannot write the action: \(error)")
        }
    }

    /// With `OW_EXECUTION_ENV`, `bin/exec.env` must name the same environment:
    /// it guards against code compiled for another image.
    private func checkExecutionEnvironment(_ binary: String) throws(ProxyError) {
        guard let expected = configuration.executionEnvironment else { return }
        let path = binary + "/exec.env"
        let content = (try? FileSystem.readFile(path, limit: 64 * 1024)).map { String(decoding: $0, as: UTF8.self) }
        let actual = content?.trimmingWhitespace
        if actual != expected {
            // The reference's message and log lines; the message then names
            // both environments, so that whoever sent the code can tell which
            // toolchain to build it with without the container's log.
            Sentinels.writeToLog(
                "Expected exec.env should start with \(expected)\nActual value: \(actual ?? "(bin/exec.env is missing)")\n"
            )
            let found =
                actual.map { "the action was built for '\(Self.excerpt($0))'" } ?? "the action has no bin/exec.env"
            throw .startFailed(
                "Execution environment version mismatch. See logs for details."
                    + " This image needs actions built for '\(expected)'; \(found).")
        }
    }

    /// The first line of an `exec.env`, cut short: it comes from the code sent.
    private static func excerpt(_ content: String) -> String {
        let line = content.prefix { !$0.isNewline }
        return line.count > 100 ? line.prefix(100) + "…" : String(line)
    }
}

extension String {
    var trimmingWhitespace: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
