/// Gzipped tar actions. The gzip stream is inflated into a fixed buffer whose
/// chunks feed a tar state machine that writes file bodies as they pass: the
/// decompressed tar is never held in memory.
package enum TarGzArchive {
    /// Decompressed bytes still inflated after the end-of-archive blocks, only
    /// to let zlib check the gzip trailer (CRC-32 and length). Real archivers
    /// pad to 10 KiB; past this the rest is ignored, unchecked.
    private static let trailerCheckBudget = 1 << 20

    package static func extract(_ data: [UInt8], into directory: String, limits: ArchiveLimits) throws(ArchiveError) {
        let root = try ExtractionRoot(directory: directory, limits: limits)
        let reader = TarReader(root: root)
        let inflater = try Inflater(.gzip, format: .tarGz)
        try data.withArchiveBytes { (input) throws(ArchiveError) in
            guard !input.isEmpty else { throw .corruptTarGz("it is empty") }
            var offset = 0
            var budget = trailerCheckBudget
            while true {
                let progress = try inflater.inflate(UnsafeRawBufferPointer(rebasing: input[offset...])) {
                    (chunk) throws(ArchiveError) -> Bool in
                    if reader.isFinished {
                        budget -= chunk.count
                        return budget > 0
                    }
                    try reader.consume(chunk)
                    return true
                }
                offset += progress.consumed
                if !progress.ended {
                    if reader.isFinished && budget <= 0 { return }
                    throw .corruptTarGz("the gzip stream is truncated")
                }
                // Concatenated gzip members (pigz, `cat a.gz b.gz`) make one stream;
                // anything else after the stream is ignored.
                let anotherMember = offset + 1 < input.count && input[offset] == 0x1F && input[offset + 1] == 0x8B
                guard anotherMember && !reader.isFinished else { return }
                inflater.reset()
            }
        }
        try reader.finish()
    }
}

/// Reads a tar stream fed in arbitrary chunks and creates its entries through
/// the `ExtractionRoot`.
final class TarReader {
    private enum State {
        /// Collecting the 512 bytes of the next header in `block`.
        case header
        /// Writing a file body, then skipping `padding` to the next block.
        case fileBody(ExtractedFile, remaining: Int, padding: Int)
        /// Collecting a pax or GNU long-name body in `metadata`.
        case metadata(MetadataKind, remaining: Int, padding: Int)
        /// Passing over bytes that are not kept (padding, bodies of ignored entries).
        case skipping(remaining: Int)
        case ended
    }

    private enum MetadataKind {
        case pax
        case longName
        case longLinkName
    }

    /// Pax headers and GNU long names are held in memory: they must be small.
    static let maxMetadataBytes = 1 << 20

    private let root: ExtractionRoot
    private var state = State.header
    private var block: [UInt8] = []
    private var metadata: [UInt8] = []
    private var pending = TarPendingMetadata()
    private var sawZeroBlock = false
    /// Decompressed bytes consumed, to place errors.
    private var position = 0

    init(root: ExtractionRoot) {
        self.root = root
        block.reserveCapacity(TarHeader.blockSize)
    }

    /// True once the end-of-archive blocks were read; later input is ignored.
    var isFinished: Bool {
        if case .ended = state { return true }
        return false
    }

