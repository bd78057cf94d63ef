/// The Python runtime (Runtimes/python): `def main(args)` in a source file
/// or a zip, loaded once, called per activation.
enum PythonCases {
    static func action(_ name: String, _ source: String, main: String? = nil) -> TestAction {
        TestAction("the Python action \(name)", source: source, main: main)
    }

    static let echo = action(
        "echo",
        """
        def main(args):
            return args
        """)
    static let environment = action(
        "env",
        """
        import os

        def main(args):
            return {"env": dict(os.environ)}
        """)
    static let logging = action(
        "logs",
        """
        import sys

        def main(args):
            print("stdout of %s" % args["n"])
            print("stderr of %s" % args["n"], file=sys.stderr)
            return {"n": args["n"]}
        """)
    static let unicode = action(
        "unicode",
        """
        def main(args):
            print("log " + args["winter"])
            return {"winter": args["winter"]}
        """)
    static let result = action(
        "result",
        """
        def main(args):
            return args.get("result")
        """)
    static let failing = action(
        "raise",
        """
        def check(args):
            if args.get("fail"):
                raise ValueError("refused input")
            return {"ok": True}

        def main(args):
            return check(args)
        """)

    static func zip(_ files: [String: String]) -> TestAction {
        TestAction("a Python zip", archive: TestArchive.of(files))
    }

    /// A virtualenv's site-packages for the Python versions an image may
    /// have, and an `activate_this.py` (what runtimes that exec it expect):
    /// the package is found whichever way the runtime uses the folder.
    static var virtualenvZip: TestAction {
        var files = [
            "__main__.py": """
            import snowflake

            def main(args):
                return {"flake": snowflake.flake()}
            """,
            "virtualenv/bin/activate_this.py": """
            import os, site, sys
            base = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
            site.addsitedir(os.path.join(base, "lib", "python%d.%d" % sys.version_info[:2], "site-packages"))
            """,
        ]
        for minor in 8...14 {
            files["virtualenv/lib/python3.\(minor)/site-packages/snowflake/__init__.py"] =
                "def flake():\n    return \"❄\"\n"
        }
        return TestAction("a Python zip with a virtualenv", archive: TestArchive.of(files))
    }

    static let all: [ConformanceCase] = [
        ConformanceCase(
            "python.hello", "def main(args) in a source file answers with its dict", runtimes: [.python], need: .fresh()
        ) {
            context in
            try context.expectInitialized(
                action("hello", "def main(args):\n    return {\"greeting\": \"Hello, %s!\" % args[\"name\"]}\n"))
            try context.expectResult(try context.run(["name": "Ada"]), ["greeting": "Hello, Ada!"], "a run")
        },
        ConformanceCase("python.main", "the init's main names the entry point", runtimes: [.python], need: .fresh()) {
            context in
            let code =
                "def main(args):\n    return {\"called\": \"main\"}\n\ndef hello(args):\n    return {\"called\": \"hello\"}\n"
            try context.expectInitialized(action("with two functions", code, main: "hello"))
            try context.expectResult(try context.run([:]), ["called": "hello"], "a run")
        },
        ConformanceCase(
            "python.missing-main", "an entry point the code does not define fails the init with 502",
            runtimes: [.python], need: .fresh()
        ) { context in
            let response = try context.initialize(
                action("without hello", "def main(args):\n    return args\n", main: "hello"))
            try context.expectError(response, 502, prefix: "", "the init with main hello")
        },
        ConformanceCase(
            "python.async", "an async def main answers with its dict", runtimes: [.python], need: .fresh()
        ) { context in
            let code =
                "import asyncio\n\nasync def main(args):\n    await asyncio.sleep(0.01)\n    return {\"twice\": args[\"n\"] * 2}\n"
            try context.expectInitialized(action("async", code))
            try context.expectResult(try context.run(["n": 21]), ["twice": 42], "a run")
        },
        ConformanceCase(
            "python.zip", "a zip with __main__.py imports a module and a package beside it",
            runtimes: [.python], need: .fresh()
        ) { context in
            try context.expectInitialized(
                zip([
                    "__main__.py": """
                    import helper
                    from shapes.area import square

                    def main(args):
                        return {"shout": helper.shout(args["word"]), "area": square(args["side"])}
                    """,
                    "helper.py": "def shout(word):\n    return word.upper() + \"!\"\n",
                    "shapes/__init__.py": "",
                    "shapes/area.py": "def square(side):\n    return side * side\n",
                ]))
            try context.expectResult(
                try context.run(["word": "snow", "side": 3]), ["shout": "SNOW!", "area": 9], "a run")
        },
        ConformanceCase(
            "python.zip-virtualenv", "a zip with a virtualenv/ imports a package from its site-packages",
            runtimes: [.python], need: .fresh()
        ) { context in
            try context.expectInitialized(virtualenvZip)
            try context.expectResult(try context.run([:]), ["flake": "❄"], "a run")
        },
        ConformanceCase(
            "python.env", "init env is in os.environ: strings intact, numbers as JSON", runtimes: [.python],
            need: .fresh()
        ) {
            context in try LanguageChecks.initEnvironment(context, environment)
        },
        ConformanceCase(
            "python.activation-fields", "every activation field is an __OW_ variable, a number deadline too",
            runtimes: [.python], need: .fresh()
        ) { context in try LanguageChecks.activationFields(context, environment) },
        ConformanceCase(
            "python.logs", "print() to stdout and stderr lands before the activation's sentinels",
            runtimes: [.python], need: .fresh(), needsLogs: true
        ) { context in try LanguageChecks.logs(context, logging) },
        ConformanceCase(
            "python.unicode", "unicode round-trips in values, results and logs",
            runtimes: [.python], need: .fresh(), needsLogs: true
        ) { context in try LanguageChecks.unicode(context, unicode) },
        ConformanceCase(
            "python.large-input", "a 1 MB value round-trips", runtimes: [.python], need: .fresh()
        ) { context in try LanguageChecks.largeInput(context, echo) },
        ConformanceCase(
            "python.results", "a str or int result answers 502, a list 200", runtimes: [.python], need: .fresh()
        ) { context in try LanguageChecks.resultKinds(context, result) },
        ConformanceCase(
            "python.exception", "an exception becomes an {\"error\"} result with its message; the next run succeeds",
            runtimes: [.python], need: .fresh()
        ) { context in try LanguageChecks.failure(context, failing, message: "refused input") },
        ConformanceCase(
            "python.syntax-error", "a syntax error fails the init with 502; a corrected init then succeeds",
            runtimes: [.python], need: .fresh()
        ) { context in
            try LanguageChecks.brokenCode(
                context, action("with a syntax error", "def main(args)\n    return args\n"), mentions: nil, fixed: echo)
        },
        ConformanceCase(
            "python.exit-at-load",
            "sys.exit() while loading fails the init with 502 \"Cannot start action. Check logs for details.\" (upstream's \"detect termination at init\")",
            runtimes: [.python], need: .fresh()
        ) { context in
            let response = try context.initialize(
                action("that exits at load", "import sys\nsys.exit(0)\n\ndef main(args):\n    return args\n"))
            try context.expectStartError(
                response, reason: "Command exited abruptly during initialization.",
                "the init of an action that exits at load")
        },
    ]
}
