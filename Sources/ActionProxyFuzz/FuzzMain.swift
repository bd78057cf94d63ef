/// The fuzz binary's entry point. Built for fuzzing (`make fuzz`: -D FUZZING
/// and -sanitize=fuzzer), it hands the command line to libFuzzer; in the
/// ordinary build it replays corpus files, which is how the tests use it.
@main
enum FuzzMain {
    static func main() {
        #if FUZZING
            LibFuzzer.run()
        #else
            CorpusReplay.run()
        #endif
    }
}
