import NIOCore

/// The body of a `POST /run`, forwarded to the action as one line.
package enum RunRequest {
    /// What the proxy needs to know of a body before forwarding it.
    package struct Inspection: Equatable {
        /// `deadline`: milliseconds since the epoch, sent as a string or a number.
        package var deadline: Int64?
    }

    private static let deadlineKey = Array("deadline".utf8)

    /// Checks that the body is one JSON object (the launcher reads the line as
    /// one) and reads its `deadline`, in one pass; nil if it is not an object.
    package static func inspect(_ body: ByteBuffer) -> Inspection? {
        body.withUnsafeReadableBytes { raw in
            let (isObject, member) = JSONValidator.object(raw, member: deadlineKey)
            guard isObject else { return nil }
            return Inspection(deadline: member.flatMap { deadline(UnsafeRawBufferPointer(rebasing: raw[$0])) })
        }
    }

    /// `"1700000000000"`, `1700000000000` or `1.7e12` as milliseconds; nil
    /// for anything else.
    static func deadline(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        var text = String(decoding: bytes, as: UTF8.self)
        if text.hasPrefix("\"") && text.hasSuffix("\"") && text.count >= 2 { text = String(text.dropFirst().dropLast()) }
        if let whole = Int64(text) { return whole }
        guard let number = Double(text), number.isFinite, number >= 0, number < 9e18 else { return nil }
        return Int64(number)
    }

    /// The body without its newlines (which JSON allows only as whitespace).
    package static func singleLine(_ body: ByteBuffer) -> ByteBuffer {
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