    func consume(_ chunk: UnsafeRawBufferPointer) throws(ArchiveError) {
        var offset = 0
        while offset < chunk.count {
            let available = chunk.count - offset
            switch state {
            case .ended:
                return
            case .header:
                let count = min(TarHeader.blockSize - block.count, available)
                block.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[offset..<offset + count]))
                offset += count
                if block.count == TarHeader.blockSize {
                    let headerOffset = position + offset - TarHeader.blockSize
                    try readHeader(at: headerOffset)
                    block.removeAll(keepingCapacity: true)
                }
            case .fileBody(let file, let remaining, let padding):
                let count = min(remaining, available)
                try file.write(UnsafeRawBufferPointer(rebasing: chunk[offset..<offset + count]))
                offset += count
                if count == remaining {
                    try file.finish()
                    state = padding > 0 ? .skipping(remaining: padding) : .header
                } else {
                    state = .fileBody(file, remaining: remaining - count, padding: padding)
                }
            case .metadata(let kind, let remaining, let padding):
                let count = min(remaining, available)
                metadata.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[offset..<offset + count]))
                offset += count
                if count == remaining {
                    try applyMetadata(kind)
                    state = padding > 0 ? .skipping(remaining: padding) : .header
                } else {
                    state = .metadata(kind, remaining: remaining - count, padding: padding)
                }
            case .skipping(let remaining):
                let count = min(remaining, available)
                offset += count
                state = count == remaining ? .header : .skipping(remaining: remaining - count)
            }
        }
        position += chunk.count
    }

    /// Called at the end of the input: the archive must not stop inside an entry.
    /// Ending right after an entry without the end blocks is accepted, as GNU
    /// tar and most readers do.
    func finish() throws(ArchiveError) {
        switch state {
        case .ended:
            return
        case .header where block.isEmpty && pending.isEmpty:
            return
        case .fileBody(let file, _, _):
            throw .corruptTarGz("it ends inside the data of entry '\(file.path.name)'")
        default:
            throw .corruptTarGz("it ends in the middle of an entry")
        }
    }

    // MARK: Headers

    private func readHeader(at offset: Int) throws(ArchiveError) {
        guard let header = try TarHeader.parse(block, offset: offset) else {
            if sawZeroBlock { state = .ended }
            sawZeroBlock = true
            return
        }
        if sawZeroBlock {
            throw .corruptTarGz("a header at offset \(offset) follows an end-of-archive block")
        }
        switch header.typeflag {
        case UInt8(ascii: "x"): try startMetadata(.pax, size: header.size, at: offset)
        case UInt8(ascii: "L"): try startMetadata(.longName, size: header.size, at: offset)
        case UInt8(ascii: "K"): try startMetadata(.longLinkName, size: header.size, at: offset)
        case UInt8(ascii: "g"): skip(header.size)  // global pax: nothing we use
        default: try createEntry(header)
        }
    }

    private func startMetadata(_ kind: MetadataKind, size: Int, at offset: Int) throws(ArchiveError) {
        guard size <= Self.maxMetadataBytes else {
            throw .corruptTarGz("the extended header at offset \(offset) is larger than \(Self.maxMetadataBytes) bytes")
        }
        metadata.removeAll(keepingCapacity: true)
        state = .metadata(kind, remaining: size, padding: Self.padding(after: size))
        if size == 0 { try applyMetadata(kind); state = .header }
    }

    private func applyMetadata(_ kind: MetadataKind) throws(ArchiveError) {
        switch kind {
        case .pax: try pending.applyPax(metadata, offset: position)
        case .longName: pending.path = Array(metadata.prefix(while: { $0 != 0 }))
        case .longLinkName: pending.linkPath = Array(metadata.prefix(while: { $0 != 0 }))
        }
    }

    private func createEntry(_ header: TarHeader) throws(ArchiveError) {
        let name = pending.path ?? header.name
        let linkName = pending.linkPath ?? header.linkName
        let size = pending.size ?? header.size
        pending = TarPendingMetadata()
        let path = try EntryPath(validating: name)

        switch header.typeflag {
        case UInt8(ascii: "0"), 0, UInt8(ascii: "7"):
            // Pre-POSIX tars mark folders only with a trailing slash.
            if name.last == UInt8(ascii: "/") {
                try root.makeDirectory(path, mode: header.mode)
                skip(size)
                return
            }
            if size > root.limits.maxFileBytes {
                throw .limitExceeded(
                    "archive entry '\(path.name)' is larger than the limit of \(root.limits.maxFileBytes) bytes per file"
                )
            }
            let file = try root.createFile(path, mode: header.mode)
            if size == 0 {
                try file.finish()
            } else {
                state = .fileBody(file, remaining: size, padding: Self.padding(after: size))
            }
        case UInt8(ascii: "5"), UInt8(ascii: "D"):  // D: a GNU dump folder, whose body lists its files
            try root.makeDirectory(path, mode: header.mode)
            skip(size)
        case UInt8(ascii: "2"):
            try root.makeSymbolicLink(path, target: linkName)
            skip(size)
        case UInt8(ascii: "1"):
            // Hard link targets are archive paths, relative to the action folder.
            let target: EntryPath
            do {
                target = try EntryPath(validating: linkName)
            } catch {
                guard case .unsafeEntry(_, let reason) = error else { throw error }
                throw .unsafeEntry(name: path.name, reason: "is a hard link to a target that \(reason)")
            }
            try root.makeHardLink(path, to: target)
            skip(size)
        case UInt8(ascii: "3"):
            throw .unsupported("character device entry '\(path.name)'")
        case UInt8(ascii: "4"):
            throw .unsupported("block device entry '\(path.name)'")
        case UInt8(ascii: "6"):
            throw .unsupported("FIFO entry '\(path.name)'")
        case UInt8(ascii: "V"):  // a volume label, not a file
            skip(size)
        default:
            let type = String(decoding: [header.typeflag], as: UTF8.self)
            throw .unsupported("entry '\(path.name)' of tar type '\(type)'")
        }
    }

    private func skip(_ size: Int) {
        let total = size + Self.padding(after: size)
        state = total > 0 ? .skipping(remaining: total) : .header
    }

    private static func padding(after size: Int) -> Int {
        (TarHeader.blockSize - size % TarHeader.blockSize) % TarHeader.blockSize
    }
}
