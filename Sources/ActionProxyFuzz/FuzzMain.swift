/// The fuzz binary's entry point. Built for fuzzing (`make fuzz`: -D FUZZING
/// and -sanitize=fuzzer), it hands the command line to libFuzzer; in the
/// ordinary build it replays corpus files, which is how the tests use it.
/// Either build prints its targets for `--list-targets` alone.
@main
enum FuzzMain {
    static func main() {
        if Array(CommandLine.arguments.dropFirst()) == [FuzzTarget.listFlag] {
            FuzzTarget.printNames()
            return
        }
        #if FUZZING
            LibFuzzer.run()
        #else
            CorpusReplay.run()
        #endif
    }
}
