import ActionProxy

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// What an extraction left in the action folder, read back with `openat` one
/// component at a time without following any link (names are bytes, as on
/// disk), then checked independently of the extraction code.
struct ExtractedTree {
    enum Node {
        case folder(mode: mode_t)
        case file(mode: mode_t, size: Int, device: UInt64, inode: UInt64)
        case link(target: [UInt8])
        case special(mode: mode_t)
    }

    typealias Path = [[UInt8]]

    private(set) var nodes: [Path: Node] = [:]

    init(folder: String) {
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { violated("the action folder \(folder) is gone or no longer a folder") }
        defer { close(fd) }
        read(fd, at: [])
    }

    private mutating func read(_ fd: Int32, at path: Path) {
        for name in Self.names(fd) {
            let child = path + [name]
            var info = stat()
            guard fstatat(fd, name.cName, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
                violated("cannot stat \(Self.display(child)) in the action folder: errno \(errno)")
            }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                nodes[child] = .folder(mode: info.st_mode)
                let next = openat(fd, name.cName, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                guard next >= 0 else { violated("cannot open the folder \(Self.display(child)): errno \(errno)") }
                read(next, at: child)
                close(next)
            case S_IFREG:
                nodes[child] = .file(
                    mode: info.st_mode, size: Int(info.st_size), device: UInt64(info.st_dev), inode: UInt64(info.st_ino)
                )
            case S_IFLNK:
                var buffer = [CChar](repeating: 0, count: 8192)
                let count = readlinkat(fd, name.cName, &buffer, buffer.count)
                guard count >= 0 else { violated("cannot read the link \(Self.display(child))") }
                nodes[child] = .link(target: buffer[0..<count].map { UInt8(bitPattern: $0) })
            default:
                nodes[child] = .special(mode: info.st_mode)
            }
        }
    }

    // MARK: Checks

    /// Every link, followed the way the kernel would from where it is, stays
    /// inside the action folder (a link may dangle or loop; it must not lead out).
    func checkContained() {
        for (path, node) in nodes {
            guard case .link(let target) = node else { continue }
            var hops = 0
            if case .outside(let why) = resolve(target, from: Array(path.dropLast()), hops: &hops) {
                violated("the link \(Self.display(path)) -> \(Self.display([target])) leads outside: \(why)")
            }
        }
    }

    /// Only folders, regular files and links; no setuid, setgid or sticky bit;
    /// no file that is the victim outside; sizes and the number of files,
    /// folders and links (however they were made) within the limits.
    func checkFiles(limits: ArchiveLimits, victim: ArchiveSandbox.Victim) {
        require(
            nodes.count <= limits.maxEntries,
            "\(nodes.count) files, folders and links were created, beyond the limit of \(limits.maxEntries)")
        var inodes: [UInt64: Int] = [:]
        for (path, node) in nodes {
            switch node {
            case .folder(let mode):
                require(mode & 0o7000 == 0, "the folder \(Self.display(path)) has mode \(String(mode, radix: 8))")
            case .file(let mode, let size, let device, let inode):
                require(mode & 0o7000 == 0, "the file \(Self.display(path)) has mode \(String(mode, radix: 8))")
                require(
                    device != victim.device || inode != victim.inode,
                    "the file \(Self.display(path)) is a hard link to the victim outside")
                require(size <= limits.maxFileBytes, "the file \(Self.display(path)) exceeds the per-file limit")
                inodes[inode] = size
            case .link:
                break
            case .special(let mode):
                violated("a special file (mode \(String(mode, radix: 8))) was extracted at \(Self.display(path))")
            }
        }
        let total = inodes.values.reduce(0, +)
        require(total <= limits.maxTotalBytes, "\(total) bytes were extracted, beyond the limit")
    }

    private enum Resolution {
        case inside(Path)
        case outside(String)
        /// More links than the kernel follows (40): the lookup fails with ELOOP.
        case loop
    }

    /// Where following `target` from the folder `start` leads. `..` is
    /// physical: it climbs from where the links followed so far really lead. A
    /// missing name is walked on lexically, which can only be stricter than the
    /// kernel (that fails the lookup there).
    private func resolve(_ target: [UInt8], from start: Path, hops: inout Int) -> Resolution {
        if target.first == UInt8(ascii: "/") { return .outside("it is absolute") }
        var current = start
        for component in target.split(separator: UInt8(ascii: "/")) {
            if component.elementsEqual(".".utf8) { continue }
            if component.elementsEqual("..".utf8) {
                guard !current.isEmpty else { return .outside("'..' climbs above the action folder") }
                current.removeLast()
                continue
            }
            current.append(Array(component))
            guard case .link(let next) = nodes[current] else { continue }
            hops += 1
            if hops > 40 { return .loop }
            switch resolve(next, from: Array(current.dropLast()), hops: &hops) {
            case .inside(let resolved): current = resolved
            case .outside(let why): return .outside("through \(Self.display(current)), \(why)")
            case .loop: return .loop
            }
        }
        return .inside(current)
    }

    // MARK: Reading

    private static func names(_ fd: Int32) -> [[UInt8]] {
        let copy = dup(fd)
        guard copy >= 0, let directory = fdopendir(copy) else { violated("cannot list a folder: errno \(errno)") }
        defer { closedir(directory) }
        var names: [[UInt8]] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix(while: { $0 != 0 })) }
            if name != Array(".".utf8) && name != Array("..".utf8) { names.append(name) }
        }
        return names
    }

    static func display(_ path: Path) -> String {
        "'" + String(decoding: Array(path.joined(separator: [UInt8(ascii: "/")])), as: UTF8.self) + "'"
    }
}

extension Array where Element == UInt8 {
    fileprivate var cName: [CChar] { map { CChar(bitPattern: $0) } + [0] }
}
