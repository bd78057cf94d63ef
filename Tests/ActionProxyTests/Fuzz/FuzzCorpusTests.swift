import ActionProxy
import Foundation
import Testing

/// The committed fuzz corpus (seeds, and inputs that once crashed, kept so that
/// the bug stays fixed), replayed through the ordinary build of the fuzz
/// binary: no libFuzzer needed, every invariant of the fuzz targets checked.
@Suite("The fuzz corpus replays without a crash or a broken invariant")
struct FuzzCorpusTests {
    static let repository = Runtime.repository
    static let corpus = repository.appendingPathComponent("Fuzz/corpus")

    /// Beside the test bundle and `actionproxy`, like the proxy itself.
    static var binary: String {
        URL(fileURLWithPath: TestProxy.binary).deletingLastPathComponent().appendingPathComponent("ActionProxyFuzz")
            .path
    }

    /// The targets as the binary lists them (`FuzzTarget`, the one list);
    /// empty when it cannot, which `targetsListed` reports.
    static let targets: [String] = {
        guard let output = try? Fixtures.runTool(binary, ["--list-targets"]) else { return [] }
        return String(decoding: output, as: UTF8.self).split(separator: "\n").map(String.init)
    }()

    @Test("the fuzz binary lists its targets")
    func targetsListed() throws {
        let output = try Fixtures.runTool(Self.binary, ["--list-targets"])
        let names = String(decoding: output, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(!names.isEmpty)
        #expect(names == Self.targets)
        #expect(Set(names).count == names.count, "a target is listed twice: \(names)")
    }

    @Test("every committed input of a target passes", arguments: targets)
    func replay(target: String) throws {
        let folder = Self.corpus.appendingPathComponent(target)
        let inputs = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(!inputs.isEmpty, "no seeds in \(folder.path)")
        let output = try Fixtures.runTool(Self.binary, [folder.path])
        #expect(String(decoding: output, as: UTF8.self).contains("replayed \(inputs.count) inputs (\(target) "))
    }

    @Test("every target has its corpus folder and dictionary, and every corpus folder and dictionary a target")
    func folders() throws {
        #expect(!Self.targets.isEmpty)
        let folders = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path).sorted()
        #expect(folders == Self.targets.sorted())
        let dictionaries = try FileManager.default.contentsOfDirectory(
            atPath: Self.repository.appendingPathComponent("Fuzz/dict").path)
        #expect(dictionaries.sorted() == Self.targets.map { $0 + ".dict" }.sorted())
    }

    /// The jar way (`OW_SAVE_JAR`) was once left out of the init target.
    @Test("the init seeds take every way code goes into an action folder, the jar included")
    func initWays() throws {
        let folder = Self.corpus.appendingPathComponent("init")
        let output = String(
            decoding: try Fixtures.runTool(Self.binary, ["--verbose", folder.path]), as: UTF8.self)
        for way in [CodeIntake.zip, .jar(name: "action.jar"), .tarGz, .exec] {
            #expect(output.contains("(init): \(way.name) built"), "no init seed is built as \(way.name)")
        }
        #expect(output.contains("(init): zip refused (400)"), "no init seed has a refused archive")
    }
}
