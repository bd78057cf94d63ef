import Foundation

/// The report for people: one row per case (id, PASS/FAIL/SKIP, time,
/// reason), then the summary line.
public enum TableReport {
    public static func render(_ report: ConformanceReport) -> String {
        let idWidth = max(report.results.map(\.id.count).max() ?? 0, "CASE".count)
        var lines = [
            "actionkit conform: \(report.target), runtime \(report.runtime), group \(report.groups.map(\.rawValue).joined(separator: "+"))",
            "",
            pad("CASE", idWidth) + "  RESULT  TIME    REASON",
        ]
        for result in report.results {
            let time = result.status == .skipped ? "" : String(format: "%.1fs", result.duration)
            let row =
                pad(result.id, idWidth) + "  " + pad(result.status.rawValue, 6) + "  " + pad(time, 6) + "  "
                + oneLine(result.reason)
            lines.append(row.trimmingCharacters(in: .whitespaces))
        }
        lines.append("")
        lines.append(report.summary.description)
        return lines.joined(separator: "\n") + "\n"
    }

    /// `--list`: ids and descriptions.
    public static func list(_ cases: [ConformanceCase]) -> String {
        let idWidth = cases.map(\.id.count).max() ?? 0
        return cases.map { pad($0.id, idWidth) + "  " + $0.description }.joined(separator: "\n") + "\n"
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    /// A reason on one row: a proxy's multi-line error joined up.
    private static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ⏎ ")
    }
}
