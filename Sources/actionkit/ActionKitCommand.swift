import ArgumentParser

@main
struct ActionKitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "actionkit",
        abstract: "The runtime author's kit for the OpenWhisk action container contract.",
        discussion: """
            Targets: a runtime image (--image, needs Docker), a proxy command run on this
            machine (--proxy "CMD", given --port N), a running proxy (--url http://127.0.0.1:PORT),
            or our host proxy serving a language (--runtime LANG, no Docker needed).
            """,
        version: "actionkit 0.1.0",
        subcommands: [
            ConformCommand.self, InvokeCommand.self, BuildCommand.self, BenchCommand.self, SoakCommand.self,
            LoadCommand.self,
        ]
    )

    static func main() {
        let arguments = InvokeCommand.attachingParameterValues(Array(CommandLine.arguments.dropFirst()))
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}
