// The byte-level JSON grammar shared by `JSONParser` and `JSONValidator`, so that
// both accept exactly the same documents.

/// Why a byte sequence is not JSON. Kept free of strings so that the validator can
/// fail without allocating; the parser turns it into Go-style wording.
struct JSONSyntaxError: Error, Equatable {
    enum Context: Equatable {
        case unexpectedEnd
        case tooDeep
        case beginningOfValue
        case beginningOfObjectKey
        case afterObjectKey
        case afterObjectMember
        case afterArrayElement
        case afterTopLevelValue
        case stringLiteral
        case stringEscape
        case unicodeEscape
        case numericLiteral
        case afterDecimalPoint
        case exponent
        /// Inside `true`, `false` or `null` (named by its first byte), expecting `expected`.
        case literal(first: UInt8, expected: UInt8)
    }

    var context: Context
    var offset: Int

    init(_ context: Context, at offset: Int) {
        self.context = context
        self.offset = offset
    }
}

/// Byte values the grammar cares about.
enum JSONByte {
    static let tab: UInt8 = 0x09
    static let lineFeed: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let quote: UInt8 = 0x22
    static let plus: UInt8 = 0x2B
    static let comma: UInt8 = 0x2C
    static let minus: UInt8 = 0x2D
    static let dot: UInt8 = 0x2E
    static let slash: UInt8 = 0x2F
    static let zero: UInt8 = 0x30
    static let nine: UInt8 = 0x39
    static let colon: UInt8 = 0x3A
    static let upperE: UInt8 = 0x45
    static let openBracket: UInt8 = 0x5B
    static let backslash: UInt8 = 0x5C
    static let closeBracket: UInt8 = 0x5D
    static let lowerB: UInt8 = 0x62
    static let lowerE: UInt8 = 0x65
    static let lowerF: UInt8 = 0x66
    static let lowerN: UInt8 = 0x6E
    static let lowerR: UInt8 = 0x72
    static let lowerT: UInt8 = 0x74
    static let lowerU: UInt8 = 0x75
    static let openBrace: UInt8 = 0x7B
    static let closeBrace: UInt8 = 0x7D

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte &- zero <= 9 }
}

/// A read-only view of the input with unchecked access: every caller compares the
/// index with `count` first, and skipping Swift's bounds checks is what makes the
/// loops fast enough for 50 MB bodies.
struct JSONInput {
    let base: UnsafeRawPointer
    let count: Int

    @inline(__always)
    subscript(index: Int) -> UInt8 {
        base.load(fromByteOffset: index, as: UInt8.self)
    }

