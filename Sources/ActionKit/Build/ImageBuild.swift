import Foundation

/// Builds a baked action's image: a build context of its own (the code
/// copied under `action/`, the Dockerfile beside it), `docker build`, then
/// the context removed.
public enum ImageBuild {
    /// Builds `action` as `tag`. Docker's progress goes to `output` as it
    /// comes; `progress` hears the kit's own steps.
    public static func run(_ action: BakedAction, tag: String, output: FileHandle, progress: (String) -> Void)
        throws(BuildError)
    {
        if let reason = Docker.unavailable { throw .dockerUnavailable(firstLine(reason)) }
        if !Docker.hasImage(action.base) {
            // A named copy may be in a registry: docker build pulls it.
            guard action.base != action.runtime.image else { throw .baseImageMissing(action.runtime) }
            progress("\(action.base) is not on this machine: docker build pulls it")
        }
        let context = try makeContext(action)
        defer { try? FileManager.default.removeItem(at: context) }
        progress("docker build -t \(tag), FROM \(action.base)")
        let outcome: ProcessRunner.Relayed
        do {
            outcome = try Docker.relay(["build", "-t", tag, context.path], to: output)
        } catch {
            throw .dockerUnavailable(firstLine(error.description))
        }
        guard outcome.status == 0 else { throw .buildFailed(status: outcome.status, lastLines: outcome.lastLines) }
    }

    /// A fresh folder holding the Dockerfile and `action/` with a copy of
    /// the code (a link would not reach into the image). The caller removes it.
    public static func makeContext(_ action: BakedAction) throws(BuildError) -> URL {
        let context = FileManager.default.temporaryDirectory.appendingPathComponent(
            "actionkit-build-\(UUID().uuidString)")
        let folder = context.appendingPathComponent("action")
        do {
            if action.isFolder {
                try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
                try FileManager.default.copyItem(at: action.code, to: folder)
            } else {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                try FileManager.default.copyItem(at: action.code, to: folder.appendingPathComponent(action.fileName))
            }
            try Data(action.dockerfile.utf8).write(to: context.appendingPathComponent("Dockerfile"))
        } catch {
            try? FileManager.default.removeItem(at: context)
            throw .context(error.localizedDescription)
        }
        return context
    }

    private static func firstLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text
    }
}
