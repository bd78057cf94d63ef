/// Bad base64 input, worded as Go's encoding/base64 does.
package struct Base64Error: Error, Equatable, CustomStringConvertible {
    /// Zero-based index of the offending byte, or the input length when the input
    /// ended in the middle of a quantum.
    package let offset: Int

    package var description: String { "illegal base64 data at input byte \(offset)" }
}

/// Standard-alphabet base64 (RFC 4648 §4), for action code shipped inside JSON.
///
/// Decoding follows Go's StdEncoding: '\r' and '\n' are ignored anywhere. It is more
/// lenient in one respect: the final padding may be left out.
package enum Base64 {
    package static func encode(_ bytes: [UInt8]) -> String {
        let length = (bytes.count + 2) / 3 * 4
        guard length > 0 else { return "" }
        return bytes.withUnsafeBufferPointer { source in
            alphabet.withUnsafeBufferPointer { alphabet in
                String(unsafeUninitializedCapacity: length) { output in
                    encode(source, into: output, alphabet: alphabet)
                    return length
                }
            }
        }
    }

    private static func encode(
        _ source: UnsafeBufferPointer<UInt8>,
        into output: UnsafeMutableBufferPointer<UInt8>,
        alphabet: UnsafeBufferPointer<UInt8>
    ) {
        var i = 0
        var o = 0
        while source.count - i >= 3 {
            let group = UInt32(source[i]) << 16 | UInt32(source[i + 1]) << 8 | UInt32(source[i + 2])
            output[o] = alphabet[Int(group >> 18)]
            output[o + 1] = alphabet[Int(group >> 12 & 0x3F)]
            output[o + 2] = alphabet[Int(group >> 6 & 0x3F)]
            output[o + 3] = alphabet[Int(group & 0x3F)]
            i += 3
            o += 4
        }
        let remaining = source.count - i
        guard remaining > 0 else { return }
        let group = UInt32(source[i]) << 16 | (remaining == 2 ? UInt32(source[i + 1]) << 8 : 0)
        output[o] = alphabet[Int(group >> 18)]
        output[o + 1] = alphabet[Int(group >> 12 & 0x3F)]
        output[o + 2] = remaining == 2 ? alphabet[Int(group >> 6 & 0x3F)] : padding
        output[o + 3] = padding
    }

    static func decode(_ text: String) throws(Base64Error) -> [UInt8] {
        let result =
            text.utf8.withContiguousStorageIfAvailable { decodeResult(UnsafeRawBufferPointer($0)) }
            ?? Array(text.utf8).withUnsafeBytes { decodeResult($0) }
        return try result.get()
    }

    package static func decode(_ bytes: UnsafeRawBufferPointer) throws(Base64Error) -> [UInt8] {
        try decodeResult(bytes).get()
    }

    /// A `Result` because the array initializer's closure cannot throw a typed error.
    private static func decodeResult(_ bytes: UnsafeRawBufferPointer) -> Result<[UInt8], Base64Error> {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return .success([]) }
        var failure: Base64Error?
        // Every four input bytes give at most three, plus two for an unpadded tail.
        let capacity = bytes.count / 4 * 3 + 2
        let decoded = decodeTable.withUnsafeBufferPointer { table in
            [UInt8](unsafeUninitializedCapacity: capacity) { output, written in
                HugePages.advise(UnsafeMutableRawPointer(output.baseAddress), count: output.count)
                var decoder = Decoder(input: JSONInput(base: base, count: bytes.count), table: table, output: output)
                do throws(Base64Error) {
                    try decoder.run()
                } catch {
                    failure = error
                }
                written = decoder.written
            }
        }
        if let failure { return .failure(failure) }
        return .success(decoded)
    }

    private static let padding = UInt8(ascii: "=")

    private static let alphabet: [UInt8] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Marks bytes outside the alphabet in `decodeTable`; any value with a bit of
    /// 0xC0 set is not a sextet, so a whole quantum is checked with one test.
    private static let notInAlphabet: UInt8 = 0xFF

    /// Sextet value of every byte, or `notInAlphabet`.
    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: notInAlphabet, count: 256)
        for (value, character) in alphabet.enumerated() {
            table[Int(character)] = UInt8(value)
        }
        return table
    }()

    private struct Decoder {
        let input: JSONInput
        let table: UnsafeBufferPointer<UInt8>
        let output: UnsafeMutableBufferPointer<UInt8>
        private(set) var written = 0
        private var i = 0

        init(input: JSONInput, table: UnsafeBufferPointer<UInt8>, output: UnsafeMutableBufferPointer<UInt8>) {
            self.input = input
            self.table = table
            self.output = output
        }

        mutating func run() throws(Base64Error) {
            while true {
                decodeWholeQuanta()
                guard i < input.count else { return }
                if try !decodeQuantumSlowly() { return }
            }
        }

        /// The fast path: groups of four alphabet characters, as in unbroken base64.
        /// Stops at the first group with anything else in it.
        @inline(__always)
        private mutating func decodeWholeQuanta() {
            while input.count &- i >= 4 {
                let a = table[Int(input[i])]
                let b = table[Int(input[i &+ 1])]
                let c = table[Int(input[i &+ 2])]
                let d = table[Int(input[i &+ 3])]
                guard (a | b | c | d) & 0xC0 == 0 else { return }
                let group = UInt32(a) &<< 18 | UInt32(b) &<< 12 | UInt32(c) &<< 6 | UInt32(d)
                output[written] = UInt8(truncatingIfNeeded: group &>> 16)
                output[written &+ 1] = UInt8(truncatingIfNeeded: group &>> 8)
                output[written &+ 2] = UInt8(truncatingIfNeeded: group)
                written &+= 3
                i &+= 4
            }
        }

        /// Decodes one quantum byte by byte, skipping line breaks and handling padding
        /// and the end of input. Returns false when the input is complete.
        private mutating func decodeQuantumSlowly() throws(Base64Error) -> Bool {
            var group: UInt32 = 0
            var sextets = 0
            var lastSextetOffset = 0
            while sextets < 4 {
                guard i < input.count else {
                    // The input ends without padding: accepted unless a byte is cut in half.
                    if sextets == 1 { throw Base64Error(offset: lastSextetOffset) }
                    flush(group, sextets: sextets)
                    return false
                }
                let byte = input[i]
                let value = table[Int(byte)]
                if value != Base64.notInAlphabet {
                    group = group << 6 | UInt32(value)
                    sextets += 1
                    lastSextetOffset = i
                } else if byte == Base64.padding {
                    try finishAfterPadding(group, sextets: sextets)
                    return false
                } else if byte != JSONByte.lineFeed && byte != JSONByte.carriageReturn {
                    throw Base64Error(offset: i)
                }
                i += 1
            }
            flush(group, sextets: 4)
            return true
        }

        /// Checks the padding starting at `i`, and that only line breaks follow it.
        private mutating func finishAfterPadding(_ group: UInt32, sextets: Int) throws(Base64Error) {
            // "xx==" or "xxx=": padding anywhere else is misplaced.
            guard sextets >= 2 else { throw Base64Error(offset: i) }
            i += 1
            if sextets == 2 {
                skipLineBreaks()
                guard i < input.count else { throw Base64Error(offset: input.count) }
                guard input[i] == Base64.padding else { throw Base64Error(offset: i) }
                i += 1
            }
            skipLineBreaks()
            guard i == input.count else { throw Base64Error(offset: i) }
            flush(group, sextets: sextets)
        }

        private mutating func skipLineBreaks() {
            while i < input.count && (input[i] == JSONByte.lineFeed || input[i] == JSONByte.carriageReturn) {
                i += 1
            }
        }

        /// Writes the whole bytes held by the first `sextets` sextets of a quantum.
        private mutating func flush(_ group: UInt32, sextets: Int) {
            let aligned = group << (6 * UInt32(4 - sextets))
            for k in 0..<(sextets * 6 / 8) {
                output[written] = UInt8(truncatingIfNeeded: aligned >> (16 - 8 * UInt32(k)))
                written += 1
            }
        }
    }
}
