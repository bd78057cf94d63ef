/// The bytes of a string that `JSONParser.parse(_:bytesOfStringAt:)` did not
/// make a `String`.
package enum JSONStringBytes: Equatable, Sendable {
    /// The content had no escapes: it is this range of the input.
    case inInput(Range<Int>)
    /// The content without its escapes.
    case unescaped([UInt8])
}

/// A JSON syntax error, worded like Go's encoding/json because the action proxy
/// reports these messages to clients that know the Go implementation.
package struct JSONError: Error, Equatable, CustomStringConvertible {
    /// The message of a document nested deeper than `JSONParser.maxDepth`.
    package static let tooDeepMessage = "exceeded max depth"

    package let message: String
    /// Zero-based index of the offending byte, or the input length when it ended too early.
    package let offset: Int

    package var description: String { "\(message) at offset \(offset)" }
}

/// Strict RFC 8259 parser.
///
/// Lenient only where Go's encoding/json is: unpaired UTF-16 surrogates in `\u`
/// escapes and invalid UTF-8 inside strings become U+FFFD instead of errors.
package enum JSONParser {
    /// Deepest nesting of arrays and objects accepted. The parser itself keeps its
    /// own stack, but values are compared, serialised and freed recursively.
    package static let maxDepth = 1000

    package static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONError) -> JSONValue {
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            throw JSONError(message: "unexpected end of JSON input", offset: 0)
        }
        let input = JSONInput(base: base, count: bytes.count)
        do throws(JSONSyntaxError) {
            var parser = DocumentParser(input: input)
            return try parser.parse()
        } catch {
            throw JSONError(error, in: input)
        }
    }

    /// Parses `bytes` like `parse(_:)`, but the string at `path` (object keys
    /// from the top, e.g. `["value", "code"]`), when it is ASCII, is not made
    /// a `String`: it stands in the value as `""` and its bytes come back
    /// apart, where they lie in the input when it has no escapes. Megabytes of
    /// code are then copied once at most, not into a `String` and out again.
    /// With duplicate keys these are the bytes of the last string at `path`,
    /// the one that `subscript(key:)` finds; nil when that one is a `String`.
    package static func parse(
        _ bytes: UnsafeRawBufferPointer, bytesOfStringAt path: [String]
    ) throws(JSONError) -> (JSONValue, stringBytes: JSONStringBytes?) {
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            throw JSONError(message: "unexpected end of JSON input", offset: 0)
        }
        let input = JSONInput(base: base, count: bytes.count)
        var parser = DocumentParser(input: input, bytesPath: path)
        do throws(JSONSyntaxError) {
            let value = try parser.parse()
            return (value, parser.pathBytes)
        } catch {
            throw JSONError(error, in: input)
        }
    }

    static func parse(_ bytes: [UInt8]) throws(JSONError) -> JSONValue {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(JSONError) -> JSONValue in try parse(buffer) }
        }
        return try result.get()
    }
}

/// The parse of one document. Iterative, with an explicit stack of open containers,
/// so that nesting costs heap rather than the server thread's stack.
private struct DocumentParser {
    let input: JSONInput
    /// See `JSONParser.parse(_:bytesOfStringAt:)`; empty: every string is a `String`.
    let bytesPath: [String]
    /// The bytes of the last string at `bytesPath`, unless it is a `String`.
    private(set) var pathBytes: JSONStringBytes?

    init(input: JSONInput, bytesPath: [String] = []) {
        self.input = input
        self.bytesPath = bytesPath
    }

    /// An array or object whose closing bracket has not been seen yet.
    private struct OpenContainer {
        let isObject: Bool
        var elements: [JSONValue] = []
        var members: [JSONMember] = []
        /// The key whose value is being parsed (objects only).
        var key: String = ""
    }

