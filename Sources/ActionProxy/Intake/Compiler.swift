#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Runs `$OW_COMPILER <main> <srcdir> <bindir>`. Blocking: call it off the
/// event loop. Anything the compiler prints is a failure and its text. A
/// compiler that runs past `timeoutMilliseconds` is killed with everything it
/// started (its process group), so that no init waits forever.
struct Compiler {
    let command: String
    let timeoutMilliseconds: Int64

    func compile(main: String, source: String, binary: String, environment: [String]) throws(ProxyError) {
        let output: Pipe
        let devNull = open("/dev/null", O_RDONLY | O_CLOEXEC)
        defer { if devNull >= 0 { close(devNull) } }
        do { output = try Pipe() } catch { throw .compilationFailed("cannot run the compiler: \(error)") }
        let spawn = Spawn(
            executable: command,
            arguments: [main, source, binary],
            environment: environment,
            mappings: [
                .init(source: devNull, target: 0), .init(source: output.writeEnd, target: 1),
                .init(source: output.writeEnd, target: 2),
            ]
        )
        let pid: pid_t
        do {
            pid = try spawn.start()
        } catch {
            close(output.readEnd)
            close(output.writeEnd)
            throw .compilationFailed("cannot run the compiler \(error)")
        }
        close(output.writeEnd)
        let deadline = WallClock.monotonicMilliseconds() + timeoutMilliseconds
        let printed = readAll(output.readEnd, until: deadline)
        close(output.readEnd)
        if printed == nil { kill(-pid, SIGKILL) }
        let status = waitForExit(pid)
        guard let printed else {
            throw .compilationFailed(
                "The compiler \(command) did not finish within \(timeoutMilliseconds / 1000) s and was stopped.")
        }
        if !printed.isEmpty {
            throw .compilationFailed(String(decoding: printed, as: UTF8.self))
        }
        if status != 0 {
            throw .compilationFailed(
                "The compiler \(command) failed (\(describeWaitStatus(status))) and printed nothing.")
        }
    }

    /// Everything written to `fd` until its last writer closes it, or nil
    /// when that has not happened by `deadline` (WallClock's monotonic milliseconds).
    private func readAll(_ fd: Int32, until deadline: Int64) -> [UInt8]? {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let left = deadline - WallClock.monotonicMilliseconds()
            if left <= 0 { return nil }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(clamping: left))
            if ready < 0 && errno == EINTR { continue }
            if ready == 0 { return nil }
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return result }
            result.append(contentsOf: chunk[0..<count])
        }
    }
}
