import ActionKit
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `actionkit invoke` run as a user runs it; its record read back as JSON.
enum Invoke {
    struct Run {
        var outcome: Kit.Outcome
        /// The printed JSON: one record, or `{"activations", "summary"}`.
        var json: [String: Any]

        var status: String? { response?["status"] as? String }
        var response: [String: Any]? { json["response"] as? [String: Any] }
        var result: [String: Any]? { response?["result"] as? [String: Any] }
        var logs: [String] { json["logs"] as? [String] ?? [] }
        var records: [[String: Any]] { json["activations"] as? [[String: Any]] ?? [] }

        func annotation(_ key: String, in record: [String: Any]? = nil) -> Any? {
            let annotations = (record ?? json)["annotations"] as? [[String: Any]] ?? []
            return annotations.first { $0["key"] as? String == key }?["value"]
        }
    }

    static func run(_ arguments: [String]) throws -> Run {
        let (outcome, object) = try Kit.json(["invoke", "--json"] + arguments)
        return Run(outcome: outcome, json: object)
    }

    /// A scratch folder holding `files` (name → content).
    static func folder(_ files: [String: String]) throws -> URL {
        let folder = try Kit.scratch()
        for (name, content) in files {
            try Data(content.utf8).write(to: folder.appendingPathComponent(name))
        }
        return folder
    }

    /// `2026-11-27T10:00:00.123456Z stdout: text`.
    static func isTimedLine(_ line: String, stream: String, text: String) -> Bool {
        let parts = line.split(separator: " ", maxSplits: 2).map(String.init)
        guard parts.count == 3 else { return false }
        return parts[0].count == 27 && parts[0].hasSuffix("Z") && Timestamp.parse(parts[0]) != nil
            && parts[1] == "\(stream):" && parts[2] == text
    }

    /// A Python action that answers with its parameters and some of its environment.
    static let echoPython = """
        import os
        def main(args):
            print("echo", args.get("tag", ""))
            env = {k: v for k, v in os.environ.items() if k.startswith("MY_") or k.startswith("__OW_")}
            return {"args": args, "env": env}
        """
}

@Suite("actionkit invoke runs an action on the host proxy")
struct InvokeHostTests {
    @Test("a Python action gets its parameters, and its log line is in the record with a timestamp")
    func python() throws {
        let run = try Invoke.run([
            "--runtime", "python", "--code", "Examples/python/hello/hello.py", "-p", "name", "World",
        ])
        #expect(run.outcome.status == 0, "\(run.outcome.stderr)")
        #expect(run.status == "success")
        #expect(run.response?["success"] as? Bool == true)
        #expect(run.result?["greeting"] as? String == "Hello, World!")
        #expect(run.logs.count == 1)
        #expect(Invoke.isTimedLine(run.logs.first ?? "", stream: "stdout", text: "greeting World"), "\(run.logs)")
        let activationID = run.json["activationId"] as? String ?? ""
        #expect(activationID.count == 32)
        let start = run.json["start"] as? Int ?? 0
        let end = run.json["end"] as? Int ?? 0
        #expect(run.json["duration"] as? Int == end - start)
        #expect(run.annotation("initTime") as? Int ?? -1 >= 0)
        #expect(run.annotation("kind") as? String == "python")
        #expect(run.json["name"] as? String == "hello")
    }

    @Test("a Node.js action runs")
    func nodejs() throws {
        let run = try Invoke.run([
            "--runtime", "nodejs", "--code", "Examples/nodejs/hello/hello.js", "-p", "name", "Node",
        ])
        #expect(run.status == "success", "\(run.outcome.stderr)")
        #expect(run.result?["greeting"] as? String == "Hello, Node!")
        #expect(run.logs.contains { $0.hasSuffix("stdout: greeting Node") }, "\(run.logs)")
    }

