import ActionKit
import Foundation

/// The built `actionkit` and `actionproxy` binaries, beside the test bundle,
/// and a way to run the kit as a user does.
enum Kit {
    static let buildFolder = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        .deletingLastPathComponent()

    static var binary: String { buildFolder.appendingPathComponent("actionkit").path }
    static var proxyBinary: String { buildFolder.appendingPathComponent("actionproxy").path }

    /// The repository (for `Runtimes/` and `Examples/`).
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// What one run of the kit did.
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `actionkit ARGUMENTS` (which ask for `--json`) and parses the
    /// JSON object it prints; throws, with its output, when there is none.
    static func json(_ arguments: [String]) throws -> (outcome: Outcome, object: [String: Any]) {
        let outcome = try run(arguments)
        guard let object = try? JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any] else {
            throw TargetError.launch("no JSON output (status \(outcome.status)): \(outcome.stdout)\n\(outcome.stderr)")
        }
        return (outcome, object)
    }

    /// Runs `actionkit ARGUMENTS` to its end, its output through files.
    static func run(_ arguments: [String], environment: [String: String] = [:], in folder: URL? = nil) throws
        -> Outcome
    {
        let outcome = try ProcessRunner.run(
            binary, arguments, environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
            directory: folder ?? repository)
        return Outcome(status: outcome.status, stdout: outcome.output, stderr: outcome.errors)
    }

    /// A scratch folder for one test.
    static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("actionkit-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The blackbox launcher, built once per test run.
    static let blackboxPrepared: Result<Void, Error> = Result {
        let outcome = try ProcessRunner.run(
            "/usr/bin/make", ["-s", "-C", repository.appendingPathComponent("Runtimes/blackbox").path, "launcher"])
        guard outcome.status == 0 else { throw TargetError.launch("make launcher failed: \(outcome.errors)") }
    }

    /// In CI (`CI=true`) image tests must run: a missing daemon or image
    /// fails them instead of skipping them.
    static let imagesRequired = ProcessInfo.processInfo.environment["CI"] == "true"

    /// Whether tests on `image` run: when Docker and the image are here, and always in CI.
    static func imageEnabled(_ image: String) -> Bool {
        imagesRequired || (Docker.unavailable == nil && Docker.hasImage(image))
    }
}
