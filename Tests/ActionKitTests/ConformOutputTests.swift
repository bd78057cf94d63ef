import ActionKit
import Foundation
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

extension ConformTests {
    @Suite("conform reports: table, JUnit XML, JSON, filters and the case list")
    struct Output {
        @Test("--junit writes a JUnit XML file with a testcase per case and the right counts")
        func junit() throws {
            let folder = try Kit.scratch()
            defer { try? FileManager.default.removeItem(at: folder) }
            let file = folder.appendingPathComponent("conform.xml")
            // A running proxy as --url: some cases pass, the fresh-target ones are skipped.
            let proxy = try ProxyTarget.command(Kit.proxyBinary).start()
            defer { proxy.stop() }
            let outcome = try Kit.run([
                "conform", "--url", "http://127.0.0.1:\(proxy.port)", "--filter", "init.", "--junit", file.path,
            ])
            #expect(outcome.status == 0, "\(outcome.stdout)")
            let counts = try #require(ConformTests.summary(outcome.stdout))
            #expect(counts.passed > 0 && counts.skipped > 0)

            let document = try XMLDocument(contentsOf: file, options: [])
            let suite = try #require(try document.nodes(forXPath: "/testsuites/testsuite").first as? XMLElement)
            #expect(suite.attribute(forName: "tests")?.stringValue == String(counts.passed + counts.skipped))
            #expect(suite.attribute(forName: "failures")?.stringValue == "0")
            #expect(suite.attribute(forName: "skipped")?.stringValue == String(counts.skipped))
            let testcases = try document.nodes(forXPath: "//testcase")
            #expect(testcases.count == counts.passed + counts.skipped)
            #expect(try document.nodes(forXPath: "//testcase/skipped").count == counts.skipped)
            #expect(try document.nodes(forXPath: "//testcase/failure").isEmpty)
            let names = testcases.compactMap { ($0 as? XMLElement)?.attribute(forName: "name")?.stringValue }
            #expect(names.contains("init.no-code"))
            #expect(names.allSatisfy { $0.hasPrefix("init.") })
        }

        @Test("--json prints the report as JSON: counts and a status and reason per case")
        func json() throws {
            let outcome = try Kit.run(["conform", "--json", "--filter", "run.*"])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let report = try #require(
                try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
            #expect(report["runtime"] as? String == "native")
            #expect(report["groups"] as? [String] == ["core"])
            let cases = try #require(report["cases"] as? [[String: Any]])
            let summary = try #require(report["summary"] as? [String: Int])
            #expect(summary == ["passed": cases.count, "failed": 0, "skipped": 0])
            #expect(cases.count >= 10)
            for entry in cases {
                #expect((entry["id"] as? String)?.hasPrefix("run.") == true)
                #expect(entry["status"] as? String == "passed")
                #expect(entry["description"] as? String != nil && entry["reason"] as? String != nil)
                #expect(entry["duration"] as? Double != nil)
            }
            // The summary line still reaches the person watching, on stderr.
            #expect(outcome.stderr.contains("\(cases.count) passed, 0 failed, 0 skipped\n"))
        }

        @Test("--filter takes a substring or a glob, and may be repeated")
        func filter() throws {
            let glob = try Kit.run(["conform", "--filter", "init.ack-*", "--filter", "run.unicode"])
            #expect(glob.status == 0, "\(glob.stdout)")
            let ids = glob.stdout.split(separator: "\n").compactMap { line -> String? in
                let id = line.split(separator: " ").first.map(String.init) ?? ""
                return id.contains(".") && !id.hasPrefix("actionkit") ? id : nil
            }
            #expect(Set(ids) == ["init.ack-exit", "init.ack-refused", "init.ack-ok", "run.unicode"])
            #expect(glob.stdout.hasSuffix("4 passed, 0 failed, 0 skipped\n"))

            let none = try Kit.run(["conform", "--filter", "no-such-case"])
            #expect(none.status != 0)
            #expect(none.stderr.contains("matches no-such-case"))
        }

        @Test("--list prints ids and descriptions of the runtime's cases without running any")
        func list() throws {
            let python = try Kit.run(["conform", "--list", "--runtime", "python", "--group", "all"])
            #expect(python.status == 0)
            let lines = python.stdout.split(separator: "\n")
            #expect(lines.contains { $0.hasPrefix("python.zip-virtualenv ") && $0.contains("virtualenv/") })
            #expect(lines.contains { $0.hasPrefix("init.no-code ") })
            #expect(lines.contains { $0.hasPrefix("robust.zip-parent ") })
            #expect(!lines.contains { $0.hasPrefix("nodejs.") || $0.hasPrefix("blackbox.") })
            #expect(!python.stdout.contains("passed,"))

            let robustness = try Kit.run(["conform", "--list", "--group", "robustness"])
            #expect(robustness.stdout.split(separator: "\n").allSatisfy { $0.hasPrefix("robust.") })
        }

        @Test("--help of conform explains the targets and shows examples")
        func help() throws {
            let outcome = try Kit.run(["conform", "--help"])
            #expect(outcome.status == 0)
            for text in ["--image", "--proxy", "--fixed-port", "--url", "--junit", "--filter", "Examples:"] {
                #expect(outcome.stdout.contains(text), "\(text)")
            }
        }

        @Test("conflicting targets and unknown runtimes are usage errors")
        func usageErrors() throws {
            let two = try Kit.run(["conform", "--image", "x", "--url", "http://127.0.0.1:1"])
            #expect(two.status == 64)
            #expect(two.stderr.contains("give one target"))
            let runtime = try Kit.run(["conform", "--runtime", "cobol"])
            #expect(runtime.status == 64)
            #expect(runtime.stderr.contains("unknown runtime 'cobol'"))
        }
    }
}
