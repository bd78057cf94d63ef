import Testing

/// The target flags that conform, invoke, soak and load share
/// (`TargetOptions`): the same checks and the same words in every command.
@Suite("The target flags of every command")
struct TargetOptionsTests {
    static let commands = ["conform", "invoke", "soak", "load"]

    /// What each command counts as a target: conform's --runtime names the
    /// language of its cases, and goes with any target.
    static func targets(of command: String) -> String {
        command == "conform" ? "--image, --proxy or --url" : "--image, --proxy, --url or --runtime"
    }

    @Test("two targets are refused with the same message, status 64", arguments: commands)
    func twoTargets(command: String) throws {
        let outcome = try Kit.run([command, "--image", "x", "--url", "http://127.0.0.1:1"])
        #expect(outcome.status == 64)
        #expect(outcome.stderr.contains("Error: give one target: \(Self.targets(of: command))"), "\(outcome.stderr)")
    }

    @Test("--runtime is one of the targets, except to conform, where it names the cases' language")
    func runtimeWithAnotherTarget() throws {
        for command in ["invoke", "soak", "load"] {
            let outcome = try Kit.run([command, "--runtime", "native", "--proxy", "x"])
            #expect(outcome.status == 64, "\(command)")
            #expect(outcome.stderr.contains("give one target: \(Self.targets(of: command))"), "\(command)")
        }
        let listed = try Kit.run(["conform", "--list", "--runtime", "python", "--url", "http://127.0.0.1:1"])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.contains("python."))
    }

    @Test("a flag that qualifies a target needs that target, and only the commands that use it take it")
    func qualifyingFlags() throws {
        let port = try Kit.run(["conform", "--fixed-port", "8080"])
        #expect(port.status == 64)
        #expect(port.stderr.contains("--fixed-port goes with --proxy"))
        for command in ["soak", "load"] {
            let pid = try Kit.run([command, "--pid", "1"])
            #expect(pid.status == 64, "\(command)")
            #expect(pid.stderr.contains("--pid goes with --url"), "\(command)")
        }
        // invoke is given a target: a usage error would be said first.
        let invoke = ["invoke", "--runtime", "native", "--code", "Examples/hello/exec"]
        for (command, flag) in [
            (invoke, "--pid"), (invoke, "--fixed-port"), (["soak"], "--memory"), (["conform"], "--pid"),
        ] {
            let outcome = try Kit.run(command + [flag, "1"])
            #expect(outcome.status == 64, "\(command) \(flag)")
            #expect(outcome.stderr.contains("Unknown option '\(flag)'"), "\(command) \(flag): \(outcome.stderr)")
        }
    }

    @Test("an unknown runtime is refused with the runtimes the command serves")
    func unknownRuntime() throws {
        for command in ["conform", "invoke"] {
            let outcome = try Kit.run([command, "--runtime", "cobol"])
            #expect(outcome.status == 64, "\(command)")
            #expect(
                outcome.stderr.contains("unknown runtime 'cobol': use one of native, blackbox, python, nodejs, swift"),
                "\(command): \(outcome.stderr)")
        }
        for command in ["soak", "load"] {
            let outcome = try Kit.run([command, "--runtime", "swift"])
            #expect(outcome.status == 64, "\(command)")
            #expect(outcome.stderr.contains("no echo action for swift: one of native, python, nodejs"), "\(command)")
        }
    }
}
