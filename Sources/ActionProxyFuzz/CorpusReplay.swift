import ActionProxy

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Replays corpus files through the targets without libFuzzer: what the
/// ordinary build of the fuzz binary does, so that the test suite can check
/// that every committed input (crashes found and fixed included) still passes.
enum CorpusReplay {
    static let usage = """
        usage: ActionProxyFuzz [--verbose] [--target NAME] PATH...
               ActionProxyFuzz \(FuzzTarget.listFlag)

        Feeds each file to a fuzz target: the one named by --target (or by
        \(FuzzTarget.environmentVariable)), else the one named by the folder the
        file is in (Fuzz/corpus/zip/a.zip goes to zip). A folder is walked
        recursively. Targets: \(FuzzTarget.names).
        --verbose prints each input with its target and, for init, the way its
        code went into the action folder.
        \(FuzzTarget.listFlag) prints the targets, one a line.
        Exits 0 when every input passed; a broken invariant aborts the process
        with a message naming it.

        """

    static func run() {
        var forced = FuzzTarget.fromEnvironment
        var verbose = false
        var counts: [FuzzTarget: Int] = [:]
        var arguments = CommandLine.arguments.dropFirst()
        if arguments.isEmpty { fail(usage) }
        while let argument = arguments.popFirst() {
            switch argument {
            case "-h", "--help":
                print(usage, terminator: "")
                exit(0)
            case "--target":
                guard let name = arguments.popFirst(), let target = FuzzTarget(rawValue: name) else {
                    fail("--target needs one of: \(FuzzTarget.names)\n")
                }
                forced = target
            case "--verbose":
                verbose = true
            default:
                replay(argument, forced: forced, verbose: verbose, counts: &counts)
            }
        }
        let total = counts.values.reduce(0, +)
        let summary = FuzzTarget.allCases.compactMap { target in counts[target].map { "\(target.rawValue) \($0)" } }
        print("replayed \(total) inputs (\(summary.joined(separator: ", "))): all passed")
    }

    private static func replay(
        _ path: String, forced: FuzzTarget?, verbose: Bool, counts: inout [FuzzTarget: Int]
    ) {
        var info = stat()
        guard stat(path, &info) == 0 else { fail("cannot read \(path)\n") }
        if info.st_mode & S_IFMT == S_IFDIR {
            for name in entries(of: path) {
                replay(path + "/" + name, forced: forced, verbose: verbose, counts: &counts)
            }
            return
        }
        let folderName = path.split(separator: "/").dropLast().last.map(String.init) ?? ""
        guard let target = forced ?? FuzzTarget(rawValue: folderName) else {
            fail("\(path): no target; use --target or put it in a folder named after one (\(FuzzTarget.names))\n")
        }
        let bytes = contents(of: path)
        let way = bytes.withUnsafeBytes { target($0) }
        if verbose { print("\(path) (\(target.rawValue)): \(way?.description ?? "passed")") }
        counts[target, default: 0] += 1
    }

    private static func entries(of path: String) -> [String] {
        do {
            return try FileSystem.listDirectory(path).filter { !$0.hasPrefix(".") }.sorted()
        } catch {
            fail("cannot list \(path)\n")
        }
    }

    private static func contents(of path: String) -> [UInt8] {
        do {
            return try FileSystem.readFile(path, limit: .max)
        } catch {
            fail("cannot read \(path)\n")
        }
    }

    private static func fail(_ message: String) -> Never {
        StandardStreams.writeError(message)
        exit(2)
    }
}
