import ActionKit
import Foundation
import Testing

/// `actionkit build` run as a user runs it: the Dockerfile it writes, its
/// refusals, and (with Docker and the Python image, always in CI) the image
/// it builds.
@Suite("actionkit build")
struct BuildCommandTests {
    /// A Python action that greets its `name`.
    static let hello = """
        def main(args):
            return {"greeting": "Hello, " + args.get("name", "stranger") + "!"}

        """

    /// A scratch folder holding `files` (name → content).
    static func folder(_ files: [String: String]) throws -> URL {
        let folder = try Kit.scratch()
        for (name, content) in files {
            try Data(content.utf8).write(to: folder.appendingPathComponent(name))
        }
        return folder
    }

    /// A tag no one else uses.
    static func uniqueTag() -> String {
        "actionkit-test-build-\(UUID().uuidString.lowercased().prefix(12)):latest"
    }

    /// stderr as its lines, without the trailing empty one.
    static func lines(_ text: String) -> [Substring] {
        text.split(separator: "\n", omittingEmptySubsequences: false).dropLast(text.hasSuffix("\n") ? 1 : 0)
            .map { $0 }
    }

    @Test("a file: FROM the runtime's image, the file in /opt/action, main and name from its stem")
    func dockerfileOfFile() throws {
        let outcome = try Kit.run([
            "build", "--runtime", "python", "--code", "Examples/python/hello/hello.py", "--dockerfile",
        ])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(
            outcome.stdout == """
                FROM actionproxy/python
                COPY action/ /opt/action/
                ENV __OW_ACTION_CODE_FILE=/opt/action/hello.py __OW_ACTION_MAIN=main __OW_ACTION_NAME=hello

                """)
        #expect(outcome.stderr.isEmpty, "\(outcome.stderr)")
    }

