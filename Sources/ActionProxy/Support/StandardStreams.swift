#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Whole-stream reads and writes on fds 0, 1 and 2, for the command line.
public enum StandardStreams {
    public static func readAll() -> [UInt8] {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return result }
            result.append(contentsOf: chunk[0..<count])
        }
    }

    public static func write(_ bytes: [UInt8]) { write(1, bytes) }

    public static func writeError(_ text: String) { write(2, Array(text.utf8)) }

    private static func write(_ fd: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { writeAll(fd, $0) }
    }

    /// Writes all of `bytes` to `fd`, again after an interruption; gives up
    /// on any other error (a closed log stream must not stop the proxy).
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(fd, base + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += written
        }
    }
}

/// SIGTERM and SIGINT stop the proxy cleanly. `block` must run before any
/// thread starts, so that every thread inherits the mask; the caller then
/// waits for one of them. No handler and no libdispatch signal source: those
/// cost a cold start two threads. Actions start with an empty mask (Spawn).
public struct StopSignals {
    private var signals = sigset_t()

    public static func block() -> StopSignals {
        var stop = StopSignals()
        sigemptyset(&stop.signals)
        sigaddset(&stop.signals, SIGTERM)
        sigaddset(&stop.signals, SIGINT)
        pthread_sigmask(SIG_BLOCK, &stop.signals, nil)
        return stop
    }

    /// Blocks until SIGTERM or SIGINT arrives.
    public func wait() {
        var signals = self.signals
        var received: Int32 = 0
        while sigwait(&signals, &received) != 0 {}
    }
}
