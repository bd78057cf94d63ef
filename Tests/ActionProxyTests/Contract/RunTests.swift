import Foundation
import Testing

@Suite("POST /run")
struct RunTests {
    @Test("four activations in a row each log and end with one sentinel per stream", arguments: Serving.contract)
    func fourActivations(_ target: Serving) throws {
        try target.serve { proxy throws in
            #expect(try proxy.initialize(code: try Fixtures.text("launcher.py")).status == 200)
            for index in 1...4 {
                let response = try proxy.run(["n": index])
                #expect(response.status == 200)
                #expect(response.json as? [String: Int] == ["n": index])
                proxy.waitForSentinels(index)
                #expect(proxy.sentinelCount(stderr: false) == index)
                #expect(proxy.sentinelCount(stderr: true) == index)
            }
            // Each activation's log lines come before its sentinel.
            for (index, log) in proxy.activationLogs(4).enumerated() {
                #expect(log.stdout.contains("stdout of activation \(index + 1):"))
                #expect(log.stderr.contains("stderr of activation \(index + 1)"))
            }
        }
    }

    @Test(
        "a result that is not an object or array answers 502",
        arguments: Serving.contract,
        [
            "\"a string\"", "42", "null", "true", "{\"unterminated\": ", "not json at all", "{} {}",
        ])
    func notObjectOrArray(_ target: Serving, result: String) throws {
        try target.serve { proxy throws in
            #expect(try proxy.initialize(code: try Fixtures.text("launcher.py")).status == 200)
            let response = try proxy.run(["do": "raw", "text": result])
            #expect(response.status == 502)
            #expect(response.error == "The action did not return a dictionary or array.")
            #expect(try proxy.run(["after": true]).status == 200)
        }
    }

    @Test("an array result answers 200 with the array", arguments: Serving.contract)
    func arrayResult(_ target: Serving) throws {
        try target.serve { proxy throws in
            #expect(try proxy.initialize(code: try Fixtures.text("launcher.py")).status == 200)
            let response = try proxy.run(["do": "raw", "text": "[1, \"two\", {\"three\": 3}]"])
            #expect(response.status == 200)
            #expect(response.text == "[1, \"two\", {\"three\": 3}]\n")
        }
    }

    @Test(
        "an action that answers failed and an error gets 502 with its message, a developer error; it serves on",
        arguments: Serving.contract)
    func failedAnswer(_ target: Serving) throws {
        try target.serve { proxy throws in
            let action = """
                #!/bin/sh
                while read -r line; do
                  case "$line" in
                    *fail*) echo 'failed {"error":"An error has occurred: Error: no config"}' >&3 ;;
                    *) echo '{"fine":true}' >&3 ;;
                  esac
                done
                """
            #expect(try proxy.initialize(code: action).status == 200)
            let failed = try proxy.run(["fail": true])
            #expect(failed.status == 502)
            #expect(failed.text == "{\"error\":\"An error has occurred: Error: no config\"}\n")
            #expect(try proxy.run(["next": 1]).json as? [String: Bool] == ["fine": true])
            proxy.waitForSentinels(2)
            #expect(proxy.sentinelCount(stderr: false) == 2)
        }
    }

