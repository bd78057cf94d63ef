import ArgumentParser

struct SoakCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "soak", abstract: "(being built)")

    func run() throws {
        throw ValidationError("actionkit soak is being built")
    }
}
