/// A proxy's output stream cut into activations at the sentinel lines
/// (PROTOCOL.md §4): what the invoker does to attribute logs.
public struct ActivationLogs: Sendable, Equatable {
    public static let sentinel = "XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX"

    /// The lines before each sentinel, one entry per activation.
    public var activations: [[String]]
    /// Lines after the last sentinel: an activation still going, or output
    /// outside any.
    public var trailing: [String]

    public init(_ stream: String) {
        var activations: [[String]] = []
        var current: [String] = []
        var lines = stream.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        for line in lines {
            if line == Self.sentinel {
                activations.append(current)
                current = []
            } else {
                current.append(line)
            }
        }
        self.activations = activations
        trailing = current
    }

    /// How many sentinels the stream holds.
    public var count: Int { activations.count }
}
