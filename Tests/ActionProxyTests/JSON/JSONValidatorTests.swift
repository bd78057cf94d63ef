import Foundation
import Testing

@testable import ActionProxy

private func isObjectOrArray(_ bytes: [UInt8]) -> Bool {
    bytes.withUnsafeBytes { JSONValidator.isObjectOrArray($0) }
}

private func isObjectOrArray(_ text: String) -> Bool {
    isObjectOrArray(Array(text.utf8))
}

/// What the validator should answer according to the parser.
private func parserSaysObjectOrArray(_ bytes: [UInt8]) -> Bool {
    switch try? JSONParser.parse(bytes) {
    case .object?, .array?: return true
    default: return false
    }
}

/// Inputs with the validator's expected answer. `foundationAgrees` is false where
/// JSONSerialization is deliberately not followed: it rejects lone surrogates, and
/// on Linux it accepts trailing commas and a byte order mark, which RFC 8259 and Go do not.
private let validityTable: [(text: String, valid: Bool, foundationAgrees: Bool)] = [
    // Valid objects and arrays.
    ("{}", true, true),
    ("[]", true, true),
    ("[1,2]", true, true),
    ("{\"a\":[{}]}\n", true, true),
    (" \t\r\n{\"a\":1}\r\n\t ", true, true),
    ("[null,true,false]", true, true),
    ("[0,-0,1.5,-1.5e3,1E+2,1e-2,0.0e0]", true, true),
    ("{\"a\":{\"b\":{\"c\":[[],[{}]]}}}", true, true),
    ("[\"\",\"a\",\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]", true, true),
    ("[\"\\u0041\\u00e9\\u2744\\ud83d\\ude00\"]", true, true),
    ("[\"❄ ☃ ❄\"]", true, true),
    ("{\"a\":1,\"a\":2}", true, true),
    ("[ 1 , [ 2 , [ 3 ] ] ]", true, true),
    ("{\"\":\"\"}", true, true),
    ("[\"\u{7F}\"]", true, true),
    ("[123456789012345678901234567890]", true, true),
    ("[{\"k\":[1,{\"k\":[2,{\"k\":null}]}]}]", true, true),
    ("[\"\\ud800\"]", true, false),
    ("[\"\\udc00\\ud800\"]", true, false),
    // Valid JSON, but not an object or array.
    ("\"str\"", false, true),
    ("1", false, true),
    ("-1.5", false, true),
    ("true", false, true),
    ("false", false, true),
    ("null", false, true),
    (" \"x\" ", false, true),
    // Truncated.
    ("", false, true),
    ("   ", false, true),
    ("{", false, true),
    ("[", false, true),
    ("{\"a\":1", false, true),
    ("{\"a\":", false, true),
    ("{\"a\"", false, true),
    ("{\"a", false, true),
    ("[1,", false, true),
    ("[\"abc", false, true),
    ("[\"abc\\", false, true),
    ("[\"\\u12", false, true),
    ("[tru", false, true),
    ("[1e", false, true),
    ("[-", false, true),
    // Trailing garbage.
    ("{\"a\":1}x", false, true),
    ("{}{}", false, true),
    ("[]]", false, true),
    ("{}}", false, true),
    ("[] 1", false, true),
    ("{} \u{0}", false, true),
    // Trailing or missing commas.
    ("[1,2,]", false, false),
    ("{\"a\":1,}", false, false),
    ("[1,,2]", false, true),
    ("[,]", false, true),
    ("[1 2]", false, true),
    ("{\"a\":1 \"b\":2}", false, true),
    // Bad structure.
    ("{\"a\"}", false, true),
    ("{\"a\" 1}", false, true),
    ("{a:1}", false, true),
    ("{1:1}", false, true),
    ("{'a':1}", false, true),
    ("['a']", false, true),
    ("[}", false, true),
    ("{]", false, true),
    ("{\"a\":1]", false, true),
    ("[{]}", false, true),
    ("[[]", false, true),
    // Bad numbers.
    ("[01]", false, true),
    ("[+1]", false, true),
    ("[.5]", false, true),
    ("[1.]", false, true),
    ("[1.e2]", false, true),
    ("[1e+]", false, true),
    ("[NaN]", false, true),
    ("[Infinity]", false, true),
    ("[0x1]", false, true),
    ("[--1]", false, true),
    // Bad literals.
    ("[True]", false, true),
    ("[nul]", false, true),
    ("[nulll]", false, true),
    ("[undefined]", false, true),
    // Bad strings.
    ("[\"a\nb\"]", false, true),
    ("[\"a\tb\"]", false, true),
    ("[\"\u{1}\"]", false, true),
    ("[\"\\x\"]", false, true),
    ("[\"\\u12G4\"]", false, true),
    ("[\"\\U1234\"]", false, true),
    ("[\"a\"\"]", false, true),
    // Whitespace that JSON does not allow.
    ("\u{0C}[]", false, true),
    ("[\u{0B}]", false, true),
    ("\u{A0}[]", false, true),
    ("\u{FEFF}[]", false, false),
]

