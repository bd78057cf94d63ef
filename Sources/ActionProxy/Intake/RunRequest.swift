import NIOCore

/// The body of a `POST /run`, forwarded to the action as one line.
enum RunRequest {
    /// One JSON object: the launcher reads the line as one.
    static func isObject(_ body: ByteBuffer) -> Bool {
        body.withUnsafeReadableBytes { raw in
            guard let first = raw.firstIndex(where: { !isJSONWhitespace($0) }), raw[first] == UInt8(ascii: "{")
            else { return false }
            return JSONValidator.isObjectOrArray(raw)
        }
    }

    /// The body without its newlines (which JSON allows only as whitespace).
    static func singleLine(_ body: ByteBuffer) -> ByteBuffer {
        let hasNewline = body.withUnsafeReadableBytes { raw in
            raw.baseAddress.map { memchr($0, 0x0A, raw.count) != nil } ?? false
        }
        guard hasNewline else { return body }
        var line = ByteBuffer()
        line.reserveCapacity(body.readableBytes)
        var rest = body
        while let newline = rest.readableBytesView.firstIndex(of: 0x0A) {
            guard var part = rest.readSlice(length: newline - rest.readerIndex) else { break }
            line.writeBuffer(&part)
            rest.moveReaderIndex(forwardBy: 1)
        }
        line.writeBuffer(&rest)
        return line
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif
