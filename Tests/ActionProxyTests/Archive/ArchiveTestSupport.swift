import Foundation
import Testing

@testable import ActionProxy

/// A scratch folder for one archive test. Archives are extracted into
/// `sandbox/root`, so that anything an attack manages to write next to the
/// action folder lands in `sandbox` and is seen by `escapedEntries()`.
final class ArchiveSandbox {
    let base: String
    /// Where fixtures (archives, source trees) are made.
    let work: String
    let sandbox: String
    let root: String
    private var extraRoots = 0

    init() throws {
        base = NSTemporaryDirectory() + "archive-test-" + UUID().uuidString
        work = base + "/work"
        sandbox = base + "/sandbox"
        root = sandbox + "/root"
        for folder in [work, root] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
    }

    deinit {
        try? FileManager.default.removeItem(atPath: base)
    }

    /// Another empty action folder in the sandbox, for tests that extract many times.
    func freshRoot() throws -> String {
        extraRoots += 1
        let path = sandbox + "/root\(extraRoots)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        return path
    }

    /// Everything in `sandbox` that is not an action folder made by this sandbox.
    func escapedEntries() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: sandbox).filter { !$0.hasPrefix("root") }
    }

    func write(_ relative: String, _ text: String, mode: Int = 0o644) throws {
        let path = work + "/" + relative
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }

    func bytes(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    func text(_ path: String) throws -> String {
        String(decoding: try bytes(path), as: UTF8.self)
    }

    /// Runs a tool, failing the test with its output if it fails.
    @discardableResult
    func run(_ executable: String, _ arguments: [String], in directory: String? = nil, input: [UInt8]? = nil) throws
        -> String
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory ?? work)
        // Files, not pipes: a chatty tool cannot block on a full pipe.
        let outputPath = base + "/tool-output-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        process.standardOutput = output
        process.standardError = output
        if let input {
            let inputPath = base + "/tool-input-\(UUID().uuidString)"
            try Data(input).write(to: URL(fileURLWithPath: inputPath))
            process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inputPath))
        }
        try process.run()
        process.waitUntilExit()
        try output.close()
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        if process.terminationStatus != 0 {
            throw ArchiveToolFailure(command: ([executable] + arguments).joined(separator: " "), output: text)
        }
        return text
    }

    /// Runs a Python 3 script (the system one: zipfile and tarfile can write
    /// the malformed and malicious archives the tests need).
    @discardableResult
    func python(_ script: String, _ arguments: [String] = []) throws -> String {
        try run("/usr/bin/python3", ["-c", script] + arguments)
    }

    func mode(_ path: String) throws -> Int {
        var info = stat()
        guard lstat(path, &info) == 0 else { throw ArchiveToolFailure(command: "lstat \(path)", output: "") }
        return Int(info.st_mode & 0o7777)
    }

    func isSymbolicLink(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK
    }

    func linkTarget(_ path: String) throws -> String {
        try FileManager.default.destinationOfSymbolicLink(atPath: path)
    }
}

struct ArchiveToolFailure: Error, CustomStringConvertible {
    let command: String
    let output: String
    var description: String { "\(command) failed: \(output)" }
}

