import ActionKit
import Foundation
import Testing

@Suite("Code intake: zip, tar.gz, ELF, scripts, sources")
struct CodeIntakeTests {
    @Test("a native ELF binary (built on this Debian host) becomes the action", arguments: Serving.contract)
    func elf(_ target: Serving) throws {
        let binary = try Fixtures.nativeEcho.get()
        try target.serve { proxy throws in
            #expect(try proxy.initialize(file: binary).status == 200)
            let response = try proxy.run(["native": "❄"])
            #expect(response.status == 200)
            #expect((response.json as? [String: Any])?["value"] as? [String: String] == ["native": "❄"])
            proxy.waitForSentinels(1)
            #expect(proxy.stdout.contains("echo.c got"))
        }
    }

    @Test("a zip with an executable exec at its top becomes the action", arguments: Serving.contract)
    func zipWithExec(_ target: Serving) throws {
        let zip = try Fixtures.zip([
            ("exec", try Fixtures.nativeEcho.get(), 0o755), ("data/readme.txt", Fixtures.url("echo.c"), 0o644),
        ])
        try target.serve { proxy throws in
            #expect(try proxy.initialize(code: zip.base64EncodedString(), binary: true).status == 200)
            #expect(try proxy.run(["zip": 1]).status == 200)
            #expect(proxy.fileExists("action/1/bin/data/readme.txt"))
        }
    }

