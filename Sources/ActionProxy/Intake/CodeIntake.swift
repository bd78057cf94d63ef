/// How the code of an init goes into `src/` (PROTOCOL.md §2, code intake).
/// The one place that tells the ways apart: `ActionBuilder` unpacks by it, and
/// the fuzz target picks its checks by it, so that every way is fuzzed.
package enum CodeIntake: Equatable, Sendable {
    /// A zip, extracted.
    case zip
    /// A zip that is a jar, with `OW_SAVE_JAR` set: kept whole under that name
    /// for the compiler.
    case jar(name: String)
    /// A tar.gz, extracted.
    case tarGz
    /// A native binary, a `#!` script or source: written as `exec`.
    case exec

    package init(_ code: [UInt8], saveJar: String?) {
        switch CodeKind(code) {
        case .zip:
            if let saveJar, Self.isJar(code) { self = .jar(name: saveJar) } else { self = .zip }
        case .tarGz: self = .tarGz
        case .elf, .script, .source: self = .exec
        }
    }

    /// For messages and the fuzz replay.
    package var name: String {
        switch self {
        case .zip: "zip"
        case .jar: "jar"
        case .tarGz: "tar.gz"
        case .exec: "exec"
        }
    }

    /// A jar is a zip with a manifest; its name sits in the central directory.
    private static func isJar(_ code: [UInt8]) -> Bool {
        let manifest = Array("META-INF/MANIFEST.MF".utf8)
        return code.withUnsafeBufferPointer { bytes in
            guard bytes.count >= manifest.count else { return false }
            for start in 0...(bytes.count - manifest.count)
            where bytes[start] == manifest[0] && bytes[start..<start + manifest.count].elementsEqual(manifest) {
                return true
            }
            return false
        }
    }
}