    @Test("a folder: the folder is the code file, its name the action's; an archive's stem is its name")
    func dockerfileOfFolder() throws {
        let folder = try Kit.run([
            "build", "--runtime", "nodejs", "--code", "Examples/nodejs/invoice/", "--dockerfile",
        ])
        #expect(folder.status == 0, "\(folder.stderr)")
        #expect(
            folder.stdout == """
                FROM actionproxy/nodejs
                COPY action/ /opt/action/
                ENV __OW_ACTION_CODE_FILE=/opt/action __OW_ACTION_MAIN=main __OW_ACTION_NAME=invoice

                """)
        let scratch = try Self.folder(["report.tar.gz": "not really an archive"])
        defer { try? FileManager.default.removeItem(at: scratch) }
        let archive = try Kit.run([
            "build", "--runtime", "native", "--code", scratch.appendingPathComponent("report.tar.gz").path,
            "--dockerfile",
        ])
        #expect(archive.status == 0, "\(archive.stderr)")
        #expect(
            archive.stdout.hasSuffix(
                "ENV __OW_ACTION_CODE_FILE=/opt/action/report.tar.gz __OW_ACTION_MAIN=main __OW_ACTION_NAME=report\n"),
            "\(archive.stdout)")
    }

    @Test("--raw adds __OW_ACTION_RAW=true; --main, --name and --from are written as given")
    func dockerfileOfRawAction() throws {
        let outcome = try Kit.run([
            "build", "--runtime", "python", "--code", "Examples/python/hello/hello.py", "--raw", "--main", "handle",
            "--name", "greeter", "--from", "registry.example.com/actionproxy/python:latest", "--dockerfile",
        ])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(
            outcome.stdout == """
                FROM registry.example.com/actionproxy/python:latest
                COPY action/ /opt/action/
                ENV __OW_ACTION_CODE_FILE=/opt/action/hello.py __OW_ACTION_MAIN=handle __OW_ACTION_NAME=greeter __OW_ACTION_RAW=true

                """)
    }

    @Test("values with spaces, quotes, $ and backslashes are quoted for ENV; a line break is refused")
    func dockerfileQuoting() throws {
        let scratch = try Self.folder(["my action.py": Self.hello])
        defer { try? FileManager.default.removeItem(at: scratch) }
        let code = scratch.appendingPathComponent("my action.py").path
        let outcome = try Kit.run([
            "build", "--runtime", "python", "--code", code, "--name", #"Ada's "hello" $HOME \ done"#, "--dockerfile",
        ])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(
            outcome.stdout.hasSuffix(
                #"ENV __OW_ACTION_CODE_FILE="/opt/action/my action.py" __OW_ACTION_MAIN=main __OW_ACTION_NAME="Ada's \"hello\" \$HOME \\ done""#
                    + "\n"), "\(outcome.stdout)")
        let stem = try Kit.run(["build", "--runtime", "python", "--code", code, "--dockerfile"])
        #expect(stem.stdout.hasSuffix(#"__OW_ACTION_NAME="my action""# + "\n"), "\(stem.stdout)")
        #expect(dockerfileQuoted("plain/v1.2_x-y+z:a,b@c") == "plain/v1.2_x-y+z:a,b@c")
        #expect(dockerfileQuoted("") == #""""#)
        #expect(dockerfileQuoted("a=b") == #""a=b""#)
        #expect(dockerfileQuoted("Grüße") == #""Grüße""#)

        let broken = try Kit.run([
            "build", "--runtime", "python", "--code", code, "--name", "two\nlines", "--dockerfile",
        ])
        #expect(broken.status == 1)
        #expect(broken.stdout.isEmpty)
        #expect(
            Self.lines(broken.stderr) == [
                "Error: --name is empty or holds a line break or another control character: give a value that fits on one line"
            ], "\(broken.stderr)")
    }

    @Test("a bad command line is refused with status 64: an unknown runtime lists the known ones, a build needs -t")
    func usage() throws {
        let unknown = try Kit.run(["build", "--runtime", "ruby", "--code", "Examples/hello/exec", "-t", "x"])
        #expect(unknown.status == 64)
        #expect(
            Self.lines(unknown.stderr).first
                == "Error: unknown runtime 'ruby': use one of python, nodejs, swift, swift-slim, native",
            "\(unknown.stderr)")
        let untagged = try Kit.run(["build", "--runtime", "native", "--code", "Examples/hello/exec"])
        #expect(untagged.status == 64)
        #expect(Self.lines(untagged.stderr).first == "Error: give the image's tag: -t TAG", "\(untagged.stderr)")
        let noCode = try Kit.run(["build", "--runtime", "native", "-t", "x"])
        #expect(noCode.status == 64)
        #expect(noCode.stderr.contains("--code"), "\(noCode.stderr)")
        let help = try Kit.run(["build", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("actionkit build --runtime python -t hello"), "\(help.stdout)")
    }

    @Test("a --code path that is not there is one line that says what to give, status 1")
    func missingCode() throws {
        let outcome = try Kit.run(["build", "--runtime", "python", "--code", "Examples/python/none.py", "-t", "x"])
        #expect(outcome.status == 1)
        #expect(
            Self.lines(outcome.stderr) == [
                "Error: --code Examples/python/none.py: no such file or folder: give the action's source, script, binary, archive or folder"
            ], "\(outcome.stderr)")
    }

    @Test("a Swift source on swift-slim, a file or a folder, is refused with how to prebuild it")
    func swiftSourceOnSlim() throws {
        for (path, main) in [("Examples/swift/hello/hello.swift", "main"), ("Examples/swift/invoice", "invoice")] {
            let outcome = try Kit.run(["build", "--runtime", "swift-slim", "--code", path, "--main", main, "-t", "x"])
            #expect(outcome.status == 1)
            #expect(
                Self.lines(outcome.stderr) == [
                    "Error: actionproxy/swift-slim runs prebuilt Swift actions only, and \(path) is source: zip it as src.zip, prebuild it with 'docker run -i actionproxy/swift -compile \(main) < src.zip > bin.zip' and build --code bin.zip (or use --runtime swift, which compiles at start-up)"
                ], "\(outcome.stderr)")
        }
        let scratch = try Self.folder(["bin.zip": "PK"])
        defer { try? FileManager.default.removeItem(at: scratch) }
        let prebuilt = try Kit.run([
            "build", "--runtime", "swift-slim", "--code", scratch.appendingPathComponent("bin.zip").path,
            "--dockerfile",
        ])
        #expect(prebuilt.status == 0, "\(prebuilt.stderr)")
        #expect(prebuilt.stdout.hasPrefix("FROM actionproxy/swift-slim\n"))
    }

    @Test("with no Docker daemon to talk to, one line says Docker is not running")
    func dockerNotRunning() throws {
        let outcome = try Kit.run(
            ["build", "--runtime", "python", "--code", "Examples/python/hello/hello.py", "-t", "x"],
            environment: ["DOCKER_HOST": "unix:///nonexistent/docker.sock"])
        #expect(outcome.status == 1)
        let lines = Self.lines(outcome.stderr)
        #expect(lines.count == 1, "\(outcome.stderr)")
        #expect(lines.first?.hasPrefix("Error: Docker is not running (") == true, "\(outcome.stderr)")
        #expect(lines.first?.hasSuffix("): start it, or print the Dockerfile with --dockerfile") == true)
    }
}

