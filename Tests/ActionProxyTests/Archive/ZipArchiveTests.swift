import Foundation
import Testing

@testable import ActionProxy

@Suite("Zip archives")
struct ZipArchiveTests {
    // MARK: Reading what real tools write

    @Test("a zip made by Info-ZIP keeps nested folders, unicode names, empty files and the executable bit")
    func infoZipTree() throws {
        let box = try ArchiveSandbox()
        try box.write("src/exec", "#!/bin/sh\necho hi\n", mode: 0o755)
        try box.write("src/lib/deep/nested/module.py", String(repeating: "print('hello')\n", count: 200))
        try box.write("src/données/été ☀︎.txt", "unicode")
        try box.write("src/empty", "")
        try box.write("src/stored.bin", "stored as is")
        try FileManager.default.createDirectory(atPath: box.work + "/src/emptydir", withIntermediateDirectories: true)
        // -n .bin: store those files uncompressed, so both methods are present.
        try box.run("/usr/bin/zip", ["-q", "-r", "-n", ".bin", "../tree.zip", "."], in: box.work + "/src")
        let listing = try box.run("/usr/bin/unzip", ["-v", "tree.zip"])
        #expect(listing.contains("Stored") && listing.contains("Defl"))

        try ZipArchive.extract(try box.bytes(box.work + "/tree.zip"), into: box.root, limits: .default)

        #expect(try box.text(box.root + "/exec") == "#!/bin/sh\necho hi\n")
        #expect(try box.mode(box.root + "/exec") == 0o755)
        #expect(try box.text(box.root + "/lib/deep/nested/module.py").count == 15 * 200)
        #expect(try box.mode(box.root + "/lib/deep/nested/module.py") == 0o644)
        #expect(try box.text(box.root + "/données/été ☀︎.txt") == "unicode")
        #expect(try box.bytes(box.root + "/empty").isEmpty)
        #expect(try box.text(box.root + "/stored.bin") == "stored as is")
        #expect(FileSystem.isDirectory(box.root + "/emptydir"))
    }

    @Test("a zip written by zip to standard output, with data descriptors, extracts")
    func streamedZip() throws {
        let box = try ArchiveSandbox()
        try box.write("src/a.txt", String(repeating: "streamed ", count: 1000))
        try box.write("src/bin/run", "run", mode: 0o755)
        // Output to a pipe cannot be rewound: sizes and CRCs follow the data.
        let zipped = try box.run("/bin/sh", ["-c", "cd src && /usr/bin/zip -q -r - . | base64 -w0"])
        let data = try #require(Data(base64Encoded: zipped.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(data[6] & 0x08 != 0, "the first entry uses a data descriptor")

        try ZipArchive.extract([UInt8](data), into: box.root, limits: .default)
        #expect(try box.text(box.root + "/a.txt") == String(repeating: "streamed ", count: 1000))
        #expect(try box.mode(box.root + "/bin/run") == 0o755)
    }

    @Test("a zip made by zip from standard input (entry '-') extracts")
    func zipFromStandardInput() throws {
        let box = try ArchiveSandbox()
        let input = [UInt8](String(repeating: "from stdin\n", count: 500).utf8)
        try box.run("/usr/bin/zip", ["-q", "stdin.zip", "-"], input: input)
        try ZipArchive.extract(try box.bytes(box.work + "/stdin.zip"), into: box.root, limits: .default)
        #expect(try box.bytes(box.root + "/-") == input)
    }

