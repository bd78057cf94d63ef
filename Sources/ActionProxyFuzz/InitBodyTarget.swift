import ActionProxy
import NIOCore

/// `POST /init` bodies, decoded as the server decodes them. Whatever the bytes,
/// the body is either decoded or refused as a bad request (400); a decoded
/// request has a `main` and, when it has code, non-empty code; an archive in it
/// goes on to extraction under the checks of `ArchiveTarget`, so that the
/// whole intake (JSON, base64, classification, extraction) is fuzzed in one go.
enum InitBodyTarget {
    static func run(_ input: UnsafeRawBufferPointer) {
        let request: InitRequest
        do {
            request = try InitRequest.decode(ByteBuffer(bytes: input))
        } catch {
            guard case .invalidRequest = error else {
                violated("an /init body was refused with \(error), not as an invalid request")
            }
            return
        }
        require(!request.main.isEmpty, "a decoded /init has an empty main")
        guard let code = request.code else { return }
        require(!code.isEmpty, "a decoded /init has empty code instead of none")
        switch CodeKind(code) {
        case .zip: ArchiveTarget.extract(code, format: .zip)
        case .tarGz: ArchiveTarget.extract(code, format: .tarGz)
        case .elf, .script, .source: break
        }
    }
}
