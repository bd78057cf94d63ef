import ActionProxy

/// Base64, as `binary` init code is decoded. The decoder must agree with a
/// plain reference that spells out the accepted syntax (RFC 4648 alphabet,
/// CR and LF ignored anywhere, padding optional but right when present), and
/// encoding any bytes must decode back to them.
enum Base64Target {
    static func run(_ input: UnsafeRawBufferPointer) {
        let expected = ReferenceBase64.decode(input)
        do {
            let decoded = try Base64.decode(input)
            require(
                expected == decoded,
                "Base64.decode accepts input the reference \(expected == nil ? "refuses" : "decodes otherwise")")
        } catch {
            require(expected == nil, "Base64.decode refuses input the reference decodes (\(error))")
            require(error.offset >= 0 && error.offset <= input.count, "a base64 error offset lies outside the input")
        }

        let bytes = Array(input)
        let text = Array(Base64.encode(bytes).utf8)
        require(
            text.count == (bytes.count + 2) / 3 * 4,
            "Base64.encode wrote \(text.count) characters for \(bytes.count) bytes")
        require(
            (try? text.withUnsafeBytes { (raw) throws(Base64Error) in try Base64.decode(raw) }) == bytes,
            "encoded bytes do not decode back to themselves")
    }
}

/// The accepted syntax, written for clarity rather than speed.
enum ReferenceBase64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func decode(_ input: UnsafeRawBufferPointer) -> [UInt8]? {
        let text = input.filter { $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") }
        let padStart = text.firstIndex(of: UInt8(ascii: "=")) ?? text.count
        let padding = text[padStart...]
        var sextets: [UInt8] = []
        for byte in text[..<padStart] {
            guard let value = alphabet.firstIndex(of: byte) else { return nil }
            sextets.append(UInt8(value))
        }
        let tail = sextets.count % 4
        switch (tail, padding.count) {
        case (1, _): return nil
        case (_, 0): break
        case (2, 2), (3, 1): guard padding.allSatisfy({ $0 == UInt8(ascii: "=") }) else { return nil }
        default: return nil
        }
        var output: [UInt8] = []
        var bits: UInt32 = 0
        var count = 0
        for sextet in sextets {
            bits = bits << 6 | UInt32(sextet)
            count += 6
            if count >= 8 {
                count -= 8
                output.append(UInt8(truncatingIfNeeded: bits >> UInt32(count)))
            }
        }
        return output
    }
}
