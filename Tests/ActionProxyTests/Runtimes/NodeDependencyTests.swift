import ActionKit
import Foundation
import Testing

/// The Node.js runtime's dependencies: `actionproxy -compile` installs a
/// zip's package.json dependencies with npm, on the host runtime and in each
/// `actionproxy/nodejs` image (there with `--network none`). npm's registry
/// is not reachable from the tests: dependencies are `file:` folders and
/// tarballs inside the zip, and a registry, where one is named, is a closed
/// port on 127.0.0.1.
@Suite("Node.js runtime: dependencies at -compile")
struct NodeDependencyTests {
    /// A registry that refuses at once, on every target's own loopback.
    static let closedRegistry = "http://127.0.0.1:9/"

    /// The action of the dependency cases: it requires one package given as a
    /// folder (`file:lib/greet`) and one given as a tarball in the zip.
    static let action = #"""
        const greet = require("greet");
        const shout = require("shout");
        exports.main = (params) => ({ greeting: shout(greet(params.name)) });
        """#

    /// The folder tree of a package: `files`, plus `vendor/shout-1.0.0.tgz`,
    /// a tarball as `npm pack` lays it out (one `package/` folder).
    static func packageFolder(_ files: [String: String]) throws -> URL {
        let folder = try Fixtures.scratch().appendingPathComponent("action")
        var all = files
        all["lib/greet/package.json"] = all["lib/greet/package.json"] ?? #"{"name": "greet", "version": "1.0.0"}"#
        all["lib/greet/index.js"] = all["lib/greet/index.js"] ?? "module.exports = (name) => `Hello, ${name}!`;\n"
        for (name, content) in all {
            let target = folder.appendingPathComponent(name)
            try FileManager.default.createDirectory(
                at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(content.utf8).write(to: target)
        }
        let tarball = try Fixtures.scratch()
        let package = tarball.appendingPathComponent("package")
        try FileManager.default.createDirectory(at: package, withIntermediateDirectories: true)
        try Data(#"{"name": "shout", "version": "1.0.0", "main": "shout.js"}"#.utf8)
            .write(to: package.appendingPathComponent("package.json"))
        try Data("module.exports = (text) => text.toUpperCase();\n".utf8)
            .write(to: package.appendingPathComponent("shout.js"))
        let vendor = folder.appendingPathComponent("vendor")
        try FileManager.default.createDirectory(at: vendor, withIntermediateDirectories: true)
        try Fixtures.tarGz(folder: tarball).write(to: vendor.appendingPathComponent("shout-1.0.0.tgz"))
        return folder
    }

    /// The zip of a package whose package.json is `manifest`, with the action
    /// and the two dependencies' sources, and no node_modules.
    static func packageZip(manifest: String, extra: [String: String] = [:]) throws -> Data {
        var files = extra
        files["package.json"] = manifest
        files["index.js"] = files["index.js"] ?? action
        return try Fixtures.zip(folder: try packageFolder(files))
    }

    static let manifest = #"""
        {
          "name": "greeter", "version": "1.0.0", "main": "index.js",
          "dependencies": { "greet": "file:lib/greet", "shout": "file:vendor/shout-1.0.0.tgz" }
        }
        """#

    /// `actionproxy -compile main` of `zip` as a user runs it: on the host
    /// with the runtime's environment, in the image as
    /// `docker run -i --rm --network none -e … IMAGE -compile main`.
    static func compile(
        _ zip: Data, on serving: Serving, environment: [String: String] = [:], volumes: [String: String] = [:]
    ) throws -> (outcome: ProcessRunner.Outcome, seconds: Double) {
        let started = Date()
        let outcome: ProcessRunner.Outcome
        if let image = serving.testImage {
            let flags = environment.sorted(by: { $0.key < $1.key }).flatMap { ["-e", "\($0.key)=\($0.value)"] }
            let mounts = volumes.sorted(by: { $0.key < $1.key }).flatMap { ["-v", "\($0.key):\($0.value):ro"] }
            outcome = try Docker.run(
                ["run", "-i", "--rm", "--network", "none"] + flags + mounts + [image.reference, "-compile", "main"],
                input: zip)
        } else {
            outcome = try serving.runOnce(["-compile", "main"], input: zip, environment: environment)
        }
        return (outcome, Date().timeIntervalSince(started))
    }

    /// The entry names of a zip.
    static func entries(_ zip: Data) throws -> [String] {
        let folder = try Fixtures.scratch()
        let file = folder.appendingPathComponent("bin.zip")
        try zip.write(to: file)
        let listing = try Fixtures.runTool(
            "/usr/bin/python3",
            ["-c", "import sys, zipfile; print('\\n'.join(zipfile.ZipFile(sys.argv[1]).namelist()))", file.path])
        return String(decoding: listing, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    @Test(
        "-compile installs file: folder and tarball dependencies, and its zip inits and runs without them in the source",
        arguments: Serving.nodejs)
    func folderAndTarballDependencies(_ serving: Serving) throws {
        let (outcome, seconds) = try Self.compile(try Self.packageZip(manifest: Self.manifest), on: serving)
        #expect(outcome.status == 0, "\(outcome.errors)")
        #expect(outcome.errors.isEmpty, "\(outcome.errors)")
        let binary = outcome.stdout
        let names = try Self.entries(binary)
        #expect(names.contains("action/node_modules/shout/shout.js"), "\(names)")
        #expect(names.contains { $0.hasPrefix("action/node_modules/greet") }, "\(names)")
        #expect(names.contains("exec") && names.contains("launcher.js"), "\(names)")
        #expect(binary.count < 100_000, "\(binary.count) bytes")
        print("nodejs -compile on \(serving.testDescription): \(binary.count) bytes zipped, \(Int(seconds * 1000)) ms")
        try serving.serve { proxy throws in
            let initialized = try proxy.initialize(code: binary.base64EncodedString(), binary: true)
            #expect(initialized.status == 200, "\(initialized.text)")
            #expect(try proxy.run(["name": "Ada"]).json as? [String: String] == ["greeting": "HELLO, ADA!"])
        }
    }

    @Test(
        "devDependencies are neither installed nor resolved: a registry one does not need the registry",
        arguments: Serving.nodejs)
    func devDependenciesLeftOut(_ serving: Serving) throws {
        let manifest = #"""
            {
              "name": "greeter", "version": "1.0.0",
              "dependencies": { "greet": "file:lib/greet", "shout": "file:vendor/shout-1.0.0.tgz" },
              "devDependencies": { "linter": "file:tools/linter", "left-pad": "^1.3.0" }
            }
            """#
        let action = #"""
            const greet = require("greet");
            const shout = require("shout");
            const { devDependencies } = require("./package.json");
            exports.main = (params) => ({ greeting: shout(greet(params.name)), dev: Object.keys(devDependencies).sort() });
            """#
        let zip = try Self.packageZip(
            manifest: manifest,
            extra: [
                "index.js": action,
                "tools/linter/package.json": #"{"name": "linter", "version": "1.0.0"}"#,
                "tools/linter/index.js": "module.exports = {};\n",
            ])
        let (outcome, _) = try Self.compile(zip, on: serving, environment: ["npm_config_registry": Self.closedRegistry])
        #expect(outcome.status == 0, "\(outcome.errors)")
        let names = try Self.entries(outcome.stdout)
        #expect(names.contains("action/node_modules/shout/shout.js"), "\(names)")
        #expect(!names.contains { $0.hasPrefix("action/node_modules/linter") }, "\(names)")
        #expect(!names.contains { $0.hasPrefix("action/node_modules/left-pad") }, "\(names)")
        // The package.json in the zip is the user's, devDependencies and all.
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: outcome.stdout.base64EncodedString(), binary: true).status == 200)
            let result = try #require(try proxy.run(["name": "Bo"]).json as? [String: Any])
            #expect(result["greeting"] as? String == "HELLO, BO!")
            #expect(result["dev"] as? [String] == ["left-pad", "linter"])
        }
    }

    @Test(
        "a failing install exits non-zero with npm's own error lines, no stack, in seconds, and writes no zip",
        arguments: Serving.nodejs)
    func failingInstall(_ serving: Serving) throws {
        let manifest = #"{"name": "needs-registry", "version": "1.0.0", "dependencies": {"left-pad": "^1.3.0"}}"#
        let zip = try Fixtures.zip(folder: try Self.packageFolder(["package.json": manifest, "index.js": Self.action]))
        let (outcome, seconds) = try Self.compile(
            zip, on: serving, environment: ["npm_config_registry": Self.closedRegistry])
        #expect(outcome.status != 0)
        #expect(outcome.stdout.isEmpty)
        let errors = outcome.errors
        #expect(errors.contains("npm install --omit=dev failed"), "\(errors)")
        #expect(errors.contains("npm error code ECONNREFUSED"), "\(errors)")
        #expect(errors.contains("The registry (\(Self.closedRegistry)) could not be reached"), "\(errors)")
        #expect(!errors.contains("    at "), "a stack trace: \(errors)")
        #expect(!errors.contains("A complete log of this run"), "\(errors)")
        #expect(errors.split(separator: "\n").count < 20, "\(errors)")
        #expect(seconds < 30, "\(seconds) s: npm retried too long")
    }

    @Test("a zip with a lock file installs with npm ci, which refuses a lock out of step", arguments: Serving.nodejs)
    func lockFileUsesNpmCi(_ serving: Serving) throws {
        let lock = #"""
            {
              "name": "greeter", "version": "1.0.0", "lockfileVersion": 3, "requires": true,
              "packages": { "": { "name": "greeter", "version": "1.0.0", "dependencies": { "other": "file:lib/other" } } }
            }
            """#
        let zip = try Self.packageZip(manifest: Self.manifest, extra: ["package-lock.json": lock])
        let (outcome, _) = try Self.compile(zip, on: serving)
        #expect(outcome.status != 0)
        #expect(outcome.errors.contains("npm ci --omit=dev failed"), "\(outcome.errors)")
        #expect(outcome.errors.contains("in sync"), "\(outcome.errors)")
    }

    @Test(
        "an /init of a zip with dependencies and no node_modules fails with 502 saying how to prebuild, and the proxy serves on",
        arguments: Serving.nodejs)
    func initWithoutNodeModules(_ serving: Serving) throws {
        let zip = try Self.packageZip(manifest: Self.manifest)
        try serving.serve { proxy throws in
            let response = try proxy.initialize(code: zip.base64EncodedString(), binary: true)
            #expect(response.status == 502)
            let error = try #require(response.error)
            #expect(error.contains("lists dependencies (greet, shout) and the zip has no node_modules"), "\(error)")
            #expect(error.contains("-compile main <action.zip >bin.zip"), "\(error)")
            #expect(try proxy.initialize(code: NodeRuntimeTests.hello).status == 200)
            #expect(try proxy.run(["name": "Ada"]).text == "{\"greeting\":\"Hello, Ada!\"}\n")
        }
    }

    @Test(
        "-compile of a plain source checks it (a syntax error exits non-zero) and its zip carries its own launcher",
        arguments: Serving.nodejs)
    func plainSourceAtCompile(_ serving: Serving) throws {
        let broken = try serving.runOnce(
            ["-compile", "main"], input: Data("function main(params) {\n  return {;\n}\n".utf8))
        #expect(broken.status != 0)
        #expect(broken.stdout.isEmpty)
        #expect(broken.errors.contains("action.cjs:2") && broken.errors.contains("SyntaxError"), "\(broken.errors)")
        let built = try serving.runOnce(["-compile", "main"], input: Data(NodeRuntimeTests.hello.utf8))
        #expect(built.status == 0, "\(built.errors)")
        let files = try Self.entries(built.stdout).filter { !$0.hasSuffix("/") }.sorted()
        #expect(files == ["action/action.cjs", "exec", "launcher.js"], "\(files)")
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: built.stdout.base64EncodedString(), binary: true).status == 200)
            #expect(try proxy.run(["name": "Zip"]).text == "{\"greeting\":\"Hello, Zip!\"}\n")
        }
    }

    @Test(
        "in the image, -e variables and the CA bundle at /etc/actionproxy/ca.crt reach npm (cafile, NODE_EXTRA_CA_CERTS)",
        arguments: Serving.nodejs.filter(\.isContainer))
    func environmentAndBundleReachNpm(_ serving: Serving) throws {
        let bundle = try Fixtures.scratch().appendingPathComponent("ca.crt")
        try Data("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n".utf8).write(to: bundle)
        // The package's own postinstall script, which npm runs with the
        // environment it was given, records it in the package.
        let manifest = #"""
            {
              "name": "greeter", "version": "1.0.0",
              "scripts": { "postinstall": "node record.js" },
              "dependencies": { "greet": "file:lib/greet", "shout": "file:vendor/shout-1.0.0.tgz" }
            }
            """#
        let record = #"""
            const keys = ["npm_config_cafile", "NODE_EXTRA_CA_CERTS", "npm_config_registry", "GREETING"];
            const seen = {};
            for (const key of keys) seen[key] = process.env[key] ?? null;
            require("fs").writeFileSync("seen.json", JSON.stringify(seen));
            """#
        let zip = try Self.packageZip(
            manifest: manifest,
            extra: [
                "record.js": record, "index.js": #"exports.main = () => require("./seen.json");"#,
            ])
        let (outcome, _) = try Self.compile(
            zip, on: serving, environment: ["npm_config_registry": Self.closedRegistry, "GREETING": "hi"],
            volumes: [bundle.path: "/etc/actionproxy/ca.crt"])
        #expect(outcome.status == 0, "\(outcome.errors)")
        try serving.serve { proxy throws in
            #expect(try proxy.initialize(code: outcome.stdout.base64EncodedString(), binary: true).status == 200)
            let seen = try #require(try proxy.run([:]).json as? [String: String])
            #expect(seen["npm_config_cafile"] == "/etc/actionproxy/ca.crt")
            #expect(seen["NODE_EXTRA_CA_CERTS"] == "/etc/actionproxy/ca.crt")
            #expect(seen["npm_config_registry"] == Self.closedRegistry)
            #expect(seen["GREETING"] == "hi")
        }
    }
}
