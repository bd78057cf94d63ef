import Foundation
import Testing

/// What only `actionproxy/native` has (the blackbox runtime's cases run on it
/// in `Runtimes/BlackboxRuntimeTests.swift`): images built `FROM
/// actionproxy/native` with their own executable, and serving without any
/// capability.
extension ContainerTests {
    @Suite("Container: actionproxy/native", .enabled(if: TestImage.enabled(.native), skipNote(.native)))
    struct NativeImageTests {
        static let bareInit = Data("{\"value\":{\"main\":\"main\"}}".utf8)

        @Test("an image FROM actionproxy/native with its own /action/exec runs it without code at init")
        func ownImage() throws {
            let exec = """
                #!/bin/sh
                echo "my image logs this"
                printf '{"mine":%s,"cwd":"%s"}\\n' "$1" "$(pwd)"
                """
            let dockerfile = "FROM actionproxy/native\nCOPY exec /action/exec\n"
            try withBuiltImage(dockerfile: dockerfile, files: ["exec": (Data(exec.utf8), 0o755)]) { image throws in
                try withContainer(image: image) { proxy throws in
                    #expect(try proxy.request("POST", "/init", body: Self.bareInit).status == 200)
                    for index in 1...3 {
                        let json = try #require(try proxy.run(["n": index]).json as? [String: Any])
                        #expect(json["mine"] as? [String: Int] == ["n": index])
                    }
                    proxy.waitForSentinels(3)
                    let blocks = proxy.stdout.components(separatedBy: TestContainer.sentinel + "\n")
                    #expect(blocks.prefix(3).allSatisfy { $0 == "my image logs this\n" })
                }
            }
        }

        @Test("an image FROM actionproxy/native may ship a native binary as its exec")
        func ownNativeImage() throws {
            let folder = try Fixtures.scratch()
            let source = folder.appendingPathComponent("main.c")
            try """
            #include <stdio.h>
            int main(int argc, char **argv) { printf("{\\"compiled\\":%s}\\n", argc > 1 ? argv[1] : "null"); return 0; }
            """.write(to: source, atomically: true, encoding: .utf8)
            let binary = folder.appendingPathComponent("exec")
            try Fixtures.runTool("/usr/bin/cc", ["-O2", "-o", binary.path, source.path])
            let dockerfile = "FROM actionproxy/native\nCOPY exec /action/exec\n"
            let files = ["exec": (try Data(contentsOf: binary), 0o755)]
            try withBuiltImage(dockerfile: dockerfile, files: files) { image throws in
                try withContainer(image: image) { proxy throws in
                    #expect(try proxy.request("POST", "/init", body: Self.bareInit).status == 200)
                    let json = try #require(try proxy.run(["x": 1]).json as? [String: Any])
                    #expect(json["compiled"] as? [String: Int] == ["x": 1])
                }
            }
        }

        @Test("the proxy and its actions need no capability: they serve with --cap-drop ALL")
        func unprivileged() throws {
            // Invokers may drop every capability; the proxy must not depend on
            // one (a socket option that needs CAP_NET_ADMIN closes every connection).
            let options = ["--cap-drop", "ALL", "--security-opt", "no-new-privileges"]
            try withContainer(.native, options: options) { proxy throws in
                #expect(try proxy.initialize(code: BlackboxRuntimeTests.echo).status == 200)
                let json = try #require(try proxy.run(["n": 1]).json as? [String: Any])
                #expect(json["argument"] as? [String: Int] == ["n": 1])
            }
        }
    }
}
