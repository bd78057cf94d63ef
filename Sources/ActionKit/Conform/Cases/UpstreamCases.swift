import Foundation

/// Cases of upstream's own runtime suites (apache/openwhisk's
/// BasicActionRunnerTests, and the container tests of openwhisk-runtime-python,
/// -nodejs and -swift), written here in our words with upstream's expectation:
/// an image that passes them behaves as those suites expect. Each id is the
/// language's area and `upstream-…`; the description names the upstream test.
/// Where ours deliberately differs (README.md, "How it differs"), the case
/// checks ours and says so.
enum UpstreamCases {
    static let all: [ConformanceCase] = core + python + nodejs + swift + native + blackbox

    // MARK: The shared suite, every runtime

    /// BasicActionRunnerTests: "fail to initialize a second time" wants the
    /// sentence in the log and no sentinel.
    static let core: [ConformanceCase] = [
        ConformanceCase(
            "init.upstream-second-init-logged",
            "a refused second init is in the log, with no sentinel (BasicActionRunnerTests: fail to initialize a second time)",
            runtimes: .lineProtocol, need: .fresh(), needsLogs: true
        ) { context in
            let action = Self.echo(for: context.runtime)
            try context.expectInitialized(action)
            try context.expectError(
                try context.initialize(action), 403, "Cannot initialize the action more than once.", "a second init")
            let logs = try context.waitForSentinels(0, timeout: 1)
            try context.expectSentinels(logs, 0, "after the refused init")
            try context.expect(
                (logs.stdout + logs.stderr).contains("Cannot initialize the action more than once."),
                "the refused init is not in the log")
        }
    ]

    /// An action that answers with its value, in each runtime's language.
    static func echo(for runtime: RuntimeKind) -> TestAction {
        switch runtime {
        case .python: PythonCases.echo
        case .nodejs: NodeCases.echo
        case .swift: SwiftCases.echo
        case .native, .blackbox: LineAction.action
        }
    }

    // MARK: Python (openwhisk-runtime-python)

    static func py(_ name: String, _ source: String, main: String? = nil) -> TestAction {
        PythonCases.action(name, source, main: main)
    }