    mutating func parse() throws(JSONSyntaxError) -> JSONValue {
        var open: [OpenContainer] = []
        var i = 0

        document: while true {
            // A value starts here: either a scalar or the opening of a container.
            i = input.skipWhitespace(from: i)
            guard i < input.count else { throw JSONSyntaxError(.unexpectedEnd, at: input.count) }
            var value: JSONValue
            switch input[i] {
            case JSONByte.openBrace, JSONByte.openBracket:
                guard open.count < JSONParser.maxDepth else { throw JSONSyntaxError(.tooDeep, at: i) }
                let isObject = input[i] == JSONByte.openBrace
                i = input.skipWhitespace(from: i + 1)
                guard i < input.count else { throw JSONSyntaxError(.unexpectedEnd, at: input.count) }
                if input[i] == (isObject ? JSONByte.closeBrace : JSONByte.closeBracket) {
                    i += 1
                    value = isObject ? .object([]) : .array([])
                } else if isObject {
                    let key: String
                    (key, i) = try parseKey(at: i)
                    open.append(OpenContainer(isObject: true, key: key))
                    continue document
                } else {
                    open.append(OpenContainer(isObject: false))
                    continue document
                }
            case JSONByte.quote:
                if isBytesPath(open) {
                    pathBytes = nil
                    let start = i + 1
                    let end = try input.closingQuote(from: input.plainRunEnd(from: start))
                    // ASCII escapes and raw bytes give valid UTF-8 (what `String` would repair stays a `String`).
                    if input.isASCII(start..<end) {
                        let plain = input.plainRunEnd(from: start) == end
                        pathBytes = plain ? .inInput(start..<end) : .unescaped(unescapedBytes(start..<end))
                        i = end + 1
                        value = .string("")
                        break
                    }
                }
                let text: String
                (text, i) = try parseString(at: i)
                value = .string(text)
            case JSONByte.minus, JSONByte.zero...JSONByte.nine:
                let end = try input.scanNumber(at: i)
                value = .number(String(decoding: input.slice(i..<end), as: UTF8.self))
                i = end
            case JSONByte.lowerT, JSONByte.lowerF, JSONByte.lowerN:
                let first = input[i]
                i = try input.scanLiteral(at: i)
                value = first == JSONByte.lowerN ? .null : .bool(first == JSONByte.lowerT)
            default:
                throw JSONSyntaxError(.beginningOfValue, at: i)
            }

            // The value is complete: add it to the innermost container, and keep
            // closing containers for as long as closing brackets follow.
            while true {
                i = input.skipWhitespace(from: i)
                guard let top = open.indices.last else {
                    guard i == input.count else { throw JSONSyntaxError(.afterTopLevelValue, at: i) }
                    return value
                }
                guard i < input.count else { throw JSONSyntaxError(.unexpectedEnd, at: input.count) }
                let byte = input[i]
                if open[top].isObject {
                    open[top].members.append(JSONMember(key: open[top].key, value: value))
                    if byte == JSONByte.comma {
                        (open[top].key, i) = try parseKey(at: input.skipWhitespace(from: i + 1))
                        continue document
                    }
                    guard byte == JSONByte.closeBrace else { throw JSONSyntaxError(.afterObjectMember, at: i) }
                    value = .object(open.removeLast().members)
                } else {
                    open[top].elements.append(value)
                    if byte == JSONByte.comma {
                        i += 1
                        continue document
                    }
                    guard byte == JSONByte.closeBracket else { throw JSONSyntaxError(.afterArrayElement, at: i) }
                    value = .array(open.removeLast().elements)
                }
                i += 1
            }
        }
    }

    /// Whether a value that starts now sits at `bytesPath`.
    private func isBytesPath(_ open: [OpenContainer]) -> Bool {
        guard !bytesPath.isEmpty, open.count == bytesPath.count else { return false }
        for (container, key) in zip(open, bytesPath) where !container.isObject || container.key != key {
            return false
        }
        return true
    }

    /// Parses `"key" :` starting at `index`; returns the key and the index after the colon.
    private func parseKey(at index: Int) throws(JSONSyntaxError) -> (String, Int) {
        guard index < input.count else { throw JSONSyntaxError(.unexpectedEnd, at: input.count) }
        guard input[index] == JSONByte.quote else { throw JSONSyntaxError(.beginningOfObjectKey, at: index) }
        let (key, end) = try parseString(at: index)
        let colon = input.skipWhitespace(from: end)
        guard colon < input.count else { throw JSONSyntaxError(.unexpectedEnd, at: input.count) }
        guard input[colon] == JSONByte.colon else { throw JSONSyntaxError(.afterObjectKey, at: colon) }
        return (key, colon + 1)
    }

    /// Parses the string whose opening quote is at `index`; returns its text and the
    /// index after the closing quote.
    private func parseString(at index: Int) throws(JSONSyntaxError) -> (String, Int) {
        let start = index + 1
        let runEnd = input.plainRunEnd(from: start)
        if runEnd < input.count && input[runEnd] == JSONByte.quote {
            // No escapes: the common case, and the one for huge strings.
            return (String(decoding: input.slice(start..<runEnd), as: UTF8.self), runEnd + 1)
        }
        // Checking first lets decoding write into a buffer of known size, without errors.
        let end = try input.closingQuote(from: runEnd)
        return (unescapedString(start..<end), end + 1)
    }

    /// Decodes string content already checked by `closingQuote(from:)`.
    private func unescapedString(_ content: Range<Int>) -> String {
        // Escapes only shrink: `\n` is two bytes for one, `\uXXXX` six for at most three.
        String(unsafeUninitializedCapacity: content.count) { unescape(content, into: $0) }
    }

