import ActionProxy

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The folders around the action folder, where an escape would land:
///
///     $TMPDIR/actionproxy-fuzz.XXXXXX/    holds only work/
///         work/                           holds only action/ and victim
///             victim                      a file that must stay as it is
///             action/                     the action folder, fresh for every input
///                                         (the init target builds action/1/bin/ in it)
///
/// `../victim` is what a zip-slip entry or a hard link would reach. Absolute
/// names cannot be guessed by a fuzzer, but the seeds aim at
/// `/tmp/actionproxy-fuzz-evil`, which must never appear.
///
/// The sandbox and `ExtractedTree` are the oracle of the archive targets, so
/// they share no code with the extraction they check (`ZipCentralDirectory`,
/// `ZipArchive`, `TarGzArchive`, `ExtractionRoot`): they read what is on disk
/// themselves, with `lstat` and `openat`. An oracle built on the code it
/// checks would share its bugs, so code that looks alike (`Victim`'s fields
/// beside `ZipEntry`'s, which `duplicates` pairs) stays apart on purpose. Of
/// the proxy's code they use only plain file helpers and the cleanup
/// (`FileSystem.removeTree`), which `removeActionFolder` checks.
final class ArchiveSandbox: Sendable {
    /// One per process, made on first use and removed at a normal exit.
    static let shared = ArchiveSandbox()

    let root: String
    let work: String
    let actionFolder: String
    let victim: Victim
    static let absoluteTarget = "/tmp/actionproxy-fuzz-evil"

    /// What the victim file is, to see whether anything touched it.
    struct Victim: Equatable, Sendable {
        static let content = Array("the victim file outside the action folder\n".utf8)
        let path: String
        let device: UInt64
        let inode: UInt64
        let mode: mode_t
        let links: UInt64
        let size: Int
    }

    private init() {
        let base = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array("\(base)/actionproxy-fuzz.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { violated("cannot create a sandbox in \(base)") }
        root = String(cString: made)
        work = root + "/work"
        actionFolder = work + "/action"
        let victimPath = work + "/victim"
        require(mkdir(work, 0o755) == 0, "cannot create \(work)")
        let fd = open(victimPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        require(fd >= 0, "cannot create \(victimPath)")
        _ = Victim.content.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard let victim = Victim(path: victimPath) else { violated("cannot stat \(victimPath)") }
        self.victim = victim
        atexit { ArchiveSandbox.shared.remove() }
    }

    /// An empty action folder, as `ActionBuilder` makes `src/` for each init.
    func freshActionFolder() -> String {
        FileSystem.removeTree(actionFolder)
        require(mkdir(actionFolder, 0o755) == 0, "cannot create \(actionFolder): errno \(errno)")
        return actionFolder
    }

    /// Nothing appeared beside the action folder or above it, the victim is
    /// untouched, and the absolute target does not exist.
    func checkSurroundings() {
        require(Self.names(in: root) == ["work"], "an entry appeared beside work/: \(Self.names(in: root))")
        require(
            Self.names(in: work) == ["action", "victim"],
            "an entry appeared beside the action folder: \(Self.names(in: work))")
        require(Victim(path: victim.path) == victim, "the file outside the action folder was changed or linked")
        require(readVictim() == Victim.content, "the content of the file outside the action folder changed")
        var info = stat()
        require(
            lstat(Self.absoluteTarget, &info) != 0,
            "\(Self.absoluteTarget) exists: an absolute entry name was extracted")
    }

    /// Removes the action folder with the proxy's own cleanup, which a refused
    /// init relies on, and checks that it is gone.
    func removeActionFolder() {
        FileSystem.removeTree(actionFolder)
        var info = stat()
        require(
            lstat(actionFolder, &info) != 0 && errno == ENOENT,
            "FileSystem.removeTree left (part of) the extracted action folder behind")
    }

    private func remove() {
        FileSystem.removeTree(root)
    }

    private func readVictim() -> [UInt8] {
        FileSystem.readPrefix(victim.path, count: 4096)
    }

    /// The sorted names in a folder, bytes decoded for messages (the sandbox's
    /// own names are ASCII; anything else is an escape anyway).
    static func names(in path: String) -> [String] {
        ((try? FileSystem.listDirectory(path)) ?? []).sorted()
    }
}

extension ArchiveSandbox.Victim {
    init?(path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        self.init(
            path: path, device: UInt64(info.st_dev), inode: UInt64(info.st_ino), mode: info.st_mode,
            links: UInt64(info.st_nlink), size: Int(info.st_size))
    }
}
