import Foundation
import Testing

@testable import ActionProxy

private func parse(_ text: String) throws(JSONError) -> JSONValue {
    try JSONParser.parse(Array(text.utf8))
}

private func parseAtPath(_ text: String) throws(JSONError) -> (JSONValue, JSONStringBytes?) {
    let bytes = Array(text.utf8)
    let result = bytes.withUnsafeBytes { raw in
        Result { () throws(JSONError) in try JSONParser.parse(raw, bytesOfStringAt: ["value", "code"]) }
    }
    let (value, stringBytes) = try result.get()
    return (value, stringBytes)
}

private func parseError(_ text: String) -> JSONError? {
    parseError(Array(text.utf8))
}

private func parseError(_ bytes: [UInt8]) -> JSONError? {
    do {
        _ = try JSONParser.parse(bytes)
        return nil
    } catch {
        return error
    }
}

private func nested(_ depth: Int, open: String = "[", close: String = "]", inner: String = "") -> String {
    String(repeating: open, count: depth) + inner + String(repeating: close, count: depth)
}

@Suite("JSON parser")
struct JSONParserTests {
    // MARK: Value kinds

    @Test("parses every scalar kind at the top level")
    func scalars() throws {
        #expect(try parse("null") == .null)
        #expect(try parse("true") == .bool(true))
        #expect(try parse("false") == .bool(false))
        #expect(try parse("42") == .number("42"))
        #expect(try parse("\"hi\"") == .string("hi"))
        #expect(try parse("\"\"") == .string(""))
    }

