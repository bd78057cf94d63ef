import ActionProxy

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Stops the process on a broken invariant. `abort` rather than `fatalError`:
/// libFuzzer turns SIGABRT into a crash report with the input saved, and the
/// message is written first so that the report says what went wrong.
func violated(_ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) -> Never {
    let text = "ActionProxyFuzz: invariant violated (\(file):\(line)): \(message())\n"
    StandardStreams.writeError(text)
    abort()
}

/// `violated` unless `condition` holds.
func require(
    _ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line
) {
    if !condition { violated(message(), file: file, line: line) }
}
