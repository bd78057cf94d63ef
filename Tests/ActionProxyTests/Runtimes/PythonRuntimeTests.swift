import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The Python 3 runtime: `Runtimes/python/compile` and its launcher, served by
/// the real proxy on the host (with the `python3` of `PATH`) and in
/// `actionproxy/python` (Python 3 from Debian).
@Suite("Python runtime")
struct PythonRuntimeTests {
    static let examples = Runtime.repository.appendingPathComponent("Examples/python")

    /// Echoes its value, logging one line per stream.
    static let echo = #"""
        import sys

        def main(args):
            print("stdout of activation %s" % args.get("n"))
            print("stderr of activation %s" % args.get("n"), file=sys.stderr)
            return args
        """#

    /// Answers with every environment variable it sees.
    static let environment = #"""
        import os

        def main(args):
            return {"env": dict(os.environ)}
        """#

    @Test("hello: a source with def main(args) greets by name", arguments: Serving.python)
    func hello(_ serving: Serving) throws {
        try serving.serve { proxy throws in
            let code = #"""
                def main(args):
                    return {"greeting": "Hello, %s!" % args.get("name", "stranger")}
                """#
            #expect(try proxy.initialize(code: code).status == 200)
            let response = try proxy.run(["name": "Ada"])
            #expect(response.status == 200)
            #expect(response.text == "{\"greeting\":\"Hello, Ada!\"}\n")
        }
    }

    @Test("the init's main names the entry point", arguments: Serving.python)
    func renamedEntryPoint(_ serving: Serving) throws {
        try serving.serve { proxy throws in
            let code = #"""
                def main(args):
                    return {"called": "main"}

                def hello(args):
                    return {"called": "hello"}
                """#
            #expect(try proxy.initialize(code: code, main: "hello").status == 200)
            #expect(try proxy.run([:]).text == "{\"called\":\"hello\"}\n")
        }
    }

    @Test("an entry point the code does not define fails init with 502 naming it", arguments: Serving.python)
    func missingEntryPoint(_ serving: Serving) throws {
        try serving.serve { proxy throws in
            let response = try proxy.initialize(code: "def main(args):\n    return args\n", main: "hello")
            #expect(response.status == 502)
            #expect(response.error?.contains("no function named 'hello'") == true)
        }
    }

    @Test("a zip with __main__.py imports a sibling module and a package", arguments: Serving.python)
    func zipWithModules(_ serving: Serving) throws {
        try serving.serve { proxy throws in
            let zip = try zipOf([
                "__main__.py": #"""
                import helper
                from shapes.area import square

                def main(args):
                    return {"shout": helper.shout(args["word"]), "area": square(args["side"])}
                """#,
                "helper.py": "def shout(word):\n    return word.upper() + \"!\"\n",
                "shapes/__init__.py": "",
                "shapes/area.py": "def square(side):\n    return side * side\n",
            ])
            #expect(try proxy.initialize(code: zip.base64EncodedString(), binary: true).status == 200)
            let response = try proxy.run(["word": "snow", "side": 3])
            #expect(response.text == "{\"shout\":\"SNOW!\",\"area\":9}\n")
        }
    }

    @Test(
        "a zip with a virtualenv made with --copies imports a package from its site-packages", arguments: Serving.python
    )
    func virtualenvZip(_ serving: Serving) throws {
        let folder = try Fixtures.scratch()
        let python = "/usr/bin/env"
        try Fixtures.runTool(python, ["python3", "-m", "venv", "--copies", "--without-pip", "virtualenv"], in: folder)
        let lib = folder.appendingPathComponent("virtualenv/lib")
        let version = try #require(
            try FileManager.default.contentsOfDirectory(atPath: lib.path).first { $0.hasPrefix("python3") })
        let package = lib.appendingPathComponent("\(version)/site-packages/snowflake")
        try FileManager.default.createDirectory(at: package, withIntermediateDirectories: true)
        try Data("def flake():\n    return \"❄\"\n".utf8).write(to: package.appendingPathComponent("__init__.py"))
        let main = #"""
            import snowflake

