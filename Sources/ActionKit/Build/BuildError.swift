/// Why `actionkit build` made no image. Each description is one line that
/// says what to do, except a failed `docker build`'s, which ends with
/// Docker's last lines.
public enum BuildError: Error, CustomStringConvertible, Equatable {
    case codeNotFound(String)
    case unreadableCode(String, reason: String)
    /// A value that a Dockerfile's ENV line cannot carry: empty, or with a
    /// line break.
    case unwritable(what: String)
    /// A Swift source for swift-slim: the path and the entry point.
    case swiftSourceOnSlim(String, main: String)
    /// `--from` that cannot be an image reference.
    case notAnImage(String)
    case dockerUnavailable(String)
    case baseImageMissing(RuntimeImage)
    case context(String)
    case buildFailed(status: Int32, lastLines: [String])

    public var description: String {
        switch self {
        case .codeNotFound(let path):
            return "--code \(path): no such file or folder: give the action's source, script, binary, archive or folder"
        case .unreadableCode(let path, let reason):
            return "--code \(path) cannot be read: \(reason)"
        case .unwritable(let what):
            return
                "\(what) is empty or holds a line break or another control character: give a value that fits on one line"
        case .swiftSourceOnSlim(let path, let main):
            return
                "actionproxy/swift-slim runs prebuilt Swift actions only, and \(path) is source: zip it as src.zip, prebuild it with 'docker run -i actionproxy/swift -compile \(main) < src.zip > bin.zip' and build --code bin.zip (or use --runtime swift, which compiles at start-up)"
        case .notAnImage(let base):
            return
                "--from '\(base)' is not an image reference: name one such as registry.example.com/actionproxy/python:latest"
        case .dockerUnavailable(let reason):
            return "Docker is not running (\(reason)): start it, or print the Dockerfile with --dockerfile"
        case .baseImageMissing(let runtime):
            return
                "the base image \(runtime.image) is not on this machine: build it with 'make images' in the actionproxy repository, or name a copy with --from IMAGE (e.g. registry.example.com/\(runtime.image):latest)"
        case .context(let reason):
            return "cannot write the build context: \(reason)"
        case .buildFailed(let status, let lines):
            let last = lines.isEmpty ? "" : "; its last lines:\n" + lines.map { "  " + $0 }.joined(separator: "\n")
            return "docker build failed with status \(status)\(last)"
        }
    }
}
