/// A parsed JSON document.
///
/// Numbers keep their literal text so that values pass through the proxy unchanged
/// (no rounding of large integers, no reformatting of `1e3`). Object members keep
/// document order and duplicates, so that re-serialising changes nothing but spacing.
package enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    /// The number's literal text as it appeared, e.g. "5", "-1.5e3".
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Members in document order; duplicate keys are kept as they come.
    case object([JSONMember])
}

package struct JSONMember: Equatable, Sendable {
    package var key: String
    package var value: JSONValue
}

extension JSONValue {
    /// The value of the last member named `key` (duplicates resolve as in Go's
    /// encoding/json), or nil when there is none or this is not an object.
    subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last(where: { $0.key == key })?.value
    }

    var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    var boolValue: Bool? {
        if case .bool(let flag) = self { return flag }
        return nil
    }

    /// Compact JSON text: no whitespace; in strings only '"', '\\' and control
    /// characters are escaped, everything else (including non-ASCII and '/') is
    /// written as-is.
    var compactText: String {
        String(decoding: compactUTF8, as: UTF8.self)
    }

    /// `compactText` as UTF-8 bytes, ready to be written out without another copy.
    package var compactUTF8: [UInt8] {
        var writer = JSONWriter()
        writer.write(self)
        return writer.output
    }
}

/// Serialises values into UTF-8 bytes.
struct JSONWriter {
    private(set) var output: [UInt8] = []

    mutating func write(_ value: JSONValue) {
        switch value {
        case .null:
            append("null")
        case .bool(let flag):
            append(flag ? "true" : "false")
        case .number(let literal):
            output.append(contentsOf: literal.utf8)
        case .string(let text):
            writeString(text)
        case .array(let elements):
            output.append(JSONByte.openBracket)
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(JSONByte.comma) }
                write(element)
            }
            output.append(JSONByte.closeBracket)
        case .object(let members):
            output.append(JSONByte.openBrace)
            for (index, member) in members.enumerated() {
                if index > 0 { output.append(JSONByte.comma) }
                writeString(member.key)
                output.append(JSONByte.colon)
                write(member.value)
            }
            output.append(JSONByte.closeBrace)
        }
    }

    private mutating func append(_ word: StaticString) {
        output.append(contentsOf: UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount))
    }

    mutating func writeString(_ text: String) {
        let done: Void? = text.utf8.withContiguousStorageIfAvailable { utf8 in
            writeString(utf8: UnsafeRawBufferPointer(utf8))
        }
        if done == nil {
            Array(text.utf8).withUnsafeBytes { writeString(utf8: $0) }
        }
    }

    /// Copies runs of bytes that need no escaping in one go: strings can be megabytes long.
    private mutating func writeString(utf8: UnsafeRawBufferPointer) {
        let needed = output.count + utf8.count + 2
        if needed > output.capacity {
            // Room for what usually follows a long string, so that a few closing
            // brackets do not copy megabytes into a doubled buffer.
            output.reserveCapacity(needed + needed / 16 + 64)
        }
        output.append(JSONByte.quote)
        guard let base = utf8.baseAddress else {
            output.append(JSONByte.quote)
            return
        }
        let input = JSONInput(base: base, count: utf8.count)
        var runStart = 0
        while true {
            let runEnd = input.plainRunEnd(from: runStart)
            output.append(contentsOf: input.slice(runStart..<runEnd))
            guard runEnd < input.count else { break }
            writeEscape(for: input[runEnd])
            runStart = runEnd + 1
        }
        output.append(JSONByte.quote)
    }

    private mutating func writeEscape(for byte: UInt8) {
        let letter: UInt8
        switch byte {
        case JSONByte.quote: letter = JSONByte.quote
        case JSONByte.backslash: letter = JSONByte.backslash
        case 0x08: letter = JSONByte.lowerB
        case 0x0C: letter = JSONByte.lowerF
        case JSONByte.lineFeed: letter = JSONByte.lowerN
        case JSONByte.carriageReturn: letter = JSONByte.lowerR
        case JSONByte.tab: letter = JSONByte.lowerT
        default:
            // Other control characters have no short form.
            let hexDigits: StaticString = "0123456789abcdef"
            let digits = hexDigits.utf8Start
            output.append(contentsOf: [
                JSONByte.backslash, JSONByte.lowerU, JSONByte.zero, JSONByte.zero,
                digits[Int(byte >> 4)], digits[Int(byte & 0x0F)],
            ])
            return
        }
        output.append(JSONByte.backslash)
        output.append(letter)
    }
}
