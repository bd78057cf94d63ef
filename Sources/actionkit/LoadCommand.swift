import ArgumentParser

struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "load", abstract: "(being built)")

    func run() throws {
        throw ValidationError("actionkit load is being built")
    }
}
