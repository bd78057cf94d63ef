import Foundation

/// The actions of the large-init scenario, made by the kit itself from a
/// fixed seed: every run sends the same bytes, and no files are needed.
/// Both run the same no-op, a shell loop that echoes each line on fd 3.
enum LargeInit {
    enum Form: String, CaseIterable, Sendable {
        /// A zip of random (incompressible) bytes and `exec`, sent as base64
        /// with `binary: true`.
        case zip
        /// A `#!` script padded with comment lines, sent as text.
        case source
    }

    /// The no-op. It exits when its stdin closes without reading the rest of
    /// the script, so a stopped proxy leaves no shell parsing 40 MB of comments.
    static let echo = "#!/bin/sh\nwhile IFS= read -r line; do printf '%s\\n' \"$line\" >&3; done\nexit 0\n"

    /// The action of `form` whose `code` (base64 for the zip) is about
    /// `bytes` long (exactly, for the script), and what it is in words.
    static func action(_ form: Form, bytes: Int) -> (code: ActionCode, name: String) {
        switch form {
        case .zip:
            let archive = zip(bytes: bytes)
            let code = Data(archive.bytes).base64EncodedString()
            return (
                ActionCode(code: code, binary: true),
                "a zip, \(ByteCount.text(code.utf8.count)) as base64 (\(ByteCount.text(archive.data)) of random bytes and exec)"
            )
        case .source:
            let code = script(bytes: bytes)
            return (ActionCode(code: code, binary: false), "a #! script of \(ByteCount.text(code.utf8.count))")
        }
    }

    /// A stored zip with `exec` and `data.bin`, sized so that its base64 is
    /// about `bytes` long: `data` is the size of `data.bin`.
    static func zip(bytes: Int) -> (bytes: [UInt8], data: Int) {
        var bare = TestArchive()
        bare.file("exec", echo, executable: true)
        // An entry adds a local header (30 bytes), a central one (46) and
        // its name twice to the archive.
        let entryCost = 30 + 46 + 2 * "data.bin".utf8.count
        let data = max(0, bytes / 4 * 3 - bare.bytes.count - entryCost)
        var archive = bare
        archive.file("data.bin", bytes: noise(data, seed: 0x6C61_7267_655F_7A69))
        return (archive.bytes, data)
    }

    /// `echo` followed by comment lines of random letters, `bytes` long in
    /// all (just `echo` when `bytes` is smaller).
    static func script(bytes: Int) -> String {
        var text = Array(echo.utf8)
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-".utf8)
        let padding = noise(max(0, bytes - text.count), seed: 0x6C61_7267_655F_7368)
        text.reserveCapacity(text.count + padding.count)
        for (index, byte) in padding.enumerated() {
            // Lines of 80 bytes: "# ", 77 letters, a newline; the last one
            // may be cut short but still ends with a newline.
            let column = index % 80
            if column == 79 || index == padding.count - 1 {
                text.append(UInt8(ascii: "\n"))
            } else if column == 0 {
                text.append(UInt8(ascii: "#"))
            } else if column == 1 {
                text.append(UInt8(ascii: " "))
            } else {
                text.append(letters[Int(byte & 63)])
            }
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// `count` pseudo-random bytes (SplitMix64 from `seed`): the same for
    /// the same seed, and not compressible.
    static func noise(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { raw in
            var index = 0
            while index < count {
                state &+= 0x9E37_79B9_7F4A_7C15
                var mixed = state
                mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
                mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
                mixed ^= mixed >> 31
                for shift in stride(from: 0, to: 64, by: 8) where index < count {
                    raw[index] = UInt8(truncatingIfNeeded: mixed >> UInt64(shift))
                    index += 1
                }
            }
        }
        return bytes
    }
}
