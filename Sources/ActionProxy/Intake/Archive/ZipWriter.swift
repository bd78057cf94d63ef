#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension ZipArchive {
    /// Zips a folder tree, for the proxy's offline `-compile` mode: its output is
    /// later sent back as a zip action. Entries are relative to `directory` and
    /// sorted, so the same tree gives the same archive. Unix modes are recorded
    /// (the executable bit matters to the action loop) and symbolic links are
    /// stored as links.
    static func archive(directory: String) throws(ArchiveError) -> [UInt8] {
        var writer = try ZipWriter()
        try writer.addTree(directory, prefix: "")
        return try writer.finish()
    }
}

/// Builds a zip file in memory: local headers and data first, then the central
/// directory. Sizes are patched into each local header once its data is
/// written, so no data descriptors are needed.
struct ZipWriter {
    private var output: [UInt8] = []
    private var centralDirectory: [UInt8] = []
    private var entryCount = 0
    private let deflater: Deflater

    /// Without ZIP64, sizes and offsets are 32-bit and all ones means "see ZIP64".
    private static let maxSize = 0xFFFF_FFFE
    private static let maxEntries = 0xFFFF
    /// Version 3.0, made by Unix (3): readers then take modes from the high half
    /// of the external attributes.
    private static let madeByUnix = 3 << 8 | 30
    private static let utf8NamesFlag = 1 << 11

    init() throws(ArchiveError) {
        deflater = try Deflater()
    }

