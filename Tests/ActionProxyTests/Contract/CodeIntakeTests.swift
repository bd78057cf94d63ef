import Foundation
import Testing

@Suite("Code intake: zip, tar.gz, ELF, scripts, sources")
struct CodeIntakeTests {
    @Test("a native ELF binary becomes the action")
    func elf() throws {
        let binary = try Fixtures.nativeEcho.get()
        try withProxy { proxy throws in
            #expect(try proxy.initialize(file: binary).status == 200)
            let response = try proxy.run(["native": "❄"])
            #expect(response.status == 200)
            #expect((response.json as? [String: Any])?["value"] as? [String: String] == ["native": "❄"])
            proxy.waitForSentinels(1)
            #expect(proxy.stdout.contains("echo.c got"))
        }
    }

    @Test("a zip with an executable exec at its top becomes the action")
    func zipWithExec() throws {
        let zip = try Fixtures.zip([
            ("exec", try Fixtures.nativeEcho.get(), 0o755), ("data/readme.txt", Fixtures.url("echo.c"), 0o644),
        ])
        try withProxy { proxy throws in
            #expect(try proxy.initialize(code: zip.base64EncodedString(), binary: true).status == 200)
            #expect(try proxy.run(["zip": 1]).status == 200)
            #expect(
                FileManager.default.fileExists(
                    atPath: proxy.directory.appendingPathComponent("action/1/bin/data/readme.txt").path))
        }
    }

    @Test(
        "code reads the same whether its JSON string has escapes or not",
        arguments: [
            #"{"value":{"code":"CODE","binary":true}}"#, #"{"value":{"code":"CODE","binary":true,"code":"CODE"}}"#,
        ])
    func codeEscapes(template: String) throws {
        // "???" is "Pz8/" in base64: the code has slashes to escape.
        let base64 = Data((try Fixtures.text("echo.sh") + "\n# ???\n").utf8).base64EncodedString()
        // As they are, and with every "/" escaped as "\/" (JSONSerialization's way).
        for code in [base64, base64.replacingOccurrences(of: "/", with: #"\/"#)] {
            try withProxy { proxy throws in
                let body = template.replacingOccurrences(of: "CODE", with: code)
                #expect(try proxy.request("POST", "/init", body: Data(body.utf8)).status == 200)
                let response = try proxy.run(["escaped": code != base64])
                #expect((response.json as? [String: Any])?["value"] as? [String: Bool] == ["escaped": code != base64])
            }
        }
    }

    @Test("a tar.gz with exec becomes the action")
    func tarGzWithExec() throws {
        let archive = try Fixtures.tarGz([("exec", Fixtures.url("echo.sh"), 0o755)])
        try withProxy { proxy throws in
            #expect(try proxy.initialize(code: archive.base64EncodedString(), binary: true).status == 200)
            let response = try proxy.run(["tar": "gz"])
            #expect((response.json as? [String: Any])?["value"] as? [String: String] == ["tar": "gz"])
        }
    }

    @Test("a #! script sent as text becomes the action")
    func script() throws {
        try withProxy { proxy throws in
            #expect(try proxy.initialize(code: try Fixtures.text("echo.sh")).status == 200)
            #expect(try proxy.run(["script": true]).status == 200)
        }
    }

    @Test("a source is compiled with OW_COMPILER, which gets main and the folders")
    func sourceWithCompiler() throws {
        try withProxy(environment: ["OW_COMPILER": Fixtures.url("compile.sh").path]) { proxy throws in
            let source = "while read -r line; do echo \"{\\\"main\\\":\\\"$(sed -n 2p \"$0\")\\\"}\" >&3; done\n"
            #expect(try proxy.initialize(code: source, main: "hello").status == 200)
            let response = try proxy.run([:])
            #expect(response.status == 200)
            #expect((response.json as? [String: String])?["main"] == "# main: hello")
        }
    }

    @Test("a zip without exec goes to the compiler")
    func zipWithoutExecIsCompiled() throws {
        let folder = try Fixtures.scratch()
        let source = folder.appendingPathComponent("exec")
        try "while read -r line; do echo '{\"from\":\"zip\"}' >&3; done\n".write(
            to: source, atomically: true, encoding: .utf8)
        let zip = try Fixtures.zip([("exec", source, 0o644)])
        try withProxy(environment: ["OW_COMPILER": Fixtures.url("compile.sh").path]) { proxy throws in
            #expect(try proxy.initialize(code: zip.base64EncodedString(), binary: true).status == 200)
            #expect(try proxy.run([:]).json as? [String: String] == ["from": "zip"])
        }
    }

    @Test("a compile error answers 502 with the compiler's output")
    func compileError() throws {
        try withProxy(environment: ["OW_COMPILER": Fixtures.url("compile.sh").path]) { proxy throws in
            let response = try proxy.initialize(code: "syntax error\n", main: "broken")
            #expect(response.status == 502)
            #expect(response.error == "compile.sh: syntax error in broken\n")
            let silent = try proxy.initialize(code: "print nothing and fail\n")
            #expect(silent.status == 502)
            #expect(silent.error?.contains("exit status 3") == true)
            #expect(try proxy.initialize(code: "while read -r l; do echo '{}' >&3; done\n").status == 200)
        }
    }

    @Test("a compiler that runs past OW_COMPILE_TIMEOUT_MS is stopped with what it started, and init answers 502")
    func compileTimeout() throws {
        let environment = ["OW_COMPILER": Fixtures.url("compile.sh").path, "OW_COMPILE_TIMEOUT_MS": "1000"]
        try withProxy(environment: environment) { proxy throws in
            let started = Date()
            let response = try proxy.initialize(code: "compile forever\n")
            #expect(Date().timeIntervalSince(started) < 20)
            #expect(response.status == 502)
            #expect(response.error?.contains("did not finish within 1 s") == true, "\(response.text)")
            let deadline = Date().addingTimeInterval(5)
            while !proxy.children().isEmpty && Date() < deadline { usleep(20_000) }
            #expect(proxy.children().isEmpty, "\(proxy.children())")
            #expect(try proxy.initialize(code: "while read -r l; do echo '{}' >&3; done\n").status == 200)
        }
    }

    @Test("with OW_SAVE_JAR a jar is kept whole for the compiler")
    func saveJar() throws {
        let folder = try Fixtures.scratch()
        let manifest = folder.appendingPathComponent("MANIFEST.MF")
        try "Manifest-Version: 1.0\n".write(to: manifest, atomically: true, encoding: .utf8)
        let jar = try Fixtures.zip([("META-INF/MANIFEST.MF", manifest, 0o644), ("Hello.class", manifest, 0o644)])
        let environment = ["OW_COMPILER": Fixtures.url("compile-jar.sh").path, "OW_SAVE_JAR": "action.jar"]
        try withProxy(environment: environment) { proxy throws in
            #expect(try proxy.initialize(code: jar.base64EncodedString(), binary: true, main: "Hello").status == 200)
            let result = try #require(try proxy.run([:]).json as? [String: Any])
            #expect(result["jar_bytes"] as? Int == jar.count)
            #expect(result["main"] as? String == "Hello")
        }
    }

    @Test("each init uses a fresh numbered folder")
    func numberedFolders() throws {
        try withProxy(environment: ["PROXY_ALLOW_REINIT": "1"]) { proxy throws in
            #expect(try proxy.initialize(code: try Fixtures.text("echo.sh")).status == 200)
            #expect(try proxy.initialize(code: try Fixtures.text("launcher.py")).status == 200)
            let action = proxy.directory.appendingPathComponent("action")
            #expect(FileManager.default.fileExists(atPath: action.appendingPathComponent("1/bin/exec").path))
            #expect(FileManager.default.fileExists(atPath: action.appendingPathComponent("2/bin/exec").path))
            #expect(try proxy.run(["do": "input"]).status == 200)
        }
    }

    @Test("an archive entry that escapes the action folder is refused with 400")
    func zipSlip() throws {
        let folder = try Fixtures.scratch()
        let target = folder.appendingPathComponent("evil.zip")
        try Fixtures.runTool(
            "/usr/bin/python3",
            [
                "-c",
                """
                import zipfile
                with zipfile.ZipFile("\(target.path)", "w") as z:
                    z.writestr("exec", "#!/bin/sh\\n")
                    z.writestr("../../escaped.txt", "pwned")
                """,
            ])
        let zip = try Data(contentsOf: target)
        try withProxy { proxy throws in
            let response = try proxy.initialize(code: zip.base64EncodedString(), binary: true)
            #expect(response.status == 400)
            #expect(response.error?.contains("../../escaped.txt") == true)
            #expect(!FileManager.default.fileExists(atPath: proxy.directory.appendingPathComponent("escaped.txt").path))
            #expect(
                !FileManager.default.fileExists(
                    atPath: proxy.directory.appendingPathComponent("action/escaped.txt").path))
        }
    }

    // Found by the fuzz targets' cleanup check: removing a refused init's
    // folder named entries by String paths, which cannot name bytes that are
    // not UTF-8, so those entries (and their folders) stayed.
    @Test("a refused archive leaves no folder behind, whatever bytes its names hold")
    func refusedArchiveIsRemoved() throws {
        let target = try Fixtures.scratch().appendingPathComponent("latin1.tar.gz")
        try Fixtures.runTool(
            "/usr/bin/python3",
            [
                "-c",
                """
                import io, tarfile
                with tarfile.open("\(target.path)", "w:gz", encoding="utf-8", errors="surrogateescape") as t:
                    for name in ["caf\\udce9", "dir\\udcff/file", "../escaped.txt"]:
                        info = tarfile.TarInfo(name)
                        info.size = 1
                        t.addfile(info, io.BytesIO(b"x"))
                """,
            ])
        let archive = try Data(contentsOf: target)
        try withProxy { proxy throws in
            let response = try proxy.initialize(code: archive.base64EncodedString(), binary: true)
            #expect(response.status == 400)
            #expect(response.error?.contains("../escaped.txt") == true)
            let actions = proxy.directory.appendingPathComponent("action").path
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: actions)) ?? []) == [])
        }
    }

    // Found by the fuzz targets' limit check: folders created on the way to an
    // entry were not counted, so each deep name added up to 255 folders
    // beyond OW_MAX_EXTRACT_ENTRIES (a small tar.gz could make millions).
    @Test("folders that archive names only imply count against OW_MAX_EXTRACT_ENTRIES")
    func impliedFoldersAreCounted() throws {
        let deep = (0..<60).map { "d\($0)" }.joined(separator: "/") + "/exec"
        let tooDeep = try Fixtures.zip([(deep, Fixtures.url("echo.sh"), 0o755)])
        let shallow = try Fixtures.zip([("exec", Fixtures.url("echo.sh"), 0o755)])
        try withProxy(environment: ["OW_MAX_EXTRACT_ENTRIES": "50"]) { proxy throws in
            let refused = try proxy.initialize(code: tooDeep.base64EncodedString(), binary: true)
            #expect(refused.status == 400)
            #expect(refused.error?.contains("needs folders beyond the limit of 50 entries") == true)
            #expect(try proxy.initialize(code: shallow.base64EncodedString(), binary: true).status == 200)
        }
    }

    @Test("a corrupt zip answers 400 and the proxy stays up")
    func corruptZip() throws {
        var zip = try Fixtures.zip([("exec", Fixtures.url("echo.sh"), 0o755)])
        zip = zip.prefix(zip.count / 2)
        try withProxy { proxy throws in
            let response = try proxy.initialize(code: zip.base64EncodedString(), binary: true)
            #expect(response.status == 400)
            #expect(proxy.isRunning)
            #expect(try proxy.initialize(code: try Fixtures.text("echo.sh")).status == 200)
        }
    }
}

