import ActionKit
import Foundation
import Testing

/// deploy/openwhisk/runtimes.json, read as OpenWhisk's ExecManifest reads it
/// (issue 16).
@Suite("the OpenWhisk runtimes manifest")
struct RuntimesManifestTests {
    static let file = Kit.repository.appendingPathComponent("deploy/openwhisk/runtimes.json")

    /// The images `make images` builds, every tag: what
    /// `scripts/build-images --list` prints.
    static func builtImages() throws -> Set<String> {
        let script = Kit.repository.appendingPathComponent("scripts/build-images").path
        let outcome = try ProcessRunner.run("/bin/bash", [script, "--list"], directory: Kit.repository)
        try #require(outcome.status == 0, "\(outcome.errors)")
        return Set(outcome.output.split(separator: "\n").map(String.init))
    }

    @Test(
        "deploy/openwhisk/runtimes.json loads as OpenWhisk's ExecManifest reads it: one default per family, sizes like 256 MB"
    )
    func loads() throws {
        let manifest = try RuntimesManifest.load(Self.file)
        #expect(manifest.problems.isEmpty)
        #expect(Set(manifest.runtimes.keys) == ["go", "nodejs", "python", "swift"])
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

    /// Issue 18: each language's versions are kinds (`python:3.11`), each
    /// on the image of its tag, and `latest` is the default's image.
    @Test("every language version make images builds is a kind of the manifest, on the image of its tag")
    func everyVersionIsAKind() throws {
        let manifest = try RuntimesManifest.load(Self.file)
        let built = try Self.builtImages()
        var versions = 0
        for reference in built {
            let name = reference.dropFirst("actionproxy/".count)
            guard let colon = name.firstIndex(of: ":"), name[name.index(after: colon)...].first?.isNumber == true
            else { continue }
            let family = String(name[..<colon])
            let version = String(name[name.index(after: colon)...])
            versions += 1
            let kind = try #require(
                manifest.runtimes[family]?.first { $0.kind == "\(family):\(version)" }, "no kind \(family):\(version)")
            #expect(kind.image.localReference == reference, "\(kind.kind) is on \(kind.image.localReference)")
        }
        #expect(versions >= 5, "\(built)")
        for kinds in manifest.runtimes.values {
            for kind in kinds {
                #expect(built.contains(kind.image.localReference), "\(kind.kind): \(kind.image.localReference)")
            }
        }
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