    @Test("zip64 extra fields written by Python with force_zip64 are read")
    func pythonZip64Entries() throws {
        let box = try ArchiveSandbox()
        try box.python(
            #"""
            import sys, zipfile
            with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
                for name, data in [("a.txt", b"alpha" * 1000), ("dir/b.bin", bytes(range(256)) * 10)]:
                    with z.open(name, "w", force_zip64=True) as f:
                        f.write(data)
            """#, [box.work + "/z64.zip"])
        try ZipArchive.extract(try box.bytes(box.work + "/z64.zip"), into: box.root, limits: .default)
        #expect(try box.text(box.root + "/a.txt") == String(repeating: "alpha", count: 1000))
        #expect(try box.bytes(box.root + "/dir/b.bin") == Array(repeating: Array(0...255), count: 10).flatMap { $0 })
    }

    @Test("a zip whose end records and entries are all ZIP64 extracts")
    func fullZip64() throws {
        let box = try ArchiveSandbox()
        try box.python(zip64WriterScript, [box.work + "/full64.zip"])
        // Python must agree that the fixture is valid.
        try box.python(
            "import sys, zipfile; assert zipfile.ZipFile(sys.argv[1]).testzip() is None", [box.work + "/full64.zip"])
        try ZipArchive.extract(try box.bytes(box.work + "/full64.zip"), into: box.root, limits: .default)
        #expect(try box.text(box.root + "/one.txt") == "first entry")
        #expect(try box.text(box.root + "/sub/two.txt") == String(repeating: "second ", count: 100))
        #expect(try box.mode(box.root + "/sub/two.txt") == 0o755)
    }

    @Test("symbolic links inside the folder are extracted as links")
    func symbolicLinks() throws {
        let box = try ArchiveSandbox()
        let data = try box.archive(
            [
                .file("lib/real.txt", "real"),
                .symlink("lib/alias.txt", to: "real.txt"),
                .symlink("top", to: "lib/real.txt"),
                .symlink("dir/up", to: "../lib"),
            ], as: .zip)
        try ZipArchive.extract(data, into: box.root, limits: .default)
        #expect(box.isSymbolicLink(box.root + "/lib/alias.txt"))
        #expect(try box.linkTarget(box.root + "/lib/alias.txt") == "real.txt")
        #expect(try box.text(box.root + "/top") == "real")
        #expect(try box.linkTarget(box.root + "/dir/up") == "../lib")
    }

    @Test("setuid, setgid and sticky bits are dropped, permission bits kept")
    func specialModeBits() throws {
        let box = try ArchiveSandbox()
        let data = try box.archive([.file("suid", "x", mode: 0o6755), .dir("sticky/", mode: 0o1777)], as: .zip)
        try ZipArchive.extract(data, into: box.root, limits: .default)
        #expect(try box.mode(box.root + "/suid") == 0o755)
        #expect(try box.mode(box.root + "/sticky") == 0o777)
    }

    @Test("a zip written on a non-Unix host gets default modes")
    func nonUnixModes() throws {
        let box = try ArchiveSandbox()
        try box.python(
            #"""
            import sys, zipfile
            with zipfile.ZipFile(sys.argv[1], "w") as z:
                for name in ["dos.txt", "folder/"]:
                    info = zipfile.ZipInfo(name)
                    info.create_system = 0
                    info.external_attr = 0x10 if name.endswith("/") else 0x20
                    z.writestr(info, b"" if name.endswith("/") else b"dos")
            """#, [box.work + "/dos.zip"])
        try ZipArchive.extract(try box.bytes(box.work + "/dos.zip"), into: box.root, limits: .default)
        #expect(try box.mode(box.root + "/dos.txt") == 0o644)
        #expect(try box.mode(box.root + "/folder") == 0o755)
    }

    @Test("a later entry with the same name replaces an earlier file")
    func duplicateNames() throws {
        let box = try ArchiveSandbox()
        let data = try box.archive([.file("a.txt", "first"), .file("a.txt", "second")], as: .zip)
        try ZipArchive.extract(data, into: box.root, limits: .default)
        #expect(try box.text(box.root + "/a.txt") == "second")
    }

    // MARK: Unsupported content

    @Test("encrypted entries are refused as unsupported")
    func encrypted() throws {
        let box = try ArchiveSandbox()
        try box.write("secret.txt", "secret")
        try box.run("/usr/bin/zip", ["-q", "-P", "password", "enc.zip", "secret.txt"])
        let data = try box.bytes(box.work + "/enc.zip")
        let error = ArchiveKind.zip.error(extracting: data, into: box.root)
        #expect(error?.isUnsupported == true)
        #expect(error?.description.contains("secret.txt") == true)
    }

    @Test("an unknown compression method (bzip2) is refused as unsupported, naming the method and the entry")
    func unknownMethod() throws {
        let box = try ArchiveSandbox()
        try box.python(
            #"""
            import sys, zipfile
            with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_BZIP2) as z:
                z.writestr("b.txt", b"bzip2" * 100)
            """#, [box.work + "/bz.zip"])
        let data = try box.bytes(box.work + "/bz.zip")
        let error = ArchiveKind.zip.error(extracting: data, into: box.root)
        #expect(error == .unsupported("compression method 12 in entry 'b.txt'"))
    }

    @Test("a FIFO entry is refused as unsupported")
    func fifoEntry() throws {
        let box = try ArchiveSandbox()
        let data = try box.archive([.special("fifo", "pipe")], as: .zip)
        let error = ArchiveKind.zip.error(extracting: data, into: box.root)
        #expect(error == .unsupported("FIFO entry 'pipe'"))
    }

    // MARK: Corrupt data

    @Test("a zip cut at any point is reported corrupt, never crashes")
    func truncation() throws {
        let box = try ArchiveSandbox()
        let data = try smallZip(box)
        for cut in 0..<data.count {
            let root = try box.freshRoot()
            let error = ArchiveKind.zip.error(extracting: Array(data[0..<cut]), into: root)
            #expect(error?.isCorrupt == true, "cut at \(cut): \(String(describing: error))")
            FileSystem.removeTree(root)
        }
        #expect(try box.escapedEntries().isEmpty)
    }

    @Test("random byte flips anywhere never crash and never write outside the folder")
    func randomFlips() throws {
        let box = try ArchiveSandbox()
        let data = try smallZip(box)
        var random = SeededRandom(seed: 0x5EED)
        for round in 0..<400 {
            var damaged = data
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                damaged[Int.random(in: 0..<damaged.count, using: &random)] ^= UInt8.random(in: 1...255, using: &random)
            }
            let root = try box.freshRoot()
            // Some flips are harmless (a timestamp, a comment): success is fine too.
            _ = ArchiveKind.zip.error(extracting: damaged, into: root)
            FileSystem.removeTree(root)
            _ = round
        }
        #expect(try box.escapedEntries().isEmpty)
    }

    @Test("byte flips inside entry data are always caught as corrupt")
    func dataFlips() throws {
        let box = try ArchiveSandbox()
        let data = try smallZip(box)
        let dataRanges = try zipDataRanges(data)
        var random = SeededRandom(seed: 42)
        for _ in 0..<200 {
            let range = dataRanges[Int.random(in: 0..<dataRanges.count, using: &random)]
            var damaged = data
            damaged[Int.random(in: range, using: &random)] ^= UInt8.random(in: 1...255, using: &random)
            let root = try box.freshRoot()
            let error = ArchiveKind.zip.error(extracting: damaged, into: root)
            #expect(error?.isCorrupt == true, "\(String(describing: error))")
            FileSystem.removeTree(root)
        }
    }

    @Test("a wrong CRC-32 in the central directory is reported corrupt, naming the entry")
    func wrongCRC() throws {
        let box = try ArchiveSandbox()
        var data = try smallZip(box)
        let record = try centralRecords(data)[0]
        data[record + 16] ^= 0xFF
        let error = ArchiveKind.zip.error(extracting: data, into: box.root)
        #expect(error == .corrupt("corrupt zip archive: CRC-32 mismatch in entry 'hello.txt'"))
    }

    @Test(
        "bogus huge sizes and offsets in the headers are reported corrupt",
        arguments: [
            (field: 20, value: UInt32(0xFFFF_FFF0)),  // compressed size
            (field: 24, value: UInt32(0x7FFF_FFFF)),  // uncompressed size
            (field: 42, value: UInt32(0x7FFF_FFF0)),  // local header offset
            (field: 42, value: UInt32(0xFFFF_FFFF)),  // "see ZIP64", without a ZIP64 field
            (field: 28, value: UInt32(0xFFFF)),  // name length (16 bits) past the directory
        ])
    func bogusEntryFields(field: Int, value: UInt32) throws {
        let box = try ArchiveSandbox()
        var data = try smallZip(box)
        let record = try centralRecords(data)[0]
        let width = field == 28 ? 2 : 4
        for index in 0..<width { data[record + field + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
        let error = ArchiveKind.zip.error(extracting: data, into: box.root)
        #expect(error?.isCorrupt == true, "\(String(describing: error))")
    }

    @Test(
        "bogus central directory offset, size and entry count are reported corrupt",
        arguments: [
            (field: 16, value: 0xFFFF_FF00, width: 4),  // directory offset
            (field: 12, value: 0x7FFF_FFFF, width: 4),  // directory size
            (field: 10, value: 0xFFFF, width: 2),  // entry count
            (field: 20, value: 0xFFFF, width: 2),  // comment length
        ])
    func bogusEndRecord(field: Int, value: Int, width: Int) throws {
        let box = try ArchiveSandbox()
        var data = try smallZip(box)
        let end = data.count - 22
        for index in 0..<width { data[end + field + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
        let error = ArchiveKind.zip.error(extracting: data, into: box.root)
        #expect(error?.isCorrupt == true, "\(String(describing: error))")
    }

    @Test("a ZIP64 end record with offsets beyond 2^63 is reported corrupt")
    func hugeZip64Offsets() throws {
        let box = try ArchiveSandbox()
        try box.python(zip64WriterScript, [box.work + "/full64.zip"])
        var data = try box.bytes(box.work + "/full64.zip")
        let record = try #require(lastIndex(of: [0x50, 0x4B, 0x06, 0x06], in: data))
        for index in 0..<8 { data[record + 48 + index] = 0xFF }  // directory offset
        let error = ArchiveKind.zip.error(extracting: data, into: box.root)
        #expect(error?.isCorrupt == true)
    }

    @Test("two entries sharing the same data (overlapping zip bomb) are reported corrupt")
    func overlappingEntries() throws {
        let box = try ArchiveSandbox()
        try box.python(
            #"""
            import sys, zipfile, struct
            with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
                z.writestr("a.txt", b"a" * 10000)
            data = bytearray(open(sys.argv[1], "rb").read())
            end = data.rfind(b"PK\x05\x06")
            cd_size, cd_offset = struct.unpack("<II", data[end + 12:end + 20])
            record = data[cd_offset:cd_offset + cd_size]
            twin = bytearray(record)
            # the same local header under the same name, listed twice
            new_cd = record + twin
            tail = bytearray(data[end:])
            struct.pack_into("<HHI", tail, 8, 2, 2, len(new_cd))
            open(sys.argv[1], "wb").write(data[:cd_offset] + new_cd + tail)
            """#, [box.work + "/overlap.zip"])
        let data = try box.bytes(box.work + "/overlap.zip")
        let error = ArchiveKind.zip.error(extracting: data, into: box.root)
        #expect(error?.isCorrupt == true)
        #expect(error?.description.contains("overlap") == true)
    }

    @Test("a local header naming another file than the central directory is reported corrupt")
    func mismatchedLocalName() throws {
        let box = try ArchiveSandbox()
        var data = try smallZip(box)
        // The first local header is at 0 and its name at 30.
        data[30] = UInt8(ascii: "X")
        let error = ArchiveKind.zip.error(extracting: data, into: box.root)
        #expect(error?.isCorrupt == true)
    }

    @Test("data that is not a zip at all is reported corrupt")
    func notAZip() throws {
        let box = try ArchiveSandbox()
        for data in [[], [UInt8](repeating: 0, count: 21), [UInt8]("hello world, this is not a zip file".utf8)] {
            let error = ArchiveKind.zip.error(extracting: data, into: box.root)
            #expect(error?.isCorrupt == true)
        }
    }

    // MARK: Limits

    @Test("a zip bomb stops at the total-size limit quickly, with the partial file bounded")
    func zipBomb() throws {
        let box = try ArchiveSandbox()
        try box.python(
            #"""
            import sys, zipfile
            with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
                with z.open("zeros", "w") as f:
                    chunk = bytes(1 << 20)
                    for _ in range(200):
                        f.write(chunk)
            """#, [box.work + "/bomb.zip"])
        let data = try box.bytes(box.work + "/bomb.zip")
        #expect(data.count < 1 << 20)
        let limits = ArchiveLimits(maxTotalBytes: 10 << 20, maxEntries: 10, maxFileBytes: 512 << 20)
        let clock = ContinuousClock()
        var error: ArchiveError?
        let elapsed = clock.measure {
            error = ArchiveKind.zip.error(extracting: data, into: box.root, limits: limits)
        }
        #expect(error == .limitExceeded("archive expands beyond the limit of 10485760 bytes"))
        #expect(elapsed < .seconds(5))
        let written = try FileManager.default.attributesOfItem(atPath: box.root + "/zeros")[.size] as? Int
        #expect((written ?? .max) <= 10 << 20)
    }

    @Test("an entry that inflates beyond its declared size stops there and is reported corrupt")
    func lyingSize() throws {
        let box = try ArchiveSandbox()
        try box.python(
            #"""
            import sys, zipfile, struct
            with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
                z.writestr("zeros", bytes(50 << 20))
            data = bytearray(open(sys.argv[1], "rb").read())
            cd = data.rfind(b"PK\x01\x02")
            struct.pack_into("<I", data, cd + 24, 1000)   # claims 1000 bytes
            struct.pack_into("<I", data, 22, 1000)
            open(sys.argv[1], "wb").write(data)
            """#, [box.work + "/liar.zip"])
        let data = try box.bytes(box.work + "/liar.zip")
        let error = ArchiveKind.zip.error(extracting: data, into: box.root)
        #expect(error?.isCorrupt == true)
        let written = try FileManager.default.attributesOfItem(atPath: box.root + "/zeros")[.size] as? Int
        #expect((written ?? .max) <= 1000)
    }

    @Test("more entries than the limit are refused")
    func tooManyEntries() throws {
        let box = try ArchiveSandbox()
        let data = try box.archive((0..<10).map { .file("f\($0)") }, as: .zip)
        let limits = ArchiveLimits(maxTotalBytes: 1 << 20, maxEntries: 5, maxFileBytes: 1 << 20)
        let error = ArchiveKind.zip.error(extracting: data, into: box.root, limits: limits)
        #expect(error == .limitExceeded("archive has more than the limit of 5 entries"))
    }

    @Test("a file larger than the per-file limit is refused, naming the entry")
    func fileTooLarge() throws {
        let box = try ArchiveSandbox()
        let data = try box.archive([.file("small", "ok"), .file("big", String(repeating: "x", count: 5000))], as: .zip)
        let limits = ArchiveLimits(maxTotalBytes: 1 << 20, maxEntries: 10, maxFileBytes: 4096)
        let error = ArchiveKind.zip.error(extracting: data, into: box.root, limits: limits)
        #expect(error == .limitExceeded("archive entry 'big' is larger than the limit of 4096 bytes per file"))
    }

    // MARK: Writing

    @Test("archive(directory:) round-trips through unzip, Python's zipfile and extract with modes and links")
    func roundTrip() throws {
        let box = try ArchiveSandbox()
        let source = box.work + "/tree"
        try box.write("tree/exec", "#!/bin/sh\n", mode: 0o755)
        try box.write("tree/bin/helper", String(repeating: "helper ", count: 2000), mode: 0o700)
        try box.write("tree/données/ü.txt", "unicode")
        try box.write("tree/empty", "")
        try FileManager.default.createDirectory(atPath: source + "/emptydir", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: source + "/bin/link", withDestinationPath: "../exec")
        var random = SeededRandom(seed: 7)
        let noise = (0..<20_000).map { _ in UInt8.random(in: 0...255, using: &random) }
        try Data(noise).write(to: URL(fileURLWithPath: source + "/noise.bin"))

        let zipped = try ZipArchive.archive(directory: source)
        try Data(zipped).write(to: URL(fileURLWithPath: box.work + "/out.zip"))
        #expect(try ZipArchive.archive(directory: source) == zipped, "the same tree gives the same archive")

        try box.run("/usr/bin/unzip", ["-tq", "out.zip"])
        let report = try box.python(
            #"""
            import stat, sys, zipfile
            z = zipfile.ZipFile(sys.argv[1])
            assert z.testzip() is None
            for i in z.infolist():
                mode = i.external_attr >> 16
                kind = "link" if stat.S_ISLNK(mode) else "dir" if stat.S_ISDIR(mode) else "file"
                print(i.filename, oct(mode & 0o777), kind, i.compress_type)
            print("link ->", z.read("bin/link").decode())
            """#, [box.work + "/out.zip"])
        let lines = Set(report.split(separator: "\n").map(String.init))
        #expect(lines.contains("exec 0o755 file 0"))
        #expect(lines.contains("bin/helper 0o700 file 8"), "compressible data is deflated")
        #expect(lines.contains("noise.bin 0o644 file 0"), "incompressible data is stored")
        #expect(lines.contains("bin/link 0o777 link 0"))
        #expect(lines.contains("emptydir/ 0o755 dir 0"))
        #expect(lines.contains("données/ü.txt 0o644 file 0"))
        #expect(lines.contains("link -> ../exec"))

        try ZipArchive.extract(zipped, into: box.root, limits: .default)
        #expect(try box.mode(box.root + "/exec") == 0o755)
        #expect(try box.mode(box.root + "/bin/helper") == 0o700)
        #expect(try box.text(box.root + "/bin/helper") == String(repeating: "helper ", count: 2000))
        #expect(try box.linkTarget(box.root + "/bin/link") == "../exec")
        #expect(try box.bytes(box.root + "/noise.bin") == noise)
        #expect(try box.bytes(box.root + "/empty").isEmpty)
        #expect(FileSystem.isDirectory(box.root + "/emptydir"))
        #expect(try box.text(box.root + "/données/ü.txt") == "unicode")
    }

    @Test("archive(directory:) of an empty folder is a valid empty zip")
    func emptyArchive() throws {
        let box = try ArchiveSandbox()
        let zipped = try ZipArchive.archive(directory: box.root)
        #expect(zipped.count == 22)
        try ZipArchive.extract(zipped, into: try box.freshRoot(), limits: .default)
    }

    // MARK: Helpers

    /// A small zip with a deflated and a stored entry and a folder.
    private func smallZip(_ box: ArchiveSandbox) throws -> [UInt8] {
        try box.python(
            #"""
            import sys, zipfile
            with zipfile.ZipFile(sys.argv[1], "w") as z:
                z.writestr("hello.txt", b"hello, world\n" * 20, zipfile.ZIP_DEFLATED)
                z.writestr("dir/", b"")
                z.writestr("dir/stored.txt", b"stored bytes", zipfile.ZIP_STORED)
            """#, [box.work + "/small.zip"])
        return try box.bytes(box.work + "/small.zip")
    }

    /// Offsets of the central directory records.
    private func centralRecords(_ data: [UInt8]) throws -> [Int] {
        let end = data.count - 22
        let offset =
            Int(data[end + 16]) | Int(data[end + 17]) << 8 | Int(data[end + 18]) << 16 | Int(data[end + 19]) << 24
        var records: [Int] = []
        var position = offset
        while position + 46 <= end, data[position..<position + 4].elementsEqual([0x50, 0x4B, 0x01, 0x02]) {
            records.append(position)
            let variable = Int(data[position + 28]) | Int(data[position + 29]) << 8
            let extra = Int(data[position + 30]) | Int(data[position + 31]) << 8
            let comment = Int(data[position + 32]) | Int(data[position + 33]) << 8
            position += 46 + variable + extra + comment
        }
        return records
    }

    /// The byte ranges of the non-empty entries' data.
    private func zipDataRanges(_ data: [UInt8]) throws -> [ClosedRange<Int>] {
        try centralRecords(data).compactMap { record in
            func field(_ offset: Int, _ width: Int) -> Int {
                (0..<width).reduce(0) { $0 | Int(data[offset + $1]) << (8 * $1) }
            }
            let size = field(record + 20, 4)
            let local = field(record + 42, 4)
            let start = local + 30 + field(local + 26, 2) + field(local + 28, 2)
            return size > 0 ? start...(start + size - 1) : nil
        }
    }

    private func lastIndex(of pattern: [UInt8], in data: [UInt8]) -> Int? {
        stride(from: data.count - pattern.count, through: 0, by: -1).first {
            data[$0..<$0 + pattern.count].elementsEqual(pattern)
        }
    }
}

/// Python that writes a zip in which every entry and the end of the central
/// directory use ZIP64 records, as streaming zippers of large files do.
let zip64WriterScript = #"""
    import struct, sys, zlib
    entries = [("one.txt", b"first entry", 0o644), ("sub/two.txt", b"second " * 100, 0o755)]
    out = bytearray()
    central = bytearray()
    for name, data, mode in entries:
        raw = zlib.compressobj(6, zlib.DEFLATED, -15)
        packed = raw.compress(data) + raw.flush()
        crc = zlib.crc32(data)
        offset = len(out)
        name_bytes = name.encode()
        local_extra = struct.pack("<HHQQ", 1, 16, len(data), len(packed))
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, 8, 0, 0x21, crc,
                           0xFFFFFFFF, 0xFFFFFFFF, len(name_bytes), len(local_extra))
        out += name_bytes + local_extra + packed
        central_extra = struct.pack("<HHQQQ", 1, 24, len(data), len(packed), offset)
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, (3 << 8) | 45, 45, 0, 8, 0, 0x21, crc,
                               0xFFFFFFFF, 0xFFFFFFFF, len(name_bytes), len(central_extra), 0, 0, 0,
                               (0o100000 | mode) << 16, 0xFFFFFFFF)
        central += name_bytes + central_extra
    cd_offset = len(out)
    out += central
    zip64_end = len(out)
    out += struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, (3 << 8) | 45, 45, 0, 0,
                       len(entries), len(entries), len(central), cd_offset)
    out += struct.pack("<IIQI", 0x07064B50, 0, zip64_end, 1)
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    open(sys.argv[1], "wb").write(out)
    """#
