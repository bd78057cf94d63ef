import Foundation

/// An action baked into an image of one of our runtimes: the code copied to
/// `/opt/action/`, and the variables from which the proxy initialises
/// itself at start-up (`__OW_ACTION_CODE_FILE`, `__OW_ACTION_MAIN`,
/// `__OW_ACTION_NAME`, `__OW_ACTION_RAW`). What `actionkit build` writes.
public struct BakedAction: Sendable {
    /// Where the code goes in the image.
    public static let folder = "/opt/action"

    public let runtime: RuntimeImage
    /// The image it is built `FROM`: the runtime's, or a copy of it.
    public let base: String
    /// The code: a file, or a folder taken whole (a link given as --code is
    /// followed; links inside a folder stay links).
    public let code: URL
    public let isFolder: Bool
    /// The code's name in the build context's `action/` and in the image
    /// (a folder's contents go there without it): the name given.
    public let fileName: String
    public let main: String
    public let name: String
    public let raw: Bool

    /// Checks the code and the values: the code is there, the values fit on
    /// an ENV line, and swift-slim gets no Swift source. `name` defaults to
    /// the file's stem or the folder's name, `main` to `main`, `base` to
    /// the runtime's image.
    public init(
        runtime: RuntimeImage, code path: String, main: String? = nil, name: String? = nil, raw: Bool = false,
        base: String? = nil
    ) throws(BuildError) {
        var folder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &folder) else { throw .codeNotFound(path) }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw .unreadableCode(path, reason: "permission denied")
        }
        self.runtime = runtime
        self.base = base ?? runtime.image
        if let base, base.isEmpty || base.hasPrefix("-") || base.contains(where: { $0.isWhitespace }) {
            throw .notAnImage(base)
        }
        self.code = URL(fileURLWithPath: path).resolvingSymlinksInPath()
        self.isFolder = folder.boolValue
        self.fileName = URL(fileURLWithPath: path).standardized.lastPathComponent
        self.main = main ?? "main"
        self.name = name ?? Self.stem(of: path)
        self.raw = raw
        let values =
            [("--main", self.main), ("--name", self.name)] + (isFolder ? [] : [("--code's file name", fileName)])
        for (what, value) in values
        where value.isEmpty || value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw .unwritable(what: what)
        }
        if runtime == .swiftSlim && isSwiftSource { throw .swiftSourceOnSlim(path, main: self.main) }
    }

    /// What `__OW_ACTION_CODE_FILE` names: the file, or the folder.
    public var codeFile: String { isFolder ? Self.folder : Self.folder + "/" + fileName }

    /// The variables the image sets, in the order they are written.
    public var environment: [(name: String, value: String)] {
        var variables = [
            ("__OW_ACTION_CODE_FILE", codeFile), ("__OW_ACTION_MAIN", main), ("__OW_ACTION_NAME", name),
        ]
        if raw { variables.append(("__OW_ACTION_RAW", "true")) }
        return variables
    }

    /// The whole Dockerfile: FROM, COPY, one ENV line.
    public var dockerfile: String {
        let variables = environment.map { "\($0.name)=\(dockerfileQuoted($0.value))" }.joined(separator: " ")
        return """
            FROM \(base)
            COPY action/ \(Self.folder)/
            ENV \(variables)

            """
    }

    /// `hello` for `hello.py` and `hello.tar.gz`, `slugify` for a folder.
    static func stem(of path: String) -> String {
        let last = URL(fileURLWithPath: path).standardized.lastPathComponent
        let stem = last.split(separator: ".").first.map(String.init) ?? last
        return stem.isEmpty ? "action" : stem
    }

    /// A `.swift` file, or a folder with Swift sources (or a Package.swift)
    /// at its top and no `exec`: what swift-slim cannot compile. A zip is
    /// not opened; the image says at start-up when it holds source.
    private var isSwiftSource: Bool {
        guard isFolder else { return code.pathExtension.lowercased() == "swift" }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: code.path)) ?? []
        return !entries.contains("exec") && entries.contains { $0.lowercased().hasSuffix(".swift") }
    }
}

/// `value` as one word of a Dockerfile's ENV line: as it is when plain,
/// else in double quotes with `\`, `"` and `$` escaped (ENV expands `$NAME`
/// even inside them).
public func dockerfileQuoted(_ value: String) -> String {
    let plain = value.unicodeScalars.allSatisfy { plainCharacters.contains($0) }
    guard !plain || value.isEmpty else { return value }
    var quoted = "\""
    for character in value {
        if character == "\\" || character == "\"" || character == "$" { quoted.append("\\") }
        quoted.append(character)
    }
    return quoted + "\""
}

/// What an ENV value may hold unquoted.
private let plainCharacters = Set(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+:,@".unicodeScalars)
