#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Little-endian reads at offsets taken from the archive. Every offset in a zip
/// file is untrusted, so every read is bounds-checked and a bad one is a
/// `.corrupt` error, never a trap.
struct ZipBytes {
    let bytes: [UInt8]

    var count: Int { bytes.count }

    func contains(_ offset: Int, length: Int) -> Bool {
        offset >= 0 && length >= 0 && offset <= bytes.count && length <= bytes.count - offset
    }

    func uint16(_ offset: Int) throws(ArchiveError) -> Int {
        try check(offset, 2)
        return Int(bytes[offset]) | Int(bytes[offset + 1]) << 8
    }

    func uint32(_ offset: Int) throws(ArchiveError) -> Int {
        try check(offset, 4)
        var value = 0
        for index in (0..<4).reversed() { value = value << 8 | Int(bytes[offset + index]) }
        return value
    }

    /// Values above `Int.max` cannot be real sizes or offsets here.
    func uint64(_ offset: Int) throws(ArchiveError) -> Int {
        try check(offset, 8)
        var value: UInt64 = 0
        for index in (0..<8).reversed() { value = value << 8 | UInt64(bytes[offset + index]) }
        guard let result = Int(exactly: value) else { throw .corruptZip("a 64-bit size or offset is out of range") }
        return result
    }

    func slice(_ offset: Int, length: Int) throws(ArchiveError) -> ArraySlice<UInt8> {
        try check(offset, length)
        return bytes[offset..<offset + length]
    }

    private func check(_ offset: Int, _ length: Int) throws(ArchiveError) {
        guard contains(offset, length: length) else {
            throw .corruptZip("a record at offset \(offset) lies outside the \(bytes.count)-byte archive")
        }
    }
}

/// One central-directory record: what the entry is and where its data lies.
struct ZipEntry {
    enum Kind: Equatable {
        case file
        case directory
        case symbolicLink
        /// A device, FIFO or socket, named for the message.
        case special(String)
    }

    var name: [UInt8]
    var versionMadeBy: Int
    var flags: Int
    var method: Int
    var crc32: UInt32
    var compressedSize: Int
    var uncompressedSize: Int
    var externalAttributes: Int
    var localHeaderOffset: Int

    var displayName: String { EntryPath.displayName(name) }
    var isEncrypted: Bool { flags & 0x1 != 0 || flags & 0x40 != 0 }

    /// The Unix mode from the high half of the external attributes, when the
    /// archiver was a Unix one (3; 19 is macOS) and recorded one.
    private var unixMode: mode_t? {
        let host = versionMadeBy >> 8
        let mode = mode_t(externalAttributes >> 16 & 0xFFFF)
        return (host == 3 || host == 19) && mode != 0 ? mode : nil
    }

    var kind: Kind {
        if name.last == UInt8(ascii: "/") { return .directory }
        guard let mode = unixMode else {
            return externalAttributes & 0x10 != 0 ? .directory : .file  // MS-DOS directory bit
        }
        switch mode & S_IFMT {
        case 0, S_IFREG: return .file
        case S_IFDIR: return .directory
        case S_IFLNK: return .symbolicLink
        case S_IFCHR: return .special("character device")
        case S_IFBLK: return .special("block device")
        case S_IFIFO: return .special("FIFO")
        default: return .special("socket or unknown file type")
        }
    }

    /// Only permission bits survive: no setuid, setgid or sticky bit from an upload.
    var permissions: mode_t {
        let defaultMode: mode_t = kind == .directory ? 0o755 : 0o644
        guard let mode = unixMode, mode & 0o777 != 0 else { return defaultMode }
        return mode & 0o777
    }
}

/// The central directory of a zip file, read from its end records (with ZIP64
/// support: streaming zippers write it). Only the structure is read here; the
/// local headers are checked by `ZipArchive` before extraction.
struct ZipCentralDirectory {
    let entries: [ZipEntry]
    /// Where the central directory starts: no entry data may reach past it.
    let offset: Int

    private static let endSignature = 0x0605_4b50
    private static let zip64LocatorSignature = 0x0706_4b50
    private static let zip64EndSignature = 0x0606_4b50
    private static let entrySignature = 0x0201_4b50
    private static let endLength = 22
    private static let entryLength = 46

