import ActionKit
import ArgumentParser
import Foundation

struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Bakes an action into an image of one of our runtimes, without a Dockerfile to write.",
        discussion: """
            Copies the code into a build context of its own under action/, writes a Dockerfile that copies it to /opt/action/ in the runtime's image and names it with __OW_ACTION_CODE_FILE, __OW_ACTION_MAIN, __OW_ACTION_NAME (and __OW_ACTION_RAW with --raw), runs docker build -t TAG with Docker's progress on stderr, removes the context, and prints the tag and how to run the image. A container of the image serves the action at once: no /init.

            The base image is actionproxy/RUNTIME (make images builds them), or --from IMAGE, a copy of it elsewhere. swift-slim runs prebuilt Swift zips only; prebuild a source first:
              docker run -i actionproxy/swift -compile main < src.zip > bin.zip

            Exit status: 0 built (or --dockerfile printed), 1 no image (the reason on stderr), 64 a bad command line.

            Examples (from the repository's root):
              actionkit build --runtime python -t hello \\
                  --code Examples/python/hello/hello.py
              docker run --read-only --tmpfs /tmp:exec \\
                  -p 127.0.0.1:8080:8080 hello
              curl -X POST http://127.0.0.1:8080/ \\
                  -H 'Content-Type: application/json' -d '{"value":{"name":"Ada"}}'
              actionkit build --runtime nodejs -t invoice:1.0 \\
                  --code Examples/nodejs/invoice
              actionkit build --runtime python --dockerfile \\
                  --code Examples/python/slugify
            """
    )

    @Option(
        help: ArgumentHelp(
            "The runtime: \(RuntimeImage.names); its image actionproxy/RUNTIME is the base.", valueName: "RUNTIME"))
    var runtime: String

    @Option(
        help: ArgumentHelp(
            "The action: a source file, a script, a binary, a zip or tar.gz, or a folder.", valueName: "PATH"))
    var code: String

    @Option(
        name: [.customShort("t"), .customLong("tag")],
        help: ArgumentHelp("The image's name and tag (docker build -t).", valueName: "TAG"))
    var tag: String?

    @Option(help: ArgumentHelp("The entry point (default: main).", valueName: "NAME"))
    var main: String?

    @Option(
        help: ArgumentHelp(
            "The action's name (default: the file's stem or the folder's name).", valueName: "ACTION_NAME"))
    var name: String?

    @Flag(help: "A raw web action: it gets the request body as __ow_body.")
    var raw = false

    @Option(
        name: .customLong("from"),
        help: ArgumentHelp(
            "Build from this image instead of actionproxy/RUNTIME (a copy of it, e.g. in a registry).",
            valueName: "IMAGE"))
    var base: String?

    @Flag(name: .customLong("dockerfile"), help: "Print the Dockerfile and exit: no build, no Docker needed.")
    var printsDockerfile = false

    func validate() throws {
        if RuntimeImage(rawValue: runtime) == nil {
            throw ValidationError("unknown runtime '\(runtime)': use one of \(RuntimeImage.names)")
        }
        if tag == nil && !printsDockerfile { throw ValidationError("give the image's tag: -t TAG") }
        if let tag, tag.isEmpty || tag.contains(where: { $0.isWhitespace }) {
            throw ValidationError("-t '\(tag)': a tag has no spaces (NAME or NAME:VERSION)")
        }
    }

    func run() throws {
        guard let runtime = RuntimeImage(rawValue: runtime) else { return }
        let action = try BakedAction(runtime: runtime, code: code, main: main, name: name, raw: raw, base: base)
        if printsDockerfile {
            FileHandle.standardOutput.write(Data(action.dockerfile.utf8))
            return
        }
        guard let tag else { return }
        let progress = ProgressLine(prefix: "build")
        try ImageBuild.run(action, tag: tag, output: FileHandle.standardError, progress: progress.say)
        let image = shellQuoted(tag)
        print(
            """
            built \(tag); run it, then call it:
              docker run --read-only --tmpfs /tmp:exec -p 127.0.0.1:8080:8080 \(image)
              curl -X POST http://127.0.0.1:8080/ -H 'Content-Type: application/json' -d '{"value":{}}'
            """)
    }
}