    static let python: [ConformanceCase] = [
        ConformanceCase(
            "python.upstream-exception",
            "an exception in main is an application error: 200 {\"error\": str(e)}, Traceback on stderr (PythonBasicTests: return on action error when action fails)",
            runtimes: [.python], need: .fresh(), needsLogs: true
        ) { context in
            try context.expectInitialized(py("dividing by zero", "def main(args):\n    return 1 / 0\n"))
            try context.expectResult(try context.run([:]), ["error": "division by zero"], "a run")
            let logs = try context.waitForSentinels(1)
            try context.expect(logs.stderr.contains("Traceback"), "no Traceback on stderr: \(logs.stderr)")
        },
        ConformanceCase(
            "python.upstream-exit-at-run",
            "sys.exit in main ends the action: 400 command exited, nothing logged (PythonAdvancedTests: detect termination at run)",
            runtimes: [.python], need: .fresh(), needsLogs: true
        ) { context in
            try context.expectInitialized(py("that exits", "import sys\n\ndef main(args):\n    sys.exit(1)\n"))
            try context.expectError(try context.run([:]), 400, "command exited", "a run that exits")
            let logs = try context.waitForSentinels(1)
            try context.expectSentinels(logs, 1, "after the run")
            let out = ActivationLogs(logs.stdout).activations.first ?? []
            let err = ActivationLogs(logs.stderr).activations.first ?? []
            try context.expect(
                (out + err).allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty },
                "the run logged something: \(out + err)")
        },
        ConformanceCase(
            "python.upstream-exit-at-init",
            "sys.exit while loading: 502 Cannot start action, stderr names the abrupt exit, one sentinel per stream (PythonAdvancedTests: detect termination at init)",
            runtimes: [.python], need: .fresh(), needsLogs: true
        ) { context in
            let response = try context.initialize(
                py("that exits at load", "import sys\nsys.exit(1)\n\ndef main(args):\n    return args\n"))
            try context.expectStartError(response, reason: nil, "the init")
            try context.expect(
                response.error?.contains("Cannot start action") == true, "the error lacks Cannot start action")
            let logs = try context.waitForSentinels(1)
            try context.expectSentinels(logs, 1, "after the failed init")
            try context.expect(
                logs.stderr.contains("Command exited abruptly during initialization."),
                "stderr does not say the action exited: \(logs.stderr)")
        },
        ConformanceCase(
            "python.upstream-import-error",
            "importing a package that is not there fails the init with 502, the Traceback on stderr (PythonBasicTests: error when importing a not-supported package)",
            runtimes: [.python], need: .fresh(), needsLogs: true
        ) { context in
            let response = try context.initialize(
                py("importing nothing", "import no_such_package_here\n\ndef main(args):\n    return args\n"))
            try context.expectStatus(response, 502, "the init")
            let logs = try context.waitForSentinels(1)
            try context.expect(logs.stderr.contains("Traceback"), "no Traceback on stderr: \(logs.stderr)")
        },
        ConformanceCase(
            "python.upstream-zip-without-main",
            "a zip without __main__.py fails the init with 502, the reason on stderr (PythonBasicTests: report error if zip-encoded action does not include required file)",
            runtimes: [.python], need: .fresh(), needsLogs: true
        ) { context in
            let zip = TestAction(
                "a zip with only echo.py", archive: TestArchive.of(["echo.py": "def echo(args):\n    return args\n"]),
                main: "echo")
            try context.expectStatus(try context.initialize(zip), 502, "the init")
            let logs = try context.waitForSentinels(1)
            try context.expect(logs.stderr.contains("__main__.py"), "stderr does not name __main__.py: \(logs.stderr)")
        },
        ConformanceCase(
            "python.upstream-invalid-virtualenv",
            "a zip whose virtualenv/ is unusable fails the init with 502 Invalid virtualenv (Python3Tests: report error if zipped Python action has invalid virtualenv directory)",
            runtimes: [.python], need: .fresh()
        ) { context in
            let zip = TestAction(
                "a zip with a virtualenv/ of a README only",
                archive: TestArchive.of([
                    "__main__.py": "def main(args):\n    return args\n", "virtualenv/README.md": "not a virtualenv\n",
                ]))
            let response = try context.initialize(zip)
            try context.expectStatus(response, 502, "the init")
            try context.expect(
                response.error?.range(of: "Invalid virtualenv|action failed", options: .regularExpression) != nil,
                "the error says neither Invalid virtualenv nor action failed: \(CaseContext.show(response))")
        },
        ConformanceCase(
            "python.upstream-relative-file",
            "a zipped action reads a file beside it by a relative path (PythonBasicTests: support zip-encoded action which can read from relative paths)",
            runtimes: [.python], need: .fresh()
        ) { context in
            let zip = TestAction(
                "a zip with a data/config.ini",
                archive: TestArchive.of([
                    "__main__.py":
                        "def main(args):\n    with open('data/config.ini') as f:\n        return {'file': f.read()}\n",
                    "data/config.ini": "mode = quiet",
                ]))
            try context.expectInitialized(zip)
            try context.expectResult(try context.run([:]), ["file": "mode = quiet"], "a run")
        },
        ConformanceCase(
            "python.upstream-array",
            "an array as parameter and as result (PythonBasicTests: support array as input param, support return array result)",
            runtimes: [.python], need: .fresh()
        ) { context in
            try context.expectInitialized(PythonCases.echo)
            try context.expectResult(try context.run(["a", "b"]), ["a", "b"], "a run with an array")
        },
        ConformanceCase(
            "python.upstream-zip-entry-point",
            "a zip whose __main__.py defines niam, which imports a module beside it, runs with main niam, logging nothing (PythonBasicTests: support zip-encoded action using non-default entry points)",
            runtimes: [.python], need: .fresh(), needsLogs: true
        ) { context in
            let zip = TestAction(
                "a zip with niam and echo.py",
                archive: TestArchive.of([
                    "__main__.py": "from echo import echo\n\ndef niam(args):\n    return {\"echo\": echo(args)}\n",
                    "echo.py": "def echo(args):\n    return args\n",
                ]), main: "niam")
            try context.expectInitialized(zip)
            try context.expectResult(
                try context.run(["msg": "index.js answered"]), ["echo": ["msg": "index.js answered"]], "a run")
            try SharedSuiteCases.expectQuiet(context, activations: 1)
        },
        ConformanceCase(
            "python.upstream-application-error",
            "a returned {\"error\": \"declined\"} answers 200 exactly that, logging nothing (PythonBasicTests: support application errors)",
            runtimes: [.python], need: .fresh(), needsLogs: true
        ) { context in
            try context.expectInitialized(
                py("returning an error", "def main(args):\n    return {\"error\": \"declined\"}\n"))
            try context.expectResult(try context.run([:]), ["error": "declined"], "a run")
            try SharedSuiteCases.expectQuiet(context, activations: 1)
        },
        ConformanceCase(
            "python.upstream-sys-executable",
            "sys.executable names a python (PythonBasicTests: have a valid sys.executable)",
            runtimes: [.python], need: .fresh()
        ) { context in
            try context.expectInitialized(
                py("reporting sys.executable", "import sys\n\ndef main(args):\n    return {\"sys\": sys.executable}\n"))
            let response = try context.run([:])
            let executable = try context.expectObject(response, "a run")["sys"] as? String ?? ""
            try context.expect(executable.contains("python"), "sys.executable is \(CaseContext.show(response))")
        },
        ConformanceCase(
            "python.upstream-print-at-load",
            "what the module prints while loading, from init env, is in stdout; stderr stays empty (PythonAdvancedTests: read an environment variable)",
            runtimes: [.python], need: .fresh(), needsLogs: true
        ) { context in
            let code = "import os\n\nprint(os.environ[\"X\"])\n\ndef main(args):\n    return {\"body\": \"ok\"}\n"
            try context.expectInitialized(py("printing X when loaded", code), env: ["X": "xyz"])
            try context.expectResult(try context.run([:]), ["body": "ok"], "a run")
            let logs = try context.waitForSentinels(1)
            try context.expect(logs.stdout.contains("xyz"), "stdout lacks xyz: \(logs.stdout)")
            let err = ActivationLogs(logs.stderr).activations.joined().filter { !$0.isEmpty }
            try context.expect(err.isEmpty, "stderr is not empty: \(err)")
        },
    ]

    // MARK: Node.js (openwhisk-runtime-nodejs)

    static func js(_ name: String, _ source: String, main: String? = nil) -> TestAction {
        NodeCases.action(name, source, main: main)
    }

    /// A case of upstream's that initialises a Node.js zip of `files` and
    /// expects what its first run answers.
    static func nodeZip(
        _ id: String, _ description: String, _ files: [String: String], main: String? = nil,
        answers expected: [String: String]
    ) -> ConformanceCase {
        ConformanceCase(id, description, runtimes: [.nodejs], need: .fresh()) { context in
            let zip = TestAction(
                "a zip of \(files.keys.sorted().joined(separator: ", "))", archive: TestArchive.of(files), main: main)
            try context.expectInitialized(zip)
            try context.expectResult(try context.run([:]), expected, "a run")
        }
    }

    static let nodejs: [ConformanceCase] = [
        ConformanceCase(
            "nodejs.upstream-sync-throw",
            "a value thrown out of main is a developer error: 502 An error has occurred (NodeJsActionContainerTests: return some error on action error)",
            runtimes: [.nodejs], need: .fresh()
        ) { context in
            try context.expectInitialized(js("throwing a string", "function main() { throw \"refused at once\"; }\n"))
            try context.expectError(try context.run([:]), 502, "An error has occurred: refused at once", "a run")
        },
        ConformanceCase(
            "nodejs.upstream-missing-module",
            "requiring a module that is not there inside main answers non-200 naming the error (NodeJsActionContainerTests: error when requiring a non-existent package)",
            runtimes: [.nodejs], need: .fresh()
        ) { context in
            try context.expectInitialized(
                js("requiring nothing", "function main() { require('./no-such-module'); return {}; }\n"))
            try context.expectError(
                try context.run([:]), 502, prefix: "An error has occurred: Error: Cannot find module", "a run")
        },
        ConformanceCase(
            "nodejs.upstream-rejected",
            "a rejected promise is an application error: 200 {\"error\": the rejection}, nothing logged (NodeJsActionContainerTests: support rejected promises)",
            runtimes: [.nodejs], need: .fresh(), needsLogs: true
        ) { context in
            try context.expectInitialized(
                js(
                    "rejecting",
                    "function main() { return new Promise((_, reject) => setTimeout(() => reject({ done: true }), 10)); }\n"
                ))
            try context.expectResult(try context.run([:]), ["error": ["done": true]], "a run")
            let logs = try context.waitForSentinels(1)
            let err = ActivationLogs(logs.stderr).activations.first ?? []
            try context.expect(
                err.allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty }, "the rejection was logged: \(err)")
        },
        ConformanceCase(
            "nodejs.upstream-rejected-empty",
            "a promise rejected with nothing answers 200 {\"error\":{}} (NodeJsActionContainerTests: support rejected promises with no message)",
            runtimes: [.nodejs], need: .fresh()
        ) { context in
            try context.expectInitialized(
                js("rejecting with nothing", "function main() { return Promise.reject(); }\n"))
            try context.expectResult(try context.run([:]), ["error": [String: Any]()], "a run")
        },
        ConformanceCase(
            "nodejs.upstream-async-throw",
            "an error thrown from an async main is an application error whose error names it (NodeJsActionContainerTests: support errors thrown from async functions)",
            runtimes: [.nodejs], need: .fresh()
        ) { context in
            try context.expectInitialized(js("async, referencing nothing", "async function main() { return a; }\n"))
            let response = try context.run([:])
            try context.expectStatus(response, 200, "a run")
            try context.expect(
                response.text.lowercased().contains("referenceerror: a is not defined"),
                "the error does not name the ReferenceError: \(CaseContext.show(response))")
        },
        ConformanceCase(
            "nodejs.upstream-load-reference-error",
            "code that fails to load fails the init with 502 whose error names the ReferenceError, logged, one sentinel per stream (the system tests' malformed action)",
            runtimes: [.nodejs], need: .fresh(), needsLogs: true
        ) { context in
            let response = try context.initialize(js("that is only x", "x\n"))
            try context.expectStatus(response, 502, "the init")
            try context.expect(
                response.error?.contains("ReferenceError") == true,
                "the error does not name the ReferenceError: \(CaseContext.show(response))")
            let logs = try context.waitForSentinels(1)
            try context.expectSentinels(logs, 1, "after the failed init")
        },
        ConformanceCase(
            "nodejs.upstream-syntax-error",
            "a syntax error fails the init, and the log says error and syntax, one sentinel per stream (NodeJsActionContainerTests: fail to initialize with bad code)",
            runtimes: [.nodejs], need: .fresh(), needsLogs: true
        ) { context in
            let response = try context.initialize(js("in BASIC", "10 PRINT \"Hello world!\"\n20 GOTO 10\n"))
            try context.expectStatus(response, 502, "the init")
            let logs = try context.waitForSentinels(1)
            try context.expectSentinels(logs, 1, "after the failed init")
            let text = (logs.stdout + logs.stderr).lowercased()
            try context.expect(text.contains("error") && text.contains("syntax"), "the log does not say so: \(text)")
        },
        ConformanceCase(
            "nodejs.upstream-undefined",
            "a main that returns nothing answers {} (NodeJsActionContainerTests: support the documentation examples)",
            runtimes: [.nodejs], need: .fresh()
        ) { context in
            try context.expectInitialized(js("returning nothing", "function main() { return; }\n"))
            try context.expectResult(try context.run([:]), [String: Any](), "a run")
        },
        ConformanceCase(
            "nodejs.upstream-exports",
            "exports.main, module.exports.main and a global main all work in a single file (NodeJsActionContainerTests: support exports.main, module.exports.main, webpacked function)",
            runtimes: [.nodejs], need: .fresh()
        ) { context in
            try context.expectInitialized(js("exporting", "exports.main = function (params) { return params; };\n"))
            try context.expectResult(
                try context.run(["payload": "Hello exports!"]), ["payload": "Hello exports!"], "a run")
        },
        nodeZip(
            "nodejs.upstream-zip-other-file",
            "a zip's main of file.function names another file's export (NodeJsActionContainerTests: support zip-encoded npm package with main from file other than index.js)",
            [
                "other.js":
                    "exports.niam = function () { return { greeting: 'greetings from other.js' }; };\n"

            ], main: "other.niam", answers: ["greeting": "greetings from other.js"]),
        ConformanceCase(
            "nodejs.upstream-not-an-action",
            "a zip without package.json or index.js fails the init, saying so (NodeJsActionContainerTests: fail gracefully on valid zip files that are not actions)",
            runtimes: [.nodejs], need: .fresh()
        ) { context in
            let zip = TestAction("a zip of one text file", archive: TestArchive.of(["hello": "hello\n"]))
            let response = try context.initialize(zip)
            try context.expectStatus(response, 502, "the init")
            try context.expect(
                response.text.lowercased().contains("package.json") && response.text.lowercased().contains("index.js"),
                "the error names neither package.json nor index.js: \(CaseContext.show(response))")
        },
        ConformanceCase(
            "nodejs.upstream-application-error",
            "a returned {error: \"declined\"} answers 200 with that error (NodeJsActionContainerTests: support application errors)",
            runtimes: [.nodejs], need: .fresh()
        ) { context in
            try context.expectInitialized(
                js("returning an error", "function main() { return { error: \"declined\" }; }\n"))
            try context.expectResult(try context.run([:]), ["error": "declined"], "a run")
        },
        ConformanceCase(
            "nodejs.upstream-docs-payload",
            "one main that returns nothing, an object or an error by its input answers {}, the object and 200 with the error, logging nothing (NodeJsActionContainerTests: support the documentation examples (1))",
            runtimes: [.nodejs], need: .fresh(), needsLogs: true
        ) { context in
            let code = """
                function main(params) {
                    switch (params.mode) {
                    case "silent": return;
                    case "greet": return { greeting: `Hi, ${params.name}` };
                    default: return { error: `unknown mode ${params.mode}` };
                    }
                }
                """
            try context.expectInitialized(js("by mode", code))
            try context.expectResult(try context.run(["mode": "silent"]), [String: Any](), "a silent run")
            try context.expectResult(
                try context.run(["mode": "greet", "name": "Ada"]), ["greeting": "Hi, Ada"], "a greeting run")
            try context.expectResult(try context.run(["mode": "shout"]), ["error": "unknown mode shout"], "a bad mode")
            try SharedSuiteCases.expectQuiet(context, activations: 3)
        },
        ConformanceCase(
            "nodejs.upstream-docs-promise",
            "a main that answers at once or through a Promise resolved later answers the same either way (NodeJsActionContainerTests: support the documentation examples (2), support resolved promises)",
            runtimes: [.nodejs], need: .fresh(), needsLogs: true
        ) { context in
            let code = """
                function main(params) {
                    const answer = { sum: params.a + params.b };
                    if (!params.later) return answer;
                    return new Promise((resolve) => setTimeout(() => resolve(answer), 80));
                }
                """
            try context.expectInitialized(js("now or later", code))
            try context.expectResult(try context.run(["a": 2, "b": 3]), ["sum": 5], "a run answered at once")
            try context.expectResult(
                try context.run(["a": 2, "b": 3, "later": true]), ["sum": 5], "a run answered later")
            try SharedSuiteCases.expectQuiet(context, activations: 2)
        },
        ConformanceCase(
            "nodejs.upstream-sloppy-mode",
            "a global assigned without a declaration works (sloppy mode) and lives on between runs; its console.log is the whole stdout (NodeJsActionContainerTests: support variables with no var declaration)",
            runtimes: [.nodejs], need: .fresh(), needsLogs: true
        ) { context in
            let code = """
                function main(params) {
                    calls = (typeof calls === "number" ? calls : 0) + 1;
                    console.log(`call ${calls} for ${params.who}`);
                    return { calls };
                }
                """
            try context.expectInitialized(js("without var", code))
            try context.expectResult(try context.run(["who": "Ada"]), ["calls": 1], "the first run")
            try context.expectResult(try context.run(["who": "Bob"]), ["calls": 2], "the second run")
            let logs = try context.waitForSentinels(2)
            let out = (ActivationLogs(logs.stdout).activations.first ?? []).filter { !$0.isEmpty }
            try context.expect(
                out == ["call 1 for Ada"], "the first run's stdout is not exactly call 1 for Ada: \(out)")
        },
        ConformanceCase(
            "nodejs.upstream-webpacked",
            "a bundle that sets global.main from inside its module wrapper, run with a body without value, answers (NodeJsActionContainerTests: support webpacked function)",
            runtimes: [.nodejs], need: .fresh()
        ) { context in
            let code = """
                (function (modules) {
                    global.main = modules.entry();
                })({ entry: () => () => ({ bundled: true }) });
                """
            try context.expectInitialized(js("bundled", code))
            try context.expectResult(try context.post("/run", json: [String: Any]()), ["bundled": true], "a run")
        },
        ConformanceCase(
            "nodejs.upstream-module-exports",
            "module.exports.main in a single file (NodeJsActionContainerTests: support module.exports.main for single files)",
            runtimes: [.nodejs], need: .fresh()
        ) { context in
            try context.expectInitialized(
                js("exporting", "module.exports.main = function (params) { return params; };\n"))
            try context.expectResult(
                try context.run(["payload": "Hello exports!"]), ["payload": "Hello exports!"], "a run")
        },
        ConformanceCase(
            "nodejs.upstream-large-source",
            "a source of more than 500,000 characters loads and runs (NodeJsActionContainerTests: support large-ish actions)",
            runtimes: [.nodejs], need: .fresh()
        ) { context in
            let body = String(
                repeating: "    message = \"hello world, and again, and again, and again, and again\";\n", count: 7000)
            let code = "function main() {\n    var message;\n\(body)    return { message: \"world\" };\n}\n"
            try context.expectInitialized(js("of 500 KB", code))
            try context.expectResult(try context.run([:]), ["message": "world"], "a run")
        },
        nodeZip(
            "nodejs.upstream-zip-package",
            "a zip with package.json naming index.js, and a zip of index.js alone, run their exports.main (NodeJsActionContainerTests: support zip-encoded npm package actions, … without a package.json file)",
            [
                "package.json": "{\"name\": \"test-action\", \"version\": \"1.0.0\", \"main\": \"index.js\"}\n",
                "index.js":
                    "exports.main = function (args) {\n    var name = args.name || 'stranger';\n    return { greeting: 'Hi ' + name + ', says the package' };\n};\n",

            ], answers: ["greeting": "Hi stranger, says the package"]),
        nodeZip(
            "nodejs.upstream-zip-index-only",
            "a zip of index.js without package.json runs its exports.main (NodeJsActionContainerTests: support zip-encoded npm package actions without a package.json file)",
            [
                "index.js":
                    "exports.main = function () {\n    return { greeting: 'index.js alone answers' };\n};\n"

            ], answers: ["greeting": "index.js alone answers"]),
        nodeZip(
            "nodejs.upstream-nested-main",
            "a zip's main of other.niam.xyz names a function inside an exported object (NodeJsActionContainerTests: support nested main)",
            [
                "other.js":
                    "exports.niam = {\n    xyz: function () { return { greeting: 'greetings from deep inside other.js' }; }\n};\n"

            ], main: "other.niam.xyz", answers: ["greeting": "greetings from deep inside other.js"]),
        nodeZip(
            "nodejs.upstream-zip-override-entry",
            "in a zip with package.json and index.js, a main of other.niam runs other.js instead (NodeJsActionContainerTests: allow zip-encoded npm package containing package.json and overriding entry point)",
            [
                "package.json": "{\"name\": \"overridden\", \"version\": \"1.0.0\", \"main\": \"index.js\"}\n",
                "index.js": "exports.main = function () { return { result: 'index.js answered' }; };\n",
                "other.js": "exports.niam = function () { return { result: 'other.js answered' }; };\n",

            ], main: "other.niam", answers: ["result": "other.js answered"]),
        nodeZip(
            "nodejs.upstream-zip-entry-point",
            "a package whose index.js exports niam runs with main niam (NodeJsActionContainerTests: support zipped actions using non-default entry point)",
            [
                "package.json": "{\"name\": \"niam\", \"version\": \"1.0.0\", \"main\": \"index.js\"}\n",
                "index.js": "exports.niam = function () { return { result: 'index.js answered' }; };\n",

            ], main: "niam", answers: ["result": "index.js answered"]),
        ConformanceCase(
            "nodejs.upstream-zip-cwd",
            "a zipped action runs in its own folder: ./notes.txt reads the file beside it, __dirname is the working folder (NodeJsActionContainerTests: set correct cwd for zipped actions)",
            runtimes: [.nodejs], need: .fresh()
        ) { context in
            let zip = TestAction(
                "a package reading notes.txt",
                archive: TestArchive.of([
                    "package.json": "{\"name\": \"cwd\", \"version\": \"1.0.0\", \"main\": \"index.js\"}\n",
                    "notes.txt": "kept beside index.js",
                    "index.js":
                        "const fs = require('fs');\nexports.main = function () {\n    return { result1: fs.readFileSync('./notes.txt', 'utf8'), result2: __dirname === process.cwd() };\n};\n",
                ]))
            try context.expectInitialized(zip)
            try context.expectResult(
                try context.run([:]), ["result1": "kept beside index.js", "result2": true], "a run")
        },
        nodeZip(
            "nodejs.upstream-node-modules",
            "a zip with its own node_modules requires the package from there (NodeJsActionContainerTests: use user provided npm packages in a zip file)",
            [
                "package.json": "{\"name\": \"uses-vendored-words\", \"version\": \"1.0.0\", \"main\": \"main.js\"}\n",
                "main.js":
                    "const words = require('vendored-words');\nexports.main = function () { return { message: words.hello() }; };\nexports.niam = exports.main;\n",
                "node_modules/vendored-words/package.json":
                    "{\"name\": \"vendored-words\", \"version\": \"0.0.1\", \"main\": \"lib/index.js\"}\n",
                "node_modules/vendored-words/lib/index.js":
                    "exports.hello = function () { return 'from node_modules'; };\n",

            ], answers: ["message": "from node_modules"]),
        ConformanceCase(
            "nodejs.upstream-invalid-zip",
            "binary code that is no archive fails the init, and the log says error and uncompressing or syntax, one sentinel per stream (NodeJsActionContainerTests: fail gracefully on invalid zip files)",
            runtimes: [.nodejs], need: .fresh(), needsLogs: true
        ) { context in
            let text = TestAction(
                "base64 of French prose",
                archive: Array("Ceci n'est pas une archive, mais un texte en français.\n".utf8))
            let response = try context.initialize(text)
            try context.expect(response.status != 200, "the init answered 200")
            let logs = try context.waitForSentinels(1)
            try context.expectSentinels(logs, 1, "after the failed init")
            let log = (logs.stdout + logs.stderr).lowercased()
            try context.expect(
                log.contains("error") && (log.contains("syntax") || log.contains("uncompressing")),
                "the log says neither error and syntax nor uncompressing: \(log)")
        },
        ConformanceCase(
            "nodejs.upstream-default-parameter",
            "ES2015 default parameters in the action's own functions (NodeJsActionContainerTests: support default function parameters)",
            runtimes: [.nodejs], need: .fresh(), needsLogs: true
        ) { context in
            let code = """
                function greet(name, salutation = "Hello", mark = "!") {
                    return `${salutation}, ${name}${mark}`;
                }

                function main(params) {
                    return { text: greet(params.name), custom: greet(params.name, "Hey", "?") };
                }
                """
            try context.expectInitialized(js("with default parameters", code))
            try context.expectResult(
                try context.run(["name": "Ada"]), ["text": "Hello, Ada!", "custom": "Hey, Ada?"], "a run")
            try SharedSuiteCases.expectQuiet(context, activations: 1)
        },
        ConformanceCase(
            "nodejs.upstream-async-await",
            "an async main that awaits a promisified fs.stat (NodeJsActionContainerTests: support async and await)",
            runtimes: [.nodejs], need: .fresh()
        ) { context in
            let code = """
                const { promisify } = require("util");
                const stat = promisify(require("fs").stat);

                async function main() {
                    const info = await stat(".");
                    return { uid: info.uid };
                }
                """
            try context.expectInitialized(js("awaiting fs.stat", code))
            let response = try context.run([:])
            try context.expect(
                try context.expectObject(response, "a run")["uid"] is Int, "no uid in \(CaseContext.show(response))")
        },
        ConformanceCase(
            "nodejs.upstream-async-user-error",
            "an Error thrown from an async main is an application error that names it (NodeJsActionContainerTests: support user thrown errors from async functions)",
            runtimes: [.nodejs], need: .fresh()
        ) { context in
            try context.expectInitialized(
                js("async, throwing", "async function main() { throw new Error(\"app error\"); }\n"))
            let response = try context.run([:])
            try context.expectStatus(response, 200, "a run")
            try context.expect(
                response.text.lowercased().contains("error: app error"),
                "the error does not name it: \(CaseContext.show(response))")
        },
    ]

    // MARK: Swift (openwhisk-runtime-swift)

    static let swift: [ConformanceCase] = [
        ConformanceCase(
            "swift.upstream-foundation-unimported",
            "an action uses Foundation without importing it, as upstream's appended launcher allows (SwiftCodableActionContainerTests: the echo action)",
            runtimes: [.swift], need: .fresh()
        ) { context in
            let code = """
                func main(args: [String: Any]) -> [String: Any] {
                    FileHandle.standardError.write("hello stderr\\n".data(using: .utf8)!)
                    return ["seconds": Date().timeIntervalSince1970 > 0, "pid": ProcessInfo.processInfo.processIdentifier > 0]
                }
                """
            try context.expectInitialized(SwiftCases.action("using Foundation unimported", code))
            try context.expectResult(try context.run([:]), ["seconds": true, "pid": true], "a run")
            try context.expectResult(try context.run([:]), ["seconds": true, "pid": true], "a run")
        },
        SwiftCases.swiftCase(
            "swift.upstream-application-error",
            "a returned [\"error\": \"declined\"] answers 200 exactly that, nothing on stderr (SwiftActionContainerTests: support application errors)",
            needsLogs: true
        ) { context in
            try context.expectInitialized(
                SwiftCases.action(
                    "returning an error",
                    "func main(args: [String: Any]) -> [String: Any] {\n    [\"error\": \"declined\"]\n}\n"))
            try context.expectResult(try context.run([:]), ["error": "declined"], "a run")
            try SharedSuiteCases.expectQuiet(context, activations: 1)
        },
        SwiftCases.swiftCase(
            "swift.upstream-codable-application-error",
            "a Codable main without input whose output has error: \"declined\" answers 200 exactly that (SwiftCodableActionContainerTests: support application errors)",
            needsLogs: true
        ) { context in
            let code = """
                struct Output: Codable {
                    let error: String
                }

                func main(completion: @escaping (Output?, Error?) -> Void) {
                    completion(Output(error: "declined"), nil)
                }
                """
            try context.expectInitialized(SwiftCases.action("a Codable error", code))
            try context.expectResult(try context.run([:]), ["error": "declined"], "a run")
            try SharedSuiteCases.expectQuiet(context, activations: 1)
        },
        SwiftCases.swiftCase(
            "swift.upstream-codable-echo",
            "a Codable echo of optional fields, Foundation unimported: four values come back with the absent fields omitted, hello stdout and hello stderr logged (SwiftCodableActionContainerTests: echo arguments and print message to stdout/stderr)",
            needsLogs: true
        ) { context in
            let code = """
                struct Inner: Codable {
                    let a: String?
                }

                struct Payload: Codable {
                    let string: String?
                    let numbers: [Int]?
                    let object: Inner?
                }

                func main(input: Payload, respondWith: @escaping (Payload?, Error?) -> Void) {
                    print("hello stdout")
                    FileHandle.standardError.write("hello stderr\\n".data(using: .utf8)!)
                    respondWith(input, nil)
                }
                """
            try SharedSuiteCases.echoes(context, SwiftCases.action("a Codable echo", code))
        },
    ]

    // MARK: Native (openwhisk-runtime-go's ActionLoopContainerTests)

    /// Greets the value's name under `key`; exits on a value without one.
    static func greeter(key: String) -> String {
        SharedSuiteActions.shellSource(
            """
              name=$(field name)
              [ -n "$name" ] || exit 1
              echo "name=$name"
              printf '{"\(key)":"Hello, %s"}\\n' "$name" >&3
            """)
    }

    static let native: [ConformanceCase] = [
        ConformanceCase(
            "native.upstream-base64-script",
            "a shell script sent as base64 (binary) runs as the action (ActionLoopContainerTests: deploy a shell script)",
            runtimes: [.native], need: .fresh()
        ) { context in
            try context.expectInitialized(
                TestAction("a base64 shell script", archive: Array(greeter(key: "main").utf8)))
            try context.expectResult(try context.run(["name": "Demo"]), ["main": "Hello, Demo"], "a run")
        },
        ConformanceCase(
            "native.upstream-zip-script",
            "a zip whose exec is a shell script runs it (ActionLoopContainerTests: deploy a zip based script)",
            runtimes: [.native], need: .fresh()
        ) { context in
            let zip = TestAction(
                "a zip with exec", archive: TestArchive.of(["exec": greeter(key: "exec")], executables: ["exec"]))
            try context.expectInitialized(zip)
            try context.expectResult(try context.run(["name": "Demo"]), ["exec": "Hello, Demo"], "a run")
        },
    ]

    // MARK: Blackbox (openwhisk-runtime-docker's ActionProxyContainerTests)

    static let blackbox: [ConformanceCase] = [
        ConformanceCase(
            "blackbox.upstream-zip-exec",
            "a zip whose exec prints a log line, then its result, run without main: the result, and the line alone on stdout (ActionProxyContainerTests: extract and run a compatible zip exec)",
            runtimes: [.blackbox], need: .fresh(), needsLogs: true
        ) { context in
            let exec =
                "#!/bin/sh\necho \"This is an example zip used with the docker skeleton action.\"\necho '{ \"msg\": \"hello zip\" }'\n"
            let zip = TestAction("a zip with exec", archive: TestArchive.of(["exec": exec], executables: ["exec"]))
            try context.expectInitialized(zip)
            try context.expectResult(try context.run([:]), ["msg": "hello zip"], "a run")
            let logs = try context.waitForSentinels(1)
            let out = (ActivationLogs(logs.stdout).activations.first ?? []).filter { !$0.isEmpty }
            try context.expect(
                out == ["This is an example zip used with the docker skeleton action."],
                "stdout is not that line: \(out)")
            try SharedSuiteCases.expectQuiet(context, activations: 1, stdout: false)
        },
        ConformanceCase(
            "blackbox.upstream-cwd",
            "the executable runs in its own folder: $PWD and pwd are the folder of exec (upstream's is /action; ActionProxyContainerTests: support current directory be action location)",
            runtimes: [.blackbox], need: .fresh()
        ) { context in
            let script = TestAction(
                "a script reporting its folder",
                source:
                    "#!/bin/sh\nprintf '{\"PWD\":\"%s\",\"pwd\":\"%s\",\"exec\":\"%s\"}\\n' \"$PWD\" \"$(pwd)\" \"$(cd \"$(dirname \"$0\")\" && pwd)\"\n"
            )
            try context.expectInitialized(script)
            let response = try context.run([:])
            let folders = try context.expectObject(response, "a run")
            let exec = folders["exec"] as? String
            try context.expect(
                exec != nil && folders["PWD"] as? String == exec && folders["pwd"] as? String == exec,
                "$PWD and pwd are not the folder of exec: \(CaseContext.show(response))")
        },
        ConformanceCase(
            "blackbox.upstream-array",
            "an array as the value and as the result (ActionProxyContainerTests: support array as input param, support return array result)",
            runtimes: [.blackbox], need: .fresh()
        ) { context in
            try context.expectInitialized(SharedSuiteActions.blackbox.niam)
            try context.expectResult(try context.run(["a", "b"]), ["a", "b"], "a run with an array")
        },
    ]
}