    mutating func addTree(_ folder: String, prefix: String) throws(ArchiveError) {
        let names: [String]
        do {
            names = try FileSystem.listDirectory(folder)
        } catch {
            throw .io("cannot list '\(folder)': \(error)")
        }
        for name in names.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            let path = folder + "/" + name
            let entryName = prefix + name
            let status: FileSystem.EntryStatus
            do {
                status = try FileSystem.entryStatus(path)
            } catch {
                throw .io("\(error)")
            }
            let time = DOSTime(status.modificationTime)
            switch status.kind {
            case .directory:
                try addEntry(
                    name: entryName + "/", mode: S_IFDIR | (status.permissions & 0o777), time: time,
                    attributes: 0x10
                ) { (_) throws(ArchiveError) -> Void in }
                try addTree(path, prefix: entryName + "/")
            case .symbolicLink:
                let target: String
                do {
                    target = try FileSystem.symbolicLinkTarget(path)
                } catch {
                    throw .io("\(error)")
                }
                // A link's data is its target.
                try addEntry(name: entryName, mode: S_IFLNK | 0o777, time: time) { (sink) throws(ArchiveError) in
                    try Array(target.utf8).withArchiveBytes { (raw) throws(ArchiveError) in try sink(raw) }
                }
            case .regular:
                try addEntry(name: entryName, mode: S_IFREG | (status.permissions & 0o777), time: time) {
                    (sink) throws(ArchiveError) in try Self.readFile(path, into: sink)
                }
            case .other:
                throw .unsupported("special file '\(entryName)' cannot be zipped")
            }
        }
    }

    mutating func finish() throws(ArchiveError) -> [UInt8] {
        let directoryOffset = output.count
        output.append(contentsOf: centralDirectory)
        try Self.checkSize(output.count)
        output.appendLE(0x0605_4b50, 4)
        output.appendLE(0, 2)  // this disk
        output.appendLE(0, 2)  // disk of the central directory
        output.appendLE(entryCount, 2)
        output.appendLE(entryCount, 2)
        output.appendLE(centralDirectory.count, 4)
        output.appendLE(directoryOffset, 4)
        output.appendLE(0, 2)  // comment length
        return output
    }

    /// Writes one entry whose content `produce` hands over chunk by chunk (it is
    /// called twice when deflating does not pay off, to store the bytes instead).
    private mutating func addEntry(
        name: String, mode: mode_t, time: DOSTime, attributes: Int = 0,
        produce: (_ sink: (UnsafeRawBufferPointer) throws(ArchiveError) -> Void) throws(ArchiveError) -> Void
    ) throws(ArchiveError) {
        entryCount += 1
        guard entryCount <= Self.maxEntries else {
            throw .limitExceeded("a zip archive without ZIP64 holds at most \(Self.maxEntries) entries")
        }
        let nameBytes = Array(name.utf8)
        let headerOffset = output.count
        try Self.checkSize(headerOffset)
        output.appendLE(0x0403_4b50, 4)
        output.appendLE(20, 2)  // version needed: 2.0, for deflate
        output.appendLE(Self.utf8NamesFlag, 2)
        output.appendLE(8, 2)  // method, patched below
        output.appendLE(time.time, 2)
        output.appendLE(time.date, 2)
        output.appendLE(0, 12)  // CRC-32 and sizes, patched below
        output.appendLE(nameBytes.count, 2)
        output.appendLE(0, 2)  // extra field length
        output.append(contentsOf: nameBytes)

        let dataOffset = output.count
        var crc = CRC32()
        var size = 0
        deflater.reset()
        try produce { (chunk) throws(ArchiveError) in
            crc.update(chunk)
            size += chunk.count
            try Self.checkSize(size)
            try deflater.deflate(chunk, finish: false, into: &output)
            try Self.checkSize(output.count)
        }
        try deflater.deflate(UnsafeRawBufferPointer(start: nil, count: 0), finish: true, into: &output)
        var method = 8
        if output.count - dataOffset >= size {
            output.removeSubrange(dataOffset...)
            method = 0
            var stored = CRC32()
            try produce { (chunk) throws(ArchiveError) in
                stored.update(chunk)
                output.append(contentsOf: chunk)
            }
            guard output.count - dataOffset == size, stored.value == crc.value else {
                throw .io("'\(name)' changed while it was being zipped")
            }
        }
        let compressedSize = output.count - dataOffset
        try Self.checkSize(output.count)
        output.patchLE(method, 2, at: headerOffset + 8)
        output.patchLE(Int(crc.value), 4, at: headerOffset + 14)
        output.patchLE(compressedSize, 4, at: headerOffset + 18)
        output.patchLE(size, 4, at: headerOffset + 22)

        centralDirectory.appendLE(0x0201_4b50, 4)
        centralDirectory.appendLE(Self.madeByUnix, 2)
        centralDirectory.appendLE(20, 2)
        centralDirectory.appendLE(Self.utf8NamesFlag, 2)
        centralDirectory.appendLE(method, 2)
        centralDirectory.appendLE(time.time, 2)
        centralDirectory.appendLE(time.date, 2)
        centralDirectory.appendLE(Int(crc.value), 4)
        centralDirectory.appendLE(compressedSize, 4)
        centralDirectory.appendLE(size, 4)
        centralDirectory.appendLE(nameBytes.count, 2)
        centralDirectory.appendLE(0, 2)  // extra field length
        centralDirectory.appendLE(0, 2)  // comment length
        centralDirectory.appendLE(0, 2)  // disk number
        centralDirectory.appendLE(0, 2)  // internal attributes
        centralDirectory.appendLE(Int(mode) << 16 | attributes, 4)
        centralDirectory.appendLE(headerOffset, 4)
        centralDirectory.append(contentsOf: nameBytes)
    }

    private static func checkSize(_ value: Int) throws(ArchiveError) {
        if value > maxSize {
            throw .limitExceeded(
                "the zip archive would exceed the limit of \(maxSize) bytes (4 GiB; ZIP64 is not written)")
        }
    }

    private static func readFile(_ path: String, into sink: (UnsafeRawBufferPointer) throws(ArchiveError) -> Void)
        throws(ArchiveError)
    {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw .system(errno, "cannot read '\(path)'") }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 256 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw .system(errno, "cannot read '\(path)'") }
            if count == 0 { return }
            try buffer.withArchiveBytes { (raw) throws(ArchiveError) in
                try sink(UnsafeRawBufferPointer(rebasing: raw[0..<count]))
            }
        }
    }
}

/// An MS-DOS date and time, as zip headers store them (local time, two-second
/// steps, 1980 at the earliest).
private struct DOSTime {
    var time: Int
    var date: Int

    init(_ seconds: Int) {
        var clock = time_t(seconds)
        var parts = tm()
        guard localtime_r(&clock, &parts) != nil, parts.tm_year >= 80 else {
            time = 0
            date = 1 << 5 | 1  // 1980-01-01
            return
        }
        time = Int(parts.tm_hour) << 11 | Int(parts.tm_min) << 5 | Int(parts.tm_sec) / 2
        date = Int(Swift.min(parts.tm_year - 80, 127)) << 9 | Int(parts.tm_mon + 1) << 5 | Int(parts.tm_mday)
    }
}

extension Array where Element == UInt8 {
    fileprivate mutating func appendLE(_ value: Int, _ byteCount: Int) {
        for index in 0..<byteCount { append(UInt8(truncatingIfNeeded: value >> (8 * index))) }
    }

    fileprivate mutating func patchLE(_ value: Int, _ byteCount: Int, at offset: Int) {
        for index in 0..<byteCount { self[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
    }
}
