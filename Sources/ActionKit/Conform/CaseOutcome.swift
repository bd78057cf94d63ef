/// Thrown by a case body when the proxy did not behave as the contract says.
public struct CaseFailure: Error, CustomStringConvertible {
    public let description: String

    public init(_ reason: String) {
        description = reason
    }
}

/// Thrown by a case body when the target cannot take the case (its logs are
/// out of reach, it cannot be started with an environment).
public struct CaseSkip: Error, CustomStringConvertible {
    public let description: String

    public init(_ reason: String) {
        description = reason
    }
}
