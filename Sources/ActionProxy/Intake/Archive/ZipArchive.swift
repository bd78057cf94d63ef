/// Zip actions: extraction (entries streamed straight to their files) and, in
/// `ZipWriter.swift`, zipping a folder.
package enum ZipArchive {
    /// An entry whose local header has been checked, with its validated path.
    private struct LocatedEntry {
        let entry: ZipEntry
        let path: EntryPath
        let dataOffset: Int

        var dataEnd: Int { dataOffset + entry.compressedSize }
    }

    private static let localHeaderSignature = 0x0403_4b50
    private static let localHeaderLength = 30
    /// Longer link targets than PATH_MAX cannot be created anyway.
    private static let maxLinkTarget = 4096
    private static let storedChunk = 1 << 20

    /// Extracts `data` into the existing, empty `directory`. The whole structure
    /// (central directory, local headers, names, methods) is checked before the
    /// first entry is written; data, sizes and CRC-32s are checked as each entry
    /// is inflated.
    package static func extract(_ data: [UInt8], into directory: String, limits: ArchiveLimits) throws(ArchiveError) {
        let bytes = ZipBytes(bytes: data)
        let centralDirectory = try ZipCentralDirectory(bytes, maxEntries: limits.maxEntries)
        let located = try locate(centralDirectory, in: bytes)
        let root = try ExtractionRoot(directory: directory, limits: limits)
        let inflater = try Inflater(.raw, format: .zip)
        for item in located {
            try extract(item, from: bytes, into: root, inflater: inflater)
        }
    }

    // MARK: Structure

    private static func locate(_ centralDirectory: ZipCentralDirectory, in bytes: ZipBytes) throws(ArchiveError)
        -> [LocatedEntry]
    {
        let limit = centralDirectory.offset
        var located: [LocatedEntry] = []
        located.reserveCapacity(centralDirectory.entries.count)
        for entry in centralDirectory.entries {
            let name = entry.displayName
            if entry.isEncrypted { throw .unsupported("encrypted entry '\(name)'") }
            if entry.method != 0 && entry.method != 8 {
                throw .unsupported("compression method \(entry.method) in entry '\(name)'")
            }
            let path = try EntryPath(validating: entry.name)

            let header = entry.localHeaderOffset
            guard header <= limit - localHeaderLength, try bytes.uint32(header) == localHeaderSignature else {
                throw .corruptZip("the local header of entry '\(name)' is missing")
            }
            let nameLength = try bytes.uint16(header + 26)
            let extraLength = try bytes.uint16(header + 28)
            // Readers that trust local headers must not see another name than we check.
            guard try bytes.slice(header + localHeaderLength, length: nameLength).elementsEqual(entry.name) else {
                throw .corruptZip("the local header of entry '\(name)' names another file")
            }
            let dataOffset = header + localHeaderLength + nameLength + extraLength
            guard dataOffset <= limit, entry.compressedSize <= limit - dataOffset else {
                throw .corruptZip("the data of entry '\(name)' runs into the central directory")
            }
            located.append(LocatedEntry(entry: entry, path: path, dataOffset: dataOffset))
        }

        // Entries sharing bytes are how the densest zip bombs are built; no
        // archiver writes them.
        let byOffset = located.sorted { $0.entry.localHeaderOffset < $1.entry.localHeaderOffset }
        for (earlier, later) in zip(byOffset, byOffset.dropFirst())
        where earlier.dataEnd > later.entry.localHeaderOffset {
            throw .corruptZip("entries '\(earlier.entry.displayName)' and '\(later.entry.displayName)' overlap")
        }
        return located
    }

    // MARK: Entries

    private static func extract(
        _ item: LocatedEntry, from bytes: ZipBytes, into root: ExtractionRoot, inflater: Inflater
    ) throws(ArchiveError) {
        let entry = item.entry
        switch entry.kind {
        case .directory:
            try root.makeDirectory(item.path, mode: entry.permissions)
        case .file:
            let file = try root.createFile(item.path, mode: entry.permissions)
            try decode(item, from: bytes, inflater: inflater) { (chunk) throws(ArchiveError) in
                try file.write(chunk)
            }
            try file.finish()
        case .symbolicLink:
            // A link's data is its target.
            var target: [UInt8] = []
            try decode(item, from: bytes, inflater: inflater) { (chunk) throws(ArchiveError) in
                guard chunk.count <= maxLinkTarget - target.count else {
                    throw .corruptZip(
                        "the link target of entry '\(entry.displayName)' is longer than \(maxLinkTarget) bytes")
                }
                target.append(contentsOf: chunk)
            }
            try root.makeSymbolicLink(item.path, target: target)
        case .special(let what):
            throw .unsupported("\(what) entry '\(entry.displayName)'")
        }
    }

    /// Hands the entry's uncompressed bytes to `sink` chunk by chunk, refusing
    /// more bytes than declared as soon as they appear, then checks the size and
    /// CRC-32.
    private static func decode(
        _ item: LocatedEntry, from bytes: ZipBytes, inflater: Inflater,
        into sink: (UnsafeRawBufferPointer) throws(ArchiveError) -> Void
    ) throws(ArchiveError) {
        let entry = item.entry
        let declared = entry.uncompressedSize
        var produced = 0
        var crc = CRC32()
        func accept(_ chunk: UnsafeRawBufferPointer) throws(ArchiveError) {
            guard chunk.count <= declared - produced else {
                throw .corruptZip("entry '\(entry.displayName)' holds more than its declared \(declared) bytes")
            }
            crc.update(chunk)
            produced += chunk.count
            try sink(chunk)
        }

        try bytes.bytes.withArchiveBytes { (archive) throws(ArchiveError) in
            let data = UnsafeRawBufferPointer(rebasing: archive[item.dataOffset..<item.dataEnd])
            if entry.method == 0 {
                guard entry.compressedSize == declared else {
                    throw .corruptZip("stored entry '\(entry.displayName)' has two different sizes")
                }
                var offset = 0
                while offset < data.count {
                    let end = min(offset + storedChunk, data.count)
                    try accept(UnsafeRawBufferPointer(rebasing: data[offset..<end]))
                    offset = end
                }
            } else {
                inflater.reset()
                let progress = try inflater.inflate(data) { (chunk) throws(ArchiveError) in
                    try accept(chunk)
                    return true
                }
                guard progress.ended else {
                    throw .corruptZip("the compressed data of entry '\(entry.displayName)' is truncated")
                }
            }
        }

        guard produced == declared else {
            throw .corruptZip("entry '\(entry.displayName)' holds \(produced) bytes, not the declared \(declared)")
        }
        guard crc.value == entry.crc32 else {
            throw .corruptZip("CRC-32 mismatch in entry '\(entry.displayName)'")
        }
    }
}
