import Foundation
import Testing

/// The sizes an OpenWhisk platform lets through (PROTOCOL.md §1: code up to
/// 48 MB, parameters up to 1 MB, 10 MB of logs per activation) and beyond
/// (results up to the proxy's own `OW_MAX_RESULT_BYTES`, archives of many
/// entries): each case completes and gives the right answer, byte for byte.
/// No case is timed: a proxy that stalls fails at the client's read timeout.
///
/// Each case runs on the host proxy and, where the image is here, on the proxy
/// of `actionproxy/native` in the invoker's 256 MB, serving the plain contract
/// (its blackbox variables blanked) so that the same actions run on both.
/// One case at a time: each holds hundreds of megabytes while it runs.
@Suite("actions at the platform's sizes", .serialized)
struct PlatformSizeTests {
    /// The largest action the platform accepts, and the largest parameters.
    static let maxCodeBytes = 48 << 20
    static let maxParameterBytes = 1 << 20
    static let maxLogBytes = 10 << 20

    @Test("a 48 MB zip action (64 MB of base64) is extracted whole", arguments: Serving.sizes)
    func largeZip(_ target: Serving) throws {
        let folder = try Fixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Random bytes: deflate cannot shrink them, so the zip is as large as its content.
        let payload = folder.appendingPathComponent("payload.bin")
        try SizeInput.randomBytes(Self.maxCodeBytes - (64 << 10), seed: 48).write(to: payload)
        let exec = folder.appendingPathComponent("exec")
        try Data(Self.digestAction(of: "\"$(dirname \"$0\")/payload.bin\"").utf8).write(to: exec)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: exec.path)
        let zip = try Fixtures.zip(folder: folder)
        #expect(zip.count > Self.maxCodeBytes - (1 << 20) && zip.count <= Self.maxCodeBytes)
        let expected = try SizeInput.digest(of: payload)
        let body = SizeInput.initBody(code: zip.base64EncodedData(), binary: true)
        #expect(body.count > 63 << 20)

