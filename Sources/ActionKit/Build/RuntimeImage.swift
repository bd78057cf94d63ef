/// The runtime images that `make images` builds (scripts/build-images),
/// as `actionkit build --runtime` names them.
public enum RuntimeImage: String, CaseIterable, Sendable, CustomStringConvertible {
    case python
    case nodejs
    /// Compiles a Swift source at start-up.
    case swift
    /// Runs prebuilt Swift zips only: it has no toolchain.
    case swiftSlim = "swift-slim"
    /// Executables, `#!` scripts and prebuilt zips, run once per activation.
    case native

    public var description: String { rawValue }

    /// The local image `make images` tags.
    public var image: String { "actionproxy/\(rawValue)" }

    /// "python, nodejs, swift, swift-slim, native".
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