    init(_ zip: ZipBytes, maxEntries: Int) throws(ArchiveError) {
        let end = try Self.findEnd(zip)
        var diskNumber = try zip.uint16(end + 4)
        var directoryDisk = try zip.uint16(end + 6)
        var entryCount = try zip.uint16(end + 10)
        var directorySize = try zip.uint32(end + 12)
        var directoryOffset = try zip.uint32(end + 16)
        var directoryLimit = end

        // A ZIP64 locator right before the end record points at the ZIP64 end
        // record, whose 64-bit values replace the saturated 16/32-bit ones.
        let locator = end - 20
        if locator >= 0, try zip.uint32(locator) == Self.zip64LocatorSignature {
            let record = try zip.uint64(locator + 8)
            guard record <= locator - 56, try zip.uint32(record) == Self.zip64EndSignature else {
                throw .corruptZip("the ZIP64 end record is missing or misplaced")
            }
            diskNumber = try zip.uint32(record + 16)
            directoryDisk = try zip.uint32(record + 20)
            entryCount = try zip.uint64(record + 32)
            directorySize = try zip.uint64(record + 40)
            directoryOffset = try zip.uint64(record + 48)
            directoryLimit = record
        }

        if diskNumber != 0 || directoryDisk != 0 {
            throw .unsupported("split (multi-disk) zip archives")
        }
        guard directoryOffset <= directoryLimit, directorySize <= directoryLimit - directoryOffset else {
            throw .corruptZip(
                "the central directory (\(directorySize) bytes at offset \(directoryOffset)) lies outside the archive")
        }
        if entryCount > maxEntries {
            throw .limitExceeded("archive has more than the limit of \(maxEntries) entries")
        }
        guard entryCount <= directorySize / Self.entryLength else {
            throw .corruptZip("the central directory is too small for its \(entryCount) entries")
        }

        let directoryEnd = directoryOffset + directorySize
        var entries: [ZipEntry] = []
        entries.reserveCapacity(entryCount)
        var position = directoryOffset
        for _ in 0..<entryCount {
            let (entry, next) = try Self.readEntry(zip, at: position, before: directoryEnd)
            entries.append(entry)
            position = next
        }
        self.entries = entries
        self.offset = directoryOffset
    }

    /// Scans back from the end: the end record is last but for a comment of up
    /// to 64 KiB, whose length it records.
    private static func findEnd(_ zip: ZipBytes) throws(ArchiveError) -> Int {
        guard zip.count >= endLength else { throw .corruptZip("it is too short to be a zip file") }
        let lowest = max(0, zip.count - endLength - 0xFFFF)
        var candidate = zip.count - endLength
        while candidate >= lowest {
            if try zip.uint32(candidate) == endSignature,
                candidate + endLength + (try zip.uint16(candidate + 20)) <= zip.count
            {
                return candidate
            }
            candidate -= 1
        }
        throw .corruptZip("no end of central directory record was found")
    }

    private static func readEntry(_ zip: ZipBytes, at position: Int, before limit: Int) throws(ArchiveError) -> (
        ZipEntry, next: Int
    ) {
        guard position <= limit - entryLength, try zip.uint32(position) == entrySignature else {
            throw .corruptZip("a central directory record is missing at offset \(position)")
        }
        let nameLength = try zip.uint16(position + 28)
        let extraLength = try zip.uint16(position + 30)
        let commentLength = try zip.uint16(position + 32)
        let next = position + entryLength + nameLength + extraLength + commentLength
        guard next <= limit else { throw .corruptZip("a central directory record overruns the directory") }

        var entry = ZipEntry(
            name: Array(try zip.slice(position + entryLength, length: nameLength)),
            versionMadeBy: try zip.uint16(position + 4),
            flags: try zip.uint16(position + 8),
            method: try zip.uint16(position + 10),
            crc32: UInt32(try zip.uint32(position + 16)),
            compressedSize: try zip.uint32(position + 20),
            uncompressedSize: try zip.uint32(position + 24),
            externalAttributes: try zip.uint32(position + 38),
            localHeaderOffset: try zip.uint32(position + 42))
        try applyZip64Extra(zip, at: position + entryLength + nameLength, length: extraLength, to: &entry)
        return (entry, next)
    }

    /// The ZIP64 extra field (id 1) holds, in this order, the 64-bit values of
    /// those fields that are saturated (all ones) in the record.
    private static func applyZip64Extra(
        _ zip: ZipBytes, at start: Int, length: Int, to entry: inout ZipEntry
    ) throws(ArchiveError) {
        let saturated = 0xFFFF_FFFF
        let needsUncompressed = entry.uncompressedSize == saturated
        let needsCompressed = entry.compressedSize == saturated
        let needsOffset = entry.localHeaderOffset == saturated
        guard needsUncompressed || needsCompressed || needsOffset else { return }

        var block = start
        while block + 4 <= start + length {
            let id = try zip.uint16(block)
            let size = try zip.uint16(block + 2)
            guard block + 4 + size <= start + length else { break }
            if id == 0x0001 {
                var field = block + 4
                let fieldEnd = field + size
                func next() throws(ArchiveError) -> Int {
                    guard field + 8 <= fieldEnd else {
                        throw .corruptZip("the ZIP64 field of entry '\(entry.displayName)' is too short")
                    }
                    defer { field += 8 }
                    return try zip.uint64(field)
                }
                if needsUncompressed { entry.uncompressedSize = try next() }
                if needsCompressed { entry.compressedSize = try next() }
                if needsOffset { entry.localHeaderOffset = try next() }
                return
            }
            block += 4 + size
        }
        throw .corruptZip("entry '\(entry.displayName)' lacks the ZIP64 field its sizes call for")
    }
}