@Suite("actionproxy -compile")
struct CompileModeTests {
    /// What `actionproxy -compile main` did with `input`.
    struct Outcome {
        var status: Int32
        var output: Data
        var errors: String
    }

    func compile(_ input: Data) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestProxy.binary)
        process.arguments = ["-compile", "main"]
        process.currentDirectoryURL = try Fixtures.scratch()
        process.environment = ["OW_COMPILER": Fixtures.url("compile.sh").path, "PATH": "/usr/bin:/bin"]
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(input)
        try stdin.fileHandleForWriting.close()
        // stderr stays small; stdout is drained first so the proxy never blocks on it.
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, output: output, errors: errors)
    }

    @Test("-compile produces a zip that a later init accepts as a binary action")
    func compileThenInit() throws {
        let source = try Fixtures.scratch().appendingPathComponent("exec")
        try "while read -r line; do echo '{\"prebuilt\":true}' >&3; done\n".write(
            to: source, atomically: true, encoding: .utf8)
        let outcome = try compile(try Fixtures.zip([("exec", source, 0o644)]))
        #expect(outcome.status == 0)
        #expect(outcome.output.starts(with: [0x50, 0x4B, 0x03, 0x04]))

        try withProxy { proxy throws in
            #expect(try proxy.initialize(code: outcome.output.base64EncodedString(), binary: true).status == 200)
            #expect(try proxy.run([:]).json as? [String: Bool] == ["prebuilt": true])
        }
    }

    @Test("-compile reports a compile error on stderr and exits non-zero")
    func compileError() throws {
        let outcome = try compile(Data("syntax error\n".utf8))
        #expect(outcome.status != 0)
        #expect(outcome.output.isEmpty)
        #expect(outcome.errors.contains("syntax error in main"))
    }
}