    @Test("a native shell script runs")
    func native() throws {
        let run = try Invoke.run(["--runtime", "native", "--code", "Examples/hello/exec", "-p", "name", "Sh"])
        #expect(run.status == "success", "\(run.outcome.stderr)")
        #expect(run.result?["greeting"] as? String == "Hello, Sh!")
        #expect(run.logs.contains { $0.hasSuffix("stdout: hello: greeting Sh") }, "\(run.logs)")
    }

    @Test("a Swift action is compiled at init and runs")
    func swift() throws {
        // The first Swift init on a machine builds the runtime's support module.
        let run = try Invoke.run([
            "--runtime", "swift", "--code", "Examples/swift/hello/hello.swift", "-p", "name", "Swift", "--timeout",
            "300s",
        ])
        #expect(run.status == "success", "\(run.outcome.stderr)")
        #expect(run.result?["greeting"] as? String == "Hello, Swift!")
        #expect(run.logs.contains { $0.hasSuffix("stdout: greeting Swift") }, "\(run.logs)")
    }

    @Test("-p values are JSON when they parse as JSON, else strings, and override the parameter file")
    func parameters() throws {
        let folder = try Invoke.folder([
            "echo.py": Invoke.echoPython, "params.json": #"{"fromFile": {"x": 1}, "both": "file"}"#,
        ])
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try Invoke.run([
            "--runtime", "python", "--code", folder.appendingPathComponent("echo.py").path,
            "--param-file", folder.appendingPathComponent("params.json").path,
            "-p", "both", "cli", "-p", "number", "-5", "-p", "list", "[1,2]", "-p", "flag", "true",
            "-p", "text", "hello world", "-p", "quoted", #""7""#,
        ])
        #expect(run.status == "success", "\(run.outcome.stderr)")
        let args = run.result?["args"] as? [String: Any] ?? [:]
        #expect((args["fromFile"] as? [String: Any])?["x"] as? Int == 1)
        #expect(args["both"] as? String == "cli")
        #expect(args["number"] as? Int == -5)
        #expect(args["list"] as? [Int] == [1, 2])
        #expect(args["flag"] as? Bool == true)
        #expect(args["text"] as? String == "hello world")
        #expect(args["quoted"] as? String == "7")
    }

    @Test("--env reaches the action with the platform's __OW_ context, and the run carries the activation's fields")
    func environment() throws {
        let folder = try Invoke.folder(["echo.py": Invoke.echoPython])
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try Invoke.run([
            "--runtime", "python", "--code", folder.appendingPathComponent("echo.py").path,
            "--env", "MY_SETTING=a=b c", "--name", "envtest", "--namespace", "team",
        ])
        #expect(run.status == "success", "\(run.outcome.stderr)")
        let env = run.result?["env"] as? [String: String] ?? [:]
        #expect(env["MY_SETTING"] == "a=b c")
        #expect(env["__OW_ACTION_NAME"] == "/team/envtest")
        #expect(env["__OW_NAMESPACE"] == "team")
        #expect(env["__OW_ACTIVATION_ID"] == run.json["activationId"] as? String)
        let deadline = Int(env["__OW_DEADLINE"] ?? "") ?? 0
        let start = run.json["start"] as? Int ?? 0
        #expect(deadline > start + 50_000 && deadline < start + 70_000, "deadline \(deadline), start \(start)")
        #expect(run.json["namespace"] as? String == "team")
        #expect(run.annotation("path") as? String == "team/envtest")
    }

    @Test("a folder is zipped and sent as the action")
    func folder() throws {
        let folder = try Invoke.folder([
            "__main__.py":
                "from helper import shout\ndef main(args):\n    return {\"said\": shout(args.get(\"word\", \"\"))}\n",
            "helper.py": "def shout(word):\n    return word.upper() + '!'\n",
        ])
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try Invoke.run(["--runtime", "python", "--code", folder.path, "-p", "word", "zip"])
        #expect(run.status == "success", "\(run.outcome.stderr)")
        #expect(run.result?["said"] as? String == "ZIP!")
    }

