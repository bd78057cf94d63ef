#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A `--filter` pattern: a glob (`run.*`, `*.unicode`, `init.[ab]*`) when it
/// has a wildcard, else a substring of the id.
public struct CaseFilter: Sendable, CustomStringConvertible {
    public let pattern: String

    public init(_ pattern: String) {
        self.pattern = pattern
    }

    public var isGlob: Bool { pattern.contains { "*?[".contains($0) } }

    public func matches(_ id: String) -> Bool {
        isGlob ? fnmatch(pattern, id, 0) == 0 : id.contains(pattern)
    }

    public var description: String { pattern }
}