            def main(args):
                return {"flake": snowflake.flake(), "from": snowflake.__file__}
            """#
        try Data(main.utf8).write(to: folder.appendingPathComponent("__main__.py"))
        // Python's zip tool follows the venv's lib64 -> lib link: the zip holds
        // files only, as with `zip -r`.
        try Fixtures.runTool(
            python, ["python3", "-m", "zipfile", "-c", "action.zip", "virtualenv", "__main__.py"], in: folder)
        let zip = try Data(contentsOf: folder.appendingPathComponent("action.zip"))

        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: zip.base64EncodedString(), binary: true).status == 200)
            let json = try #require(try proxy.run([:]).json as? [String: String])
            #expect(json["flake"] == "❄")
            #expect(json["from"]?.contains("/virtualenv/lib/\(version)/site-packages/snowflake/") == true)
        }
    }

    @Test("the init env is in the action's environment", arguments: Serving.python)
    func initEnvironment(_ serving: Serving) throws {
        try serving.serve { proxy throws in
            let env: [String: Any] = ["SOME_VAR": "xyz", "WITH_EQUALS": "k=v=w", "SNOW": "❄ ☃ ❄", "NUMBER": 5]
            #expect(try proxy.initialize(code: Self.environment, env: env).status == 200)
            let seen = try #require((try proxy.run([:]).json as? [String: Any])?["env"] as? [String: String])
            #expect(seen["SOME_VAR"] == "xyz")
            #expect(seen["WITH_EQUALS"] == "k=v=w")
            #expect(seen["SNOW"] == "❄ ☃ ❄")
            #expect(seen["NUMBER"] == "5")
        }
    }

    @Test("every activation field is an __OW_ variable, a numeric deadline included", arguments: Serving.python)
    func activationFields(_ serving: Serving) throws {
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: Self.environment).status == 200)
            let deadline = Int(Date().timeIntervalSince1970 * 1000) + 60_000
            let fields: [String: Any] = [
                "namespace": "guest", "action_name": "/guest/py", "action_version": "0.0.1",
                "activation_id": "abc123", "transaction_id": "tid", "api_key": "key:secret=",
                "deadline": "\(deadline)",
            ]
            let seen = try #require(
                (try proxy.run([:], fields: fields).json as? [String: Any])?["env"] as? [String: String])
            #expect(seen["__OW_NAMESPACE"] == "guest")
            #expect(seen["__OW_ACTION_NAME"] == "/guest/py")
            #expect(seen["__OW_ACTION_VERSION"] == "0.0.1")
            #expect(seen["__OW_ACTIVATION_ID"] == "abc123")
            #expect(seen["__OW_TRANSACTION_ID"] == "tid")
            #expect(seen["__OW_API_KEY"] == "key:secret=")
            #expect(seen["__OW_DEADLINE"] == "\(deadline)")

            let numeric = try proxy.run([:], fields: ["activation_id": "def456", "deadline": deadline])
            #expect(numeric.status == 200)
            let again = try #require((numeric.json as? [String: Any])?["env"] as? [String: String])
            #expect(again["__OW_DEADLINE"] == "\(deadline)")
            #expect(again["__OW_ACTIVATION_ID"] == "def456")
        }
    }

    @Test("unicode round trips in values and logs", arguments: Serving.python)
    func unicode(_ serving: Serving) throws {
        try serving.serve { proxy throws in
            let code = #"""
                import sys

                def main(args):
                    print(args["winter"])
                    print(args["winter"], file=sys.stderr)
                    return {"winter": args["winter"], "reversed": args["winter"][::-1]}
                """#
            #expect(try proxy.initialize(code: code).status == 200)
            let response = try proxy.run(["winter": "❄ ☃ ❄!"])
            #expect(response.text == "{\"winter\":\"❄ ☃ ❄!\",\"reversed\":\"!❄ ☃ ❄\"}\n")
            proxy.waitForSentinels(1)
            #expect(proxy.stdout == "❄ ☃ ❄!\n\(TestProxy.sentinel)\n")
            #expect(proxy.stderr == "❄ ☃ ❄!\n\(TestProxy.sentinel)\n")
        }
    }

    @Test(
        "each activation's logs come before its sentinel, one sentinel per stream per activation",
        arguments: Serving.python)
    func logsAndSentinels(_ serving: Serving) throws {
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: Self.echo).status == 200)
            for index in 1...4 {
                #expect(try proxy.run(["n": index]).status == 200)
            }
            for (index, log) in proxy.activationLogs(4).enumerated() {
                #expect(log.stdout == "stdout of activation \(index + 1)\n")
                #expect(log.stderr == "stderr of activation \(index + 1)\n")
            }
        }
    }

    @Test(
        "an application error result answers 200 as it is, and the next activation succeeds", arguments: Serving.python)
    func applicationError(_ serving: Serving) throws {
        try serving.serve { proxy throws in
            let code = #"""
                def main(args):
                    if args.get("fail"):
                        return {"error": "the input was refused"}
                    return {"ok": True}
                """#
            #expect(try proxy.initialize(code: code).status == 200)
            let failed = try proxy.run(["fail": true])
            #expect(failed.status == 200)
            #expect(failed.text == "{\"error\":\"the input was refused\"}\n")
            #expect(try proxy.run([:]).text == "{\"ok\":true}\n")
        }
    }

    @Test(
        "an exception becomes an error result with its traceback on stderr, and the next activation succeeds",
        arguments: Serving.python)
    func exception(_ serving: Serving) throws {
        try serving.serve { proxy throws in
            let code = #"""
                def check(value):
                    if value < 0:
                        raise ValueError("negative input: %d" % value)
                    return value

