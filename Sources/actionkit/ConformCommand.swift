import ArgumentParser

struct ConformCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "conform", abstract: "(being built)")

    func run() throws {
        throw ValidationError("actionkit conform is being built")
    }
}