    @Test(
        "code reads the same whether its JSON string has escapes or not",
        arguments: Serving.contract,
        [
            #"{"value":{"code":"CODE","binary":true}}"#, #"{"value":{"code":"CODE","binary":true,"code":"CODE"}}"#,
        ])
    func codeEscapes(_ target: Serving, template: String) throws {
        // "???" is "Pz8/" in base64: the code has slashes to escape.
        let base64 = Data((try Fixtures.text("echo.sh") + "\n# ???\n").utf8).base64EncodedString()
        // As they are, and with every "/" escaped as "\/" (JSONSerialization's way).
        for code in [base64, base64.replacingOccurrences(of: "/", with: #"\/"#)] {
            try target.serve { proxy throws in
                let body = template.replacingOccurrences(of: "CODE", with: code)
                #expect(try proxy.request("POST", "/init", body: Data(body.utf8)).status == 200)
                let response = try proxy.run(["escaped": code != base64])
                #expect((response.json as? [String: Any])?["value"] as? [String: Bool] == ["escaped": code != base64])
            }
        }
    }

    @Test("a tar.gz with exec becomes the action", arguments: Serving.contract)
    func tarGzWithExec(_ target: Serving) throws {
        let archive = try Fixtures.tarGz([("exec", Fixtures.url("echo.sh"), 0o755)])
        try target.serve { proxy throws in
            #expect(try proxy.initialize(code: archive.base64EncodedString(), binary: true).status == 200)
            let response = try proxy.run(["tar": "gz"])
            #expect((response.json as? [String: Any])?["value"] as? [String: String] == ["tar": "gz"])
        }
    }

    @Test("a #! script sent as text becomes the action", arguments: Serving.contract)
    func script(_ target: Serving) throws {
        try target.serve { proxy throws in
            #expect(try proxy.initialize(code: try Fixtures.text("echo.sh")).status == 200)
            #expect(try proxy.run(["script": true]).status == 200)
        }
    }

    @Test("a source is compiled with OW_COMPILER, which gets main and the folders", arguments: Serving.contract)
    func sourceWithCompiler(_ target: Serving) throws {
        try target.serve(environment: ["OW_COMPILER": target.fixture("compile.sh")]) { proxy throws in
            let source = "while read -r line; do echo \"{\\\"main\\\":\\\"$(sed -n 2p \"$0\")\\\"}\" >&3; done\n"
            #expect(try proxy.initialize(code: source, main: "hello").status == 200)
            let response = try proxy.run([:])
            #expect(response.status == 200)
            #expect((response.json as? [String: String])?["main"] == "# main: hello")
        }
    }

    @Test("a zip without exec goes to the compiler", arguments: Serving.contract)
    func zipWithoutExecIsCompiled(_ target: Serving) throws {
        let folder = try Fixtures.scratch()
        let source = folder.appendingPathComponent("exec")
        try "while read -r line; do echo '{\"from\":\"zip\"}' >&3; done\n".write(
            to: source, atomically: true, encoding: .utf8)
        let zip = try Fixtures.zip([("exec", source, 0o644)])
        try target.serve(environment: ["OW_COMPILER": target.fixture("compile.sh")]) { proxy throws in
            #expect(try proxy.initialize(code: zip.base64EncodedString(), binary: true).status == 200)
            #expect(try proxy.run([:]).json as? [String: String] == ["from": "zip"])
        }
    }

    @Test("a compile error answers 502 with the compiler's output", arguments: Serving.contract)
    func compileError(_ target: Serving) throws {
        try target.serve(environment: ["OW_COMPILER": target.fixture("compile.sh")]) { proxy throws in
            let response = try proxy.initialize(code: "syntax error\n", main: "broken")
            #expect(response.status == 502)
            #expect(response.error == "compile.sh: syntax error in broken\n")
            let silent = try proxy.initialize(code: "print nothing and fail\n")
            #expect(silent.status == 502)
            #expect(silent.error?.contains("exit status 3") == true)
            #expect(try proxy.initialize(code: "while read -r l; do echo '{}' >&3; done\n").status == 200)
        }
    }

    @Test(
        "a compiler that runs past OW_COMPILE_TIMEOUT_MS is stopped with what it started, and init answers 502",
        arguments: Serving.contract)
    func compileTimeout(_ target: Serving) throws {
        let environment = ["OW_COMPILER": target.fixture("compile.sh"), "OW_COMPILE_TIMEOUT_MS": "1000"]
        try target.serve(environment: environment) { proxy throws in
            let started = Date()
            let response = try proxy.initialize(code: "compile forever\n")
            #expect(Date().timeIntervalSince(started) < 20)
            #expect(response.status == 502)
            #expect(response.error?.contains("did not finish within 1 s") == true, "\(response.text)")
            let deadline = Date().addingTimeInterval(5)
            while try !proxy.children().isEmpty && Date() < deadline { usleep(20_000) }
            let left = try proxy.children()
            #expect(left.isEmpty, "\(left)")
            #expect(try proxy.initialize(code: "while read -r l; do echo '{}' >&3; done\n").status == 200)
        }
    }

    @Test("with OW_SAVE_JAR a jar is kept whole for the compiler", arguments: Serving.contract)
    func saveJar(_ target: Serving) throws {
        let folder = try Fixtures.scratch()
        let manifest = folder.appendingPathComponent("MANIFEST.MF")
        try "Manifest-Version: 1.0\n".write(to: manifest, atomically: true, encoding: .utf8)
        let jar = try Fixtures.zip([("META-INF/MANIFEST.MF", manifest, 0o644), ("Hello.class", manifest, 0o644)])
        let environment = ["OW_COMPILER": target.fixture("compile-jar.sh"), "OW_SAVE_JAR": "action.jar"]
        try target.serve(environment: environment) { proxy throws in
            #expect(try proxy.initialize(code: jar.base64EncodedString(), binary: true, main: "Hello").status == 200)
            let result = try #require(try proxy.run([:]).json as? [String: Any])
            #expect(result["jar_bytes"] as? Int == jar.count)
            #expect(result["main"] as? String == "Hello")
        }
    }

    @Test("each init uses a fresh numbered folder", arguments: Serving.contract)
    func numberedFolders(_ target: Serving) throws {
        try target.serve(environment: ["PROXY_ALLOW_REINIT": "1"]) { proxy throws in
            #expect(try proxy.initialize(code: try Fixtures.text("echo.sh")).status == 200)
            #expect(try proxy.initialize(code: try Fixtures.text("launcher.py")).status == 200)
            #expect(proxy.fileExists("action/1/bin/exec"))
            #expect(proxy.fileExists("action/2/bin/exec"))
            #expect(try proxy.run(["do": "input"]).status == 200)
        }
    }

    @Test("an archive entry that escapes the action folder is refused with 400", arguments: Serving.contract)
    func zipSlip(_ target: Serving) throws {
        let folder = try Fixtures.scratch()
        let file = folder.appendingPathComponent("evil.zip")
        try Fixtures.runTool(
            "/usr/bin/python3",
            [
                "-c",
                """
                import zipfile
                with zipfile.ZipFile("\(file.path)", "w") as z:
                    z.writestr("exec", "#!/bin/sh\\n")
                    z.writestr("../../escaped.txt", "pwned")
                """,
            ])
        let zip = try Data(contentsOf: file)
        try target.serve { proxy throws in
            let response = try proxy.initialize(code: zip.base64EncodedString(), binary: true)
            #expect(response.status == 400)
            #expect(response.error?.contains("../../escaped.txt") == true)
            #expect(!proxy.fileExists("escaped.txt"))
            #expect(!proxy.fileExists("action/escaped.txt"))
        }
    }

    // Found by the fuzz targets' cleanup check: removing a refused init's
    // folder named entries by String paths, which cannot name bytes that are
    // not UTF-8, so those entries (and their folders) stayed.
    @Test("a refused archive leaves no folder behind, whatever bytes its names hold", arguments: Serving.contract)
    func refusedArchiveIsRemoved(_ target: Serving) throws {
        let file = try Fixtures.scratch().appendingPathComponent("latin1.tar.gz")
        try Fixtures.runTool(
            "/usr/bin/python3",
            [
                "-c",
                """
                import io, tarfile
                with tarfile.open("\(file.path)", "w:gz", encoding="utf-8", errors="surrogateescape") as t:
                    for name in ["caf\\udce9", "dir\\udcff/file", "../escaped.txt"]:
                        info = tarfile.TarInfo(name)
                        info.size = 1
                        t.addfile(info, io.BytesIO(b"x"))
                """,
            ])
        let archive = try Data(contentsOf: file)
        try target.serve { proxy throws in
            let response = try proxy.initialize(code: archive.base64EncodedString(), binary: true)
            #expect(response.status == 400)
            #expect(response.error?.contains("../escaped.txt") == true)
            #expect(try proxy.entries(in: "action") == [])
        }
    }

    // Found by the fuzz targets' limit check: folders created on the way to an
    // entry were not counted, so each deep name added up to 255 folders
    // beyond OW_MAX_EXTRACT_ENTRIES (a small tar.gz could make millions).
    @Test("folders that archive names only imply count against OW_MAX_EXTRACT_ENTRIES", arguments: Serving.contract)
    func impliedFoldersAreCounted(_ target: Serving) throws {
        let deep = (0..<60).map { "d\($0)" }.joined(separator: "/") + "/exec"
        let tooDeep = try Fixtures.zip([(deep, Fixtures.url("echo.sh"), 0o755)])
        let shallow = try Fixtures.zip([("exec", Fixtures.url("echo.sh"), 0o755)])
        try target.serve(environment: ["OW_MAX_EXTRACT_ENTRIES": "50"]) { proxy throws in
            let refused = try proxy.initialize(code: tooDeep.base64EncodedString(), binary: true)
            #expect(refused.status == 400)
            #expect(refused.error?.contains("needs folders beyond the limit of 50 entries") == true)
            #expect(try proxy.initialize(code: shallow.base64EncodedString(), binary: true).status == 200)
        }
    }

    @Test("a corrupt zip answers 400 and the proxy stays up", arguments: Serving.contract)
    func corruptZip(_ target: Serving) throws {
        var zip = try Fixtures.zip([("exec", Fixtures.url("echo.sh"), 0o755)])
        zip = zip.prefix(zip.count / 2)
        try target.serve { proxy throws in
            let response = try proxy.initialize(code: zip.base64EncodedString(), binary: true)
            #expect(response.status == 400)
            #expect(proxy.isRunning)
            #expect(try proxy.initialize(code: try Fixtures.text("echo.sh")).status == 200)
        }
    }
}

@Suite("actionproxy -compile")
struct CompileModeTests {
    /// `actionproxy -compile main` with `input` on stdin, as a user runs it
    /// (`docker run -i IMAGE -compile main` in a container).
    func compile(_ input: Data, on target: Serving) throws -> ProcessRunner.Outcome {
        try target.runOnce(
            ["-compile", "main"], input: input, environment: ["OW_COMPILER": target.fixture("compile.sh")])
    }

    @Test("-compile produces a zip that a later init accepts as a binary action", arguments: Serving.contract)
    func compileThenInit(_ target: Serving) throws {
        let outcome = try compile(
            try zipOf(["exec": "while read -r line; do echo '{\"prebuilt\":true}' >&3; done\n"]), on: target)
        #expect(outcome.status == 0)
        #expect(outcome.stdout.starts(with: [0x50, 0x4B, 0x03, 0x04]))

        try target.serve { proxy throws in
            #expect(try proxy.initialize(code: outcome.stdout.base64EncodedString(), binary: true).status == 200)
            #expect(try proxy.run([:]).json as? [String: Bool] == ["prebuilt": true])
        }
    }

    @Test("-compile reports a compile error on stderr and exits non-zero", arguments: Serving.contract)
    func compileError(_ target: Serving) throws {
        let outcome = try compile(Data("syntax error\n".utf8), on: target)
        #expect(outcome.status != 0)
        #expect(outcome.stdout.isEmpty)
        #expect(outcome.errors.contains("syntax error in main"))
    }
}