    /// `unescapedString` as bytes, for content known to be ASCII.
    private func unescapedBytes(_ content: Range<Int>) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: content.count) { buffer, written in
            written = unescape(content, into: buffer)
        }
    }

    /// Writes checked string content without its escapes; returns the count written.
    private func unescape(_ content: Range<Int>, into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        guard let output = buffer.baseAddress else { return 0 }
        HugePages.advise(UnsafeMutableRawPointer(output), count: buffer.count)
        var written = 0
        var i = content.lowerBound
        while i < content.upperBound {
            let runEnd = min(input.plainRunEnd(from: i), content.upperBound)
            let run = input.slice(i..<runEnd)
            if let runStart = run.baseAddress {
                (output + written).update(from: runStart, count: run.count)
            }
            written += run.count
            i = runEnd
            guard i < content.upperBound else { break }
            i = unescape(at: i, into: output, written: &written)
        }
        return written
    }

    /// Writes the UTF-8 of the (checked) escape sequence whose backslash is at `index`;
    /// returns the index after it.
    private func unescape(at index: Int, into output: UnsafeMutablePointer<UInt8>, written: inout Int) -> Int {
        let simple: UInt8
        switch input[index + 1] {
        case JSONByte.lowerB: simple = 0x08
        case JSONByte.lowerF: simple = 0x0C
        case JSONByte.lowerN: simple = JSONByte.lineFeed
        case JSONByte.lowerR: simple = JSONByte.carriageReturn
        case JSONByte.lowerT: simple = JSONByte.tab
        case JSONByte.lowerU:
            let (scalar, end) = unicodeEscape(at: index)
            for byte in scalar.utf8 {
                output[written] = byte
                written += 1
            }
            return end
        case let letter: simple = letter  // '"', '\\' and '/' stand for themselves
        }
        output[written] = simple
        written += 1
        return index + 2
    }

    /// Decodes the (checked) `\uXXXX` at `index`, pairing a lead surrogate with a
    /// following trail one. Unpaired surrogates become U+FFFD, as in Go.
    private func unicodeEscape(at index: Int) -> (Unicode.Scalar, end: Int) {
        let unit = input.checkedHex4(at: index + 2)
        let next = index + 6
        if UTF16.isLeadSurrogate(unit),
            next + 5 < input.count, input[next] == JSONByte.backslash, input[next + 1] == JSONByte.lowerU,
            case let trail = input.checkedHex4(at: next + 2), UTF16.isTrailSurrogate(trail)
        {
            let value = 0x10000 + (UInt32(unit - 0xD800) << 10) + UInt32(trail - 0xDC00)
            return (Unicode.Scalar(value) ?? "\u{FFFD}", next + 6)
        }
        // A surrogate is not a scalar on its own; the escape after an unpaired lead
        // surrogate is decoded separately.
        return (Unicode.Scalar(unit) ?? "\u{FFFD}", next)
    }
}

extension JSONError {
    /// Words a syntax error the way Go's encoding/json does.
    init(_ error: JSONSyntaxError, in input: JSONInput) {
        let offset = error.offset
        let character = offset < input.count ? JSONError.quoted(input[offset]) : "EOF"
        let message: String
        switch error.context {
        case .unexpectedEnd: message = "unexpected end of JSON input"
        case .tooDeep: message = JSONError.tooDeepMessage
        case .beginningOfValue: message = "invalid character \(character) looking for beginning of value"
        case .beginningOfObjectKey:
            message = "invalid character \(character) looking for beginning of object key string"
        case .afterObjectKey: message = "invalid character \(character) after object key"
        case .afterObjectMember: message = "invalid character \(character) after object key:value pair"
        case .afterArrayElement: message = "invalid character \(character) after array element"
        case .afterTopLevelValue: message = "invalid character \(character) after top-level value"
        case .stringLiteral: message = "invalid character \(character) in string literal"
        case .stringEscape: message = "invalid character \(character) in string escape code"
        case .unicodeEscape: message = "invalid character \(character) in \\u hexadecimal character escape"
        case .numericLiteral: message = "invalid character \(character) in numeric literal"
        case .afterDecimalPoint: message = "invalid character \(character) after decimal point in numeric literal"
        case .exponent: message = "invalid character \(character) in exponent of numeric literal"
        case .literal(let first, let expected):
            let word = first == JSONByte.lowerT ? "true" : first == JSONByte.lowerF ? "false" : "null"
            message = "invalid character \(character) in literal \(word) (expecting \(JSONError.quoted(expected)))"
        }
        self.init(message: message, offset: offset)
    }

    /// A byte in single quotes, escaped when it would not print (Go's quoteChar).
    private static func quoted(_ byte: UInt8) -> String {
        switch byte {
        case 0x27: return "'\\''"
        case JSONByte.lineFeed: return "'\\n'"
        case JSONByte.carriageReturn: return "'\\r'"
        case JSONByte.tab: return "'\\t'"
        case 0x20..<0x7F: return "'\(Character(Unicode.Scalar(byte)))'"
        default:
            let hex = String(byte, radix: 16)
            return "'\\x\(hex.count == 1 ? "0" + hex : hex)'"
        }
    }
}
