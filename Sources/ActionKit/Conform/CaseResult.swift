import Foundation

/// What one case did against one target.
public struct CaseResult: Sendable {
    public enum Status: String, Sendable {
        case passed = "PASS"
        case failed = "FAIL"
        case skipped = "SKIP"
    }

    public let id: String
    public let description: String
    public let group: CaseGroup
    public let status: Status
    /// Why it failed or was skipped; for a pass, an optional note on how
    /// (e.g. which status a refused request got).
    public let reason: String
    public let duration: TimeInterval

    public init(
        id: String, description: String, group: CaseGroup, status: Status, reason: String, duration: TimeInterval
    ) {
        self.id = id
        self.description = description
        self.group = group
        self.status = status
        self.reason = reason
        self.duration = duration
    }

    init(_ conformanceCase: ConformanceCase, _ status: Status, _ reason: String, duration: TimeInterval = 0) {
        self.init(
            id: conformanceCase.id, description: conformanceCase.description, group: conformanceCase.group,
            status: status, reason: reason, duration: duration)
    }

    public var area: String { String(id.prefix { $0 != "." }) }
}

/// The counts of a run: `N passed, N failed, N skipped`.
public struct ConformanceSummary: Sendable, Equatable, CustomStringConvertible {
    public var passed = 0
    public var failed = 0
    public var skipped = 0

    public init(_ results: [CaseResult]) {
        for result in results {
            switch result.status {
            case .passed: passed += 1
            case .failed: failed += 1
            case .skipped: skipped += 1
            }
        }
    }

    public var total: Int { passed + failed + skipped }
    public var description: String { "\(passed) passed, \(failed) failed, \(skipped) skipped" }
}
