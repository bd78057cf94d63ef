import CZlib

/// zlib's `uInt` counts are 32-bit: longer buffers are handed over in pieces.
private let zlibPiece = 1 << 30

/// zlib's input pointer for `input[offset...]` (zlib never writes through it;
/// the header just lacks `const`).
private func zlibInput(_ input: UnsafeRawBufferPointer, from offset: Int) -> UnsafeMutablePointer<Bytef>? {
    input.baseAddress.map { UnsafeMutablePointer(mutating: ($0 + offset).assumingMemoryBound(to: Bytef.self)) }
}

/// Streaming decompression with zlib, into a fixed 64 KiB buffer handed to a
/// sink chunk by chunk, so an entry never has to fit in memory.
final class Inflater {
    enum Wrapper {
        /// Bare deflate data, as in zip entries.
        case raw
        /// A gzip (or zlib) header and trailer, detected by zlib; the trailer's
        /// CRC-32 and length are checked by zlib itself.
        case gzip
    }

    /// What one `inflate` call achieved.
    struct Progress {
        var consumed: Int
        /// The end of the deflate stream (and its trailer, for gzip) was reached.
        var ended: Bool
    }

    // zlib keeps a pointer back to its z_stream and checks it on every call, so
    // the struct must not move: it lives on the heap, not in a Swift property.
    private let stream: UnsafeMutablePointer<z_stream>
    private let output: UnsafeMutablePointer<Bytef>
    private let outputSize: Int
    private let format: ArchiveFormat

    init(_ wrapper: Wrapper, format: ArchiveFormat, bufferSize: Int = 64 * 1024) throws(ArchiveError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let windowBits = wrapper == .raw ? -MAX_WBITS : MAX_WBITS + 32
        // inflateInit2 is a macro, not visible from Swift.
        let status = inflateInit2_(stream, windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw .io("zlib cannot start inflating (status \(status))")
        }
        output = .allocate(capacity: bufferSize)
        outputSize = bufferSize
        self.format = format
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        output.deallocate()
    }

    /// Starts a new stream, for the next member of a multi-member gzip file.
    func reset() {
        inflateReset(stream)
    }

    /// Inflates `input` until it is used up, the stream ends, or `sink` returns
    /// false, handing each produced chunk to `sink`.
    func inflate(
        _ input: UnsafeRawBufferPointer,
        sink: (UnsafeRawBufferPointer) throws(ArchiveError) -> Bool
    ) throws(ArchiveError) -> Progress {
        var consumed = 0
        while true {
            let piece = min(input.count - consumed, zlibPiece)
            stream.pointee.next_in = zlibInput(input, from: consumed)
            stream.pointee.avail_in = uInt(piece)
            stream.pointee.next_out = output
            stream.pointee.avail_out = uInt(outputSize)

            let status = CZlib.inflate(stream, Z_NO_FLUSH)
            consumed += piece - Int(stream.pointee.avail_in)
            let produced = outputSize - Int(stream.pointee.avail_out)
            if produced > 0 {
                let keepGoing = try sink(UnsafeRawBufferPointer(start: output, count: produced))
                if !keepGoing { return Progress(consumed: consumed, ended: status == Z_STREAM_END) }
            }
            switch status {
            case Z_STREAM_END:
                return Progress(consumed: consumed, ended: true)
            case Z_OK, Z_BUF_ERROR:
                // Z_BUF_ERROR only says no progress was possible: more input is needed.
                let outputFull = stream.pointee.avail_out == 0
                if !outputFull && consumed == input.count {
                    return Progress(consumed: consumed, ended: false)
                }
                if status == Z_BUF_ERROR && !outputFull {
                    throw format.corrupt("the compressed data cannot be decoded")
                }
            case Z_MEM_ERROR:
                throw .io("out of memory while inflating")
            default:
                throw format.corrupt("invalid compressed data (\(message(status)))")
            }
        }
    }

    private func message(_ status: Int32) -> String {
        if let text = stream.pointee.msg { return String(cString: text) }
        return "zlib status \(status)"
    }
}

/// Raw deflate for writing zip entries.
final class Deflater {
    private let stream: UnsafeMutablePointer<z_stream>
    private let output: UnsafeMutablePointer<Bytef>
    private let outputSize = 64 * 1024

    init(level: Int32 = 6) throws(ArchiveError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = deflateInit2_(
            stream, level, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY,
            ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw .io("zlib cannot start deflating (status \(status))")
        }
        output = .allocate(capacity: outputSize)
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        output.deallocate()
    }

    /// Starts a new stream with the same settings, for the next entry.
    func reset() {
        deflateReset(stream)
    }

    /// Compresses `input`, appending what zlib produces to `destination`; with
    /// `finish`, also flushes the end of the stream.
    func deflate(_ input: UnsafeRawBufferPointer, finish: Bool, into destination: inout [UInt8]) throws(ArchiveError) {
        var consumed = 0
        while true {
            let piece = min(input.count - consumed, zlibPiece)
            let last = finish && consumed + piece == input.count
            stream.pointee.next_in = zlibInput(input, from: consumed)
            stream.pointee.avail_in = uInt(piece)
            stream.pointee.next_out = output
            stream.pointee.avail_out = uInt(outputSize)
            let status = CZlib.deflate(stream, last ? Z_FINISH : Z_NO_FLUSH)
            consumed += piece - Int(stream.pointee.avail_in)
            let produced = outputSize - Int(stream.pointee.avail_out)
            destination.append(contentsOf: UnsafeBufferPointer(start: output, count: produced))
            switch status {
            case Z_STREAM_END:
                return
            case Z_OK, Z_BUF_ERROR:
                if !last && consumed == input.count && stream.pointee.avail_out > 0 { return }
            default:
                throw .io("zlib failed while deflating (status \(status))")
            }
        }
    }
}

/// CRC-32 as zip and gzip use it.
struct CRC32 {
    private(set) var value: UInt32 = 0

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        var crc = UInt(value)
        var offset = 0
        while offset < bytes.count {
            let piece = min(bytes.count - offset, zlibPiece)
            crc = crc32(crc, (base + offset).assumingMemoryBound(to: Bytef.self), uInt(piece))
            offset += piece
        }
        value = UInt32(truncatingIfNeeded: crc)
    }
}
