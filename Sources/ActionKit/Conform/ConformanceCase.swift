import Foundation

/// One check of the action container contract, as `actionkit conform`
/// runs it: an id to filter and report by, a one-line description, and a
/// body that talks to a proxy through a `CaseContext` and throws
/// `CaseFailure` (or `CaseSkip`) when the proxy does not behave.
public struct ConformanceCase: Sendable {
    /// `area.name`, e.g. `init.no-code`: the area is the JUnit class name.
    public let id: String
    public let description: String
    public let group: CaseGroup
    /// The runtimes whose targets the case applies to.
    public let runtimes: Set<RuntimeKind>
    public let need: TargetNeed
    /// Whether the case reads the proxy's logs (a `--url` target has none).
    public let needsLogs: Bool
    /// How long the whole case may take before it is failed.
    public let timeout: TimeInterval
    let body: @Sendable (CaseContext) throws -> Void

    init(
        _ id: String, _ description: String, group: CaseGroup = .core, runtimes: Set<RuntimeKind>,
        need: TargetNeed, needsLogs: Bool = false, timeout: TimeInterval = 60,
        body: @escaping @Sendable (CaseContext) throws -> Void
    ) {
        self.id = id
        self.description = description
        self.group = group
        self.runtimes = runtimes
        self.need = need
        self.needsLogs = needsLogs
        self.timeout = timeout
        self.body = body
    }

    /// The part of the id before the first dot.
    public var area: String { String(id.prefix { $0 != "." }) }
}

/// The sets of cases: what the contract requires, the defects of the
/// reference proxy that an implementation should not have, and the single
/// entrypoint with baked actions that Knative-style platforms need.
public enum CaseGroup: String, CaseIterable, Sendable {
    case core
    case robustness
    case entrypoint
}

extension Set where Element == RuntimeKind {
    /// Runtimes whose action is one long-lived process speaking the line
    /// protocol (stdin in, fd 3 out): every one but blackbox.
    static var lineProtocol: Set<RuntimeKind> { [.native, .python, .nodejs, .swift] }
    static var all: Set<RuntimeKind> { Set(RuntimeKind.allCases) }
}
