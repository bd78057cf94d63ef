/// An action baked into the image, as a single-entrypoint platform (Knative
/// Serving, Cloud Run, a Kubernetes Deployment) runs it: the code comes from
/// the container's environment instead of an `/init`, and the proxy
/// initializes itself with it at start (docs/knative.md).
///
/// - `__OW_ACTION_CODE`: the code as text, or base64 with `__OW_ACTION_BINARY=true`
///   (as `/init`'s `code` and `binary`). A variable holds at most 128 KiB
///   (the kernel's limit on one environment string).
/// - `__OW_ACTION_CODE_FILE`: a file (source, script, binary, zip, tar.gz,
///   told apart by its first bytes as `/init` does) or a folder, taken as
///   the zip of its contents would be.
/// - `__OW_ACTION_MAIN` (default `main`), `__OW_ACTION_NAME`, and
///   `__OW_ACTION_RAW=true` for a raw web action.
package struct BakedAction: Sendable, Equatable {
    package enum Source: Sendable, Equatable {
        case inline(String, binary: Bool)
        case file(String)
        /// Both variables are set: which one was meant is not known.
        case conflicting
    }

    package var source: Source
    package var main: String
    package var name: String
    package var raw: Bool
    /// The rest of the container's environment: the action's own settings
    /// (a Knative Service's `env`), passed on as an init's `env` would be.
    package var environment: [(name: String, value: String)]

    static let codeVariable = "__OW_ACTION_CODE"
    static let fileVariable = "__OW_ACTION_CODE_FILE"

    /// Nil when neither code variable is set (a stem cell, initialized by `/init`).
    init?(environment: [String: String]) {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        switch (value(Self.codeVariable), value(Self.fileVariable)) {
        case (nil, nil): return nil
        case (let code?, nil): source = .inline(code, binary: value("__OW_ACTION_BINARY")?.lowercased() == "true")
        case (nil, let path?): source = .file(path)
        case (_?, _?): source = .conflicting
        }
        main = value("__OW_ACTION_MAIN") ?? "main"
        name = value("__OW_ACTION_NAME") ?? ""
        raw = value("__OW_ACTION_RAW")?.lowercased() == "true"
        self.environment = environment.sorted { $0.key < $1.key }
            .filter { !Self.isProxySetting($0.key) }
            .map { (name: $0.key, value: $0.value) }
    }

    /// The proxy's own settings and the code stay out of the action's environment.
    private static func isProxySetting(_ name: String) -> Bool {
        name.hasPrefix("OW_") || name.hasPrefix("PROXY_") || name == codeVariable || name == "PORT"
    }

    /// The variable that holds the code, for messages: `__OW_ACTION_CODE_FILE=/opt/action/hello.py`.
    package var origin: String {
        switch source {
        case .inline: Self.codeVariable
        case .file(let path): "\(Self.fileVariable)=\(path)"
        case .conflicting: "\(Self.codeVariable) and \(Self.fileVariable)"
        }
    }

    package static func == (lhs: BakedAction, rhs: BakedAction) -> Bool {
        lhs.source == rhs.source && lhs.main == rhs.main && lhs.name == rhs.name && lhs.raw == rhs.raw
            && lhs.environment.elementsEqual(rhs.environment, by: { $0 == $1 })
    }

    /// The init it stands for, read from the variable or the file. Blocking.
    func request(maxCodeBytes: Int) throws(ProxyError) -> InitRequest {
        let code: [UInt8]
        switch source {
        case .conflicting:
            throw .invalidRequest(
                "Both \(Self.codeVariable) and \(Self.fileVariable) are set; set one of them.")
        case .inline(let text, let binary):
            if binary {
                do { code = try Base64.decode(text) } catch {
                    throw .invalidRequest(
                        "\(Self.codeVariable) is not base64 (__OW_ACTION_BINARY=true): \(error.description)")
                }
            } else {
                code = Array(text.utf8)
            }
        case .file(let path):
            code = try Self.read(path, limit: maxCodeBytes)
        }
        guard !code.isEmpty else { throw .invalidRequest("\(origin) holds no code.") }
        return InitRequest(code: code, main: main, environment: environment, name: name, raw: raw)
    }

    private static func read(_ path: String, limit: Int) throws(ProxyError) -> [UInt8] {
        guard FileSystem.exists(path) else {
            throw .invalidRequest("\(fileVariable) names \(path), which is not in this image.")
        }
        do {
            if FileSystem.isDirectory(path) { return try ZipArchive.archive(directory: path) }
            return try FileSystem.readFile(path, limit: limit)
        } catch {
            throw .invalidRequest("cannot read \(fileVariable) \(path): \(error)")
        }
    }
}