    @Test(
        "a failed answer without an error string is not a result: 502 did not return a dictionary",
        arguments: Serving.contract, ["failed", "failed {}", "failed {\"error\":5}", "failed [1]"])
    func malformedFailedAnswer(_ target: Serving, line: String) throws {
        try target.serve { proxy throws in
            #expect(
                try proxy.initialize(code: "#!/bin/sh\nwhile read -r l; do echo '\(line)' >&3; done\n").status == 200)
            let response = try proxy.run([:])
            #expect(response.status == 502)
            #expect(response.error == "The action did not return a dictionary or array.")
        }
    }

    @Test("an application error result answers 200 as it is", arguments: Serving.contract)
    func applicationError(_ target: Serving) throws {
        try target.serve { proxy throws in
            #expect(try proxy.initialize(code: try Fixtures.text("launcher.py")).status == 200)
            let response = try proxy.run(["do": "raw", "text": "{\"error\":\"the action failed\"}"])
            #expect(response.status == 200)
            #expect(response.error == "the action failed")
        }
    }

    @Test("unicode round trips in values and logs", arguments: Serving.contract)
    func unicode(_ target: Serving) throws {
        try target.serve { proxy throws in
            #expect(try proxy.initialize(code: try Fixtures.text("launcher.py")).status == 200)
            let response = try proxy.run(["delimiter": "❄", "winter": "❄ ☃ ❄"])
            #expect(response.status == 200)
            #expect(response.json as? [String: String] == ["delimiter": "❄", "winter": "❄ ☃ ❄"])
            proxy.waitForSentinels(1)
            #expect(proxy.stdout.contains("❄ ☃ ❄"))
        }
    }

    @Test("init env reaches the action intact, with = and unicode, non-strings as JSON", arguments: Serving.contract)
    func initEnvironment(_ target: Serving) throws {
        try target.serve(environment: ["__OW_FROM_PROXY": "a=b=c"]) { proxy throws in
            let env: [String: Any] = [
                "SOME_VAR": "xyz", "WITH_EQUALS": "k=v=w", "SNOW": "❄ ☃ ❄", "NUMBER": 5, "FLAG": true,
                "OBJECT": ["a": [1, 2]], "NEWLINE": "one\ntwo",
            ]
            #expect(try proxy.initialize(code: try Fixtures.text("launcher.py"), env: env).status == 200)
            let response = try proxy.run(["do": "env"])
            let seen = try #require((response.json as? [String: Any])?["env"] as? [String: String])
            #expect(seen["SOME_VAR"] == "xyz")
            #expect(seen["WITH_EQUALS"] == "k=v=w")
            #expect(seen["SNOW"] == "❄ ☃ ❄")
            #expect(seen["NUMBER"] == "5")
            #expect(seen["FLAG"] == "true")
            #expect(seen["OBJECT"] == "{\"a\":[1,2]}")
            #expect(seen["NEWLINE"] == "one\ntwo")
            #expect(seen["__OW_FROM_PROXY"] == "a=b=c")
            #expect(seen["__OW_PROXY_VERSION"]?.isEmpty == false)
            #expect(seen["PATH"]?.contains("/usr/bin") == true)
        }
    }

    @Test("the activation fields reach the action on stdin as one line", arguments: Serving.contract)
    func activationFields(_ target: Serving) throws {
        try target.serve { proxy throws in
            #expect(try proxy.initialize(code: try Fixtures.text("launcher.py")).status == 200)
            let fields: [String: Any] = [
                "namespace": "guest", "action_name": "/guest/test", "action_version": "0.0.1",
                "activation_id": "abc123", "transaction_id": "tid", "api_key": "key:secret=",
                "deadline": "\(Int(Date().timeIntervalSince1970 * 1000) + 60_000)",
            ]
            let response = try proxy.run(["do": "env"], fields: fields)
            let seen = try #require((response.json as? [String: Any])?["env"] as? [String: String])
            #expect(seen["__OW_NAMESPACE"] == "guest")
            #expect(seen["__OW_ACTION_NAME"] == "/guest/test")
            #expect(seen["__OW_ACTION_VERSION"] == "0.0.1")
            #expect(seen["__OW_ACTIVATION_ID"] == "abc123")
            #expect(seen["__OW_TRANSACTION_ID"] == "tid")
            #expect(seen["__OW_API_KEY"] == "key:secret=")
            #expect(seen["__OW_DEADLINE"] == fields["deadline"] as? String)
        }
    }

    @Test("a body with newlines reaches the action as one line", arguments: Serving.contract)
    func newlinesRemoved(_ target: Serving) throws {
        try target.serve { proxy throws in
            #expect(try proxy.initialize(code: try Fixtures.text("launcher.py")).status == 200)
            let body = "{\n  \"value\": {\n    \"do\": \"input\",\n    \"text\": \"a\\nb\"\n  }\n}\n"
            let response = try proxy.request("POST", "/run", body: Data(body.utf8))
            #expect(response.status == 200)
            let json = try #require(response.json as? [String: Any])
            #expect(json["line"] as? String == "{  \"value\": {    \"do\": \"input\",    \"text\": \"a\\nb\"  }}\n")
        }
    }

    @Test("a 1,048,561-character string value round-trips", arguments: Serving.contract, ["launcher.py", "echo.sh"])
    func largeValue(_ target: Serving, fixture: String) throws {
        try target.serve { proxy throws in
            #expect(try proxy.initialize(code: try Fixtures.text(fixture)).status == 200)
            let large = String(repeating: "a", count: 1_048_561)
            let response = try proxy.run(["large": large])
            #expect(response.status == 200)
            let json = try #require(response.json as? [String: Any])
            let echoed =
                fixture == "echo.sh" ? (json["value"] as? [String: String])?["large"] : json["large"] as? String
            #expect(echoed?.count == 1_048_561)
            #expect(echoed == large)
        }
    }

    @Test(
        "a 50 MB result line is answered whole, within the invoker's 256 MB in a container", arguments: Serving.contract
    )
    func fiftyMegabyteResult(_ target: Serving) throws {
        try target.serve { proxy throws in
            let script = """
                #!/usr/bin/python3
                import os, sys
                out = os.fdopen(3, "w")
                for line in sys.stdin:
                    out.write('{"big":"' + "x" * (50 * 1024 * 1024) + '"}\\n')
                    out.flush()
                """
            #expect(try proxy.initialize(code: script).status == 200)
            let response = try proxy.run([:])
            #expect(response.status == 200)
            #expect(response.body.count == 50 * 1024 * 1024 + 11)
        }
    }

    @Test(
        "the action exiting during a run answers 400 command exited; later runs answer at once",
        arguments: Serving.contract)
    func exitDuringRun(_ target: Serving) throws {
        try target.serve { proxy throws in
            #expect(try proxy.initialize(code: try Fixtures.text("launcher.py")).status == 200)
            let response = try proxy.run(["do": "exit", "code": 1])
            #expect(response.status == 400)
            #expect(response.error == "command exited")
            let later = try proxy.run(["after": true])
            #expect(later.status == 500)
            #expect(later.error == "command exited")
            proxy.waitForSentinels(2)
            #expect(proxy.sentinelCount(stderr: false) == 2)
            #expect(proxy.isRunning)
        }
    }

    @Test("an action that died between runs answers 500 command exited", arguments: Serving.contract)
    func diedBetweenRuns(_ target: Serving) throws {
        try target.serve { proxy throws in
            let script = "#!/bin/bash\nread -r line\necho '{\"first\":true}' >&3\nsleep 0.2\nexit 0\n"
            #expect(try proxy.initialize(code: script).status == 200)
            #expect(try proxy.run([:]).status == 200)
            usleep(600_000)
            let response = try proxy.run([:])
            #expect(response.status == 500)
            #expect(response.error == "command exited")
        }
    }

    @Test(
        "a run that arrives while another is in progress waits for it, then gets its own answer",
        arguments: Serving.contract)
    func overlappingRunWaits(_ target: Serving) throws {
        try target.serve { proxy throws in
            #expect(try proxy.initialize(code: try Fixtures.text("launcher.py")).status == 200)
            let slow = try proxy.client()
            try slow.send("POST", "/run", body: Data("{\"value\":{\"do\":\"sleep\",\"seconds\":1}}".utf8))
            usleep(200_000)
            let started = Date()
            let second = try proxy.run(["second": true])
            #expect(second.status == 200)
            #expect(second.json as? [String: Bool] == ["second": true])
            #expect(Date().timeIntervalSince(started) > 0.5, "the second run did not wait for the first")
            let first = try slow.readResponse()
            #expect(first.status == 200)
            #expect((first.json as? [String: Any])?["slept"] as? Int == 1)
            proxy.waitForSentinels(2)
            #expect(proxy.sentinelCount(stderr: false) == 2)
        }
    }

    @Test(
        "waiting runs go in arrival order, each within its own deadline, and past OW_MAX_WAITING_RUNS one is refused with 503",
        arguments: Serving.contract)
    func waitingRunsInOrder(_ target: Serving) throws {
        try target.serve(environment: ["OW_MAX_WAITING_RUNS": "2"]) { proxy throws in
            #expect(try proxy.initialize(code: try Fixtures.text("launcher.py")).status == 200)
            let slow = try proxy.client()
            try slow.send("POST", "/run", body: Data("{\"value\":{\"do\":\"sleep\",\"seconds\":1.5}}".utf8))
            usleep(200_000)
            let soon = Int64(Date().timeIntervalSince1970 * 1000) + 300
            let expiring = try proxy.client()
            try expiring.send(
                "POST", "/run", body: Data("{\"value\":{\"n\":1},\"deadline\":\"\(soon)\"}".utf8))
            usleep(50_000)
            let later = try proxy.client()
            try later.send("POST", "/run", body: Data("{\"value\":{\"n\":2}}".utf8))
            usleep(50_000)
            let refused = try proxy.run(["n": 3])
            #expect(refused.status == 503)
            #expect(refused.error?.contains("OW_MAX_WAITING_RUNS") == true, "\(refused.text)")
            let expired = try expiring.readResponse()
            #expect(expired.status == 504)
            #expect(expired.error?.contains("while it waited") == true, "\(expired.text)")
            #expect(try slow.readResponse().status == 200)
            let answer = try later.readResponse()
            #expect(answer.json as? [String: Int] == ["n": 2])
            // Every activation has its sentinels, the refused and the expired too.
            proxy.waitForSentinels(4)
            #expect(proxy.sentinelCount(stderr: false) == 4)
            #expect(proxy.sentinelCount(stderr: true) == 4)
        }
    }

    @Test("a client that disconnects mid-run does not leave its answer to the next caller", arguments: Serving.contract)
    func disconnectMidRun(_ target: Serving) throws {
        try target.serve { proxy throws in
            #expect(try proxy.initialize(code: try Fixtures.text("launcher.py")).status == 200)
            do {
                let gone = try proxy.client()
                try gone.send("POST", "/run", body: Data("{\"value\":{\"do\":\"sleep\",\"seconds\":0.3}}".utf8))
                usleep(50_000)
            }
            usleep(500_000)
            let next = try proxy.run(["mine": true])
            #expect(next.status == 200)
            #expect(next.json as? [String: Bool] == ["mine": true])
        }
    }

    @Test("a second line on fd 3 is dropped and never shifts later answers", arguments: Serving.contract)
    func secondLineDoesNotShift(_ target: Serving) throws {
        // Both lines in one write: the second is there before the next
        // request can be (one written later could race with it; only framed
        // lines tell such a line apart).
        let action = """
            #!/usr/bin/env python3
            import os, sys
            for n, _ in enumerate(sys.stdin, start=1):
                os.write(3, b'{"n":%d}\\n{"stray":%d}\\n' % (n, n))
            """
        try target.serve { proxy throws in
            #expect(try proxy.initialize(code: action).status == 200)
            for index in 1...5 {
                #expect(try proxy.run([:]).json as? [String: Int] == ["n": index])
            }
        }
    }

    @Test("the start of a stray line left on fd 3 is not read as the next answer", arguments: Serving.contract)
    func partialStrayLine(_ target: Serving) throws {
        // After its first result the action leaves `{"stray":` without a
        // newline; it ends that line only when the next request came.
        let action = """
            #!/bin/bash
            n=0
            while read -r l; do
              n=$((n + 1))
              if [ $n -eq 2 ]; then echo '1}' >&3; fi
              echo '{"n":'$n'}' >&3
              if [ $n -eq 1 ]; then printf '{"stray":' >&3; fi
            done
            """
        try target.serve { proxy throws in
            #expect(try proxy.initialize(code: action).status == 200)
            #expect(try proxy.run([:]).json as? [String: Int] == ["n": 1])
            usleep(100_000)
            #expect(try proxy.run([:]).json as? [String: Int] == ["n": 2])
            #expect(try proxy.run([:]).json as? [String: Int] == ["n": 3])
        }
    }

    @Test("a run body that is not a JSON object answers 400 and the action stays usable", arguments: Serving.contract)
    func badRunBody(_ target: Serving) throws {
        try target.serve { proxy throws in
            #expect(try proxy.initialize(code: try Fixtures.text("launcher.py")).status == 200)
            for body in ["not json", "[1]", "{\"value\":", ""] {
                let response = try proxy.request("POST", "/run", body: Data(body.utf8))
                #expect(response.status == 400)
                #expect(response.error == "The /run body must be a JSON object.")
            }
            #expect(try proxy.run(["ok": true]).status == 200)
        }
    }
}
