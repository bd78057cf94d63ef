import Foundation
import Testing

/// `actionproxy/native`: the cases of `Runtimes/BlackboxRuntimeTests.swift`
/// on the image, and what only the image has: its stub `/action/exec`, and
/// images built `FROM actionproxy/native` with their own executable.
extension ContainerTests {
    @Suite("Container: actionproxy/native", .enabled(if: TestImage.enabled(.native), skipNote(.native)))
    struct NativeImageTests {
        /// A shell action that answers with what it was given.
        static let echo = """
            #!/bin/sh
            echo "log line on stdout"
            echo "log line on stderr" >&2
            printf '{"argument":%s,"activation":"%s","deadline":"%s"}\\n' "$1" "$__OW_ACTIVATION_ID" "$__OW_DEADLINE"
            """

        static let bareInit = Data("{\"value\":{\"main\":\"main\"}}".utf8)

        @Test("an init without code runs the stub /action/exec, which explains how to replace it")
        func stub() throws {
            try withContainer(.native) { proxy throws in
                #expect(try proxy.request("POST", "/init", body: Self.bareInit).status == 200)
                let response = try proxy.run([:])
                #expect(response.status == 200)
                let message = try #require(response.error)
                #expect(message.contains("FROM actionproxy/native"))
                #expect(message.contains("/action/exec"))
                proxy.waitForSentinels(1)
                #expect(proxy.stderr.contains("blackbox stub"))
            }
        }

        @Test("an image FROM actionproxy/native with its own /action/exec runs it without code at init")
        func ownImage() throws {
            let exec = """
                #!/bin/sh
                echo "my image logs this"
                printf '{"mine":%s,"cwd":"%s"}\\n' "$1" "$(pwd)"
                """
            let dockerfile = "FROM actionproxy/native\nCOPY exec /action/exec\n"
            try withBuiltImage(dockerfile: dockerfile, files: ["exec": (Data(exec.utf8), 0o755)]) { image throws in
                try withContainer(image: image) { proxy throws in
                    #expect(try proxy.request("POST", "/init", body: Self.bareInit).status == 200)
                    for index in 1...3 {
                        let json = try #require(try proxy.run(["n": index]).json as? [String: Any])
                        #expect(json["mine"] as? [String: Int] == ["n": index])
                    }
                    proxy.waitForSentinels(3)
                    let blocks = proxy.stdout.components(separatedBy: TestContainer.sentinel + "\n")
                    #expect(blocks.prefix(3).allSatisfy { $0 == "my image logs this\n" })
                }
            }
        }

        @Test("an image FROM actionproxy/native may ship a native binary as its exec")
        func ownNativeImage() throws {
            let folder = try Fixtures.scratch()
            let source = folder.appendingPathComponent("main.c")
            try """
            #include <stdio.h>
            int main(int argc, char **argv) { printf("{\\"compiled\\":%s}\\n", argc > 1 ? argv[1] : "null"); return 0; }
            """.write(to: source, atomically: true, encoding: .utf8)
            let binary = folder.appendingPathComponent("exec")
            try Fixtures.runTool("/usr/bin/cc", ["-O2", "-o", binary.path, source.path])
            let dockerfile = "FROM actionproxy/native\nCOPY exec /action/exec\n"
            let files = ["exec": (try Data(contentsOf: binary), 0o755)]
            try withBuiltImage(dockerfile: dockerfile, files: files) { image throws in
                try withContainer(image: image) { proxy throws in
                    #expect(try proxy.request("POST", "/init", body: Self.bareInit).status == 200)
                    let json = try #require(try proxy.run(["x": 1]).json as? [String: Any])
                    #expect(json["compiled"] as? [String: Int] == ["x": 1])
                }
            }
        }

        @Test("the proxy and its actions need no capability: they serve with --cap-drop ALL")
        func unprivileged() throws {
            // Invokers may drop every capability; the proxy must not depend on
            // one (a socket option that needs CAP_NET_ADMIN closes every connection).
            let options = ["--cap-drop", "ALL", "--security-opt", "no-new-privileges"]
            try withContainer(.native, options: options) { proxy throws in
                #expect(try proxy.initialize(code: Self.echo).status == 200)
                let json = try #require(try proxy.run(["n": 1]).json as? [String: Any])
                #expect(json["argument"] as? [String: Int] == ["n": 1])
            }
        }