    @Test("parses arrays and objects, keeping member order")
    func containers() throws {
        #expect(try parse("[]") == .array([]))
        #expect(try parse("{}") == .object([]))
        #expect(
            try parse("[1, \"two\", [null], {}]")
                == .array([.number("1"), .string("two"), .array([.null]), .object([])]))
        let object = try parse(#"{"z": 1, "a": {"b": [true, false]}, "m": "x"}"#)
        #expect(
            object
                == .object([
                    JSONMember(key: "z", value: .number("1")),
                    JSONMember(
                        key: "a", value: .object([JSONMember(key: "b", value: .array([.bool(true), .bool(false)]))])),
                    JSONMember(key: "m", value: .string("x")),
                ]))
    }

    @Test("keeps duplicate keys, and the subscript returns the last one as Go does")
    func duplicateKeys() throws {
        let value = try parse(#"{"a": 1, "b": 2, "a": 3}"#)
        guard case .object(let members) = value else {
            Issue.record("not an object")
            return
        }
        #expect(members.map(\.key) == ["a", "b", "a"])
        #expect(value["a"] == .number("3"))
        #expect(value["b"] == .number("2"))
        #expect(value["missing"] == nil)
        #expect(JSONValue.array([])["a"] == nil)
    }

    @Test("stringValue and boolValue only answer for their own kind")
    func accessors() throws {
        let value = try parse(#"{"s": "text", "b": true, "n": 1}"#)
        #expect(value["s"]?.stringValue == "text")
        #expect(value["b"]?.boolValue == true)
        #expect(value["n"]?.stringValue == nil)
        #expect(value["s"]?.boolValue == nil)
        #expect(value.stringValue == nil)
    }

    // MARK: Strings and unicode

    @Test("passes raw non-ASCII text through unchanged")
    func rawUnicode() throws {
        #expect(try parse("\"❄ ☃ ❄\"") == .string("❄ ☃ ❄"))
        #expect(try parse("\"café 😀 日本\"") == .string("café 😀 日本"))
    }

    @Test("decodes \\u escapes, including surrogate pairs")
    func unicodeEscapes() throws {
        #expect(try parse(#""\u2744 \u2603""#) == .string("❄ ☃"))
        #expect(try parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(try parse(#""\uD83D\uDE00x""#) == .string("😀x"))
        #expect(try parse(#""\u0041\u00e9\u0000""#) == .string("Aé\u{0}"))
    }

    @Test(
        "replaces unpaired surrogates with U+FFFD instead of failing",
        arguments: [
            (#""\ud800""#, "\u{FFFD}"),
            (#""\udc00""#, "\u{FFFD}"),
            (#""\ud83dx""#, "\u{FFFD}x"),
            (#""\ud83d\u0041""#, "\u{FFFD}A"),
            (#""\ud83d\ud83d\ude00""#, "\u{FFFD}😀"),
            (#""\ude00\ud83d""#, "\u{FFFD}\u{FFFD}"),
            (#""\ud83d\n""#, "\u{FFFD}\n"),
        ])
    func loneSurrogates(json: String, expected: String) throws {
        #expect(try parse(json) == .string(expected))
    }

    @Test("replaces invalid UTF-8 in strings with U+FFFD")
    func invalidUTF8() throws {
        #expect(try JSONParser.parse([0x22, 0xFF, 0x22]) == .string("\u{FFFD}"))
        #expect(try JSONParser.parse([0x22, 0x61, 0xC3, 0x22]) == .string("a\u{FFFD}"))
        #expect(
            try JSONParser.parse([0x22, 0x5C, 0x6E, 0xED, 0xA0, 0x80, 0x22]).stringValue?.hasPrefix("\n\u{FFFD}")
                == true)
    }

    @Test("decodes every short escape")
    func shortEscapes() throws {
        #expect(try parse(#""\"\\\/\b\f\n\r\t""#) == .string("\"\\/\u{8}\u{C}\n\r\t"))
        #expect(try parse(#""a\nb""#) == .string("a\nb"))
    }

    @Test("decodes escapes at every position relative to the eight-byte scanning steps")
    func escapesAcrossWordBoundaries() throws {
        for length in 0..<40 {
            for position in 0...length {
                let plain = String(repeating: "a", count: length)
                let index = plain.index(plain.startIndex, offsetBy: position)
                let (before, after) = (String(plain[..<index]), String(plain[index...]))
                #expect(try parse("\"" + before + "\\n" + after + "\"") == .string(before + "\n" + after))
            }
        }
    }

    @Test(
        "rejects bad escapes",
        arguments: [
            #""\x""#, #""\a""#, #""\U0041""#, #""\u12""#, #""\u12G4""#, #""\u""#, #""\'""#, #""\"#,
        ])
    func badEscapes(json: String) {
        #expect(parseError(json) != nil)
    }

    @Test("rejects raw control characters inside strings")
    func controlCharacters() throws {
        for byte in UInt8(0)..<0x20 {
            #expect(parseError([0x22, 0x61, byte, 0x22]) != nil, "byte \(byte)")
        }
        #expect(parseError("\"tab\there\"")?.message == #"invalid character '\t' in string literal"#)
        // DEL and everything above are ordinary characters.
        #expect(try JSONParser.parse([0x22, 0x7F, 0x22]) == .string("\u{7F}"))
    }

    @Test("decodes long strings with and without escapes")
    func longStrings() throws {
        let plain = String(repeating: "abcdefghij/+", count: 100_000)
        #expect(try parse("\"\(plain)\"") == .string(plain))
        let escaped = plain.replacingOccurrences(of: "/", with: "\\/")
        #expect(try parse("[\"\(escaped)\"]") == .array([.string(plain)]))
    }

    @Test("decodes strings that JSONSerialization encoded")
    func foundationEncodedStrings() throws {
        var generator = SeededRandom(seed: 7)
        let pool: [Character] = [
            "a", "Z", "/", "\"", "\\", "\n", "\t", "\u{1}", "\u{1F}", "é", "❄", "😀", " ", "\u{7F}", "\u{2028}",
        ]
        for _ in 0..<500 {
            let length = generator.next(below: 30)
            let text = String((0..<length).map { _ in pool[generator.next(below: pool.count)] })
            let data = try JSONSerialization.data(withJSONObject: [text], options: [])
            #expect(try JSONParser.parse(Array(data)) == .array([.string(text)]))
        }
    }

    // MARK: Numbers

    @Test(
        "accepts valid numbers and keeps their literal text",
        arguments: [
            "0", "-0", "1", "-1", "10", "1234567890", "123456789012345678901234567890", "0.5", "-0.5", "1.25",
            "1e3", "1E3", "1e+3", "1e-3", "-1.5e3", "0e0", "0.0", "-0.0e-0", "1.0E+10", "9007199254740993",
        ])
    func validNumbers(literal: String) throws {
        #expect(try parse(literal) == .number(literal))
        #expect(try parse("[\(literal)]") == .array([.number(literal)]))
        #expect(try parse(" \(literal) ") == .number(literal))
    }

    @Test(
        "rejects invalid numbers",
        arguments: [
            "01", "-01", "00", "+1", ".5", "1.", "1.e3", "-", "--1", "-a", "1e", "1e+", "1e-", "1ee2", "1.5.2",
            "0x10", "NaN", "Infinity", "-Infinity", "1_000", "1 2", "[01]", "[1.]", "[-]", "{\"a\": .1}",
        ])
    func invalidNumbers(text: String) {
        #expect(parseError(text) != nil)
    }

    // MARK: Structure, whitespace and errors

    @Test("accepts the four whitespace characters around and between tokens")
    func whitespace() throws {
        #expect(
            try parse(" \t\n\r{ \"a\" \n:\t[ 1 ,\r\n2 ] } \n")
                == .object([JSONMember(key: "a", value: .array([.number("1"), .number("2")]))]))
    }

    @Test("rejects other whitespace", arguments: ["\u{0C}{}", "{}\u{0B}", "\u{A0}[]", "[\u{2028}]"])
    func otherWhitespace(text: String) {
        #expect(parseError(text) != nil)
    }

    @Test("rejects empty input with an offset at its end")
    func emptyInput() throws {
        #expect(parseError("") == JSONError(message: "unexpected end of JSON input", offset: 0))
        #expect(parseError(" \n ") == JSONError(message: "unexpected end of JSON input", offset: 3))
        #expect(
            [UInt8]().withUnsafeBytes { buffer in
                Result { () throws(JSONError) in try JSONParser.parse(buffer) }
            }.failure?.offset == 0)
    }

    @Test(
        "reports errors with Go's wording and the offending byte's offset",
        arguments: [
            ("{\"a\":1", "unexpected end of JSON input", 6),
            ("x", "invalid character 'x' looking for beginning of value", 0),
            ("{\"a\"}", "invalid character '}' after object key", 4),
            ("{\"a\":1 \"b\":2}", "invalid character '\"' after object key:value pair", 7),
            ("{} a", "invalid character 'a' after top-level value", 3),
            ("[1 2]", "invalid character '2' after array element", 3),
            ("[1,]", "invalid character ']' looking for beginning of value", 3),
            ("{\"a\":1,}", "invalid character '}' looking for beginning of object key string", 7),
            ("{'a':1}", "invalid character '\\'' looking for beginning of object key string", 1),
            ("[\"\\x\"]", "invalid character 'x' in string escape code", 3),
            ("\"\\u12z4\"", "invalid character 'z' in \\u hexadecimal character escape", 5),
            ("-x", "invalid character 'x' in numeric literal", 1),
            ("1.x", "invalid character 'x' after decimal point in numeric literal", 2),
            ("1e+x", "invalid character 'x' in exponent of numeric literal", 3),
            ("[tru]", "invalid character ']' in literal true (expecting 'e')", 4),
            ("nul", "unexpected end of JSON input", 3),
            ("fals3", "invalid character '3' in literal false (expecting 'e')", 4),
            ("nil", "invalid character 'i' in literal null (expecting 'u')", 1),
            ("01", "invalid character '1' after top-level value", 1),
            ("[\"a\nb\"]", "invalid character '\\n' in string literal", 3),
            ("\u{1}", "invalid character '\\x01' looking for beginning of value", 0),
        ])
    func errorMessages(text: String, message: String, offset: Int) {
        let error = parseError(text)
        #expect(error?.message == message)
        #expect(error?.offset == offset)
        #expect(error?.description == "\(message) at offset \(offset)")
    }

    @Test(
        "rejects trailing garbage and trailing commas",
        arguments: [
            "{}x", "[]]", "{}}", "{}{}", "1 2", "\"a\" \"b\"", "[1,2,]", "{\"a\":1,}", "[1,,2]", "[,1]", "{,}",
            "null null", "true,", "{} \u{0}",
        ])
    func trailingGarbage(text: String) {
        #expect(parseError(text) != nil)
    }

    @Test(
        "rejects single quotes, unquoted keys and missing colons",
        arguments: [
            "'a'", "['a']", "{a:1}", "{\"a\" 1}", "{\"a\"::1}", "{1:2}", "{\"a\":}", "[}", "{]", "{\"a\":1]",
        ])
    func malformedStructure(text: String) {
        #expect(parseError(text) != nil)
    }

    @Test("accepts nesting up to 1000 levels and rejects deeper documents")
    func depthLimit() throws {
        #expect(throws: Never.self) { try parse(nested(1000)) }
        #expect(throws: Never.self) { try parse(nested(999, inner: "{}")) }
        #expect(throws: Never.self) { try parse(nested(1000, open: "{\"k\":", close: "}", inner: "1")) }
        #expect(parseError(nested(1001))?.message == "exceeded max depth")
        #expect(parseError(nested(1001))?.offset == 1000)
        #expect(parseError(nested(1000, inner: "{}"))?.message == "exceeded max depth")
        #expect(parseError(nested(1001, open: "{\"k\":", close: "}", inner: "1"))?.message == "exceeded max depth")
        // Hostile input fails fast without exhausting the stack.
        #expect(parseError(String(repeating: "[", count: 1_000_000))?.message == "exceeded max depth")
    }

    @Test("builds deeply nested values correctly")
    func deepValue() throws {
        var expected = JSONValue.number("7")
        for _ in 0..<1000 { expected = .array([expected]) }
        #expect(try parse(nested(1000, inner: "7")) == expected)
    }

    // MARK: Serialisation

    @Test("writes compact text with escaped strings")
    func compactText() throws {
        let value = try parse(#"{"a": [1, true, null], "b": "x\"y\n"}"#)
        #expect(value.compactText == #"{"a":[1,true,null],"b":"x\"y\n"}"#)
        #expect(value.compactUTF8 == Array(value.compactText.utf8))
    }

    @Test("escapes only quotes, backslashes and control characters")
    func compactEscaping() {
        #expect(
            JSONValue.string("\u{0}\u{8}\u{C}\n\r\t\u{1F}\u{7F}").compactText == #""\u0000\b\f\n\r\t\u001f\#u{7F}""#)
        #expect(JSONValue.string("a/b ❄ 😀 é <&>").compactText == "\"a/b ❄ 😀 é <&>\"")
        #expect(JSONValue.string("\"\\").compactText == #""\"\\""#)
        #expect(JSONValue.string("").compactText == #""""#)
        #expect(JSONValue.number("-1.5e3").compactText == "-1.5e3")
        #expect(JSONValue.object([JSONMember(key: "k\"", value: .null)]).compactText == #"{"k\"":null}"#)
        #expect(JSONValue.array([.array([]), .object([])]).compactText == "[[],{}]")
    }

    @Test(
        "parsing compact text gives back the same value",
        arguments: [
            JSONValue.null, .bool(true), .bool(false), .number("0"), .number("-12.5E-3"), .string(""),
            .string("❄ ☃ ❄ \u{0}\u{1F} \" \\ / \n😀"), .array([]), .object([]),
            .array([.null, .bool(false), .number("1"), .string("s"), .array([.array([])]), .object([])]),
            .object([
                JSONMember(key: "a", value: .number("1")), JSONMember(key: "a", value: .number("2")),
                JSONMember(key: "", value: .object([JSONMember(key: "\n", value: .array([.string("x")]))])),
            ]),
        ])
    func roundTrip(value: JSONValue) throws {
        #expect(try parse(value.compactText) == value)
    }

    @Test("compact text of parsed documents re-parses to the same value and is understood by JSONSerialization")
    func roundTripDocuments() throws {
        let documents = [
            #"{"name": "Ada", "tags": ["x", "y"], "n": -1.0e+2, "ok": true, "none": null}"#,
            #"[{"a": {"b": {"c": []}}}, "\u00e9\ud83d\ude00\/"]"#,
            " [ 1 , 2 , 3 ] ",
        ]
        for document in documents {
            let value = try parse(document)
            let text = value.compactText
            #expect(try parse(text) == value)
            #expect(try canonical(text) == canonical(document))
        }
    }

    @Test("parses a large document with one huge string")
    func hugeString() throws {
        let code = String(repeating: "QUJD", count: 1_000_000)
        let value = try parse("{\"value\": {\"code\": \"\(code)\", \"binary\": true}}")
        #expect(value["value"]?["code"]?.stringValue == code)
        #expect(value["value"]?["binary"]?.boolValue == true)
    }

    // MARK: The string at a path, as bytes

    @Test(
        "the ASCII string at a path comes back as bytes: in place without escapes, unescaped with them",
        arguments: [
            ("QUJD", JSONStringBytes.inInput(20..<24)),
            ("a\\nb\\/c\\u0041", .unescaped(Array("a\nb/cA".utf8))),
            ("", .inInput(20..<20)),
        ])
    func bytesAtPath(code: String, expected: JSONStringBytes) throws {
        let text = "{\"value\": {\"code\": \"\(code)\", \"main\": \"m\"}}"
        let (value, bytes) = try parseAtPath(text)
        #expect(bytes == expected)
        #expect(value["value"]?["code"] == .string(""))
        #expect(value["value"]?["main"] == .string("m"))
    }

    @Test("a non-ASCII string at the path stays a String, repaired as any other")
    func nonASCIIAtPath() throws {
        let (value, bytes) = try parseAtPath("{\"value\": {\"code\": \"caf\u{E9}\"}}")
        #expect(bytes == nil)
        #expect(value["value"]?["code"] == .string("caf\u{E9}"))
    }

    @Test("with duplicate keys the bytes are those of the string that the subscript finds")
    func duplicatesAtPath() throws {
        let (_, last) = try parseAtPath("{\"value\": {\"code\": \"AAAA\", \"code\": \"BB\"}}")
        #expect(last == .inInput(36..<38))
        let (value, escaped) = try parseAtPath("{\"value\": {\"code\": \"AAAA\"}, \"value\": {\"code\": \"\u{E9}\"}}")
        #expect(escaped == nil)
        #expect(value["value"]?["code"] == .string("\u{E9}"))
    }

    @Test("strings elsewhere are Strings, and an error inside the path's string is reported as always")
    func elsewhereAndErrors() throws {
        let (value, bytes) = try parseAtPath("{\"code\": \"x\", \"value\": {\"other\": {\"code\": \"y\"}}}")
        #expect(bytes == nil)
        #expect(value["code"] == .string("x"))
        #expect(value["value"]?["other"]?["code"] == .string("y"))
        let text = "{\"value\": {\"code\": \"ab\\qc\"}}"
        let expected = try #require(parseError(text))
        #expect(throws: expected) { try parseAtPath(text) }
    }
}

/// The document as JSONSerialization reads and re-writes it, for comparing meaning.
private func canonical(_ text: String) throws -> Data {
    let object = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed])
}

extension Result {
    fileprivate var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
