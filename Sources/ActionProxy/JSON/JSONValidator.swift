/// Checks JSON without building values: every function result passes through here,
/// so it is a single pass that allocates nothing for ordinary documents.
package enum JSONValidator {
    /// Nesting beyond this is rejected; the stack of open containers costs one bit
    /// per level, so the limit only guards against absurd input.
    static let maxDepth = 100_000

    /// True when `bytes` is exactly one valid JSON object or array, with optional
    /// surrounding whitespace. Accepts the same documents as `JSONParser` (apart from
    /// the parser's lower depth limit).
    package static func isObjectOrArray(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        let input = JSONInput(base: base, count: bytes.count)
        let start = input.skipWhitespace(from: 0)
        guard start < input.count, input[start] == JSONByte.openBrace || input[start] == JSONByte.openBracket else {
            return false
        }
        var noWatch: MemberWatch? = nil
        do throws(JSONSyntaxError) {
            return try isSingleValue(input, from: start, watching: &noWatch)
        } catch {
            return false
        }
    }

    /// True when `bytes` is exactly one valid JSON object; on the same pass,
    /// where the value of its top-level member `key` is (its bytes, quotes
    /// included for a string). A key written with escapes is not recognised.
    static func object(_ bytes: UnsafeRawBufferPointer, member key: [UInt8]) -> (isObject: Bool, member: Range<Int>?) {
        guard let base = bytes.baseAddress else { return (false, nil) }
        let input = JSONInput(base: base, count: bytes.count)
        let start = input.skipWhitespace(from: 0)
        guard start < input.count, input[start] == JSONByte.openBrace else { return (false, nil) }
        var watch: MemberWatch? = MemberWatch(key: key)
        do throws(JSONSyntaxError) {
            let valid = try isSingleValue(input, from: start, watching: &watch)
            return (valid, valid ? watch?.value : nil)
        } catch {
            return (false, nil)
        }
    }

    /// One top-level member looked for during a walk.
    private struct MemberWatch {
        let key: [UInt8]
        /// Where its value starts, once its key has been seen and until the value ends.
        var start: Int?
        var value: Range<Int>?

        /// Notes a top-level key (its opening quote at `keyStart`, already
        /// checked) whose value starts at `valueStart`.
        mutating func sawKey(_ input: JSONInput, key keyStart: Int, valueStart: Int) {
            // The key is valid JSON, so its closing quote, which differs from
            // every byte of `key`, bounds this walk.
            var i = keyStart &+ 1
            for byte in key {
                guard input[i] == byte else { return }
                i &+= 1
            }
            if input[i] == JSONByte.quote { start = valueStart }
        }
    }

    /// The same walk as `DocumentParser.parse`, keeping only the kind of each open container.
    private static func isSingleValue(
        _ input: JSONInput, from start: Int, watching watch: inout MemberWatch?
    ) throws(JSONSyntaxError) -> Bool {
        var open = ContainerStack()
        var i = start

        document: while true {
            i = input.skipWhitespace(from: i)
            guard i < input.count else { return false }
            switch input[i] {
            case JSONByte.openBrace, JSONByte.openBracket:
                guard open.depth < maxDepth else { return false }
                let isObject = input[i] == JSONByte.openBrace
                i = input.skipWhitespace(from: i &+ 1)
                guard i < input.count else { return false }
                if input[i] == (isObject ? JSONByte.closeBrace : JSONByte.closeBracket) {
                    i &+= 1
                } else {
                    if isObject {
                        let key = i
                        i = try skipKey(input, at: i)
                        if open.depth == 0 && watch != nil {
                            watch?.sawKey(input, key: key, valueStart: input.skipWhitespace(from: i))
                        }
                    }
                    open.push(isObject: isObject)
                    continue document
                }
            case JSONByte.quote:
                i = try input.skipString(at: i)
            case JSONByte.minus, JSONByte.zero...JSONByte.nine:
                i = try input.scanNumber(at: i)
            case JSONByte.lowerT, JSONByte.lowerF, JSONByte.lowerN:
                i = try input.scanLiteral(at: i)
            default:
                return false
            }

            // A value is complete: expect a separator or the end of its container(s).
            while true {
                if open.depth == 1, let valueStart = watch?.start {
                    watch?.value = valueStart..<i
                    watch?.start = nil
                }
                i = input.skipWhitespace(from: i)
                if open.depth == 0 { return i == input.count }
                guard i < input.count else { return false }
                let byte = input[i]
                if byte == JSONByte.comma {
                    i &+= 1
                    if open.topIsObject {
                        let key = input.skipWhitespace(from: i)
                        i = try skipKey(input, at: key)
                        if open.depth == 1 && watch != nil {
                            watch?.sawKey(input, key: key, valueStart: input.skipWhitespace(from: i))
                        }
                    }
                    continue document
                }
                guard byte == (open.topIsObject ? JSONByte.closeBrace : JSONByte.closeBracket) else { return false }
                open.pop()
                i &+= 1
            }
        }
    }

    /// Checks `"key" :` starting at `index`; returns the index after the colon.
    @inline(__always)
    private static func skipKey(_ input: JSONInput, at index: Int) throws(JSONSyntaxError) -> Int {
        guard index < input.count, input[index] == JSONByte.quote else {
            throw JSONSyntaxError(.beginningOfObjectKey, at: index)
        }
        let colon = input.skipWhitespace(from: try input.skipString(at: index))
        guard colon < input.count, input[colon] == JSONByte.colon else {
            throw JSONSyntaxError(.afterObjectKey, at: colon)
        }
        return colon &+ 1
    }
}

/// One bit per open container (1 = object, 0 = array), innermost in bit 0 of `bits`.
/// Only documents nested deeper than 64 levels spill whole words to the heap.
private struct ContainerStack {
    private var bits: UInt64 = 0
    private var spilled: [UInt64] = []
    private(set) var depth = 0

    var topIsObject: Bool { bits & 1 != 0 }

    @inline(__always)
    mutating func push(isObject: Bool) {
        if depth > 0 && depth & 63 == 0 {
            spilled.append(bits)
            bits = 0
        }
        bits = bits &<< 1 | (isObject ? 1 : 0)
        depth &+= 1
    }

    @inline(__always)
    mutating func pop() {
        depth &-= 1
        bits &>>= 1
        if depth > 0 && depth & 63 == 0, let outer = spilled.popLast() {
            bits = outer
        }
    }
}
