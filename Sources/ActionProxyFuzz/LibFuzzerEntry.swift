// The libFuzzer side, compiled only for `make fuzz` (`-D FUZZING`, with
// `-sanitize=fuzzer`, which links the libFuzzer runtime).
#if FUZZING
    import ActionProxy
    import CLibFuzzer

    #if canImport(Glibc)
        import Glibc
    #elseif canImport(Musl)
        import Musl
    #endif

    enum LibFuzzer {
        /// Runs libFuzzer with this process's command line (its flags and
        /// corpus folders) over the target named in the environment.
        static func run() -> Never {
            _ = fuzzedTarget  // fail before the first input, not inside it
            var argc = CommandLine.argc
            var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
            exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzerTestOneInput))
        }
    }

    /// The target of this process, from `ACTIONPROXY_FUZZ_TARGET`: libFuzzer
    /// owns the command line, and the environment also reaches the processes
    /// it forks (`-fork`, `-jobs`).
    private let fuzzedTarget: FuzzTarget = {
        guard let target = FuzzTarget.fromEnvironment else {
            StandardStreams.writeError(
                "ActionProxyFuzz: set \(FuzzTarget.environmentVariable) to one of: \(FuzzTarget.names)\n")
            exit(2)
        }
        return target
    }()

    /// libFuzzer's callback, under the name its runtime also looks for.
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        fuzzedTarget(UnsafeRawBufferPointer(start: data, count: size))
        return 0
    }
#endif
