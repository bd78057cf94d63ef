import NIOCore

/// One line the action wrote on fd 3 (docs/contract.md, "The action's
/// answer"): its result, a JSON object or array, answered as it is; or the
/// word `failed`, a space and a JSON object whose `error` says why the
/// function could not run, which the proxy answers with 502. A launcher
/// writes `failed` where its language's OpenWhisk runtime reports a developer
/// error (an exception thrown out of a Node.js `main`), and in place of its
/// ack when the code cannot be loaded; it has logged the details itself.
enum ActionAnswer: Equatable {
    case result
    case failed(String)
    /// Neither: the action broke the protocol.
    case invalid

    static let failedPrefix = Array("failed ".utf8)

    init(_ line: ByteBuffer) {
        self = line.withUnsafeReadableBytes { bytes in
            if bytes.starts(with: Self.failedPrefix) {
                let rest = UnsafeRawBufferPointer(rebasing: bytes[Self.failedPrefix.count...])
                guard case .string(let message)? = (try? JSONParser.parse(rest))?["error"] else { return .invalid }
                return .failed(message)
            }
            return JSONValidator.isObjectOrArray(bytes) ? .result : .invalid
        }
    }
}
