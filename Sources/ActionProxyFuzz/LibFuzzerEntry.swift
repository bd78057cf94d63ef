// The libFuzzer side, compiled only for `make fuzz` (`-D FUZZING`, with
// `-sanitize=fuzzer`): libFuzzer supplies `main` and calls these.
#if FUZZING
    #if canImport(Glibc)
        import Glibc
    #elseif canImport(Musl)
        import Musl
    #endif

    /// The target of this process, from `ACTIONPROXY_FUZZ_TARGET`: libFuzzer
    /// owns the command line (and passes it on to the processes it forks).
    private let fuzzedTarget: FuzzTarget = {
        let name = getenv(FuzzTarget.environmentVariable).map { String(cString: $0) } ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            let message = "ActionProxyFuzz: set \(FuzzTarget.environmentVariable) to one of: \(FuzzTarget.names)\n"
            _ = message.utf8CString.withUnsafeBufferPointer { write(STDERR_FILENO, $0.baseAddress, $0.count - 1) }
            exit(2)
        }
        return target
    }()

    @_cdecl("LLVMFuzzerInitialize")
    public func fuzzerInitialize(
        _ argc: UnsafeMutablePointer<CInt>?,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?
    ) -> CInt {
        // Fail before the first input, not inside it.
        _ = fuzzedTarget
        return 0
    }

    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        fuzzedTarget(UnsafeRawBufferPointer(start: data, count: size))
        return 0
    }
#endif
