import ActionKit
import Foundation
import Testing

/// Issue 18: a zip with `requirements.txt` gets its packages from pip, at
/// `-compile` (so that an /init of the zip it writes needs no network) and,
/// more slowly, at /init. The packages are wheels made by
/// `Fixtures/make-wheel.py`, a pure one and one with a C extension (abi3,
/// so one wheel loads in every version's Python), served on 127.0.0.1 or
/// read from a folder: these machines reach no index in tests.
@Suite("Python dependencies: requirements.txt")
struct PythonDependencyTests {
    static let main = #"""
        import greeter
        import cgreet

        def main(args):
            return {"pure": greeter.greet(args["name"]), "native": cgreet.greet(args["name"])}
        """#

    static let requirements = "greeter==1.0\ncgreet\n"

    /// A folder with both wheels and their PEP 503 index (`simple/`).
    static func wheelhouse() throws -> URL {
        let folder = try Fixtures.scratch().appendingPathComponent("wheels")
        let script = Fixtures.url("make-wheel.py").path
        try Fixtures.runTool("/usr/bin/env", ["python3", script, folder.path, "greeter", "1.0"])
        try Fixtures.runTool("/usr/bin/env", ["python3", script, folder.path, "cgreet", "2.0", "--extension"])
        return folder
    }

    static func expectGreetings(_ proxy: any ProxyUnderTest) throws {
        let response = try proxy.run(["name": "Ada"])
        #expect(response.status == 200, "\(response.text)")
        #expect(response.text == "{\"pure\":\"Hello Ada from greeter\",\"native\":\"Hello Ada from C\"}\n")
    }

    @Test(
        "-compile installs requirements.txt from a package index on 127.0.0.1, a C extension among them, and its zip inits with no index",
        arguments: Serving.python)
    func prebuiltFromIndex(_ serving: Serving) throws {
        let index = try PackageIndex.serve(try Self.wheelhouse())
        defer { index.stop() }
        let source = try zipOf(["__main__.py": Self.main, "requirements.txt": Self.requirements])
        let outcome = try serving.runOnce(
            ["-compile", "main"], input: source,
            environment: ["PIP_INDEX_URL": index.url + "/simple", "PIP_TRUSTED_HOST": "127.0.0.1"], hostNetwork: true)
        #expect(outcome.status == 0, "\(outcome.errors)")
        #expect(outcome.stdout.range(of: Data("site-packages/cgreet/_native.abi3.so".utf8)) != nil)
        #expect(outcome.stdout.range(of: Data("site-packages/greeter/__pycache__/".utf8)) != nil)
        index.stop()
        try serving.serve { proxy throws in
            let response = try proxy.initialize(code: outcome.stdout.base64EncodedString(), binary: true)
            #expect(response.status == 200, "\(response.text)")
            try Self.expectGreetings(proxy)
        }
    }

    @Test(
        "a requirement pip cannot find fails -compile with pip's own message, exits non-zero and writes no zip",
        arguments: Serving.python)
    func unknownRequirement(_ serving: Serving) throws {
        let wheels = serving.mount(try Self.wheelhouse())
        let source = try zipOf(["__main__.py": Self.main, "requirements.txt": "greeter==1.0\nno-such-package==9\n"])
        let outcome = try serving.runOnce(
            ["-compile", "main"], input: source, environment: ["PIP_NO_INDEX": "1", "PIP_FIND_LINKS": wheels.path],
            mounts: [wheels])
        #expect(outcome.status != 0)
        #expect(outcome.stdout.isEmpty)
        #expect(outcome.errors.contains("pip could not install requirements.txt (exit status 1):"), "\(outcome.errors)")
        #expect(outcome.errors.contains("No matching distribution found for no-such-package==9"), "\(outcome.errors)")
        #expect(!outcome.errors.contains("Traceback"), "\(outcome.errors)")
    }

    @Test(
        "an /init of a zip with requirements.txt installs it with the init's PIP_ settings", arguments: Serving.python)
    func installedAtInit(_ serving: Serving) throws {
        let wheels = serving.mount(try Self.wheelhouse())
        let source = try zipOf(["__main__.py": Self.main, "requirements.txt": Self.requirements])
        try serving.serve(mounts: [wheels]) { proxy throws in
            let response = try proxy.initialize(
                code: source.base64EncodedString(), binary: true,
                env: ["PIP_NO_INDEX": "1", "PIP_FIND_LINKS": wheels.path])
            #expect(response.status == 200, "\(response.text)")
            try Self.expectGreetings(proxy)
        }
    }

    @Test(
        "a zip with requirements.txt and its own virtualenv/ is not installed again: no index is asked",
        arguments: Serving.python)
    func ownVirtualenvKept(_ serving: Serving) throws {
        let source = try zipOf([
            "__main__.py": "import snowflake\n\ndef main(args):\n    return {\"flake\": snowflake.flake()}\n",
            "requirements.txt": "no-such-package==9\n",
            "virtualenv/lib/python3.11/site-packages/snowflake/__init__.py": "def flake():\n    return 'flake'\n",
            "virtualenv/lib/python3.13/site-packages/snowflake/__init__.py": "def flake():\n    return 'flake'\n",
        ])
        try serving.serve { proxy throws in
            let response = try proxy.initialize(
                code: source.base64EncodedString(), binary: true, env: ["PIP_NO_INDEX": "1"])
            #expect(response.status == 200, "\(response.text)")
            #expect(try proxy.run([:]).text == "{\"flake\":\"flake\"}\n")
        }
    }
}
