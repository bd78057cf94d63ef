import Foundation

/// A finished run, as the reporters print it.
public struct ConformanceReport: Sendable {
    /// What was checked: `command …`, `image …`, `http://…`.
    public let target: String
    public let runtime: RuntimeKind
    public let groups: [CaseGroup]
    public let results: [CaseResult]
    public let duration: TimeInterval
    public let finished: Date

    public init(
        target: String, runtime: RuntimeKind, groups: [CaseGroup], results: [CaseResult], duration: TimeInterval,
        finished: Date = Date()
    ) {
        self.target = target
        self.runtime = runtime
        self.groups = groups
        self.results = results
        self.duration = duration
        self.finished = finished
    }

    public var summary: ConformanceSummary { ConformanceSummary(results) }
}