        @Test("hello: the value arrives as the first argument and the last stdout line is the result")
        func hello() throws {
            try withContainer(.native) { proxy throws in
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

        @Test("logs of every activation come before its sentinels, once per stream")
        func logsAndSentinels() throws {
            try withContainer(.native) { proxy throws in
                #expect(try proxy.initialize(code: Self.echo).status == 200)
                for index in 1...3 {
                    #expect(try proxy.run(["n": index]).status == 200)
                }
                proxy.waitForSentinels(3)
                let logs = proxy.logs
                #expect(logs.stdout.components(separatedBy: "\n").filter { $0 == TestContainer.sentinel }.count == 3)
                #expect(logs.stderr.components(separatedBy: "\n").filter { $0 == TestContainer.sentinel }.count == 3)
                for block in logs.stdout.components(separatedBy: TestContainer.sentinel + "\n").prefix(3) {
                    #expect(block == "log line on stdout\n")
                }
                for block in logs.stderr.components(separatedBy: TestContainer.sentinel + "\n").prefix(3) {
                    #expect(block == "log line on stderr\n")
                }
            }
        }

        @Test("PROXY_ALLOW_REINIT: a later init replaces the executable")
        func reinit() throws {
            try withContainer(.native) { proxy throws in
                #expect(try proxy.initialize(code: "#!/bin/sh\necho '{\"version\":1}'\n").status == 200)
                #expect(try proxy.run([:]).json as? [String: Int] == ["version": 1])
                #expect(try proxy.initialize(code: "#!/bin/sh\necho '{\"version\":2}'\n").status == 200)
                #expect(try proxy.run([:]).json as? [String: Int] == ["version": 2])
            }
        }

        @Test("a zip with exec and files beside it, run from its folder")
        func zipForm() throws {
            let zip = try zipOf(
                [
                    "exec": "#!/bin/sh\ncat \"$(dirname \"$0\")/greeting.json\"\n",
                    "greeting.json": "{\"hello\":\"zip\"}\n",
                ],
                executables: ["exec"])
            try withContainer(.native) { proxy throws in
                #expect(try proxy.initialize(code: zip.base64EncodedString(), binary: true).status == 200)
                #expect(try proxy.run([:]).json as? [String: String] == ["hello": "zip"])
            }
        }

        @Test("a native executable sent at init runs once per activation")
        func native() throws {
            let folder = try Fixtures.scratch()
            let source = folder.appendingPathComponent("main.c")
            try """
            #include <stdio.h>
            int main(int argc, char **argv) { printf("{\\"native\\":%s}\\n", argc > 1 ? argv[1] : "null"); return 0; }
            """.write(to: source, atomically: true, encoding: .utf8)
            let binary = folder.appendingPathComponent("action")
            try Fixtures.runTool("/usr/bin/cc", ["-o", binary.path, source.path])
            try withContainer(.native) { proxy throws in
                #expect(try proxy.initialize(file: binary).status == 200)
                let json = try #require(try proxy.run(["x": 1]).json as? [String: Any])
                #expect(json["native"] as? [String: Int] == ["x": 1])
            }
        }

        @Test("init env and unicode reach the executable; unicode logs stay intact")
        func environmentAndUnicode() throws {
            let action = """
                #!/bin/sh
                echo "❄ ☃ ❄ in the log"
                printf '{"value":%s,"env":"%s"}\\n' "$1" "$GREETING"
                """
            try withContainer(.native) { proxy throws in
                #expect(try proxy.initialize(code: action, env: ["GREETING": "a=b ☃"]).status == 200)
                let json = try #require(try proxy.run(["snow": "❄ ☃ ❄"]).json as? [String: Any])
                #expect(json["value"] as? [String: String] == ["snow": "❄ ☃ ❄"])
                #expect(json["env"] as? String == "a=b ☃")
                proxy.waitForSentinels(1)
                #expect(proxy.stdout.contains("❄ ☃ ❄ in the log"))
            }
        }

        @Test("application error, non-object and array results, then success")
        func resultKinds() throws {
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
            try withContainer(.native) { proxy throws in
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

        @Test("a 1 MB value comes on stdin when it is too large for an argument")
        func largeValue() throws {
            let action = """
                #!/bin/sh
                printf '{"bytes":%s,"arguments":%s}\\n' "$(wc -c)" "$#"
                """
            try withContainer(.native) { proxy throws in
                #expect(try proxy.initialize(code: action).status == 200)
                let large = String(repeating: "a", count: 1_048_561)
                let json = try #require(try proxy.run(["large": large]).json as? [String: Int])
                #expect(json["bytes"] == 1_048_561 + "{\"large\":\"\"}".utf8.count)
                #expect(json["arguments"] == 0)
            }
        }

        @Test("an action that prints nothing gets a 502, and the next activation works")
        func noOutput() throws {
            try withContainer(.native) { proxy throws in
                #expect(try proxy.initialize(code: "#!/bin/sh\n[ \"$1\" = '{}' ] || echo '{\"ok\":1}'\n").status == 200)
                let response = try proxy.run([:])
                #expect(response.status == 502)
                #expect(try proxy.run(["x": 1]).json as? [String: Int] == ["ok": 1])
            }
        }

        @Test("code that is not executable is refused at init with the reason")
        func notExecutable() throws {
            try withContainer(.native) { proxy throws in
                let response = try proxy.initialize(code: "print('no #! line')\n")
                #expect(response.status == 502)
                #expect(response.error?.contains("#!") == true)
            }
        }
    }
}
