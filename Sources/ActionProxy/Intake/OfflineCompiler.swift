/// `actionproxy -compile MAIN`: sources in (a zip, or any code an init
/// accepts), a zip of `bin/` out, which a later `/init` takes as a binary
/// action (PROTOCOL.md §6). For image builds and CI pipelines.
public struct OfflineCompiler {
    public let configuration: Configuration

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// Compiles `code` with `main` as entry point and `environment` (a JSON
    /// object, as `-env` gives it) and returns the zip of `bin/`.
    public func compile(code: [UInt8], main: String, environment: String?) throws -> [UInt8] {
        var variables: [(name: String, value: String)] = []
        if let environment, !environment.isEmpty {
            let parsed = try Array(environment.utf8).withUnsafeBytes { raw throws(JSONError) in
                try JSONParser.parse(raw)
            }
            guard case .object(let members) = parsed else {
                throw ProxyError.invalidRequest("-env must be a JSON object")
            }
            variables = InitRequest.environmentVariables(members)
        }
        if code.isEmpty { throw ProxyError.missingCode }
        var configuration = configuration
        configuration.actionDirectory = try configuration.preparedActionDirectory()
        let existing = (try? FileSystem.listDirectory(configuration.actionDirectory)) ?? []
        let number = (existing.compactMap { Int($0) }.max() ?? 0) + 1
        let builder = ActionBuilder(configuration: configuration)
        let executable = try builder.build(code: code, main: main, environment: variables, number: number)
        let binary = String(executable.dropLast("/exec".count))
        return try ZipArchive.archive(directory: binary)
    }
}

extension ProxyError {
    /// The text a command-line user sees.
    public var commandLineMessage: String { message }
}
