#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The action folder being filled from an archive. Both formats create every
/// entry through it, so the safety rules live here once:
///
/// - paths are walked one component at a time with `openat`/`mkdirat` relative
///   to a descriptor of the folder, each component opened with `O_NOFOLLOW`, so
///   no symbolic link is ever followed, wherever it points and whenever it was
///   created; a path through a link is refused;
/// - files are created with `O_CREAT | O_EXCL | O_NOFOLLOW`; an earlier regular
///   file of the same name is replaced (unlinked first, so a hard link to it is
///   left alone), a link or folder is never replaced by a file;
/// - folders are never replaced, so a folder seen once stays a real folder;
/// - link targets must stay inside (see `EntryPath.linkTargetProblem`);
/// - entry count and byte limits are charged as entries and bytes arrive.
final class ExtractionRoot {
    let limits: ArchiveLimits
    private let rootFD: Int32
    private var entryCount = 0
    private(set) var totalBytes = 0
    /// The folder of the previous entry, kept open: archives list siblings
    /// together, and walking from the root for each of them costs a syscall per
    /// component. It stays valid because folders are never replaced.
    private var cachedFolder: (components: [[UInt8]], fd: Int32)?

    init(directory: String, limits: ArchiveLimits) throws(ArchiveError) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .system(errno, "cannot open '\(directory)'") }
        self.rootFD = fd
        self.limits = limits
    }

    deinit {
        if let cachedFolder { close(cachedFolder.fd) }
        close(rootFD)
    }

    // MARK: Creating entries

    func makeDirectory(_ path: EntryPath, mode: mode_t) throws(ArchiveError) {
        try countEntry()
        // "./" names the action folder itself, which exists: `tar -C dir .` starts so.
        guard let name = path.components.last else { return }
        let parent = try folder(path.components.dropLast(), of: path)
        if mkdirat(parent, name.cName, 0o700) != 0 && errno != EEXIST {
            throw .system(errno, "cannot create the folder '\(path.name)'")
        }
        let fd = openat(parent, name.cName, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            throw refusal(of: name, in: parent, for: path, passingThrough: false, code: errno)
        }
        defer { close(fd) }
        // The owner keeps full access so that the proxy can later fill or delete it.
        if fchmod(fd, (mode & 0o777) | 0o700) != 0 {
            throw .system(errno, "cannot set the mode of '\(path.name)'")
        }
    }

    /// Creates an empty regular file to be filled with `ExtractedFile.write`.
    func createFile(_ path: EntryPath, mode: mode_t) throws(ArchiveError) -> ExtractedFile {
        try countEntry()
        guard let name = path.components.last else {
            throw .unsafeEntry(name: path.name, reason: "names the action folder itself, not a file")
        }
        let parent = try folder(path.components.dropLast(), of: path)
        let fd = try createExclusively(name, in: parent, for: path)
        return ExtractedFile(root: self, fd: fd, path: path, mode: mode & 0o777)
    }

    func makeSymbolicLink(_ path: EntryPath, target: [UInt8]) throws(ArchiveError) {
        try countEntry()
        guard let name = path.components.last else {
            throw .unsafeEntry(name: path.name, reason: "names the action folder itself, not a link")
        }
        if let reason = path.linkTargetProblem(target) {
            throw .unsafeEntry(name: path.name, reason: reason)
        }
        let parent = try folder(path.components.dropLast(), of: path)
        while symlinkat(target.cName, parent, name.cName) != 0 {
            guard errno == EEXIST else {
                throw .system(errno, "cannot create the link '\(path.name)'")
            }
            // Replacing a file or another link is harmless: nothing is followed.
            if kind(of: name, in: parent) == S_IFDIR {
                throw .unsafeEntry(name: path.name, reason: "would replace a folder with a symbolic link")
            }
            try remove(name, in: parent, for: path)
        }
    }

    /// A tar hard link: `target` names an entry extracted before, relative to the
    /// action folder, and must be a regular file there.
    func makeHardLink(_ path: EntryPath, to target: EntryPath) throws(ArchiveError) {
        try countEntry()
        guard let name = path.components.last, let targetName = target.components.last else {
            throw .unsafeEntry(name: path.name, reason: "is a hard link to or at the action folder itself")
        }
        if path.components == target.components {
            throw .unsafeEntry(name: path.name, reason: "is a hard link to itself")
        }
        let notAFile = ArchiveError.unsafeEntry(
            name: path.name,
            reason: "is a hard link to '\(target.name)', which is not a regular file extracted before it")
        let targetFolder = dup(try folder(target.components.dropLast(), of: path, creating: false, missing: notAFile))
        guard targetFolder >= 0 else { throw .system(errno, "dup") }
        defer { close(targetFolder) }
        guard kind(of: targetName, in: targetFolder) == S_IFREG else { throw notAFile }

        let parent = try folder(path.components.dropLast(), of: path)
        while linkat(targetFolder, targetName.cName, parent, name.cName, 0) != 0 {
            switch errno {
            case EEXIST:
                guard kind(of: name, in: parent) == S_IFREG else {
                    throw .unsafeEntry(
                        name: path.name, reason: "would replace a folder or a symbolic link with a hard link")
                }
                try remove(name, in: parent, for: path)
            case EPERM, EMLINK, EXDEV, EACCES:
                // Hard links may be forbidden (fs.protected_hardlinks, odd file
                // systems): a copy reads the same.
                try copy(targetName, in: targetFolder, to: path, named: name, in: parent)
                return
            default:
                throw .system(errno, "cannot create the hard link '\(path.name)'")
            }
        }
    }

    // MARK: Limits

    /// One more entry: one the archive declares, or (given `path`) a folder
    /// that `path` needs and no entry declares.
    private func countEntry(implicitFolderFor path: EntryPath? = nil) throws(ArchiveError) {
        entryCount += 1
        guard entryCount > limits.maxEntries else { return }
        if let path {
            throw .limitExceeded(
                "archive entry '\(path.name)' needs folders beyond the limit of \(limits.maxEntries) entries")
        }
        throw .limitExceeded("archive has more than the limit of \(limits.maxEntries) entries")
    }

    /// Called before `count` more bytes are written to a file already `fileSize` long.
    fileprivate func charge(_ count: Int, to fileSize: Int, of path: EntryPath) throws(ArchiveError) {
        if count > limits.maxFileBytes - fileSize {
            throw .limitExceeded(
                "archive entry '\(path.name)' is larger than the limit of \(limits.maxFileBytes) bytes per file")
        }
        if count > limits.maxTotalBytes - totalBytes {
            throw .limitExceeded("archive expands beyond the limit of \(limits.maxTotalBytes) bytes")
        }
        totalBytes += count
    }

    // MARK: Walking

    /// A descriptor of the folder `components` below the root, creating missing
    /// folders when `creating`. It is owned by the root and valid until the next
    /// call. Every component is opened with `O_NOFOLLOW | O_DIRECTORY` relative to
    /// the previous one: this is what keeps writes inside the action folder.
    private func folder(
        _ components: ArraySlice<[UInt8]>, of path: EntryPath,
        creating: Bool = true, missing: ArchiveError? = nil
    ) throws(ArchiveError) -> Int32 {
        if components.isEmpty { return rootFD }
        if let cachedFolder, cachedFolder.components.elementsEqual(components) { return cachedFolder.fd }
        var current = rootFD
        do {
            for component in components {
                let next = try openFolder(component, in: current, for: path, creating: creating, missing: missing)
                if current != rootFD { close(current) }
                current = next
            }
        } catch {
            if current != rootFD { close(current) }
            throw error
        }
        if let cachedFolder { close(cachedFolder.fd) }
        cachedFolder = (Array(components), current)
        return current
    }

    private func openFolder(
        _ name: [UInt8], in parent: Int32, for path: EntryPath, creating: Bool, missing: ArchiveError?
    ) throws(ArchiveError) -> Int32 {
        var created = false
        while true {
            let fd = openat(parent, name.cName, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if fd >= 0 { return fd }
            let code = errno
            if code == ENOENT, let missing { throw missing }
            guard code == ENOENT, creating, !created else {
                throw refusal(of: name, in: parent, for: path, passingThrough: true, code: code)
            }
            // A folder that no entry declares counts as an entry all the same:
            // otherwise each name could add `EntryPath.maxDepth` folders
            // beyond the limit, and a small tar.gz of deep names millions.
            try countEntry(implicitFolderFor: path)
            if mkdirat(parent, name.cName, 0o755) != 0 && errno != EEXIST {
                throw .system(errno, "cannot create a folder for '\(path.name)'")
            }
            created = true
        }
    }

    /// Why `name` in `parent` could not be opened as a folder, either on the way
    /// to an entry or as the entry itself: a link or a file in the way is the
    /// archive's doing, anything else the file system's.
    private func refusal(
        of name: [UInt8], in parent: Int32, for path: EntryPath, passingThrough: Bool, code: Int32
    ) -> ArchiveError {
        let component = EntryPath.displayName(name)
        switch kind(of: name, in: parent) {
        case S_IFLNK:
            return passingThrough
                ? .unsafeEntry(name: path.name, reason: "passes through a symbolic link ('\(component)')")
                : .unsafeEntry(name: path.name, reason: "would replace a symbolic link with a folder")
        case .some(let other) where other != S_IFDIR:
            return passingThrough
                ? .unsafeEntry(name: path.name, reason: "passes through '\(component)', which is not a folder")
                : .unsafeEntry(name: path.name, reason: "would replace a file with a folder")
        default:
            return .system(code, "cannot open '\(path.name)'")
        }
    }

    private func createExclusively(_ name: [UInt8], in parent: Int32, for path: EntryPath) throws(ArchiveError) -> Int32
    {
        while true {
            let fd = openat(parent, name.cName, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if fd >= 0 { return fd }
            let code = errno
            guard code == EEXIST else {
                throw .system(code, "cannot create '\(path.name)'")
            }
            // A later entry of the same name wins, as with unzip and tar, but only
            // over a regular file: never write through or over a link or folder.
            switch kind(of: name, in: parent) {
            case S_IFREG: try remove(name, in: parent, for: path)
            case S_IFLNK: throw .unsafeEntry(name: path.name, reason: "would replace a symbolic link with a file")
            case S_IFDIR: throw .unsafeEntry(name: path.name, reason: "would replace a folder with a file")
            default: throw .unsafeEntry(name: path.name, reason: "would replace a special file with a file")
            }
        }
    }

    private func remove(_ name: [UInt8], in parent: Int32, for path: EntryPath) throws(ArchiveError) {
        if unlinkat(parent, name.cName, 0) != 0 && errno != ENOENT {
            throw .system(errno, "cannot replace '\(path.name)'")
        }
    }

    /// The file type (`S_IFREG`, `S_IFLNK`…) of `name` in `parent`, not following links.
    private func kind(of name: [UInt8], in parent: Int32) -> mode_t? {
        var info = stat()
        guard fstatat(parent, name.cName, &info, AT_SYMLINK_NOFOLLOW) == 0 else { return nil }
        return info.st_mode & S_IFMT
    }

    private func copy(
        _ sourceName: [UInt8], in sourceFolder: Int32, to path: EntryPath, named name: [UInt8], in parent: Int32
    ) throws(ArchiveError) {
        let source = openat(sourceFolder, sourceName.cName, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard source >= 0 else { throw .system(errno, "cannot read the target of '\(path.name)'") }
        defer { close(source) }
        var info = stat()
        guard fstat(source, &info) == 0 else { throw .system(errno, "cannot read the target of '\(path.name)'") }
        let file = ExtractedFile(
            root: self, fd: try createExclusively(name, in: parent, for: path), path: path, mode: info.st_mode & 0o777)
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw .system(errno, "cannot read the target of '\(path.name)'") }
            if count == 0 { break }
            try buffer.withArchiveBytes { (raw) throws(ArchiveError) in
                try file.write(UnsafeRawBufferPointer(rebasing: raw[0..<count]))
            }
        }
        try file.finish()
    }
}

