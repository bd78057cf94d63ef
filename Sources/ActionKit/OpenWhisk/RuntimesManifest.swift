import Foundation

/// An OpenWhisk runtimes manifest (`runtimes.json`), read and checked as the
/// platform's `ExecManifest` reads it (apache/openwhisk
/// `common/scala/.../core/entity/ExecManifest.scala`): families of kinds,
/// each with its image, at most one default per family (and one when a
/// family has several kinds), stem cells with a count and a memory size,
/// and the blackbox images that the invoker never pulls.
public struct RuntimesManifest: Decodable, Sendable {
    public var runtimes: [String: [Kind]]
    public var blackboxes: [Image]

    public struct Kind: Decodable, Sendable {
        public var kind: String
        public var `default`: Bool?
        public var deprecated: Bool?
        public var image: Image
        public var attached: Attached?
        public var requireMain: Bool?
        public var stemCells: [StemCell]?
    }

    /// `[registry/][prefix/]name[:tag]`, as the invoker composes it.
    public struct Image: Decodable, Sendable, Hashable {
        public var registry: String?
        public var prefix: String?
        public var name: String
        public var tag: String?

        public var reference: String {
            let parts = [registry, prefix].compactMap { $0?.isEmpty == false ? $0 : nil } + [name]
            return parts.joined(separator: "/") + (tag.map { $0.isEmpty ? "" : ":" + $0 } ?? "")
        }

        /// The image without its registry and with `latest` for no tag:
        /// what `docker images` lists for a local build.
        public var localReference: String {
            let named = ([prefix].compactMap { $0?.isEmpty == false ? $0 : nil } + [name]).joined(separator: "/")
            return named + ":" + (tag.flatMap { $0.isEmpty ? nil : $0 } ?? "latest")
        }
    }

    public struct Attached: Decodable, Sendable {
        public var attachmentName: String
        public var attachmentType: String
    }

    /// Prewarmed containers of a kind: `initialCount` of them, each with
    /// `memory` ("256 MB"; ByteSize's units B, K[B], M[B], G[B]).
    public struct StemCell: Decodable, Sendable {
        public var initialCount: Int
        public var memory: String

        /// The memory in bytes, or nil when ByteSize would refuse it.
        public var memoryBytes: Int64? { RuntimesManifest.byteSize(memory) }
    }

    /// Why a manifest would not load.
    public struct Problem: Error, CustomStringConvertible {
        public let description: String
    }

    /// Reads and checks a manifest file.
    public static func load(_ file: URL) throws(Problem) -> RuntimesManifest {
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch {
            throw Problem(description: "cannot read \(file.path): \(error.localizedDescription)")
        }
        return try parse(data)
    }

    /// Decodes and checks a manifest: every problem found, one per line.
    public static func parse(_ data: Data) throws(Problem) -> RuntimesManifest {
        let manifest: RuntimesManifest
        do {
            manifest = try JSONDecoder().decode(RuntimesManifest.self, from: data)
        } catch {
            throw Problem(description: "not a runtimes manifest: \(error)")
        }
        let problems = manifest.problems
        guard problems.isEmpty else { throw Problem(description: problems.joined(separator: "\n")) }
        return manifest
    }

    enum CodingKeys: String, CodingKey { case runtimes, blackboxes }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        runtimes = try container.decodeIfPresent([String: [Kind]].self, forKey: .runtimes) ?? [:]
        blackboxes = try container.decodeIfPresent([Image].self, forKey: .blackboxes) ?? []
    }

    /// What ExecManifest (and the controller's kind lookup) would refuse.
    public var problems: [String] {
        var found: [String] = []
        var kinds = Set<String>()
        for (family, versions) in runtimes.sorted(by: { $0.key < $1.key }) {
            if versions.isEmpty { found.append("\(family): no kinds") }
            let defaults = versions.filter { $0.default == true }.map(\.kind)
            if defaults.count > 1 {
                found.append("\(family): more than one default: \(defaults.joined(separator: ", "))")
            }
            if defaults.isEmpty && versions.count > 1 { found.append("\(family) has several kinds, but no default") }
            for version in versions {
                if !kinds.insert(version.kind).inserted { found.append("\(version.kind): listed twice") }
                if !version.kind.hasPrefix(family + ":") {
                    found.append("\(version.kind): a kind of family \(family) is \(family):VERSION")
                }
                if version.image.name.isEmpty { found.append("\(version.kind): an image without a name") }
                for cell in version.stemCells ?? [] {
                    if cell.initialCount <= 0 { found.append("\(version.kind): initialCount must be positive") }
                    if cell.memoryBytes == nil {
                        found.append(
                            "\(version.kind): stem cell memory \"\(cell.memory)\": only B, K[B], M[B] and G[B] sizes")
                    }
                }
            }
        }
        return found
    }

    /// Every image the manifest names, kinds' and blackboxes'.
    public var images: [Image] {
        runtimes.values.flatMap { $0.map(\.image) } + blackboxes
    }

    /// The kind for `kind`, or the default of its family for `family:default`.
    public func manifest(for kind: String) -> Kind? {
        if kind.hasSuffix(":default") {
            let family = String(kind.dropLast(":default".count))
            let versions = runtimes[family] ?? []
            return versions.first { $0.default == true } ?? (versions.count == 1 ? versions.first : nil)
        }
        return runtimes.values.lazy.flatMap { $0 }.first { $0.kind == kind }
    }

    /// ByteSize.fromString: digits, optional spaces, a unit of B, K, M or G
    /// (with B after it, any case).
    static func byteSize(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        guard let count = Int64(digits) else { return nil }
        let unit = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces).uppercased()
        let scale: Int64? =
            switch unit {
            case "B": 1
            case "K", "KB": 1024
            case "M", "MB": 1024 * 1024
            case "G", "GB": 1024 * 1024 * 1024
            default: nil
            }
        return scale.map { count * $0 }
    }
}