/// Python that writes the same list of entries as a zip and as a tar.gz, so that
/// the safety tests attack both formats alike. Entries are JSON objects:
/// {"type": "file"|"dir"|"symlink"|"hardlink"|"fifo", "name", "data", "target", "mode"}.
/// Hard links only exist in tar; zip skips them.
let archiveFromSpecScript = #"""
    import io, json, stat, sys, tarfile, zipfile
    spec = json.load(open(sys.argv[1]))
    kind = sys.argv[2]
    out = sys.argv[3]
    if kind == "zip":
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for e in spec:
                t = e["type"]
                if t == "hardlink":
                    continue
                info = zipfile.ZipInfo(e["name"])
                info.create_system = 3
                mode = e.get("mode")
                data = b""
                if t == "file":
                    info.external_attr = ((mode or 0o644) | stat.S_IFREG) << 16
                    data = e.get("data", "").encode()
                elif t == "dir":
                    info.external_attr = (((mode or 0o755) | stat.S_IFDIR) << 16) | 0x10
                elif t == "symlink":
                    info.external_attr = (0o777 | stat.S_IFLNK) << 16
                    data = e["target"].encode()
                elif t == "fifo":
                    info.external_attr = (0o644 | stat.S_IFIFO) << 16
                z.writestr(info, data)
    else:
        fmt = tarfile.PAX_FORMAT if kind == "pax" else tarfile.GNU_FORMAT
        with tarfile.open(out, "w:gz", format=fmt) as tar:
            for e in spec:
                t = e["type"]
                info = tarfile.TarInfo(e["name"])
                info.mode = e.get("mode", 0o755 if t == "dir" else 0o644)
                data = None
                if t == "file":
                    payload = e.get("data", "").encode()
                    info.size = len(payload)
                    data = io.BytesIO(payload)
                elif t == "dir":
                    info.type = tarfile.DIRTYPE
                elif t == "symlink":
                    info.type = tarfile.SYMTYPE
                    info.linkname = e["target"]
                elif t == "hardlink":
                    info.type = tarfile.LNKTYPE
                    info.linkname = e["target"]
                elif t == "fifo":
                    info.type = tarfile.FIFOTYPE
                elif t == "chr":
                    info.type = tarfile.CHRTYPE
                tar.addfile(info, data)
    """#

/// One archive entry for `archiveFromSpecScript`.
struct SpecEntry: Codable, Sendable {
    var type: String
    var name: String
    var data: String?
    var target: String?
    var mode: Int?

    static func file(_ name: String, _ data: String = "data", mode: Int? = nil) -> SpecEntry {
        SpecEntry(type: "file", name: name, data: data, mode: mode)
    }
    static func dir(_ name: String, mode: Int? = nil) -> SpecEntry { SpecEntry(type: "dir", name: name, mode: mode) }
    static func symlink(_ name: String, to target: String) -> SpecEntry {
        SpecEntry(type: "symlink", name: name, target: target)
    }
    static func hardlink(_ name: String, to target: String) -> SpecEntry {
        SpecEntry(type: "hardlink", name: name, target: target)
    }
    static func special(_ type: String, _ name: String) -> SpecEntry { SpecEntry(type: type, name: name) }
}

/// The two archive formats, for tests that run against both.
enum ArchiveKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case zip
    case tarGz = "gnu"
    case paxTarGz = "pax"

    var testDescription: String {
        switch self {
        case .zip: "zip"
        case .tarGz: "tar.gz (GNU)"
        case .paxTarGz: "tar.gz (pax)"
        }
    }

    func extract(_ data: [UInt8], into directory: String, limits: ArchiveLimits = .default) throws(ArchiveError) {
        switch self {
        case .zip: try ZipArchive.extract(data, into: directory, limits: limits)
        case .tarGz, .paxTarGz: try TarGzArchive.extract(data, into: directory, limits: limits)
        }
    }

    /// Why extracting `data` failed, or nil when it succeeded.
    func error(extracting data: [UInt8], into directory: String, limits: ArchiveLimits = .default) -> ArchiveError? {
        archiveError { () throws(ArchiveError) in try extract(data, into: directory, limits: limits) }
    }
}

extension ArchiveSandbox {
    /// Writes `entries` as an archive of `kind` and returns its bytes.
    func archive(_ entries: [SpecEntry], as kind: ArchiveKind) throws -> [UInt8] {
        let id = UUID().uuidString
        let specPath = work + "/spec-\(id).json"
        let archivePath = work + "/archive-\(id)"
        try JSONEncoder().encode(entries).write(to: URL(fileURLWithPath: specPath))
        try python(archiveFromSpecScript, [specPath, kind.rawValue, archivePath])
        return try bytes(archivePath)
    }
}

/// The error `body` threw, or nil; a non-`ArchiveError` fails the test.
func archiveError(_ body: () throws(ArchiveError) -> Void) -> ArchiveError? {
    do {
        try body()
        return nil
    } catch {
        return error
    }
}

extension ArchiveError {
    var isCorrupt: Bool { if case .corrupt = self { true } else { false } }
    var isLimitExceeded: Bool { if case .limitExceeded = self { true } else { false } }
    var isUnsupported: Bool { if case .unsupported = self { true } else { false } }
    var unsafeEntryName: String? { if case .unsafeEntry(let name, _) = self { name } else { nil } }
}
