import Foundation

/// Cases of upstream's own runtime suites (apache/openwhisk's
/// BasicActionRunnerTests, and the container tests of openwhisk-runtime-python,
/// -nodejs and -swift), written here in our words with upstream's expectation:
/// an image that passes them behaves as those suites expect. Each id is the
/// language's area and `upstream-…`; the description names the upstream test.
/// Where ours deliberately differs (README.md, "How it differs"), the case
/// checks ours and says so.
enum UpstreamCases {
    static let all: [ConformanceCase] = core + python + nodejs + swift

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
                "a zip with a workfile",
                archive: TestArchive.of([
                    "__main__.py":
                        "def main(args):\n    with open('workfile') as f:\n        return {'file': f.read()}\n",
                    "workfile": "this is a test string",
                ]))
            try context.expectInitialized(zip)
            try context.expectResult(try context.run([:]), ["file": "this is a test string"], "a run")
        },
        ConformanceCase(
            "python.upstream-array",
            "an array as parameter and as result (PythonBasicTests: support array as input param, support return array result)",
            runtimes: [.python], need: .fresh()
        ) { context in
            try context.expectInitialized(PythonCases.echo)
            try context.expectResult(try context.run(["a", "b"]), ["a", "b"], "a run with an array")
        },
    ]

    // MARK: Node.js (openwhisk-runtime-nodejs)

    static func js(_ name: String, _ source: String, main: String? = nil) -> TestAction {
        NodeCases.action(name, source, main: main)
    }

    static let nodejs: [ConformanceCase] = [
        ConformanceCase(
            "nodejs.upstream-sync-throw",
            "a value thrown out of main is a developer error: 502 An error has occurred (NodeJsActionContainerTests: return some error on action error)",
            runtimes: [.nodejs], need: .fresh()
        ) { context in
            try context.expectInitialized(js("throwing a string", "function main() { throw \"nooooo\"; }\n"))
            try context.expectError(try context.run([:]), 502, "An error has occurred: nooooo", "a run")
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
        ConformanceCase(
            "nodejs.upstream-zip-other-file",
            "a zip's main of file.function names another file's export (NodeJsActionContainerTests: support zip-encoded npm package with main from file other than index.js)",
            runtimes: [.nodejs], need: .fresh()
        ) { context in
            let zip = TestAction(
                "a zip with other.js",
                archive: TestArchive.of([
                    "other.js":
                        "exports.niam = function () { return { greeting: 'Hello stranger, from other.niam.' }; };\n"
                ]), main: "other.niam")
            try context.expectInitialized(zip)
            try context.expectResult(
                try context.run([:]), ["greeting": "Hello stranger, from other.niam."], "a run")
        },
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
        }
    ]
}
