import Foundation

/// A zip written entry by entry, uncompressed, with whatever names, modes
/// and links a case asks for: the kit needs archives that a well-behaved
/// zip tool refuses to make (`../` names, absolute names, links that lead
/// out of the folder) as much as ordinary ones.
struct TestArchive {
    private var entries: [(name: String, data: [UInt8], mode: UInt32)] = []

    /// A regular file (mode 0644, or 0755 when `executable`).
    mutating func file(_ name: String, _ text: String, executable: Bool = false) {
        file(name, bytes: Array(text.utf8), executable: executable)
    }

    /// A regular file of any bytes (mode 0644, or 0755 when `executable`).
    mutating func file(_ name: String, bytes: [UInt8], executable: Bool = false) {
        entries.append((name, bytes, 0o100000 | (executable ? 0o755 : 0o644)))
    }

    /// A symbolic link: zips store the target as the entry's data.
    mutating func link(_ name: String, to target: String) {
        entries.append((name, Array(target.utf8), 0o120777))
    }

    /// Files of a folder tree, name → text, the ones in `executables` 0755.
    static func of(_ files: [String: String], executables: Set<String> = []) -> [UInt8] {
        var archive = TestArchive()
        for (name, text) in files.sorted(by: { $0.key < $1.key }) {
            archive.file(name, text, executable: executables.contains(name))
        }
        return archive.bytes
    }

    /// The zip: local headers with the data, then the central directory.
    var bytes: [UInt8] {
        var output: [UInt8] = []
        var directory: [UInt8] = []
        for entry in entries {
            let name = Array(entry.name.utf8)
            let crc = CRC32.checksum(entry.data)
            let offset = output.count
            output.little(0x0403_4b50, 4)
            output.little(10, 2)  // version needed: 1.0, stored
            output.little(1 << 11, 2)  // names are UTF-8
            output.little(0, 2)  // stored
            output.little(0, 4)  // time and date: 1980 is fine for a test
            output.little(Int(crc), 4)
            output.little(entry.data.count, 4)
            output.little(entry.data.count, 4)
            output.little(name.count, 2)
            output.little(0, 2)
            output.append(contentsOf: name)
            output.append(contentsOf: entry.data)

            directory.little(0x0201_4b50, 4)
            directory.little(3 << 8 | 30, 2)  // made by Unix: modes are in the external attributes
            directory.little(10, 2)
            directory.little(1 << 11, 2)
            directory.little(0, 2)
            directory.little(0, 4)
            directory.little(Int(crc), 4)
            directory.little(entry.data.count, 4)
            directory.little(entry.data.count, 4)
            directory.little(name.count, 2)
            directory.little(0, 6)  // extra and comment lengths, disk number
            directory.little(0, 2)  // internal attributes
            directory.little(Int(entry.mode) << 16, 4)
            directory.little(offset, 4)
            directory.append(contentsOf: name)
        }
        let directoryOffset = output.count
        output.append(contentsOf: directory)
        output.little(0x0605_4b50, 4)
        output.little(0, 4)  // disk numbers
        output.little(entries.count, 2)
        output.little(entries.count, 2)
        output.little(directory.count, 4)
        output.little(directoryOffset, 4)
        output.little(0, 2)
        return output
    }
}

/// The zip checksum (CRC-32, polynomial 0xEDB88320).
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}

extension Array where Element == UInt8 {
    fileprivate mutating func little(_ value: Int, _ count: Int) {
        for index in 0..<count { append(UInt8(truncatingIfNeeded: value >> (8 * index))) }
    }
}