extension BuildCommandTests {
    /// Real builds on the daemon, one at a time; each removes its images.
    @Suite("actionkit build builds an image", .serialized)
    struct Images {
        @Test(
            "a Python file baked into actionproxy/python: the image carries its variables and the file, the context is gone",
            .enabled(if: Kit.imageEnabled("actionproxy/python")))
        func python() throws {
            let scratch = try BuildCommandTests.folder(["hello.py": BuildCommandTests.hello])
            let temporary = scratch.appendingPathComponent("tmp")
            try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: scratch) }
            let tag = BuildCommandTests.uniqueTag()
            defer { _ = try? Docker.run(["rmi", "-f", tag]) }
            let name = #"Ada's "hello" $HOME \ done"#
            let outcome = try Kit.run(
                [
                    "build", "--runtime", "python", "--code", scratch.appendingPathComponent("hello.py").path, "-t",
                    tag, "--name", name,
                ], environment: ["TMPDIR": temporary.path])
            #expect(outcome.status == 0, "\(outcome.stdout)\n\(outcome.stderr)")
            #expect(
                outcome.stdout == """
                    built \(tag); run it, then call it:
                      docker run --read-only --tmpfs /tmp:exec -p 127.0.0.1:8080:8080 \(tag)
                      curl -X POST http://127.0.0.1:8080/ -H 'Content-Type: application/json' -d '{"value":{}}'

                    """)
            #expect(outcome.stderr.contains("build: docker build -t \(tag), FROM actionproxy/python\n"))
            #expect(outcome.stderr.contains("Step 3/3 : ENV") || outcome.stderr.contains("[3/3]"), "\(outcome.stderr)")
            let left = try FileManager.default.contentsOfDirectory(atPath: temporary.path)
            #expect(left.isEmpty, "the build context is left: \(left)")

            let inspected = try Docker.check(["image", "inspect", "--format", "{{json .Config.Env}}", tag])
            let environment = try #require(
                try JSONSerialization.jsonObject(with: inspected.stdout) as? [String], "\(inspected.output)")
            #expect(environment.contains("__OW_ACTION_CODE_FILE=/opt/action/hello.py"), "\(environment)")
            #expect(environment.contains("__OW_ACTION_MAIN=main"), "\(environment)")
            #expect(environment.contains("__OW_ACTION_NAME=\(name)"), "\(environment)")
            #expect(!environment.contains { $0.hasPrefix("__OW_ACTION_RAW=") }, "\(environment)")
            #expect(environment.contains("OW_COMPILER=/usr/local/lib/actionproxy/python/compile"), "\(environment)")
            let file = try Docker.check(["run", "--rm", "--entrypoint", "cat", tag, "/opt/action/hello.py"])
            #expect(file.output == BuildCommandTests.hello)
        }

        @Test(
            "a failed docker build is one error line with Docker's last lines; a --from image not here is pulled",
            .enabled(if: Kit.imageEnabled("actionproxy/python")))
        func failedBuild() throws {
            let tag = BuildCommandTests.uniqueTag()
            defer { _ = try? Docker.run(["rmi", "-f", tag]) }
            // Nothing listens on port 9 of the loopback: the pull fails at once.
            let base = "127.0.0.1:9/actionproxy/python:latest"
            let outcome = try Kit.run([
                "build", "--runtime", "python", "--code", "Examples/python/hello/hello.py", "-t", tag, "--from", base,
            ])
            #expect(outcome.status == 1)
            #expect(outcome.stdout.isEmpty)
            #expect(outcome.stderr.contains("build: \(base) is not on this machine: docker build pulls it\n"))
            let lines = BuildCommandTests.lines(outcome.stderr)
            let error = try #require(lines.lastIndex { $0.hasPrefix("Error: ") }, "\(outcome.stderr)")
            #expect(lines[error].hasPrefix("Error: docker build failed with status "), "\(outcome.stderr)")
            #expect(lines[error].hasSuffix("; its last lines:"), "\(outcome.stderr)")
            let last = lines[(error + 1)...]
            #expect((1...5).contains(last.count), "\(outcome.stderr)")
            #expect(last.allSatisfy { $0.hasPrefix("  ") })
            #expect(last.contains { $0.contains("127.0.0.1:9") }, "\(outcome.stderr)")
        }

        /// Needs the proxy to initialise itself from __OW_ACTION_CODE_FILE
        /// at start-up and to serve `/` (issue 17, docs/actionkit-build.md).
        @Test(
            "an image built by actionkit build serves its action at once: POST / and /health, with a read-only root",
            .enabled(if: Kit.imageEnabled("actionproxy/python")))
        func serves() throws {
            let scratch = try BuildCommandTests.folder(["hello.py": BuildCommandTests.hello])
            defer { try? FileManager.default.removeItem(at: scratch) }
            let tag = BuildCommandTests.uniqueTag()
            defer { _ = try? Docker.run(["rmi", "-f", tag]) }
            let built = try Kit.run([
                "build", "--runtime", "python", "--code", scratch.appendingPathComponent("hello.py").path, "-t", tag,
            ])
            try #require(built.status == 0, "\(built.stderr)")

            let port = try FreePort.pick()
            let id = try Docker.check([
                "run", "-d", "--read-only", "--tmpfs", "/tmp:exec", "-e", "PORT=\(port)", "--network", "host", tag,
            ]).output.trimmingCharacters(in: .whitespacesAndNewlines)
            defer { _ = try? Docker.run(["rm", "-f", id]) }
            let logs = { (try? Docker.run(["logs", id])).map { $0.output + $0.errors } ?? "" }

            let health = try #require(Self.settledHealth(port: port, container: id), "no answer: \(logs())")
            #expect(health.status == 200, "\(health.text)\n\(logs())")
            #expect(health.object?["ready"] as? Bool == true, "\(health.text)\n\(logs())")

            let answer = try HTTPClient(port: port).request(
                "POST", "/", body: Data(#"{"value":{"name":"Ada"}}"#.utf8))
            #expect(answer.status == 200, "\(answer.text)\n\(logs())")
            #expect(answer.object?["greeting"] as? String == "Hello, Ada!", "\(answer.text)")
        }

        /// `GET /health` once it stops saying "initializing" (or nil when
        /// nothing answered within 30 s, or the container stopped first).
        static func settledHealth(port: Int, container: String) -> HTTPResponse? {
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline {
                if let response = try? HTTPClient(port: port, timeoutSeconds: 5).request("GET", "/health"),
                    response.status != 503 || response.object?["status"] as? String != "initializing"
                {
                    return response
                }
                let running = try? Docker.run(["inspect", "--format", "{{.State.Running}}", container]).output
                if running?.hasPrefix("true") != true { return nil }
                Thread.sleep(forTimeInterval: 0.1)
            }
            return nil
        }
    }
}
