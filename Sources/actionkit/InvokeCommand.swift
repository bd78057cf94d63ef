import ArgumentParser

struct InvokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "invoke", abstract: "(being built)")

    func run() throws {
        throw ValidationError("actionkit invoke is being built")
    }
}