    @Test("a result with an error member is an application error: exit status 1")
    func applicationError() throws {
        let folder = try Invoke.folder(["fail.py": "def main(args):\n    return {'error': 'no such user', 'code': 7}\n"]
        )
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try Invoke.run(["--runtime", "python", "--code", folder.appendingPathComponent("fail.py").path])
        #expect(run.outcome.status == 1)
        #expect(run.status == "application error")
        #expect(run.response?["success"] as? Bool == false)
        // The platform keeps only the error member.
        #expect(run.result?.keys.sorted() == ["error"])
        #expect(run.result?["error"] as? String == "no such user")
    }

    @Test(
        "a result over 1 MiB is an application error with the truncated response, and the warm proxy is kept, as the platform does"
    )
    func resultOverTheLimit() throws {
        let folder = try Invoke.folder(["big.py": "def main(args):\n    return {'big': 'x' * (2 << 20)}\n"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try Invoke.run([
            "--runtime", "python", "--code", folder.appendingPathComponent("big.py").path, "--repeat", "2",
        ])
        #expect(run.outcome.status == 1)
        for record in run.records {
            let response = record["response"] as? [String: Any]
            #expect(response?["status"] as? String == "application error")
            let error = (response?["result"] as? [String: Any])?["error"] as? String ?? ""
            let prefix =
                "The action produced a response that exceeded the allowed length: 2097163 > 1048576 bytes. The truncated response was: {\"big\":\"xxx"
            let truncated = error.hasPrefix(prefix) && error.utf8.count < 1_048_576 + 200
            #expect(truncated, "\(error.prefix(200))")
        }
        // Kept warm: the second activation has no init.
        #expect(run.annotation("initTime", in: run.records.last) == nil)
    }

    @Test("an activation keeps 10 MiB of log lines, then the platform's notice")
    func logsOverTheLimit() throws {
        let folder = try Invoke.folder([
            "chatty.py": "def main(args):\n    for n in range(12 * 1024):\n        print('y' * 1000)\n    return {}\n"
        ])
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try Invoke.run(["--runtime", "python", "--code", folder.appendingPathComponent("chatty.py").path])
        #expect(run.outcome.status == 0)
        #expect(
            run.logs.last == "Logs were truncated because the total bytes size exceeds the limit of 10485760 bytes.")
        #expect(run.logs.count > 9_000 && run.logs.count < 12 * 1024, "\(run.logs.count)")
    }

    @Test("code that does not compile is an action developer error with the compiler's message: exit status 2")
    func developerError() throws {
        let folder = try Invoke.folder(["bad.py": "def main(args)\n    return {}\n"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try Invoke.run(["--runtime", "python", "--code", folder.appendingPathComponent("bad.py").path])
        #expect(run.outcome.status == 2)
        #expect(run.status == "action developer error")
        let message = run.result?["error"] as? String
        #expect(message?.contains("SyntaxError") == true, "\(run.json)")
        #expect(run.logs.last == "The action did not initialize or run as expected. Log data might be missing.")
    }

    @Test("an action that dies during its run is an action developer error, and the next repeat gets a fresh proxy")
    func crashReplacesTheProxy() throws {
        let folder = try Invoke.folder(["die.py": "import os\ndef main(args):\n    os._exit(3)\n"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try Invoke.run([
            "--runtime", "python", "--code", folder.appendingPathComponent("die.py").path, "--repeat", "2",
        ])
        #expect(run.outcome.status == 2)
        #expect(run.records.count == 2)
        for record in run.records {
            let response = record["response"] as? [String: Any]
            #expect(response?["status"] as? String == "action developer error")
            // Both cold: the failed proxy was replaced, as the platform replaces a container.
            #expect(run.annotation("initTime", in: record) != nil)
        }
        #expect(run.outcome.stderr.contains("the proxy failed: it is removed and started afresh"))
    }

    @Test("an action that runs past --timeout is an action developer error, and its process is stopped")
    func timeout() throws {
        let folder = try Invoke.folder([
            "hang.py":
                "import os, time\ndef main(args):\n    print('pid', os.getpid(), flush=True)\n    time.sleep(120)\n    return {}\n"
        ])
        defer { try? FileManager.default.removeItem(at: folder) }
        let began = Date()
        let run = try Invoke.run([
            // The init shares the limit (as on the platform): room for a slow one on a busy machine.
            "--runtime", "python", "--code", folder.appendingPathComponent("hang.py").path, "--timeout", "5s",
        ])
        let elapsed = Date().timeIntervalSince(began)
        #expect(run.outcome.status == 2)
        #expect(run.status == "action developer error")
        #expect(run.result?["error"] as? String == "The action exceeded its time limits of 5000 milliseconds.")
        #expect(run.annotation("timeout") as? Bool == true)
        #expect(elapsed < 30, "took \(elapsed) s")
        let pidLine = run.logs.first { $0.contains("stdout: pid ") } ?? ""
        let pid = Int32(pidLine.split(separator: " ").last ?? "") ?? 0
        #expect(pid > 0, "\(run.logs)")
        if pid > 0 {
            #expect(kill(pid, 0) != 0 && errno == ESRCH, "the action's process \(pid) is still there")
        }
        #expect(run.outcome.stderr.contains("the proxy failed: it is removed"))
    }

    @Test("--repeat reuses the warm proxy: one cold activation, warm ones after, each with its own log lines")
    func repeatIsWarm() throws {
        let folder = try Invoke.folder([
            "count.py": """
            import os
            calls = 0
            def main(args):
                global calls
                calls += 1
                print("call", calls, os.environ["__OW_ACTIVATION_ID"])
                return {"calls": calls}
            """
        ])
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try Invoke.run([
            "--runtime", "python", "--code", folder.appendingPathComponent("count.py").path, "--repeat", "4",
        ])
        #expect(run.outcome.status == 0, "\(run.outcome.stderr)")
        #expect(run.records.count == 4)
        for (index, record) in run.records.enumerated() {
            let result = (record["response"] as? [String: Any])?["result"] as? [String: Any]
            #expect(result?["calls"] as? Int == index + 1, "the same process serves every repeat")
            let id = record["activationId"] as? String ?? "?"
            let logs = record["logs"] as? [String] ?? []
            #expect(logs.count == 1 && logs[0].hasSuffix("stdout: call \(index + 1) \(id)"), "\(logs)")
            #expect((run.annotation("initTime", in: record) != nil) == (index == 0))
        }
        let summary = run.json["summary"] as? [String: Any] ?? [:]
        #expect((summary["cold"] as? [String: Any])?["count"] as? Int == 1)
        #expect((summary["warm"] as? [String: Any])?["count"] as? Int == 3)
        #expect(run.outcome.stderr.contains("cold ") && run.outcome.stderr.contains("warm "))
    }

    @Test("--url uses a running, initialised proxy and leaves it running")
    func url() throws {
        let proxy = try ProxyTarget.command(Kit.proxyBinary).start()
        defer { proxy.stop() }
        let script = "#!/bin/sh\nwhile read l; do echo seen; echo '{\"from\":\"url\"}' >&3; done\n"
        #expect(try proxy.initialize(ActionCode(code: script, binary: false)).status == 200)
        let run = try Invoke.run(["--url", "http://127.0.0.1:\(proxy.port)", "-p", "x", "1"])
        #expect(run.status == "success", "\(run.outcome.stderr)")
        #expect(run.result?["from"] as? String == "url")
        #expect(run.logs.isEmpty, "a URL proxy's logs are out of reach")
        #expect(proxy.isRunning)
    }

    @Test("a proxy that cannot be started is a whisk internal error: exit status 3")
    func whiskError() throws {
        let run = try Invoke.run(["--proxy", "sh -c 'exit 3'", "--code", "Examples/hello/exec"])
        #expect(run.outcome.status == 3)
        #expect(run.status == "whisk internal error")
        #expect(run.result?["error"] as? String == "Failed to provision resources to run the action.")
    }

    @Test("--keep keeps a proxy whose init failed, to look into it")
    func keepAfterFailure() throws {
        let folder = try Invoke.folder(["bad.py": "def main(args)\n"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try Invoke.run([
            "--runtime", "python", "--code", folder.appendingPathComponent("bad.py").path, "--keep",
        ])
        #expect(run.outcome.status == 2)
        // invoke: kept process PID at URL (remove: kill PID && rm -rf DIR)
        let line = run.outcome.stderr.split(separator: "\n").first { $0.hasPrefix("invoke: kept process ") } ?? ""
        let words = line.split(separator: " ").map(String.init)
        let pid = Int32(words.count > 5 ? words[3] : "") ?? 0
        let folderOfProxy = words.last.map { String($0.dropLast()) } ?? ""
        defer {
            if pid > 0 { kill(pid, SIGKILL) }
            if folderOfProxy.contains("actionkit-proxy-") { try? FileManager.default.removeItem(atPath: folderOfProxy) }
        }
        #expect(pid > 0, "\(run.outcome.stderr)")
        #expect(kill(pid, 0) == 0, "the proxy still runs")
        let port = Int(words.count > 5 ? words[5].split(separator: ":").last ?? "" : "") ?? 0
        let health = try HTTPClient(port: port).request("GET", "/health")
        #expect(health.object?["ready"] as? Bool == false, "\(health.text)")
    }

    @Test("a bad command line is refused with status 64")
    func usage() throws {
        let outcome = try Kit.run(["invoke", "--code", "Examples/hello/exec"])
        #expect(outcome.status == 64)
        #expect(outcome.stderr.contains("give one target: --image, --proxy, --url, --runtime or --kind"))
        let unknown = try Kit.run(["invoke", "--kind", "go:1.22", "--code", "Examples/hello/exec"])
        #expect(unknown.status == 64)
        #expect(
            unknown.stderr.contains("has no kind go:1.22: it has go:1.27, nodejs:22, nodejs:24, python:3.11, python:3.13, swift:6.3"),
            "\(unknown.stderr)")
        let odd = try Kit.run(["invoke", "--runtime", "native", "--code", "Examples/hello/exec", "-p", "lonely"])
        #expect(odd.status == 64)
    }
}

@Suite("actionkit invoke runs an action in a container")
struct InvokeImageTests {
    @Test(
        "a Python action runs in actionproxy/python with its log line",
        .enabled(if: Kit.imageEnabled("actionproxy/python")))
    func python() throws {
        let run = try Invoke.run([
            "--image", "actionproxy/python", "--code", "Examples/python/hello/hello.py", "-p", "name", "Docker",
        ])
        #expect(run.status == "success", "\(run.outcome.stderr)")
        #expect(run.result?["greeting"] as? String == "Hello, Docker!")
        #expect(run.logs.count == 1)
        #expect(Invoke.isTimedLine(run.logs.first ?? "", stream: "stdout", text: "greeting Docker"), "\(run.logs)")
        #expect(run.annotation("kind") as? String == "python")
        #expect(Self.containerGone(run.outcome.stderr))
    }

    /// Issue 16: every example, driven as an OpenWhisk invoker drives its
    /// image, answers what its README shows. (Examples/hello is the plain
    /// proxy's line-protocol action, which the README's quick start serves:
    /// ExampleTests runs it; actionproxy/native runs executables as the
    /// platform's Docker skeleton does, once per activation.)
    @Test(
        "every example answers as its README shows, in its image driven as an OpenWhisk invoker drives it",
        arguments: [
            ("actionproxy/native", "Examples/blackbox/exec", ["city": "\"Oslo\""], #"{"city":"Oslo"}"#),
            (
                "actionproxy/python", "Examples/python/hello/hello.py", ["name": "\"Ada\""],
                #"{"greeting":"Hello, Ada!"}"#
            ),
            (
                "actionproxy/python", "Examples/python/slugify",
                [
                    "title": "\"Crème Brûlée ❄ for Beginners!\"",
                    "body": "\"Sugar, cream, eggs. Don’t rush the custard.\"",
                ],
                #"{"reading_time":"1 min read","slug":"creme-brulee-for-beginners","words":7}"#
            ),
            (
                "actionproxy/nodejs", "Examples/nodejs/hello/hello.js", ["name": "\"Ada\""],
                #"{"greeting":"Hello, Ada!"}"#
            ),
            (
                "actionproxy/nodejs", "Examples/nodejs/invoice",
                [
                    "items": #"[{"name":"Espresso","price":"2.40","quantity":3},{"name":"Croissant","price":1.9}]"#,
                    "taxPercent": "19", "currency": "\"EUR\"", "locale": "\"de-DE\"",
                ],
                #"{"lines":[{"amount":"7,20 €","name":"Espresso","quantity":3},{"amount":"1,90 €","name":"Croissant","quantity":1}],"subtotal":"9,10 €","tax":"1,73 €","total":"10,83 €"}"#
            ),
            (
                "actionproxy/swift", "Examples/swift/hello/hello.swift", ["name": "\"Ada\""],
                #"{"greeting":"Hello, Ada!"}"#
            ),
            (
                "actionproxy/swift", "Examples/swift/invoice",
                [
                    "items":
                        #"[{"name":"Espresso","unitPrice":"2.40","quantity":3},{"name":"Croissant","unitPrice":"1.90"}]"#,
                    "taxPercent": "19",
                ],
                #"{"gross":"10.83","lines":[{"name":"Espresso","quantity":3,"total":"7.20"},{"name":"Croissant","quantity":1,"total":"1.90"}],"net":"9.10","tax":"1.73"}"#
            ),
        ])
    func examples(image: String, code: String, parameters: [String: String], expected: String) throws {
        try #require(Kit.imageEnabled(image), "\(image) is not here")
        let pairs = parameters.sorted { $0.key < $1.key }.flatMap { ["-p", $0.key, $0.value] }
        let run = try Invoke.run(["--image", image, "--platform", "openwhisk", "--code", code] + pairs)
        #expect(run.status == "success", "\(run.outcome.stderr)")
        let result = try JSONSerialization.data(withJSONObject: run.result ?? [:], options: [.sortedKeys])
        let received = (run.result?["received"]).map { _ in
            // The blackbox example answers what it received, with its activation and time.
            (try? JSONSerialization.data(withJSONObject: run.result?["received"] ?? [:], options: [.sortedKeys]))
        }
        // Intl puts a no-break space before the currency sign; the README shows a space.
        let answer = String(decoding: (received ?? result) ?? result, as: UTF8.self)
            .replacingOccurrences(of: "\u{00A0}", with: " ").replacingOccurrences(of: "\u{202F}", with: " ")
        #expect(answer == expected)
        #expect(Self.containerGone(run.outcome.stderr))
    }

    @Test(
        "--kind runs the kind's image of the runtimes manifest, from a prewarmed stem cell, driven as an OpenWhisk invoker drives it",
        .enabled(if: Kit.imageEnabled("actionproxy/python")))
    func manifestKind() throws {
        let run = try Invoke.run([
            "--kind", "python:default", "--code", "Examples/python/hello/hello.py", "-p", "name", "Whisk", "--repeat",
            "2",
        ])
        #expect(run.outcome.status == 0, "\(run.outcome.stderr)")
        #expect(run.records.count == 2)
        #expect(run.annotation("kind", in: run.records.first) as? String == "python:3.13")
        #expect(run.outcome.stderr.contains("prewarming a stem cell of python:3.13"))
        #expect(run.outcome.stderr.contains("the activation takes the stem cell"))
        // The stem cell's memory, 256 MB.
        #expect((run.annotation("limits", in: run.records.first) as? [String: Any])?["memory"] as? Int == 256)
        #expect(Self.containerGone(run.outcome.stderr))
    }

    @Test(
        "a blackbox executable runs in actionproxy/native, warm on --repeat",
        .enabled(if: Kit.imageEnabled("actionproxy/native")))
    func native() throws {
        let run = try Invoke.run([
            "--image", "actionproxy/native", "--code", "Examples/blackbox/exec", "-p", "city", "Oslo", "--repeat", "2",
        ])
        #expect(run.outcome.status == 0, "\(run.outcome.stderr)")
        #expect(run.records.count == 2)
        for record in run.records {
            let result = (record["response"] as? [String: Any])?["result"] as? [String: Any]
            #expect((result?["received"] as? [String: Any])?["city"] as? String == "Oslo")
            #expect(result?["activation"] as? String == record["activationId"] as? String)
            let logs = record["logs"] as? [String] ?? []
            #expect(logs.contains { $0.contains("stdout: blackbox example got: ") }, "\(logs)")
        }
        #expect(run.annotation("kind", in: run.records.first) as? String == "blackbox")
        #expect(Self.containerGone(run.outcome.stderr))
    }

    @Test(
        "a timeout in a container is an action developer error and the container is removed",
        .enabled(if: Kit.imageEnabled("actionproxy/python")))
    func timeout() throws {
        let folder = try Invoke.folder(["hang.py": "import time\ndef main(args):\n    time.sleep(120)\n    return {}\n"]
        )
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try Invoke.run([
            "--image", "actionproxy/python", "--code", folder.appendingPathComponent("hang.py").path, "--timeout", "5s",
        ])
        #expect(run.outcome.status == 2)
        #expect(run.annotation("timeout") as? Bool == true)
        #expect(Self.containerGone(run.outcome.stderr))
    }

    @Test(
        "--keep leaves the container running and says where it is",
        .enabled(if: Kit.imageEnabled("actionproxy/native")))
    func keep() throws {
        let run = try Invoke.run(["--image", "actionproxy/native", "--code", "Examples/blackbox/exec", "--keep"])
        let line = run.outcome.stderr.split(separator: "\n").first { $0.hasPrefix("invoke: kept container ") } ?? ""
        let words = line.split(separator: " ").map(String.init)
        // invoke: kept container ID at URL (remove: …)
        let id = words.count > 5 ? words[3] : ""
        defer { if !id.isEmpty { _ = try? Docker.run(["rm", "-f", id]) } }
        #expect(run.status == "success", "\(run.outcome.stderr)")
        #expect(!id.isEmpty, "\(run.outcome.stderr)")
        let running = try Docker.run(["inspect", "-f", "{{.State.Running}}", id]).output
        #expect(running.trimmingCharacters(in: .whitespacesAndNewlines) == "true")
        let port = Int(words.count > 5 ? words[5].split(separator: ":").last ?? "" : "") ?? 0
        let again = try HTTPClient(port: port).request(
            "POST", "/run", body: Data(#"{"value":{"again":true}}"#.utf8))
        #expect(again.status == 200, "the kept container still serves the action: \(again.text)")
    }

    /// The container the run's progress names no longer exists.
    static func containerGone(_ stderr: String) -> Bool {
        guard let range = stderr.range(of: ", container ") else { return false }
        let id = stderr[range.upperBound...].prefix { $0.isHexDigit }
        guard !id.isEmpty, let outcome = try? Docker.run(["inspect", String(id)]) else { return false }
        return outcome.status != 0
    }
}
