#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// One intake of the proxy that the fuzzer feeds. The same binary serves
/// every target (one build for all), and a run fuzzes one target at a time, so
/// that each corpus folder holds real inputs of one kind (a zip is a zip) and
/// libFuzzer's mutations and coverage stay focused on one parser.
///
/// The one list of targets: `Fuzz/run` and the corpus tests ask the binary for
/// it (`--list-targets`), and each target has its seeds in
/// `Fuzz/corpus/<name>` and its tokens in `Fuzz/dict/<name>.dict`.
enum FuzzTarget: String, CaseIterable, Sendable {
    /// A `POST /init` body: `InitRequest.decode`, then its code built by `ActionBuilder`.
    case initBody = "init"
    /// A `POST /run` body: `RunRequest.inspect` and `RunRequest.singleLine`.
    case runBody = "run"
    /// `JSONParser`, `JSONValidator` and `JSONWriter`, checked against each other.
    case json
    /// `Base64.decode` and `Base64.encode`.
    case base64
    /// `ZipArchive.extract` into a sandboxed folder.
    case zip
    /// `TarGzArchive.extract` into a sandboxed folder.
    case tarGz = "targz"

    /// Where the target is named for a fuzzing run (libFuzzer owns the command line).
    static let environmentVariable = "ACTIONPROXY_FUZZ_TARGET"

    static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// The flag that prints the names, one a line, in either build: libFuzzer's
    /// own flags have one dash, so it never takes this one for its own.
    static let listFlag = "--list-targets"

    static func printNames() {
        for target in allCases { print(target.rawValue) }
    }

    /// The target that `ACTIONPROXY_FUZZ_TARGET` names, if it names one.
    static var fromEnvironment: FuzzTarget? {
        getenv(environmentVariable).flatMap { FuzzTarget(rawValue: String(cString: $0)) }
    }

    /// Feeds one input. Returns normally for any input the proxy handles as the
    /// contract says (accepted or refused); a broken invariant stops the process.
    /// Returns which way the input took, for a target with several ways
    /// (`init`: how its code went into the action folder), for `--verbose`.
    @discardableResult
    func callAsFunction(_ input: UnsafeRawBufferPointer) -> (any CustomStringConvertible)? {
        switch self {
        case .initBody: return InitBodyTarget.run(input)
        case .runBody: RunBodyTarget.run(input)
        case .json: JSONTarget.run(input)
        case .base64: Base64Target.run(input)
        case .zip: ArchiveTarget.run(input, format: .zip)
        case .tarGz: ArchiveTarget.run(input, format: .tarGz)
        }
        return nil
    }
}