                def main(args):
                    return {"value": check(args["value"])}
                """#
            #expect(try proxy.initialize(code: code).status == 200)
            let failed = try proxy.run(["value": -1])
            #expect(failed.status == 200)
            #expect(failed.text == "{\"error\":\"negative input: -1\"}\n")
            let next = try proxy.run(["value": 2])
            #expect(next.text == "{\"value\":2}\n")
            proxy.waitForSentinels(2)
            let log = proxy.stderr.components(separatedBy: TestProxy.sentinel + "\n")[0]
            #expect(log.hasPrefix("Traceback (most recent call last):\n"))
            #expect(log.contains("line 3, in check"))
            #expect(log.hasSuffix("ValueError: negative input: -1\n"))
            #expect(!log.contains("launcher.py"))
        }
    }

    @Test("a result that is not an object or array answers 502", arguments: Serving.python)
    func notAnObject(_ serving: Serving) throws {
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: "def main(args):\n    return args.get(\"result\")\n").status == 200)
            let results: [Any] = ["a string", 42, NSNull()]
            for result in results {
                let response = try proxy.run(["result": result])
                #expect(response.status == 502)
                #expect(response.error == "The action did not return a dictionary or array.")
            }
            #expect(try proxy.run(["result": ["ok": true]]).status == 200)
        }
    }

    @Test("an array result answers 200 with the array", arguments: Serving.python)
    func arrayResult(_ serving: Serving) throws {
        try serving.serve { proxy throws in
            #expect(
                try proxy.initialize(code: "def main(args):\n    return [1, \"two\", {\"three\": 3}]\n").status == 200)
            let response = try proxy.run([:])
            #expect(response.status == 200)
            #expect(response.text == "[1,\"two\",{\"three\":3}]\n")
        }
    }

    /// As upstream's launcher: SystemExit is not an Exception, so the process
    /// ends and the invoker sees a developer error.
    @Test(
        "sys.exit() inside main ends the action: 400 command exited, nothing logged but the sentinels",
        arguments: Serving.python)
    func exitInMain(_ serving: Serving) throws {
        try serving.serve { proxy throws in
            let code = "import sys\n\ndef main(args):\n    sys.exit(1)\n"
            #expect(try proxy.initialize(code: code).status == 200)
            let response = try proxy.run([:])
            #expect(response.status == 400)
            #expect(response.error == "command exited")
            let log = try #require(proxy.activationLogs(1).first)
            #expect(log.stdout == "")
            #expect(log.stderr == "")
        }
    }

    @Test(
        "an exception raised by main answers 200 with its message, an application error, and the traceback logged",
        arguments: Serving.python)
    func exceptionInMain(_ serving: Serving) throws {
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: "def main(args):\n    return 1 / 0\n").status == 200)
            let response = try proxy.run([:])
            #expect(response.status == 200)
            #expect(response.text == "{\"error\":\"division by zero\"}\n")
            let log = try #require(proxy.activationLogs(1).first)
            #expect(log.stderr.contains("Traceback"))
            #expect(log.stderr.contains("ZeroDivisionError: division by zero"))
        }
    }

    @Test(
        "a zip whose virtualenv/ has no site-packages fails the init with 502 Invalid virtualenv",
        arguments: Serving.python)
    func invalidVirtualenv(_ serving: Serving) throws {
        let zip = try zipOf([
            "__main__.py": "def main(args):\n    return args\n", "virtualenv/README.md": "not a virtualenv\n",
        ])
        try serving.serve { proxy throws in
            let response = try proxy.initialize(code: zip.base64EncodedString(), binary: true)
            #expect(response.status == 502)
            #expect(response.error?.contains("Invalid virtualenv.") == true, "\(response.text)")
            let log = try #require(proxy.activationLogs(1).first)
            #expect(log.stderr.contains("Invalid virtualenv."))
        }
    }

    @Test("sys.exit() while loading fails init with 502 and says so on stderr", arguments: Serving.python)
    func exitAtLoad(_ serving: Serving) throws {
        try serving.serve { proxy throws in
            let code = "import sys\nprint(\"loading\")\nsys.exit(0)\n\ndef main(args):\n    return args\n"
            let response = try proxy.initialize(code: code)
            #expect(response.status == 502)
            #expect(response.error == serving.startError("Command exited abruptly during initialization."))
            // The log of the failed init ends with the sentinels (upstream's
            // "detect termination at init" looks for the proxy's line).
            let log = try #require(proxy.activationLogs(1).first)
            #expect(log.stdout == "loading\n")
            #expect(log.stderr.contains("the action called sys.exit(0) while loading"))
            #expect(log.stderr.contains("Command exited abruptly during initialization."))
        }
    }

    @Test("an exception while loading fails init with 502 and its traceback on stderr", arguments: Serving.python)
    func exceptionAtLoad(_ serving: Serving) throws {
        try serving.serve { proxy throws in
            let response = try proxy.initialize(code: "import no_such_module\n\ndef main(args):\n    return args\n")
            #expect(response.status == 502)
            #expect(eventually { proxy.stderr.contains("ModuleNotFoundError: No module named 'no_such_module'") })
            #expect(proxy.stderr.contains("__main__.py\", line 1, in <module>"))
        }
    }

    @Test("a syntax error fails init with 502 and a message naming the line", arguments: Serving.python)
    func syntaxError(_ serving: Serving) throws {
        try serving.serve { proxy throws in
            let code = "import os\n\ndef main(args)\n    return args\n"
            let response = try proxy.initialize(code: code)
            #expect(response.status == 502)
            let error = try #require(response.error)
            #expect(error.contains("line 3"))
            #expect(error.contains("def main(args)"))
            #expect(error.contains("SyntaxError"))
            // A failed init does not count: a corrected one succeeds.
            #expect(try proxy.initialize(code: "def main(args):\n    return args\n").status == 200)
        }
    }

    @Test("a 1 MB value round-trips", arguments: Serving.python)
    func largeValue(_ serving: Serving) throws {
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: "def main(args):\n    return args\n").status == 200)
            // 1 MiB of UTF-8: "a" is one byte, "❄" three.
            let large = String(repeating: "a❄", count: 262_144)
            let response = try proxy.run(["large": large])
            #expect(response.status == 200)
            #expect((response.json as? [String: String])?["large"] == large)
        }
    }

    @Test("a result string containing a newline round-trips as one line", arguments: Serving.python)
    func newlineInResult(_ serving: Serving) throws {
        try serving.serve { proxy throws in
            let code = "def main(args):\n    return {\"text\": args[\"first\"] + \"\\n\" + args[\"second\"]}\n"
            #expect(try proxy.initialize(code: code).status == 200)
            let response = try proxy.run(["first": "one", "second": "two"])
            #expect(response.text == "{\"text\":\"one\\ntwo\"}\n")
            #expect((response.json as? [String: String])?["text"] == "one\ntwo")
            #expect(try proxy.run(["first": "a", "second": "b"]).text == "{\"text\":\"a\\nb\"}\n")
        }
    }

    @Test("the action cannot read the proxy's requests or write on its result pipe", arguments: Serving.python)
    func protocolPipesArePrivate(_ serving: Serving) throws {
        try serving.serve { proxy throws in
            let code = #"""
                import os, sys

