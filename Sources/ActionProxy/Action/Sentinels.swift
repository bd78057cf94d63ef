#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The end-of-activation marker written to the container's stdout and stderr
/// (PROTOCOL.md §4), and the proxy's other writes into the action's log.
enum Sentinels {
    static let line = "XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX\n"

    /// One sentinel on stdout, one on stderr.
    static func write() {
        writeAll(1, line)
        writeAll(2, line)
    }

    /// A line into the activation's log (stderr), as the reference does for
    /// init errors.
    static func writeToLog(_ text: String) {
        writeAll(2, text)
    }

    private static func writeAll(_ fd: Int32, _ text: String) {
        var text = text
        text.withUTF8 { StandardStreams.writeAll(fd, UnsafeRawBufferPointer($0)) }
    }
}