    /// The bytes in `range`, typed so that appending them to an array is one memcpy
    /// (a raw buffer is appended byte by byte).
    @inline(__always)
    func slice(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: (base + range.lowerBound).assumingMemoryBound(to: UInt8.self), count: range.count)
    }

    /// Index of the first byte at or after `index` that is not JSON whitespace.
    @inline(__always)
    func skipWhitespace(from index: Int) -> Int {
        var i = index
        while i < count {
            switch self[i] {
            case JSONByte.space, JSONByte.lineFeed, JSONByte.carriageReturn, JSONByte.tab: i &+= 1
            default: return i
            }
        }
        return i
    }

    /// Whether every byte in `range` is ASCII (eight bytes per step).
    func isASCII(_ range: Range<Int>) -> Bool {
        var i = range.lowerBound
        var high: UInt64 = 0
        while range.upperBound &- i >= 8 {
            high |= base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i &+= 8
        }
        while i < range.upperBound {
            high |= UInt64(self[i])
            i &+= 1
        }
        return high & 0x8080_8080_8080_8080 == 0
    }

    /// Index of the first byte at or after `index` that ends a run of plain string
    /// content: a quote, a backslash or a control character (or `count`).
    ///
    /// Looks at eight bytes per step, because long strings (base64 code) dominate
    /// the large bodies this proxy handles.
    @inline(__always)
    func plainRunEnd(from index: Int) -> Int {
        var i = index
        while count &- i >= 8 {
            let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let mask = JSONInput.specialByteMask(word)
            if mask != 0 {
                // Bytes are in little-endian order, so the lowest flagged byte is the first one.
                return i &+ (mask.trailingZeroBitCount &>> 3)
            }
            i &+= 8
        }
        while i < count {
            let byte = self[i]
            if byte == JSONByte.quote || byte == JSONByte.backslash || byte < 0x20 { return i }
            i &+= 1
        }
        return i
    }

    /// Sets the high bit of every byte of `word` that is '"', '\\' or below 0x20.
    ///
    /// The classic "has zero byte" tricks: a false positive can only appear above a
    /// real hit (borrows move upwards), so the lowest set bit is always exact.
    @inline(__always)
    static func specialByteMask(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        let quotes = word ^ (ones &* UInt64(JSONByte.quote))
        let backslashes = word ^ (ones &* UInt64(JSONByte.backslash))
        let isQuote = (quotes &- ones) & ~quotes
        let isBackslash = (backslashes &- ones) & ~backslashes
        let isControl = (word &- ones &* 0x20) & ~word
        return (isQuote | isBackslash | isControl) & highBits
    }

    /// Checks the string whose opening quote is at `index`; returns the index after
    /// its closing quote.
    @inline(__always)
    func skipString(at index: Int) throws(JSONSyntaxError) -> Int {
        // Most strings are short and plain: settle those without a call.
        let runEnd = plainRunEnd(from: index &+ 1)
        if runEnd < count && self[runEnd] == JSONByte.quote { return runEnd &+ 1 }
        return try closingQuote(from: runEnd) &+ 1
    }

    /// Checks string content from `index` on; returns the index of the closing quote.
    func closingQuote(from index: Int) throws(JSONSyntaxError) -> Int {
        var i = index
        while true {
            i = plainRunEnd(from: i)
            guard i < count else { throw JSONSyntaxError(.unexpectedEnd, at: count) }
            switch self[i] {
            case JSONByte.quote: return i
            case JSONByte.backslash: i = try skipEscape(at: i)
            default: throw JSONSyntaxError(.stringLiteral, at: i)
            }
        }
    }

    /// Checks the escape sequence whose backslash is at `index`; returns the index after it.
    @inline(__always)
    func skipEscape(at index: Int) throws(JSONSyntaxError) -> Int {
        let letter = index &+ 1
        guard letter < count else { throw JSONSyntaxError(.unexpectedEnd, at: count) }
        switch self[letter] {
        case JSONByte.quote, JSONByte.backslash, JSONByte.slash, JSONByte.lowerB, JSONByte.lowerF,
            JSONByte.lowerN, JSONByte.lowerR, JSONByte.lowerT:
            return letter &+ 1
        case JSONByte.lowerU:
            _ = try hex4(at: letter &+ 1)
            return letter &+ 5
        default:
            throw JSONSyntaxError(.stringEscape, at: letter)
        }
    }

    /// The value of the four hex digits starting at `index` (the XXXX of `\uXXXX`).
    func hex4(at index: Int) throws(JSONSyntaxError) -> UInt16 {
        var value: UInt16 = 0
        for i in index..<(index &+ 4) {
            guard i < count else { throw JSONSyntaxError(.unexpectedEnd, at: count) }
            guard let digit = JSONInput.hexDigitValue(self[i]) else { throw JSONSyntaxError(.unicodeEscape, at: i) }
            value = value &<< 4 | UInt16(digit)
        }
        return value
    }

    /// `hex4(at:)` for digits that have already been checked.
    func checkedHex4(at index: Int) -> UInt16 {
        var value: UInt16 = 0
        for i in index..<(index &+ 4) {
            value = value &<< 4 | UInt16(JSONInput.hexDigitValue(self[i]) ?? 0)
        }
        return value
    }

    private static func hexDigitValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte &- 0x30
        case 0x41...0x46: return byte &- 0x41 &+ 10
        case 0x61...0x66: return byte &- 0x61 &+ 10
        default: return nil
        }
    }

    /// Checks the number starting at `index` (a '-' or a digit); returns the index after it.
    ///
    /// The RFC 8259 grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    /// A digit straight after a leading zero is left for the caller, which reports
    /// it as a character after the value, as Go does.
    @inline(__always)
    func scanNumber(at index: Int) throws(JSONSyntaxError) -> Int {
        var i = index
        if self[i] == JSONByte.minus { i &+= 1 }
        guard i < count else { throw JSONSyntaxError(.unexpectedEnd, at: count) }
        let first = self[i]
        guard JSONByte.isDigit(first) else { throw JSONSyntaxError(.numericLiteral, at: i) }
        i &+= 1
        if first != JSONByte.zero { i = skipDigits(from: i) }

        if i < count && self[i] == JSONByte.dot {
            i &+= 1
            guard i < count else { throw JSONSyntaxError(.unexpectedEnd, at: count) }
            guard JSONByte.isDigit(self[i]) else { throw JSONSyntaxError(.afterDecimalPoint, at: i) }
            i = skipDigits(from: i &+ 1)
        }

        if i < count && (self[i] == JSONByte.lowerE || self[i] == JSONByte.upperE) {
            i &+= 1
            guard i < count else { throw JSONSyntaxError(.unexpectedEnd, at: count) }
            if self[i] == JSONByte.plus || self[i] == JSONByte.minus {
                i &+= 1
                guard i < count else { throw JSONSyntaxError(.unexpectedEnd, at: count) }
            }
            guard JSONByte.isDigit(self[i]) else { throw JSONSyntaxError(.exponent, at: i) }
            i = skipDigits(from: i &+ 1)
        }
        return i
    }

    @inline(__always)
    private func skipDigits(from index: Int) -> Int {
        var i = index
        while i < count && JSONByte.isDigit(self[i]) { i &+= 1 }
        return i
    }

    /// Checks the literal `true`, `false` or `null` whose first byte is at `index`;
    /// returns the index after it.
    @inline(__always)
    func scanLiteral(at index: Int) throws(JSONSyntaxError) -> Int {
        let first = self[index]
        let word: StaticString = first == JSONByte.lowerT ? "true" : first == JSONByte.lowerF ? "false" : "null"
        let letters = word.utf8Start
        for k in 1..<word.utf8CodeUnitCount {
            let i = index &+ k
            guard i < count else { throw JSONSyntaxError(.unexpectedEnd, at: count) }
            guard self[i] == letters[k] else {
                throw JSONSyntaxError(.literal(first: first, expected: letters[k]), at: i)
            }
        }
        return index &+ word.utf8CodeUnitCount
    }
}
