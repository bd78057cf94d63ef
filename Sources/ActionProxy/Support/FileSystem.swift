#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A failed file-system call, with the call, the path and `errno`.
package struct FileSystemError: Error, CustomStringConvertible, Equatable {
    let operation: String
    let path: String
    let code: Int32

    init(_ operation: String, _ path: String, code: Int32 = errno) {
        self.operation = operation
        self.path = path
        self.code = code
    }

    package var description: String {
        "\(operation) \(path): \(String(cString: strerror(code)))"
    }
}

/// The few POSIX file operations the proxy needs. Foundation is kept out of the
/// library on purpose: it would triple the size of the static binary.
package enum FileSystem {
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// `path` made absolute against the working directory.
    static func absolutePath(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return path }
        let directory = String(decoding: buffer.prefix(while: { $0 != 0 }).map(UInt8.init(bitPattern:)), as: UTF8.self)
        let relative = path.hasPrefix("./") ? String(path.dropFirst(2)) : path
        return directory == "/" ? "/" + relative : directory + "/" + relative
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// `mkdir -p`.
    static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws(FileSystemError) {
        if isDirectory(path) { return }
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            if mkdir(prefix, mode) != 0 && errno != EEXIST {
                throw FileSystemError("mkdir", prefix)
            }
            prefix += "/"
        }
        if !isDirectory(path) { throw FileSystemError("mkdir", path, code: ENOTDIR) }
    }

    static func writeFile(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644) throws(FileSystemError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode)
        if fd < 0 { throw FileSystemError("open", path) }
        defer { close(fd) }
        let failure: Int32? = bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return nil
        }
        if let failure { throw FileSystemError("write", path, code: failure) }
        // open() applies the umask; the mode asked for is the mode meant.
        if fchmod(fd, mode) != 0 { throw FileSystemError("chmod", path) }
    }

    /// Reads a whole file, refusing files larger than `limit` bytes.
    package static func readFile(_ path: String, limit: Int = 1 << 20) throws(FileSystemError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw FileSystemError("open", path) }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileSystemError("read", path)
            }
            if count == 0 { return result }
            if result.count + count > limit { throw FileSystemError("read", path, code: EFBIG) }
            result.append(contentsOf: chunk[0..<count])
        }
    }

    /// The first `count` bytes of a file (fewer if it is shorter); empty if unreadable.
    package static func readPrefix(_ path: String, count: Int) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return [] }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: count)
        let got = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, count) }
        return got > 0 ? Array(buffer[0..<got]) : []
    }

    static func rename(_ from: String, to: String) throws(FileSystemError) {
        if Glibc.rename(from, to) != 0 { throw FileSystemError("rename", from) }
    }

    static func setMode(_ path: String, _ mode: mode_t) throws(FileSystemError) {
        if chmod(path, mode) != 0 { throw FileSystemError("chmod", path) }
    }

    /// Names in a directory, without `.` and `..`.
    package static func listDirectory(_ path: String) throws(FileSystemError) -> [String] {
        guard let dir = opendir(path) else { throw FileSystemError("opendir", path) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// `rm -rf`, without following symbolic links. Best effort: what cannot be
    /// removed stays.
    package static func removeTree(_ path: String) {
        path.withCString { removeEntry($0, in: AT_FDCWD) }
    }

    /// Removes `name` from the folder open as `folder` (`AT_FDCWD`: the working
    /// one), a folder with everything in it. Relative to descriptors and with
    /// names as bytes: an extracted archive may hold names that are not UTF-8
    /// (a String path would not name them) and paths longer than PATH_MAX.
    private static func removeEntry(_ name: UnsafePointer<CChar>, in folder: Int32) {
        var info = stat()
        guard fstatat(folder, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { return }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            unlinkat(folder, name, 0)
            return
        }
        let child = openat(folder, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        if child >= 0 {
            for entry in entryNames(of: child) {
                entry.withUnsafeBufferPointer { bytes in
                    if let entryName = bytes.baseAddress { removeEntry(entryName, in: child) }
                }
            }
            close(child)
        }
        unlinkat(folder, name, AT_REMOVEDIR)
    }

    /// The names in the folder open as `folder`, without `.` and `..`, as
    /// NUL-terminated bytes. Read in full before anything is removed.
    private static func entryNames(of folder: Int32) -> [[CChar]] {
        let copy = dup(folder)  // closedir closes the descriptor it is given
        guard copy >= 0 else { return [] }
        guard let directory = fdopendir(copy) else {
            close(copy)
            return []
        }
        defer { closedir(directory) }
        var names: [[CChar]] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                raw.prefix(while: { $0 != 0 }).map { CChar(bitPattern: $0) } + [0]
            }
            if name != [0x2E, 0] && name != [0x2E, 0x2E, 0] { names.append(name) }
        }
        return names
    }
}

// MARK: - Entry status (used when zipping a folder)

extension FileSystem {
    /// What `lstat` tells about an entry: a final symbolic link is described,
    /// not followed.
    struct EntryStatus: Equatable {
        enum Kind: Equatable {
            case regular
            case directory
            case symbolicLink
            case other
        }

        let kind: Kind
        /// The permission bits (`0o7777` at most).
        let permissions: mode_t
        let size: Int
        /// Seconds since the epoch.
        let modificationTime: Int
    }

    static func entryStatus(_ path: String) throws(FileSystemError) -> EntryStatus {
        var info = stat()
        guard lstat(path, &info) == 0 else { throw FileSystemError("lstat", path) }
        let kind: EntryStatus.Kind =
            switch info.st_mode & S_IFMT {
            case S_IFREG: .regular
            case S_IFDIR: .directory
            case S_IFLNK: .symbolicLink
            default: .other
            }
        #if canImport(Darwin)
            let modificationTime = Int(info.st_mtimespec.tv_sec)
        #else
            let modificationTime = Int(info.st_mtim.tv_sec)
        #endif
        return EntryStatus(
            kind: kind,
            permissions: info.st_mode & 0o7777,
            size: Int(info.st_size),
            modificationTime: modificationTime)
    }

    /// The target of a symbolic link, as stored (not resolved).
    static func symbolicLinkTarget(_ path: String) throws(FileSystemError) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        if count < 0 { throw FileSystemError("readlink", path) }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
