import Foundation
import Testing

@testable import ActionProxy

/// A `#!` script whose interpreter is not in the image fails its init with a
/// message that names the interpreter, on the plain proxy and behind the
/// blackbox launcher (which runs the script only at each `/run`) alike.
@Suite("a missing interpreter says so")
struct ScriptInterpreterTests {
    /// The proxy alone, the proxy with the blackbox launcher (as
    /// actionproxy/native serves), and the native image itself.
    static let targets = [Serving.proxy] + Serving.blackbox

    @Test(
        "an interpreter that is not in the image fails the init with 502, naming it and the image that has it",
        arguments: Self.targets)
    func missingInterpreter(_ target: Serving) throws {
        try target.serve { proxy throws in
            let response = try proxy.initialize(code: "#!/opt/no-such-folder/python3\nprint('hi')\n")
            #expect(response.status == 502)
            #expect(
                response.error
                    == target.startError(
                        "bin/exec starts with #!/opt/no-such-folder/python3, and "
                            + "/opt/no-such-folder/python3 is not in this image (actionproxy/python has it)"))
            // A failed init does not count: a script whose interpreter is here initialises.
            #expect(try proxy.initialize(code: try Fixtures.text("echo.sh")).status == 200)
        }
    }

    @Test("a name that env cannot find on the action's PATH fails the init with 502", arguments: Self.targets)
    func missingOnPath(_ target: Serving) throws {
        try target.serve { proxy throws in
            let response = try proxy.initialize(code: "#!/usr/bin/env -S no-such-interpreter -x\n")
            #expect(response.status == 502)
            let error = try #require(response.error)
            #expect(
                error.hasPrefix(
                    target.startError(
                        "bin/exec starts with #!/usr/bin/env -S no-such-interpreter -x, and "
                            + "no-such-interpreter is not on this image's PATH (")))
        }
    }

    @Test("an interpreter that is there but not executable fails the init with 502", arguments: Self.targets)
    func notExecutable(_ target: Serving) throws {
        try target.serve { proxy throws in
            let response = try proxy.initialize(code: "#!/etc/passwd\n")
            #expect(response.status == 502)
            #expect(
                response.error
                    == target.startError("bin/exec starts with #!/etc/passwd, and /etc/passwd is not executable"))
        }
    }

    @Test("with OW_LOG_INIT_ERROR the message goes to the log, followed by the sentinels", arguments: Self.targets)
    func loggedWhenAsked(_ target: Serving) throws {
        try target.serve(environment: ["OW_LOG_INIT_ERROR": "1"]) { proxy throws in
            let response = try proxy.initialize(code: "#!/opt/no-such-folder/node\n")
            #expect(response.status == 502)
            #expect(
                response.error?.hasPrefix(InitFailure.start + "bin/exec starts with #!/opt/no-such-folder/node") == true
            )
            proxy.waitForSentinels(1)
            #expect(
                proxy.logs.stderr.contains("/opt/no-such-folder/node is not in this image (actionproxy/nodejs has it)"))
        }
    }

    @Test(
        "the #! line is read as the kernel reads it",
        arguments: [
            ("#!/usr/bin/python3\nx", "/usr/bin/python3", false),
            ("#! /bin/sh -e\r\nx", "/bin/sh", false),
            ("#!/usr/bin/env python3", "python3", true),
            ("#!/usr/bin/env -S node --no-warnings\n", "node", true),
            ("#!/usr/bin/env ./local-tool\n", "./local-tool", false),
        ])
    func parsesTheLine(prefix: String, program: String, isLookedUp: Bool) throws {
        let interpreter = try #require(ScriptInterpreter(prefix: Array(prefix.utf8)))
        #expect(interpreter.program == program)
        #expect(interpreter.isLookedUp == isLookedUp)
    }

    @Test("files that are not scripts, and an empty #! line, are not checked")
    func notScripts() {
        #expect(ScriptInterpreter(prefix: Array("\u{7F}ELF".utf8)) == nil)
        #expect(ScriptInterpreter(prefix: Array("echo hi\n".utf8)) == nil)
        #expect(ScriptInterpreter(prefix: Array("#!\n".utf8)) == nil)
        #expect(ScriptInterpreter(prefix: Array("#!/bin/sh\n".utf8))?.problem(path: "/usr/bin:/bin") == nil)
        #expect(ScriptInterpreter(prefix: Array("#!/usr/bin/env sh\n".utf8))?.problem(path: "/usr/bin:/bin") == nil)
    }
}
