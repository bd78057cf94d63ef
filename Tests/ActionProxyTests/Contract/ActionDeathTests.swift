import Foundation
import Testing

/// When the kernel or a signal ends the action (issue 16): the proxy says
/// what happened, in the answer and in the log, and stays up.
@Suite("When the action is killed")
struct ActionDeathTests {
    @Test(
        "an action killed by a signal answers 400 command exited naming the signal, logs it, and the next run and /health say so",
        arguments: Serving.contract)
    func killedBySignal(_ target: Serving) throws {
        try target.serve { proxy throws in
            let script = "#!/bin/sh\nwhile read -r line; do kill -SEGV $$; done\n"
            #expect(try proxy.initialize(code: script).status == 200)
            let run = try proxy.run([:])
            #expect(run.status == 400)
            #expect(run.error == "command exited: the action was killed by signal 11 (SIGSEGV)", "\(run.text)")
            let next = try proxy.run([:])
            #expect(next.status == 500)
            #expect(next.error == run.error)
            let health = try proxy.request("GET", "/health")
            #expect(health.status == 503, "\(health.text)")
            #expect((health.json as? [String: Any])?["ready"] as? Bool == false, "\(health.text)")
            #expect((health.json as? [String: Any])?["status"] as? String == "the action exited", "\(health.text)")
            proxy.waitForSentinels(2)
            #expect(proxy.stderr.contains("The action was killed by signal 11 (SIGSEGV).\n"), "\(proxy.stderr)")
            #expect(proxy.isRunning)
        }
    }

    @Test(
        "the action starts with oom_score_adj 1000, so that the kernel kills it before the proxy",
        arguments: Serving.contract)
    func actionIsKilledFirst(_ target: Serving) throws {
        try target.serve { proxy throws in
            let script = """
                #!/bin/sh
                while read -r line; do
                  printf '{"action":%s,"proxy":%s}\\n' "$(cat /proc/self/oom_score_adj)" "$(cat /proc/$PPID/oom_score_adj)" >&3
                done
                """
            #expect(try proxy.initialize(code: script).status == 200)
            let scores = try proxy.run([:]).json as? [String: Int]
            #expect(scores?["action"] == 1000)
            #expect(scores?["proxy"] ?? 1000 < 1000, "\(String(describing: scores))")
        }
    }

    @Test("an action that exits with a status still answers plain command exited", arguments: Serving.contract)
    func plainExit(_ target: Serving) throws {
        try target.serve { proxy throws in
            #expect(try proxy.initialize(code: "#!/bin/sh\nread -r line\nexit 3\n").status == 200)
            #expect(try proxy.run([:]).error == "command exited")
        }
    }

    /// In a 256 MB container only: on the host nothing limits the memory.
    @Test(
        "an action that runs out of memory is killed, not the proxy: the error says so and gives the limit",
        arguments: Serving.contract.filter(\.isContainer))
    func outOfMemory(_ target: Serving) throws {
        let greedy = """
            #!/usr/bin/env python3
            import os, sys
            out = os.fdopen(3, "w")
            hoard = []
            for line in sys.stdin:
                hoard.append(b"x" * (400 << 20))
                out.write("{}\\n")
                out.flush()
            """
        try target.serve { proxy throws in
            #expect(try proxy.initialize(code: greedy).status == 200)
            let run = try proxy.run([:])
            #expect(run.status == 400)
            #expect(
                run.error
                    == "command exited: the action was killed by signal 9 (SIGKILL): it ran out of memory (the container's limit is 256 MiB)",
                "\(run.text)")
            let next = try proxy.run([:])
            #expect(next.status == 500)
            #expect(next.error?.contains("it ran out of memory") == true, "\(next.text)")
            let health = try proxy.request("GET", "/health")
            #expect(health.status == 503, "\(health.text)")
            #expect((health.json as? [String: Any])?["ready"] as? Bool == false, "\(health.text)")
            #expect((health.json as? [String: Any])?["status"] as? String == "the action exited", "\(health.text)")
            proxy.waitForSentinels(2)
            #expect(proxy.stderr.contains("it ran out of memory (the container's limit is 256 MiB)."))
            #expect(proxy.isRunning)
        }
    }
}
