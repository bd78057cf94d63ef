import Foundation

/// The blackbox skeleton (Runtimes/blackbox): the user's executable runs once
/// per activation with the value as JSON in its first argument (or on its
/// stdin), and its last stdout line is the result.
enum BlackboxCases {
    /// Answers with what it was given; the value is read from the argument,
    /// or from stdin when there is none (values too large for an argument).
    static let echo = TestAction(
        "the blackbox echo script",
        source: #"""
            #!/bin/sh
            if [ $# -gt 0 ]; then value=$1; else value=$(cat); fi
            echo "stdout of $__OW_ACTIVATION_ID"
            echo "stderr of $__OW_ACTIVATION_ID" >&2
            printf '{"value":%s,"activation":"%s","env":"%s"}\n' "$value" "$__OW_ACTIVATION_ID" "$CONFORM_ENV"
            """#)

    static let all: [ConformanceCase] = [
        ConformanceCase(
            "blackbox.hello",
            "an init answers 200 {\"ok\":true}; each run gets the value as JSON and the fields as __OW_ variables",
            runtimes: [.blackbox], need: .fresh()
        ) { context in
            let response = try context.initialize(echo)
            try context.expect(
                response.status == 200 && response.text == "{\"ok\":true}\n",
                "the init: expected 200 {\"ok\":true}\\n, got \(CaseContext.show(response))")
            for index in 1...2 {
                let value: [String: Any] = ["name": "Ada", "n": index]
                let answer = try context.run(value, fields: ["activation_id": "activation-\(index)"])
                try context.expectResult(
                    answer, ["value": value, "activation": "activation-\(index)", "env": ""], "run \(index)")
            }
        },
        ConformanceCase(
            "blackbox.logs", "the executable's other output lands before one sentinel per stream per activation",
            runtimes: [.blackbox], need: .fresh(), needsLogs: true
        ) { context in
            try context.expectInitialized(echo)
            for index in 1...3 {
                try context.expectStatus(
                    try context.run(["n": index], fields: ["activation_id": "a\(index)"]), 200, "run \(index)")
            }
            let logs = try context.waitForSentinels(3)
            try context.expectSentinels(logs, 3, "after three runs")
            for (name, stream) in [("stdout", logs.stdout), ("stderr", logs.stderr)] {
                for (offset, block) in ActivationLogs(stream).activations.enumerated() {
                    try context.expect(
                        block.contains("\(name) of a\(offset + 1)"),
                        "the \(name) line of activation \(offset + 1) is not before its sentinel: \(block)")
                }
            }
        },
        ConformanceCase(
            "blackbox.stub",
            "an init without code runs the image's stub, which answers with an error saying what to do",
            runtimes: [.blackbox], need: .fresh()
        ) { context in
            let response = try context.request("POST", "/init", body: Data("{\"value\":{\"main\":\"main\"}}".utf8))
            try context.expectStatus(response, 200, "an init without code")
            let run = try context.run([:])
            try context.expect(
                (run.status == 200 || run.status == 502) && run.error?.isEmpty == false,
                "the stub's run: expected an {\"error\": …} explaining what to do, got \(CaseContext.show(run))")
        },
        ConformanceCase(
            "blackbox.reinit", "a later init replaces the executable (PROXY_ALLOW_REINIT)",
            runtimes: [.blackbox], need: .fresh()
        ) { context in
            for version in 1...2 {
                try context.expectInitialized(
                    TestAction("version \(version)", source: "#!/bin/sh\necho '{\"version\":\(version)}'\n"))
                try context.expectResult(try context.run([:]), ["version": version], "a run of version \(version)")
            }
        },
        ConformanceCase(
            "blackbox.zip", "a zip with an executable exec runs it from its folder, with the files beside it",
            runtimes: [.blackbox], need: .fresh()
        ) { context in
            let zip = TestArchive.of(
                [
                    "exec": "#!/bin/sh\ncat \"$(dirname \"$0\")/greeting.json\"\n",
                    "greeting.json": "{\"hello\":\"zip\"}\n",
                ], executables: ["exec"])
            try context.expectInitialized(TestAction("a blackbox zip", archive: zip))
            try context.expectResult(try context.run([:]), ["hello": "zip"], "a run")
        },
        ConformanceCase(
            "blackbox.results",
            "an {\"error\"} line answers 200, a string 502 \(RunCases.notObject), an array 200; the next run works",
            runtimes: [.blackbox], need: .fresh()
        ) { context in
            let script = """
                #!/bin/sh
                case "$1" in
                  *error*) echo '{"error":"it failed"}' ;;
                  *string*) echo '"just a string"' ;;
                  *array*) echo '[1,2,3]' ;;
                  *) echo '{"ok":true}' ;;
                esac
                """
            try context.expectInitialized(TestAction("a script that answers by kind", source: script))
            try context.expectResult(try context.run(["kind": "error"]), ["error": "it failed"], "an error result")
            try context.expectError(try context.run(["kind": "string"]), 502, RunCases.notObject, "a string result")
            try context.expectResult(try context.run(["kind": "array"]), [1, 2, 3], "an array result")
            try context.expectResult(try context.run(["kind": "fine"]), ["ok": true], "the next run")
        },
        ConformanceCase(
            "blackbox.env-unicode", "init env and unicode values reach the executable intact",
            runtimes: [.blackbox], need: .fresh()
        ) { context in
            try context.expectInitialized(echo, env: ["CONFORM_ENV": "a=b ☃"])
            let value = ["snow": "❄ ☃ ❄ 雪"]
            let object = try context.expectObject(
                try context.run(value, fields: ["activation_id": "u1"]), "a run with unicode")
            try context.expect(
                JSONValue.equal(object["value"] ?? NSNull(), value) && object["env"] as? String == "a=b ☃",
                "expected the value \(JSONValue.text(value)) and CONFORM_ENV a=b ☃, got \(JSONValue.text(object))")
        },
        ConformanceCase(
            "blackbox.large-input", "a 1 MB value reaches the executable whole", runtimes: [.blackbox], need: .fresh()
        ) { context in
            try context.expectInitialized(echo)
            let large = String(repeating: "a", count: 1_048_561)
            let object = try context.expectObject(
                try context.run(["large": large], fields: ["activation_id": "big"], timeout: 60), "a 1 MB run")
            try context.expect(
                (object["value"] as? [String: Any])?["large"] as? String == large,
                "the 1 MB value did not arrive whole")
        },
        ConformanceCase(
            "blackbox.not-executable", "code that is neither #! script nor binary fails the init with 502",
            runtimes: [.blackbox], need: .fresh()
        ) { context in
            let response = try context.initialize(TestAction("plain text", source: "print('no #! line')\n"))
            try context.expectError(response, 502, prefix: "", "the init of plain text")
        },
    ]
}
