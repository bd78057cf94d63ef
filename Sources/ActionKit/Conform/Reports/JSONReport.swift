import Foundation

/// The report for programs (`--json`): the target, the counts and every
/// case with its status, reason and duration.
public enum JSONReport {
    public static func render(_ report: ConformanceReport) -> String {
        let summary = report.summary
        let object: [String: Any] = [
            "target": report.target,
            "runtime": report.runtime.rawValue,
            "groups": report.groups.map(\.rawValue),
            "duration": rounded(report.duration),
            "summary": ["passed": summary.passed, "failed": summary.failed, "skipped": summary.skipped],
            "cases": report.results.map { result -> [String: Any] in
                [
                    "id": result.id, "description": result.description, "group": result.group.rawValue,
                    "status": name(result.status), "reason": result.reason, "duration": rounded(result.duration),
                ]
            },
        ]
        let options: JSONSerialization.WritingOptions = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: options) else {
            return "{\"error\":\"the report could not be encoded\"}\n"
        }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static func name(_ status: CaseResult.Status) -> String {
        switch status {
        case .passed: "passed"
        case .failed: "failed"
        case .skipped: "skipped"
        }
    }

    private static func rounded(_ seconds: TimeInterval) -> Double {
        (seconds * 1000).rounded() / 1000
    }
}
