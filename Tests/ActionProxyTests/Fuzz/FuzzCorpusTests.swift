import Foundation
import Testing

/// The committed fuzz corpus (seeds, and inputs that once crashed, kept so that
/// the bug stays fixed), replayed through the ordinary build of the fuzz
/// binary: no libFuzzer needed, every invariant of the fuzz targets checked.
@Suite("The fuzz corpus replays without a crash or a broken invariant")
struct FuzzCorpusTests {
    static let corpus = Runtime.repository.appendingPathComponent("Fuzz/corpus")

    /// Beside the test bundle and `actionproxy`, like the proxy itself.
    static var binary: String {
        URL(fileURLWithPath: TestProxy.binary).deletingLastPathComponent().appendingPathComponent("ActionProxyFuzz")
            .path
    }

    static let targets = ["init", "run", "json", "base64", "zip", "targz"]

    @Test("every committed input of a target passes", arguments: targets)
    func replay(target: String) throws {
        let folder = Self.corpus.appendingPathComponent(target)
        let inputs = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(!inputs.isEmpty, "no seeds in \(folder.path)")
        let output = try Fixtures.runTool(Self.binary, [folder.path])
        #expect(String(decoding: output, as: UTF8.self).contains("replayed \(inputs.count) inputs (\(target) "))
    }

    @Test("every corpus folder is a target the fuzzer knows")
    func folders() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path).sorted()
        #expect(folders == Self.targets.sorted())
    }
}
