import Foundation
import Testing

@testable import ActionProxy

private func decodeError(_ text: String) -> Base64Error? {
    do {
        _ = try Base64.decode(text)
        return nil
    } catch {
        return error
    }
}

@Suite("Base64")
struct Base64Tests {
    @Test(
        "encodes and decodes the RFC 4648 test vectors",
        arguments: [
            ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
        ])
    func vectors(plain: String, encoded: String) throws {
        #expect(Base64.encode(Array(plain.utf8)) == encoded)
        #expect(try Base64.decode(encoded) == Array(plain.utf8))
    }

    @Test("round trips random data of every length up to 300, matching Foundation")
    func randomRoundTrips() throws {
        var generator = SeededRandom(seed: 64)
        for length in 0...300 {
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            let encoded = Base64.encode(bytes)
            #expect(encoded == Data(bytes).base64EncodedString())
            #expect(try Base64.decode(encoded) == bytes)
            let lineBroken = Data(bytes).base64EncodedString(options: [
                .lineLength64Characters, .endLineWithCarriageReturn, .endLineWithLineFeed,
            ])
            #expect(try Base64.decode(lineBroken) == bytes)
            #expect(Data(base64Encoded: encoded).map(Array.init) == bytes)
        }
    }

    @Test("round trips a few megabytes")
    func largeRoundTrip() throws {
        var generator = SeededRandom(seed: 3)
        let bytes = (0..<3_000_001).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let encoded = Base64.encode(bytes)
        #expect(encoded == Data(bytes).base64EncodedString())
        #expect(try Base64.decode(encoded) == bytes)
    }

    @Test(
        "ignores carriage returns and line feeds anywhere, as Go does",
        arguments: [
            "Zm9v\nYmFy", "Zm9v\r\nYmFy\r\n", "\nZ\nm\r9\rv\nY\nm\nF\ny\n", "\r\n\r\nZm9vYmFy",
        ])
    func lineBreaks(text: String) throws {
        #expect(try Base64.decode(text) == Array("foobar".utf8))
    }

    @Test("ignores line breaks inside and after the padding")
    func lineBreaksAroundPadding() throws {
        #expect(try Base64.decode("Zg=\n=") == Array("f".utf8))
        #expect(try Base64.decode("Zg==\r\n") == Array("f".utf8))
        #expect(try Base64.decode("Zm8\n=\n") == Array("fo".utf8))
        #expect(try Base64.decode("\n\r") == [])
    }

    @Test("accepts input without the final padding")
    func missingPadding() throws {
        #expect(try Base64.decode("Zg") == Array("f".utf8))
        #expect(try Base64.decode("Zm8") == Array("fo".utf8))
        #expect(try Base64.decode("Zm9vYg") == Array("foob".utf8))
        #expect(try Base64.decode("Zm9vYmE\n") == Array("fooba".utf8))
    }

    @Test(
        "rejects bad input with the offset of the offending byte",
        arguments: [
            ("Zm9v!", 4),
            ("Zm 9v", 2),
            ("Zm9v-_", 4),
            ("Zm9v€", 4),
            ("Zm9v\t", 4),
            ("Z", 0),
            ("Zm9vY", 4),
            ("Zm9v\nY\n", 5),
            ("=", 0),
            ("Zm9v=", 4),
            ("Z=", 1),
            ("Zg=", 3),
            ("Zg=x", 3),
            ("Zg==x", 4),
            ("Zg===", 4),
            ("Zm9=v", 4),
            ("Zm8=Zm8=", 4),
            ("Zg==\nZg==", 5),
        ])
    func badInput(text: String, offset: Int) {
        #expect(decodeError(text) == Base64Error(offset: offset))
    }

    @Test("describes errors in Go's words")
    func errorDescription() {
        #expect(decodeError("Zm9v!")?.description == "illegal base64 data at input byte 4")
    }

    @Test("decodes padded input as Foundation does, and rejects whatever Foundation rejects")
    func agreesWithFoundationOnPaddedInput() {
        var generator = SeededRandom(seed: 11)
        let pool = Array("ABCxyz019+/=".utf8)
        var accepted = 0
        for _ in 0..<3000 {
            // Whole quanta only, where being lenient about missing padding changes nothing.
            let length = 4 * (1 + generator.next(below: 4))
            let text = String(
                decoding: (0..<length).map { _ in pool[generator.next(below: pool.count)] }, as: UTF8.self)
            let ours = try? Base64.decode(text)
            let foundation = Data(base64Encoded: text).map(Array.init)
            if let ours {
                accepted += 1
                #expect(foundation == ours, "\(text)")
            }
            // Foundation on Linux accepts some misplaced padding ("9z=z") that Go rejects,
            // so only its refusals are binding.
            if foundation == nil {
                #expect(ours == nil, "\(text)")
            }
        }
        #expect(accepted > 300)
    }

    @Test("decodes from a non-contiguous string too")
    func bridgedString() throws {
        let text = String(NSString(string: "Zm9v\nYmFy"))
        #expect(try Base64.decode(text) == Array("foobar".utf8))
    }
}
