#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One 512-byte tar header (v7, ustar and GNU layouts), decoded and checked.
struct TarHeader {
    static let blockSize = 512

    /// The entry name, with the ustar prefix joined in.
    var name: [UInt8]
    var linkName: [UInt8]
    var mode: mode_t
    var size: Int
    var typeflag: UInt8

    /// Decodes `block`; `nil` for an all-zero block, which marks the end of the
    /// archive. `offset` (in the decompressed tar) only serves messages.
    static func parse(_ block: [UInt8], offset: Int) throws(ArchiveError) -> TarHeader? {
        guard block.count == blockSize else { throw .corruptTarGz("a header at offset \(offset) is incomplete") }
        if block.allSatisfy({ $0 == 0 }) { return nil }
        try verifyChecksum(block, offset: offset)

        var name = text(block[0..<100])
        // Only POSIX ustar has a name prefix; GNU keeps other data at that place.
        let isUstar = block[257..<263].elementsEqual("ustar\0".utf8)
        if isUstar {
            let prefix = text(block[345..<500])
            if !prefix.isEmpty { name = prefix + [UInt8(ascii: "/")] + name }
        }
        let mode = try number(block[100..<108], field: "mode", offset: offset)
        let size = try number(block[124..<136], field: "size", offset: offset)
        // No archive reaches this, and it leaves room for padding arithmetic.
        guard size <= 1 << 62 else { throw .corruptTarGz("the size in the header at offset \(offset) is out of range") }
        return TarHeader(
            name: name,
            linkName: text(block[157..<257]),
            mode: mode_t(truncatingIfNeeded: mode & 0o7777),
            size: size,
            typeflag: block[156])
    }

    /// The checksum is the sum of the header's bytes with its own field read as
    /// spaces; some old tars summed signed bytes, so both sums are accepted.
    private static func verifyChecksum(_ block: [UInt8], offset: Int) throws(ArchiveError) {
        let recorded = try number(block[148..<156], field: "checksum", offset: offset)
        var unsigned = 0
        var signed = 0
        for (index, byte) in block.enumerated() {
            let value = (148..<156).contains(index) ? UInt8(ascii: " ") : byte
            unsigned += Int(value)
            signed += Int(Int8(bitPattern: value))
        }
        guard recorded == unsigned || recorded == signed else {
            throw .corruptTarGz("the header at offset \(offset) has a wrong checksum")
        }
    }

    /// A NUL-terminated field (a full field has no terminator).
    private static func text(_ field: ArraySlice<UInt8>) -> [UInt8] {
        Array(field.prefix(while: { $0 != 0 }))
    }

    /// Octal digits (optionally padded with spaces and NULs), or GNU's base-256
    /// encoding (high bit set) for values that octal cannot hold, such as file
    /// sizes of 8 GiB and more.
    static func number(_ field: ArraySlice<UInt8>, field name: String, offset: Int) throws(ArchiveError) -> Int {
        let tooLarge = ArchiveError.corruptTarGz("the \(name) in the header at offset \(offset) is out of range")
        guard let first = field.first else { return 0 }
        if first & 0x80 != 0 {
            if first & 0x40 != 0 { throw tooLarge }  // negative
            var value = Int(first & 0x3F)
            for byte in field.dropFirst() {
                guard value <= Int.max >> 8 else { throw tooLarge }
                value = value << 8 | Int(byte)
            }
            return value
        }
        var value = 0
        for byte in field.drop(while: { $0 == UInt8(ascii: " ") }) {
            if byte == 0 || byte == UInt8(ascii: " ") { break }
            guard (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(byte) else {
                throw .corruptTarGz("the \(name) in the header at offset \(offset) is not an octal number")
            }
            guard value <= Int.max >> 3 else { throw tooLarge }
            value = value << 3 | Int(byte - UInt8(ascii: "0"))
        }
        return value
    }
}

/// What a pax extended header ('x') or GNU long-name header ('L', 'K') says
/// about the next entry.
struct TarPendingMetadata {
    var path: [UInt8]?
    var linkPath: [UInt8]?
    var size: Int?

    var isEmpty: Bool { path == nil && linkPath == nil && size == nil }

    /// Pax records are "<length> <key>=<value>\n", the length counting the
    /// whole record. Keys other than path, linkpath and size don't matter here.
    mutating func applyPax(_ data: [UInt8], offset: Int) throws(ArchiveError) {
        let malformed = ArchiveError.corruptTarGz("the pax header at offset \(offset) is malformed")
        var position = 0
        while position < data.count {
            if data[position] == 0 { break }  // NUL padding after the last record
            var cursor = position
            var length = 0
            while cursor < data.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(data[cursor]) {
                length = length * 10 + Int(data[cursor] - UInt8(ascii: "0"))
                guard length <= data.count else { throw malformed }
                cursor += 1
            }
            let recordEnd = position + length
            guard cursor > position, cursor < data.count, data[cursor] == UInt8(ascii: " "),
                recordEnd > cursor + 1, recordEnd <= data.count, data[recordEnd - 1] == UInt8(ascii: "\n")
            else { throw malformed }
            let record = data[(cursor + 1)..<(recordEnd - 1)]
            guard let equals = record.firstIndex(of: UInt8(ascii: "=")) else { throw malformed }
            let key = record[..<equals]
            let value = Array(record[(equals + 1)...])
            // An empty value removes the keyword.
            if key.elementsEqual("path".utf8) {
                path = value.isEmpty ? nil : value
            } else if key.elementsEqual("linkpath".utf8) {
                linkPath = value.isEmpty ? nil : value
            } else if key.elementsEqual("size".utf8) {
                size = value.isEmpty ? nil : try Self.decimal(value, malformed: malformed)
            }
            position = recordEnd
        }
    }

    private static func decimal(_ digits: [UInt8], malformed: ArchiveError) throws(ArchiveError) -> Int {
        var value = 0
        for digit in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit), value <= (Int.max - 9) / 10 else {
                throw malformed
            }
            value = value * 10 + Int(digit - UInt8(ascii: "0"))
        }
        return value
    }
}