@Suite("JSON validator")
struct JSONValidatorTests {
    @Test("answers the table of valid and invalid inputs")
    func table() {
        #expect(validityTable.count >= 60)
        for entry in validityTable {
            #expect(isObjectOrArray(entry.text) == entry.valid, "\(entry.text.debugDescription)")
        }
    }

    @Test("agrees with the parser on the table")
    func agreesWithParserOnTable() {
        for entry in validityTable {
            let bytes = Array(entry.text.utf8)
            #expect(isObjectOrArray(bytes) == parserSaysObjectOrArray(bytes), "\(entry.text.debugDescription)")
        }
    }

    @Test("agrees with JSONSerialization on the table, apart from its known leniencies")
    func agreesWithFoundationOnTable() {
        for entry in validityTable where entry.foundationAgrees {
            let object = try? JSONSerialization.jsonObject(with: Data(entry.text.utf8), options: [])
            let foundationSays = object is [Any] || object is [String: Any]
            #expect(isObjectOrArray(entry.text) == foundationSays, "\(entry.text.debugDescription)")
        }
    }

    @Test("agrees with the parser on thousands of randomly mutated documents")
    func agreesWithParserOnMutations() {
        var generator = SeededRandom(seed: 0x5EED)
        let seeds =
            validityTable.filter(\.valid).map { Array($0.text.utf8) } + [
                Array(#"{"value": {"name": "x", "code": "QUJD+/==", "binary": false, "n": [1, -2.5e3, 0]}}"#.utf8),
                Array("[\"\\ud83d\\ude00\", {\"k\": [true, null, \"\\n\"]}]".utf8),
            ]
        let interesting = Array("{}[]\":,\\ 0123456789eE.-+tfnulr/ubx\n\t".utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xFF]
        var validCount = 0
        for _ in 0..<5000 {
            var bytes = seeds[generator.next(below: seeds.count)]
            for _ in 0...generator.next(below: 3) {
                mutate(&bytes, interesting: interesting, using: &generator)
            }
            let validatorSays = isObjectOrArray(bytes)
            #expect(
                validatorSays == parserSaysObjectOrArray(bytes),
                "\(String(decoding: bytes, as: UTF8.self).debugDescription)")
            if validatorSays { validCount += 1 }
        }
        // The mutations should leave a fair share of inputs valid, or the test proves little.
        #expect(validCount > 250)
    }

    @Test("agrees with the parser on random documents built from the grammar")
    func agreesWithParserOnGeneratedDocuments() {
        var generator = SeededRandom(seed: 42)
        for _ in 0..<2000 {
            var text = ""
            appendRandomValue(to: &text, depth: 0, using: &generator)
            let bytes = Array(text.utf8)
            let isContainer = text.first == "[" || text.first == "{"
            #expect(isObjectOrArray(bytes) == isContainer, "\(text.debugDescription)")
            #expect(parserSaysObjectOrArray(bytes) == isContainer, "\(text.debugDescription)")
        }
    }

    @Test("tracks container kinds correctly past 64 levels, where the bit stack spills")
    func deepMixedNesting() {
        for depth in [1, 63, 64, 65, 127, 128, 129, 200, 1000] {
            var open = ""
            var close = ""
            for level in 0..<depth {
                if level % 3 == 0 {
                    open += "{\"k\":"
                    close = "}" + close
                } else {
                    open += "["
                    close = "]" + close
                }
            }
            let document = open + "1" + close
            #expect(isObjectOrArray(document), "depth \(depth)")
            #expect(isObjectOrArray(open + "[1,{\"a\":[]}]" + close), "depth \(depth)")
            // Swapping the innermost and outermost closing brackets must be noticed.
            let swapped = open + "1" + String(close.dropLast()) + (close.last == "}" ? "]" : "}")
            #expect(!isObjectOrArray(swapped), "depth \(depth)")
            #expect(!isObjectOrArray(open + "1" + close.dropLast()), "depth \(depth)")
        }
    }

