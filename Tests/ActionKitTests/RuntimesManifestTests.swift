import ActionKit
import Foundation
import Testing

/// deploy/openwhisk/runtimes.json, read as OpenWhisk's ExecManifest reads it
/// (issue 16).
@Suite("the OpenWhisk runtimes manifest")
struct RuntimesManifestTests {
    static let file = Kit.repository.appendingPathComponent("deploy/openwhisk/runtimes.json")

    /// The images `make images` builds: scripts/build-images' ALL list, each
    /// from Dockerfiles/NAME.Dockerfile as actionproxy/NAME.
    static func builtImages() throws -> Set<String> {
        let script = try String(
            contentsOf: Kit.repository.appendingPathComponent("scripts/build-images"), encoding: .utf8)
        let line = try #require(script.split(separator: "\n").first { $0.hasPrefix("ALL=(") })
        let names = line.dropFirst("ALL=(".count).prefix { $0 != ")" }.split(separator: " ").map(String.init)
        for name in names {
            let dockerfile = Kit.repository.appendingPathComponent("Dockerfiles/\(name).Dockerfile")
            #expect(FileManager.default.fileExists(atPath: dockerfile.path), "no \(dockerfile.path)")
        }
        return Set(names.map { "actionproxy/\($0):latest" })
    }

    @Test(
        "deploy/openwhisk/runtimes.json loads as OpenWhisk's ExecManifest reads it: one default per family, sizes like 256 MB"
    )
    func loads() throws {
        let manifest = try RuntimesManifest.load(Self.file)
        #expect(manifest.problems.isEmpty)
        #expect(Set(manifest.runtimes.keys) == ["nodejs", "python", "swift"])
        for (family, kinds) in manifest.runtimes {
            #expect(kinds.filter { $0.default == true }.count == 1, "\(family): not exactly one default")
            for kind in kinds {
                #expect(kind.kind.hasPrefix(family + ":"))
                #expect(kind.deprecated == false, "\(kind.kind)")
                #expect(kind.attached?.attachmentName == "codefile", "\(kind.kind)")
                #expect(kind.attached?.attachmentType == "text/plain", "\(kind.kind)")
                for cell in kind.stemCells ?? [] {
                    #expect(cell.memoryBytes == Int64(256 << 20), "\(kind.kind): \(cell.memory)")
                    #expect(cell.initialCount > 0)
                }
            }
            #expect(manifest.manifest(for: "\(family):default")?.default == true)
        }
        let raw = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.file)) as? [String: Any]
        let runtimes = try #require(raw?["runtimes"] as? [String: [[String: Any]]])
        for kind in runtimes.values.joined() {
            #expect(kind["default"] is Bool && kind["deprecated"] is Bool, "\(kind)")
            for cell in kind["stemCells"] as? [[String: Any]] ?? [] {
                #expect(cell["memory"] is String && cell["initialCount"] is Int, "\(cell)")
            }
        }
    }

    @Test("every image the manifest names is one that make images builds, actionproxy/native among the blackboxes")
    func imagesAreBuilt() throws {
        let manifest = try RuntimesManifest.load(Self.file)
        let built = try Self.builtImages()
        for image in manifest.images {
            #expect(built.contains(image.localReference), "\(image.reference) is not built by make images: \(built)")
        }
        #expect(manifest.blackboxes.map(\.localReference).contains("actionproxy/native:latest"))
        let managed = Set(manifest.runtimes.values.joined().map(\.image.localReference))
        #expect(managed.isDisjoint(with: manifest.blackboxes.map(\.localReference)))
    }

    @Test(
        "every image the manifest names is here after make images",
        .enabled(if: Kit.imageEnabled("actionproxy/native")))
    func imagesExist() throws {
        for image in try RuntimesManifest.load(Self.file).images {
            #expect(Docker.hasImage(image.localReference), "\(image.localReference) is not built")
        }
    }

    @Test("a manifest OpenWhisk would refuse is refused, naming why")
    func refusals() throws {
        func problem(_ json: String) -> String {
            do {
                _ = try RuntimesManifest.parse(Data(json.utf8))
                return ""
            } catch {
                return error.description
            }
        }
        let image = #""image": {"prefix": "p", "name": "n", "tag": "t"}"#
        #expect(
            problem(
                #"{"runtimes": {"a": [{"kind": "a:1", "default": true, \#(image)}, {"kind": "a:2", "default": true, \#(image)}]}}"#
            )
            .contains("more than one default"))
        #expect(
            problem(#"{"runtimes": {"a": [{"kind": "a:1", \#(image)}, {"kind": "a:2", \#(image)}]}}"#)
                .contains("no default"))
        #expect(
            problem(
                #"{"runtimes": {"a": [{"kind": "a:1", \#(image), "stemCells": [{"initialCount": 1, "memory": "256 MiB"}]}]}}"#
            )
            .contains("256 MiB"))
        #expect(
            problem(
                #"{"runtimes": {"a": [{"kind": "a:1", \#(image), "stemCells": [{"initialCount": 0, "memory": "256 MB"}]}]}}"#
            )
            .contains("initialCount must be positive"))
        #expect(problem(#"{"runtimes": {"a": [{"kind": "b:1", \#(image)}]}}"#).contains("family a"))
        #expect(
            problem(#"{"runtimes": {"a": [{"kind": "a:1", "default": "yes", \#(image)}]}}"#).contains(
                "not a runtimes manifest"))
        #expect(problem(#"{"runtimes": {"a": [{"kind": "a:1", \#(image)}]}}"#).isEmpty)
    }
}
