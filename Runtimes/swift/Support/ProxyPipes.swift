import Foundation

/// The launcher's two pipes to the proxy: request lines on stdin, result
/// lines on fd 3. They are moved to descriptors of their own, closed on exec,
/// and stdin becomes /dev/null, so that the action's code (or a program it
/// starts) cannot read the next request or write a forged result.
/// Made on the main thread, then used by the loop thread alone.
final class ProxyPipes: @unchecked Sendable {
    private let requests: UnsafeMutablePointer<FILE>
    private let results: Int32
    private var buffer: UnsafeMutablePointer<CChar>?
    private var capacity = 0

    init() {
        let input = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 10)
        // Started by hand, without fd 3, the launcher answers on stdout so
        // that `echo '{"value":{}}' | bin/exec` shows the result.
        let hasResultPipe = fcntl(3, F_GETFD) != -1
        results = fcntl(hasResultPipe ? 3 : STDOUT_FILENO, F_DUPFD_CLOEXEC, 10)
        guard input >= 0, results >= 0, let stream = fdopen(input, "r") else {
            Log.write("The action launcher cannot take over its pipes: errno \(errno).")
            exit(1)
        }
        requests = stream
        if hasResultPipe { close(3) }
        let null = open("/dev/null", O_RDONLY)
        if null >= 0 && null != STDIN_FILENO {
            dup2(null, STDIN_FILENO)
            close(null)
        }
    }

    /// The next request line without its newline, or nil at the end of input.
    func readRequest() -> Data? {
        let count = getline(&buffer, &capacity, requests)
        guard count >= 0, let buffer else { return nil }
        var length = count
        if length > 0 && buffer[length - 1] == UInt8(ascii: "\n") { length -= 1 }
        return Data(bytes: buffer, count: length)
    }

    /// Writes `json` and a newline in full. JSON text never contains a raw
    /// newline, so the line is the whole result.
    func writeResult(_ json: Data) {
        var line = json
        line.append(UInt8(ascii: "\n"))
        line.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(results, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    // The proxy is gone: nobody is left to serve.
                    exit(1)
                }
                offset += written
            }
        }
    }
}