    @Test("closes containers in the right order after a spill and refill")
    func spillAndRefill() {
        // Go 70 deep, come back to 60, go 70 deep again, and close everything.
        let down = String(repeating: "[", count: 70)
        let partialUp = String(repeating: "]", count: 10)
        let back = String(repeating: "[", count: 10) + String(repeating: "]", count: 10)
        let rest = String(repeating: "]", count: 60)
        #expect(isObjectOrArray(down + partialUp + "," + back + rest))
        #expect(!isObjectOrArray(down + partialUp + "," + back + rest + "]"))
        let objects = String(repeating: "{\"a\":", count: 70) + "[]" + String(repeating: "}", count: 70)
        #expect(isObjectOrArray(objects))
        #expect(
            !isObjectOrArray(String(repeating: "{\"a\":", count: 70) + "[]" + String(repeating: "}", count: 69) + "]"))
    }

    @Test("accepts 100,000 levels of nesting and rejects deeper input")
    func depthLimit() {
        let limit = JSONValidator.maxDepth
        #expect(isObjectOrArray(String(repeating: "[", count: limit) + String(repeating: "]", count: limit)))
        #expect(!isObjectOrArray(String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1)))
        #expect(!isObjectOrArray(String(repeating: "[", count: 1_000_000)))
    }

    @Test("rejects an empty buffer without a base address")
    func emptyBuffer() {
        #expect(!JSONValidator.isObjectOrArray(UnsafeRawBufferPointer(start: nil, count: 0)))
    }

    @Test("validates a document holding one long string")
    func longString() {
        let code = String(repeating: "QUJD+/09", count: 500_000)
        #expect(isObjectOrArray("{\"value\": {\"code\": \"\(code)\"}}"))
        #expect(!isObjectOrArray("{\"value\": {\"code\": \"\(code)\u{1}\"}}"))
        #expect(!isObjectOrArray("{\"value\": {\"code\": \"\(code)}}"))
    }

    @Test("finds quotes, backslashes and control characters at every offset of the eight-byte scan")
    func plainRunEnd() {
        var generator = SeededRandom(seed: 99)
        for _ in 0..<3000 {
            let length = generator.next(below: 48)
            var bytes = (0..<length).map { _ in UInt8(0x20 + generator.next(below: 0xE0)) }
            bytes = bytes.map { $0 == 0x22 || $0 == 0x5C ? 0x41 : $0 }
            if length > 0 && generator.next(below: 4) != 0 {
                let specials: [UInt8] = [0x22, 0x5C, 0x00, 0x1F, 0x0A]
                bytes[generator.next(below: length)] = specials[generator.next(below: specials.count)]
            }
            let start = length > 0 ? generator.next(below: length) : 0
            let expected = bytes[start...].firstIndex { $0 == 0x22 || $0 == 0x5C || $0 < 0x20 } ?? length
            bytes.withUnsafeBytes { buffer in
                guard let base = buffer.baseAddress else { return }
                #expect(JSONInput(base: base, count: length).plainRunEnd(from: start) == expected)
            }
        }
    }
}

/// One random change: delete, insert, replace, duplicate or truncate.
private func mutate(_ bytes: inout [UInt8], interesting: [UInt8], using generator: inout SeededRandom) {
    guard !bytes.isEmpty else {
        bytes.append(interesting[generator.next(below: interesting.count)])
        return
    }
    let position = generator.next(below: bytes.count)
    switch generator.next(below: 6) {
    case 0: bytes.remove(at: position)
    case 1: bytes.insert(interesting[generator.next(below: interesting.count)], at: position)
    case 2: bytes[position] = interesting[generator.next(below: interesting.count)]
    case 3:
        let end = min(bytes.count, position + 1 + generator.next(below: 8))
        bytes.insert(contentsOf: bytes[position..<end], at: generator.next(below: bytes.count))
    case 4: bytes.removeSubrange(position...)
    default: bytes[position] = UInt8(truncatingIfNeeded: generator.next())
    }
}

/// Appends a random valid JSON value.
private func appendRandomValue(to text: inout String, depth: Int, using generator: inout SeededRandom) {
    let whitespace = ["", " ", "\n", "\t", "\r\n "]
    func space() -> String { whitespace[generator.next(below: whitespace.count)] }
    let strings = ["\"\"", "\"a\"", "\"❄\"", "\"\\n\\u00e9\\/\"", "\"\\ud83d\\ude00\"", "\"\\ud800\""]
    let numbers = ["0", "-1", "2.5", "1e9", "-0.0E-3", "12345678901234567890"]
    let kind = depth > 5 ? generator.next(below: 4) : generator.next(below: 6)
    switch kind {
    case 0: text += ["null", "true", "false"][generator.next(below: 3)]
    case 1: text += numbers[generator.next(below: numbers.count)]
    case 2, 3: text += strings[generator.next(below: strings.count)]
    case 4:
        text += "[" + space()
        for index in 0..<generator.next(below: 4) {
            if index > 0 { text += "," + space() }
            appendRandomValue(to: &text, depth: depth + 1, using: &generator)
            text += space()
        }
        text += "]"
    default:
        text += "{" + space()
        for index in 0..<generator.next(below: 4) {
            if index > 0 { text += "," + space() }
            text += strings[generator.next(below: strings.count)] + space() + ":" + space()
            appendRandomValue(to: &text, depth: depth + 1, using: &generator)
            text += space()
        }
        text += "}"
    }
}