/// A regular file being extracted. Its bytes are charged against the limits
/// before they are written, so a bomb stops at the limit, not after.
final class ExtractedFile {
    let path: EntryPath
    private unowned let root: ExtractionRoot
    private var fd: Int32
    private let mode: mode_t
    private(set) var size = 0

    fileprivate init(root: ExtractionRoot, fd: Int32, path: EntryPath, mode: mode_t) {
        self.root = root
        self.fd = fd
        self.path = path
        self.mode = mode
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws(ArchiveError) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        try root.charge(bytes.count, to: size, of: path)
        if let code = writeFully(fd, base, bytes.count) {
            throw .system(code, "cannot write '\(path.name)'")
        }
        size += bytes.count
    }

    /// Sets the archived mode (only now: the file was created owner-only, and
    /// `fchmod` is not subject to the umask) and closes the file.
    func finish() throws(ArchiveError) {
        defer {
            close(fd)
            fd = -1
        }
        if fchmod(fd, mode) != 0 {
            throw .system(errno, "cannot set the mode of '\(path.name)'")
        }
    }
}

extension Array where Element == UInt8 {
    /// The bytes as a NUL-terminated C string (entry names never contain NUL).
    fileprivate var cName: [CChar] {
        var result = map { CChar(bitPattern: $0) }
        result.append(0)
        return result
    }

    /// `withUnsafeBytes`, keeping the thrown error typed (the standard one
    /// rethrows `any Error`).
    func withArchiveBytes<Result>(
        _ body: (UnsafeRawBufferPointer) throws(ArchiveError) -> Result
    ) throws(ArchiveError) -> Result {
        let outcome: Swift.Result<Result, ArchiveError> = withUnsafeBytes { raw in
            Swift.Result { () throws(ArchiveError) in try body(raw) }
        }
        return try outcome.get()
    }
}

/// Writes all of `count` bytes, retrying short writes; the errno of a failure.
private func writeFully(_ fd: Int32, _ base: UnsafeRawPointer, _ count: Int) -> Int32? {
    var offset = 0
    while offset < count {
        let written = write(fd, base + offset, count - offset)
        if written < 0 {
            if errno == EINTR { continue }
            return errno
        }
        offset += written
    }
    return nil
}