        try Self.expectDigest(expected, on: target, initBody: body)
    }

    @Test("a 48 MB #! script sent as text arrives byte for byte", arguments: Serving.sizes)
    func largeScript(_ target: Serving) throws {
        let folder = try Fixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        // The script answers with its own digest; everything after its exit
        // is comment lines of text that needs escaping in JSON.
        let head = Self.digestAction(of: "\"$0\"") + "exit 0\n"
        let script = SizeInput.scriptText(head: head, totalBytes: Self.maxCodeBytes, seed: 4848)
        let file = folder.appendingPathComponent("script")
        try Data(script.file).write(to: file)
        let expected = try SizeInput.digest(of: file)
        #expect(expected.bytes == Self.maxCodeBytes)
        let body = SizeInput.initBody(code: Data(script.json), binary: false)

        try Self.expectDigest(expected, on: target, initBody: body)
    }

    @Test("a 1 MB parameter value reaches the action and comes back intact", arguments: Serving.sizes)
    func largeParameter(_ target: Serving) throws {
        let text = SizeInput.parameterText(utf8Bytes: Self.maxParameterBytes, seed: 1)
        let run = try JSONSerialization.data(withJSONObject: ["value": ["text": text]])
        #expect(run.count > Self.maxParameterBytes)
        try target.serve { proxy throws in
            #expect(try proxy.initialize(code: try Fixtures.text("echo.sh")).status == 200)
            let response = try proxy.post("/run", body: run)
            #expect(response.status == 200)
            // echo.sh answers with the line it was given: the whole request, value inside.
            let value = try #require(response.object?["value"] as? [String: String])
            #expect(value["text"]?.utf8.count == text.utf8.count)
            #expect(value["text"] == text)
        }
    }

    @Test(
        "a result line of 1 MB or 50 MB is answered whole",
        arguments: Serving.sizes.flatMap { target in [1 << 20, 50 << 20].map { (target, $0) } })
    func largeResult(_ target: Serving, bytes: Int) throws {
        // `{"r":"` + pattern + `"}` and a newline: `bytes` in all.
        let pattern = "0123456789abcdef"
        let action = """
            #!/bin/sh
            while read -r line; do
              { printf '{"r":"'; yes \(pattern) | tr -d '\\n' | head -c \(bytes - 9); printf '"}\\n'; } >&3
            done
            """
        var expected = Data("{\"r\":\"".utf8)
        expected.append(SizeInput.repeated(pattern, count: bytes - 9))
        expected.append(Data("\"}\n".utf8))
        try target.serve { proxy throws in
            #expect(try proxy.initialize(code: action).status == 200)
            let response = try proxy.post("/run", body: SizeInput.emptyRun)
            #expect(response.status == 200, "\(response.text.prefix(200))")
            #expect(response.body.count == bytes)
            #expect(response.body == expected)
            #expect(try proxy.run(["after": true]).status == 200)
        }
    }

    @Test("10 MB of log in one activation all comes before one sentinel per stream", arguments: Serving.sizes)
    func largeLog(_ target: Serving) throws {
        // Both streams at once, half the log each, lines of 100 bytes.
        let lines = (Self.maxLogBytes / 2 + 99) / 100
        let filler = String(repeating: "abcdefghij", count: 9).prefix(83)
        let action = """
            #!/bin/sh
            while read -r line; do
              seq -f 'stdout %08.0f \(filler)' 1 \(lines) &
              seq -f 'stderr %08.0f \(filler)' 1 \(lines) >&2 &
              wait
              echo '{"logged":true}' >&3
            done
            """
        func expected(_ stream: String) -> String {
            var text = ""
            text.reserveCapacity(lines * 100 + 64)
            for number in 1...lines {
                let digits = String(number)
                text += "\(stream) \(String(repeating: "0", count: 8 - digits.count))\(digits) \(filler)\n"
            }
            return text + TestProxy.sentinel + "\n"
        }
        try target.serve { proxy throws in
            #expect(try proxy.initialize(code: action).status == 200)
            let response = try proxy.post("/run", body: SizeInput.emptyRun)
            #expect(response.object as? [String: Bool] == ["logged": true])
            proxy.waitForSentinels(1, timeout: 120)
            let logs = proxy.logs
            #expect(logs.stdout.utf8.count + logs.stderr.utf8.count > Self.maxLogBytes)
            // Exactly the log, then one sentinel: nothing lost, nothing extra.
            #expect(logs.stdout == expected("stdout"))
            #expect(logs.stderr == expected("stderr"))
        }
    }

    @Test(
        "an archive of 10,000 small files is extracted whole, every file with its content",
        arguments: Serving.sizes.flatMap { target in ["zip", "tar.gz"].map { (target, $0) } })
    func manyEntries(_ target: Serving, format: String) throws {
        let folder = try Fixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let tree = folder.appendingPathComponent("tree")
        try SizeInput.writeSmallFiles(10_000, under: tree, seed: 10_000)
        let exec = tree.appendingPathComponent("exec")
        try Data(
            """
            #!/bin/sh
            cd "$(dirname "$0")"
            files=$(find . -type f -name 'f*' | wc -l)
            sum=$(\(SizeInput.treeDigest))
            while read -r line; do printf '{"files":%s,"sha256":"%s"}\\n' "$files" "$sum" >&3; done
            """.utf8
        ).write(to: exec)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: exec.path)
        let expected = try Fixtures.runTool("/bin/sh", ["-c", SizeInput.treeDigest], in: tree)
        let archive = format == "zip" ? try Fixtures.zip(folder: tree) : try Fixtures.tarGz(folder: tree)
        try target.serve { proxy throws in
            let initialized = try proxy.initialize(code: archive.base64EncodedString(), binary: true)
            #expect(initialized.status == 200, "\(initialized.text)")
            let answer = try #require(try proxy.post("/run", body: SizeInput.emptyRun).object)
            #expect(answer["files"] as? Int == 10_000)
            #expect(
                answer["sha256"] as? String
                    == String(decoding: expected, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    /// Initialises the target with `initBody` (a `digestAction`) and checks
    /// that its first run answers the digest of what it was sent.
    static func expectDigest(
        _ expected: (sha256: String, bytes: Int), on target: Serving, initBody body: Data
    ) throws {
        try target.serve { proxy throws in
            let initialized = try proxy.post("/init", body: body)
            #expect(initialized.status == 200, "\(initialized.text)")
            let answer = try #require(try proxy.post("/run", body: SizeInput.emptyRun).object)
            #expect(answer["sha256"] as? String == expected.sha256)
            #expect(answer["bytes"] as? Int == expected.bytes)
        }
    }

    /// A plain-contract action that answers every activation with the
    /// SHA-256 and size of `file` (a shell word), computed once at start.
    static func digestAction(of file: String) -> String {
        """
        #!/bin/sh
        sum=$(sha256sum \(file) | cut -d' ' -f1)
        bytes=$(wc -c < \(file))
        while read -r line; do printf '{"sha256":"%s","bytes":%s}\\n' "$sum" "$bytes" >&3; done

        """
    }
}

extension ProxyUnderTest {
    /// One POST on a new connection that waits minutes rather than seconds
    /// for its answer: a large init in a debug build takes a while.
    func post(_ path: String, body: Data) throws -> HTTPTestResponse {
        try HTTPTestClient(port: port, timeoutSeconds: 300).request("POST", path, body: body)
    }
}

/// Large inputs, made quickly and the same way every time.
enum SizeInput {
    static let emptyRun = Data("{\"value\":{}}".utf8)

    /// `count` bytes from `SeededRandom`.
    static func randomBytes(_ count: Int, seed: UInt64) -> Data {
        var random = SeededRandom(seed: seed)
        var data = Data(count: count)
        data.withUnsafeMutableBytes { raw in
            var offset = 0
            while offset + 8 <= raw.count {
                raw.storeBytes(of: random.next(), toByteOffset: offset, as: UInt64.self)
                offset += 8
            }
            while offset < raw.count {
                raw[offset] = UInt8(truncatingIfNeeded: random.next())
                offset += 1
            }
        }
        return data
    }

    /// `text` repeated and cut to `count` bytes.
    static func repeated(_ text: String, count: Int) -> Data {
        let unit = Array(text.utf8)
        var bytes = [UInt8]()
        bytes.reserveCapacity(count)
        while bytes.count + unit.count <= count { bytes.append(contentsOf: unit) }
        bytes.append(contentsOf: unit.prefix(count - bytes.count))
        return Data(bytes)
    }

    /// An init body around code that is already a JSON string's content.
    static func initBody(code: Data, binary: Bool) -> Data {
        var body = Data("{\"value\":{\"main\":\"main\",\"binary\":\(binary),\"code\":\"".utf8)
        body.append(code)
        body.append(Data("\"}}".utf8))
        return body
    }

    /// What the text of a script may hold, as it is in the file and as it is
    /// written in the init's JSON: escapes of every kind, and unicode as it is
    /// and as `\u` escapes (a surrogate pair too).
    private static let scriptPieces: [(file: [UInt8], json: [UInt8])] = {
        var pieces: [(String, String)] = (0..<36).map { index in
            let character = String(Array("abcdefghijklmnopqrstuvwxyz0123456789")[index])
            return (character, character)
        }
        pieces += [
            (" ", " "), ("\"", "\\\""), ("\\", "\\\\"), ("/", "\\/"), ("/", "/"), ("\t", "\\t"),
            ("❄", "❄"), ("é", "\\u00e9"), ("😀", "\\ud83d\\ude00"), ("☃", "\\u2603"),
        ]
        return pieces.map { (Array($0.0.utf8), Array($0.1.utf8)) }
    }()

    /// A script of exactly `totalBytes`: `head`, then comment lines of
    /// random text, as the file's bytes and as the content of a JSON string.
    static func scriptText(head: String, totalBytes: Int, seed: UInt64) -> (file: [UInt8], json: [UInt8]) {
        var random = SeededRandom(seed: seed)
        var file = Array(head.utf8)
        var json = escaped(head)
        file.reserveCapacity(totalBytes)
        json.reserveCapacity(totalBytes + totalBytes / 4)
        let ascii = Array("abcdefghijklmnopqrstuvwxyz".utf8)
        while file.count < totalBytes {
            var line: [UInt8] = [UInt8(ascii: "#"), UInt8(ascii: " ")]
            var lineJSON = line
            while line.count < 100 {
                let piece = scriptPieces[random.next(below: scriptPieces.count)]
                line += piece.file
                lineJSON += piece.json
            }
            line.append(UInt8(ascii: "\n"))
            lineJSON += Array("\\n".utf8)
            let room = totalBytes - file.count
            if line.count <= room {
                file += line
                json += lineJSON
            } else {
                // The last line: ASCII only, so that it can be cut anywhere.
                var last = [UInt8](repeating: UInt8(ascii: "#"), count: room)
                for index in 1..<max(room - 1, 1) { last[index] = ascii[random.next(below: ascii.count)] }
                last[room - 1] = UInt8(ascii: "\n")
                file += last
                json += Array(last.dropLast()) + Array("\\n".utf8)
            }
        }
        return (file, json)
    }

    private static func escaped(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes += Array("\\\"".utf8)
            case UInt8(ascii: "\\"): bytes += Array("\\\\".utf8)
            case UInt8(ascii: "\n"): bytes += Array("\\n".utf8)
            case UInt8(ascii: "\t"): bytes += Array("\\t".utf8)
            default: bytes.append(byte)
            }
        }
        return bytes
    }

    /// Text of `utf8Bytes` bytes with quotes, backslashes, control
    /// characters, newlines and unicode of every width.
    static func parameterText(utf8Bytes: Int, seed: UInt64) -> String {
        var random = SeededRandom(seed: seed)
        let pieces = ["a", "b", "z", "0", "9", " ", "\"", "\\", "/", "\n", "\t", "\u{01}", "é", "❄", "😀", "{", "}"]
        var text = ""
        var count = 0
        while count < utf8Bytes - 4 {
            let piece = pieces[random.next(below: pieces.count)]
            text += piece
            count += piece.utf8.count
        }
        return text + String(repeating: "x", count: utf8Bytes - count)
    }

    /// `count` files `dNN/fNNNNN.txt` under `root`, each with its own content.
    static func writeSmallFiles(_ count: Int, under root: URL, seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        let folders = 100
        for folder in 0..<folders {
            try FileManager.default.createDirectory(
                at: root.appendingPathComponent(String(format: "d%02d", folder)), withIntermediateDirectories: true)
        }
        for index in 0..<count {
            let name = String(format: "d%02d/f%05d.txt", index % folders, index)
            let content = "entry \(index): \(String(random.next(), radix: 16))\n"
            try Data(content.utf8).write(to: root.appendingPathComponent(name))
        }
    }

    /// A shell command that prints one digest of every `f*` file below the
    /// working folder: names and contents, in a fixed order.
    static let treeDigest =
        "find . -type f -name 'f*' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1"

    /// The SHA-256 (by `sha256sum`) and size of a file.
    static func digest(of file: URL) throws -> (sha256: String, bytes: Int) {
        let output = try Fixtures.runTool("/usr/bin/sha256sum", [file.path])
        let sha256 = String(decoding: output.prefix(64), as: UTF8.self)
        let bytes = try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int ?? -1
        return (sha256, bytes)
    }
}
