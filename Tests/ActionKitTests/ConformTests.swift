import ActionKit
import Foundation
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// `actionkit conform`, run as a user runs it. Every run starts a proxy per
/// case, and several cases measure time (deadlines, overlapping runs): the
/// runs go one at a time, so that they do not compete for the cores.
@Suite("actionkit conform", .serialized)
struct ConformTests {
    /// The lines of a table report with this result for this case.
    static func row(_ output: String, _ id: String) -> String? {
        output.split(separator: "\n").map(String.init).first { $0.hasPrefix(id + " ") }
    }

    /// The summary line's counts.
    static func summary(_ output: String) -> (passed: Int, failed: Int, skipped: Int)? {
        for line in output.split(separator: "\n").reversed() {
            let words = line.split(separator: " ")
            if words.count == 6, words[1] == "passed,", words[3] == "failed,", words[5] == "skipped",
                let passed = Int(words[0]), let failed = Int(words[2]), let skipped = Int(words[4])
            {
                return (passed, failed, skipped)
            }
        }
        return nil
    }
}

extension ConformTests {
    @Suite("conform against our host proxy passes for every runtime")
    struct HostRuntimes {
        @Test("the core cases of each runtime pass", arguments: RuntimeKind.allCases)
        func corePasses(runtime: RuntimeKind) throws {
            if runtime == .blackbox { try Kit.blackboxPrepared.get() }
            let outcome = try Kit.run(["conform", "--runtime", runtime.rawValue])
            #expect(outcome.status == 0, "\(outcome.stdout)\n\(outcome.stderr)")
            #expect(outcome.stdout.contains(" 0 failed, 0 skipped\n"), "\(outcome.stdout)")
            let counts = try #require(ConformTests.summary(outcome.stdout))
            #expect(counts.passed >= 10)
            // The progress goes to stderr: one line per case when it is not a terminal.
            #expect(
                outcome.stderr.split(separator: "\n").filter { $0.hasPrefix("conform: PASS ") }.count == counts.passed)
        }

        @Test("the robustness cases pass: our proxy has none of the reference's defects")
        func robustnessPasses() throws {
            let outcome = try Kit.run(["conform", "--group", "robustness"])
            #expect(outcome.status == 0, "\(outcome.stdout)")
            let counts = try #require(ConformTests.summary(outcome.stdout))
            #expect(counts.failed == 0 && counts.skipped == 0 && counts.passed >= 12, "\(outcome.stdout)")
            #expect(ConformTests.row(outcome.stdout, "robust.zip-parent")?.contains("refused with 400") == true)
            #expect(ConformTests.row(outcome.stdout, "init.ok") == nil)
        }
    }
}
