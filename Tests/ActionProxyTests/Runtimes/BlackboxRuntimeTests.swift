import Foundation
import Testing

/// The blackbox runtime: the user's executable runs once per activation with
/// the value as its argument; its last stdout line is the result. On the host
/// (`Runtimes/blackbox`) and in `actionproxy/native`.
@Suite("Blackbox runtime")
struct BlackboxRuntimeTests {
    /// A shell action that answers with what it was given.
    static let echo = """
        #!/bin/sh
        echo "log line on stdout"
        echo "log line on stderr" >&2
        printf '{"argument":%s,"activation":"%s","deadline":"%s"}\\n' "$1" "$__OW_ACTIVATION_ID" "$__OW_DEADLINE"
        """

    @Test(
        "hello: the value arrives as the first argument and the last stdout line is the result",
        arguments: Serving.blackbox)
    func hello(_ serving: Serving) throws {
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: Self.echo).status == 200)
            let response = try proxy.run(
                ["name": "Ada"], fields: ["activation_id": "a1", "deadline": 1_700_000_000_000])
            #expect(response.status == 200)
            let json = try #require(response.json as? [String: Any])
            #expect(json["argument"] as? [String: String] == ["name": "Ada"])
            #expect(json["activation"] as? String == "a1")
            #expect(json["deadline"] as? String == "1700000000000")
        }
    }

    @Test("logs of every activation come before its sentinels, once per stream", arguments: Serving.blackbox)
    func logsAndSentinels(_ serving: Serving) throws {
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: Self.echo).status == 200)
            for index in 1...3 {
                #expect(try proxy.run(["n": index]).status == 200)
            }
            for log in proxy.activationLogs(3) {
                #expect(log.stdout == "log line on stdout\n")
                #expect(log.stderr == "log line on stderr\n")
            }
        }
    }

    @Test("an init without code runs the stub, which explains how to replace it", arguments: Serving.blackbox)
    func stub(_ serving: Serving) throws {
        try serving.serve { proxy throws in
            #expect(
                try proxy.request("POST", "/init", body: Data("{\"value\":{\"main\":\"main\"}}".utf8)).status == 200)
            let response = try proxy.run([:])
            #expect(response.status == 200)
            let message = try #require(response.error)
            #expect(message.contains("FROM actionproxy/native"))
            #expect(message.contains("/action/exec"))
            proxy.waitForSentinels(1)
            #expect(proxy.stderr.contains("blackbox stub"))
        }
    }

    @Test("PROXY_ALLOW_REINIT: a later init replaces the executable", arguments: Serving.blackbox)
    func reinit(_ serving: Serving) throws {
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: "#!/bin/sh\necho '{\"version\":1}'\n").status == 200)
            #expect(try proxy.run([:]).json as? [String: Int] == ["version": 1])
            #expect(try proxy.initialize(code: "#!/bin/sh\necho '{\"version\":2}'\n").status == 200)
            #expect(try proxy.run([:]).json as? [String: Int] == ["version": 2])
        }
    }

    @Test("a zip with exec and files beside it, run from its folder", arguments: Serving.blackbox)
    func zipForm(_ serving: Serving) throws {
        let zip = try zipOf(
            ["exec": "#!/bin/sh\ncat \"$(dirname \"$0\")/greeting.json\"\n", "greeting.json": "{\"hello\":\"zip\"}\n"],
            executables: ["exec"])
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: zip.base64EncodedString(), binary: true).status == 200)
            #expect(try proxy.run([:]).json as? [String: String] == ["hello": "zip"])
        }
    }

    @Test("a native executable runs once per activation", arguments: Serving.blackbox)
    func native(_ serving: Serving) throws {
        let folder = try Fixtures.scratch()
        let source = folder.appendingPathComponent("main.c")
        try """
        #include <stdio.h>
        int main(int argc, char **argv) { printf("{\\"native\\":%s}\\n", argc > 1 ? argv[1] : "null"); return 0; }
        """.write(to: source, atomically: true, encoding: .utf8)
        let binary = folder.appendingPathComponent("action")
        try Fixtures.runTool("/usr/bin/cc", ["-o", binary.path, source.path])
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(file: binary).status == 200)
            let json = try #require(try proxy.run(["x": 1]).json as? [String: Any])
            #expect(json["native"] as? [String: Int] == ["x": 1])
        }
    }

    @Test("init env and unicode reach the executable; unicode logs stay intact", arguments: Serving.blackbox)
    func environmentAndUnicode(_ serving: Serving) throws {
        let action = """
            #!/bin/sh
            echo "❄ ☃ ❄ in the log"
            printf '{"value":%s,"env":"%s"}\\n' "$1" "$GREETING"
            """
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: action, env: ["GREETING": "a=b ☃"]).status == 200)
            let json = try #require(try proxy.run(["snow": "❄ ☃ ❄"]).json as? [String: Any])
            #expect(json["value"] as? [String: String] == ["snow": "❄ ☃ ❄"])
            #expect(json["env"] as? String == "a=b ☃")
            proxy.waitForSentinels(1)
            #expect(proxy.stdout.contains("❄ ☃ ❄ in the log"))
        }
    }

    @Test("application error, non-object and array results, then success", arguments: Serving.blackbox)
    func resultKinds(_ serving: Serving) throws {
        let action = """
            #!/bin/sh
            case "$1" in
              *error*) echo '{"error":"it failed"}' ;;
              *string*) echo '"just a string"' ;;
              *array*) echo '[1,2,3]' ;;
              *newline*) printf '%s\\n' '{"text":"one\\ntwo"}' ;;
              *) echo '{"ok":true}' ;;
            esac
            """
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: action).status == 200)
            let error = try proxy.run(["kind": "error"])
            #expect(error.status == 200)
            #expect(error.error == "it failed")
            #expect(try proxy.run(["kind": "string"]).status == 502)
            #expect(try proxy.run(["kind": "array"]).text == "[1,2,3]\n")
            #expect((try proxy.run(["kind": "newline"]).json as? [String: String])?["text"] == "one\ntwo")
            #expect(try proxy.run(["kind": "fine"]).json as? [String: Bool] == ["ok": true])
        }
    }

    @Test("a 1 MB value comes on stdin when it is too large for an argument", arguments: Serving.blackbox)
    func largeValue(_ serving: Serving) throws {
        let action = """
            #!/bin/sh
            printf '{"bytes":%s,"arguments":%s}\\n' "$(wc -c)" "$#"
            """
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: action).status == 200)
            let large = String(repeating: "a", count: 1_048_561)
            let json = try #require(try proxy.run(["large": large]).json as? [String: Int])
            #expect(json["bytes"] == 1_048_561 + "{\"large\":\"\"}".utf8.count)
            #expect(json["arguments"] == 0)
        }
    }

    @Test("an action that prints nothing gets a 502, and the next activation works", arguments: Serving.blackbox)
    func noOutput(_ serving: Serving) throws {
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: "#!/bin/sh\n[ \"$1\" = '{}' ] || echo '{\"ok\":1}'\n").status == 200)
            let response = try proxy.run([:])
            #expect(response.status == 502)
            #expect(try proxy.run(["x": 1]).json as? [String: Int] == ["ok": 1])
        }
    }

    @Test("code that is not executable is refused at init with the reason", arguments: Serving.blackbox)
    func notExecutable(_ serving: Serving) throws {
        try serving.serve { proxy throws in
            let response = try proxy.initialize(code: "print('no #! line')\n")
            #expect(response.status == 502)
            #expect(response.error?.contains("#!") == true)
        }
    }
}