                def main(args):
                    try:
                        os.write(3, b'{"forged":true}\n')
                        wrote = True
                    except OSError:
                        wrote = False
                    return {"stdin": sys.stdin.read(), "wrote_fd3": wrote, "n": args["n"]}
                """#
            #expect(try proxy.initialize(code: code).status == 200)
            for index in 1...2 {
                let response = try proxy.run(["n": index])
                #expect(response.text == "{\"stdin\":\"\",\"wrote_fd3\":false,\"n\":\(index)}\n")
            }
        }
    }

    @Test("Examples/python/hello answers as its README shows", arguments: Serving.python)
    func helloExample(_ serving: Serving) throws {
        let source = try Data(contentsOf: Self.examples.appendingPathComponent("hello/hello.py"))
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: source.base64EncodedString(), binary: true, main: "main").status == 200)
            #expect(try proxy.run(["name": "Ada"]).text == "{\"greeting\":\"Hello, Ada!\"}\n")
        }
    }

    @Test("Examples/python/slugify builds with build.sh and answers as its README shows", arguments: Serving.python)
    func slugifyExample(_ serving: Serving) throws {
        let zip = try Fixtures.scratch().appendingPathComponent("slugify.zip")
        try Fixtures.runTool(Self.examples.appendingPathComponent("slugify/build.sh").path, [zip.path])
        let code = try Data(contentsOf: zip).base64EncodedString()
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: code, binary: true).status == 200)
            let value = [
                "title": "Crème Brûlée ❄ for Beginners!", "body": "Sugar, cream, eggs. Don’t rush the custard.",
            ]
            #expect(
                try proxy.run(value).text
                    == "{\"slug\":\"creme-brulee-for-beginners\",\"words\":7,\"reading_time\":\"1 min read\"}\n")
            #expect(try proxy.run(["body": "no title"]).error == "give the post a non-empty 'title'")
        }
    }

    /// Output is read on other threads: polls `condition` for a while.
    private func eventually(_ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }
}
