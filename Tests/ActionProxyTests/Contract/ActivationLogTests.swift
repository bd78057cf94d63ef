import ActionKit
import Foundation
import Testing

@Suite("Activation logs: each activation's output sits before its sentinels, and only there")
struct ActivationLogTests {
    /// A shell action that logs, answers, then logs again after its result.
    static let lateLogger = """
        #!/bin/bash
        n=0
        while read -r line; do
          n=$((n + 1))
          echo "before-$n"; echo "err-before-$n" >&2
          echo '{"n":'$n'}' >&3
          sleep 0.3
          echo "late-$n"; echo "err-late-$n" >&2
        done
        """

    @Test(
        "lines an action writes after its result do not bleed into the next activation's log",
        arguments: Serving.contract)
    func lateLinesDoNotBleed(_ target: Serving) throws {
        try target.serve { proxy throws in
            #expect(try proxy.initialize(code: Self.lateLogger).status == 200)
            #expect(try proxy.run([:]).status == 200)
            usleep(700_000)
            #expect(try proxy.run([:]).status == 200)
            proxy.waitForSentinels(2)
            let stdout = ActivationLogs(proxy.stdout)
            let stderr = ActivationLogs(proxy.stderr)
            #expect(stdout.activations == [["before-1"], ["before-2"]], "\(proxy.stdout)")
            #expect(
                stderr.activations.map { $0.filter { !$0.contains("debug") } } == [["err-before-1"], ["err-before-2"]])
            #expect(!proxy.stdout.contains("late-1") && !proxy.stderr.contains("err-late-1"))
        }
    }

    @Test("output without a final newline still leaves the sentinel on a line of its own", arguments: Serving.contract)
    func partialLineEndsBeforeSentinel(_ target: Serving) throws {
        let action = "#!/bin/bash\nwhile read -r l; do printf 'no newline'; printf 'e' >&2; echo '{}' >&3; done\n"
        try target.serve { proxy throws in
            #expect(try proxy.initialize(code: action).status == 200)
            #expect(try proxy.run([:]).status == 200)
            #expect(try proxy.run([:]).status == 200)
            proxy.waitForSentinels(2)
            #expect(ActivationLogs(proxy.stdout).activations == [["no newline"], ["no newline"]])
            #expect(ActivationLogs(proxy.stderr).activations == [["e"], ["e"]])
        }
    }

    @Test("a megabyte of log written just before the result all comes before the sentinel", arguments: Serving.contract)
    func largeLogBeforeResult(_ target: Serving) throws {
        let action = """
            #!/bin/bash
            while read -r l; do
              head -c 1048576 /dev/zero | tr '\\0' 'x' | fold -w 1000
              echo; echo '{}' >&3
            done
            """
        try target.serve { proxy throws in
            #expect(try proxy.initialize(code: action).status == 200)
            #expect(try proxy.run([:]).status == 200)
            proxy.waitForSentinels(1)
            let first = try #require(ActivationLogs(proxy.stdout).activations.first)
            #expect(first.joined().count == 1_048_576)
        }
    }
}
