#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The interpreter that a `#!` line names, checked before the action starts:
/// without it the kernel answers "No such file or directory" for a file that
/// is there, and a launcher that runs the action per activation would only
/// fail at the first `/run`.
struct ScriptInterpreter: Equatable {
    /// The `#!` line without `#!` and surrounding blanks, e.g. `/usr/bin/env python3`.
    let line: String
    /// The program to look for: an absolute path, or the name `env` runs.
    let program: String
    /// Whether `program` is a name looked up on `PATH` (through `/usr/bin/env`).
    let isLookedUp: Bool

    /// The interpreter of a file that starts with `#!`; nil for any other file
    /// or a line that names nothing.
    init?(prefix bytes: [UInt8]) {
        guard bytes.starts(with: [0x23, 0x21]) else { return nil }
        let firstLine = bytes.dropFirst(2).prefix { $0 != 0x0A && $0 != 0x0D }
        line = String(decoding: firstLine, as: UTF8.self).trimmingWhitespace
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let interpreter = words.first else { return nil }
        // `env` is where most scripts find their interpreter; `-S` and other
        // options come before the name.
        if interpreter.hasSuffix("/env"), let name = words.dropFirst().first(where: { !$0.hasPrefix("-") }),
            !name.contains("=")
        {
            program = name
            isLookedUp = !name.contains("/")
        } else {
            program = interpreter
            isLookedUp = false
        }
    }

    /// Why the action cannot start, or nil when the interpreter (and `env`,
    /// where it is used) can be run. `path` is the action's `PATH`.
    func problem(path: String) -> String? {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        if isLookedUp, let env = words.first.map(String.init), let reason = Self.unusable(env) {
            return "bin/exec starts with #!\(line), and \(env) \(reason)"
        }
        if isLookedUp {
            let folders = path.split(separator: ":", omittingEmptySubsequences: true)
            if folders.contains(where: { Self.unusable("\($0)/\(program)") == nil }) { return nil }
            return "bin/exec starts with #!\(line), and \(program) is not on this image's PATH (\(path))"
                + Self.whereToFind(program)
        }
        guard let reason = Self.unusable(program) else { return nil }
        let missing = reason == Self.missing
        return "bin/exec starts with #!\(line), and \(program) \(reason)" + (missing ? Self.whereToFind(program) : "")
    }

    /// Fails the init with a clear message when `executable` is a script
    /// whose interpreter cannot run here. `environment` is the action's.
    static func check(_ executable: String, environment: [String]) throws(ProxyError) {
        guard let interpreter = ScriptInterpreter(prefix: FileSystem.readPrefix(executable, count: 512)) else { return }
        let path = environment.last { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) }
        if let problem = interpreter.problem(path: path ?? ActionEnvironment.defaultPath) {
            throw .startFailed(problem)
        }
    }

    private static let missing = "is not in this image"

    /// Why `file` cannot be run, or nil when it can.
    private static func unusable(_ file: String) -> String? {
        guard FileSystem.exists(file) else { return missing }
        return access(file, X_OK) == 0 && !FileSystem.isDirectory(file) ? nil : "is not executable"
    }

    /// Which of our images has the interpreter, where we know.
    private static func whereToFind(_ program: String) -> String {
        let name = program.split(separator: "/").last.map(String.init) ?? program
        let image: String
        switch name {
        case "python", "python3", _ where name.hasPrefix("python3."): image = "actionproxy/python"
        case "node", "nodejs": image = "actionproxy/nodejs"
        case "swift": image = "actionproxy/swift"
        default: return ""
        }
        return " (\(image) has it)"
    }
}
