import Foundation

/// The report for CI systems (`--junit FILE`): one `testsuite` for the run,
/// one `testcase` per case (class name `conform.<area>`), with `failure`
/// or `skipped` children.
public enum JUnitReport {
    public static func render(_ report: ConformanceReport) -> String {
        let summary = report.summary
        let counts =
            "tests=\"\(summary.total)\" failures=\"\(summary.failed)\" errors=\"0\" skipped=\"\(summary.skipped)\" time=\"\(seconds(report.duration))\""
        let timestamp = ISO8601DateFormatter().string(from: report.finished.addingTimeInterval(-report.duration))
        var xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <testsuites name="actionkit conform" \(counts)>
              <testsuite name="conform.\(report.runtime)" \(counts) timestamp="\(timestamp)">
                <properties>
                  <property name="target" value="\(escape(report.target))"/>
                  <property name="runtime" value="\(report.runtime)"/>
                  <property name="groups" value="\(report.groups.map(\.rawValue).joined(separator: ","))"/>
                </properties>

            """
        for result in report.results {
            let opening =
                "    <testcase classname=\"conform.\(escape(result.area))\" name=\"\(escape(result.id))\" time=\"\(seconds(result.duration))\""
            switch result.status {
            case .passed:
                xml += opening + "/>\n"
            case .failed:
                xml += opening + ">\n"
                xml += "      <failure message=\"\(escape(result.reason))\" type=\"conformance\">"
                xml += escape("\(result.description)\n\(result.reason)") + "</failure>\n"
                xml += "    </testcase>\n"
            case .skipped:
                xml += opening + ">\n      <skipped message=\"\(escape(result.reason))\"/>\n    </testcase>\n"
            }
        }
        xml += "  </testsuite>\n</testsuites>\n"
        return xml
    }

    private static func seconds(_ value: TimeInterval) -> String {
        String(format: "%.3f", value)
    }

    /// Text as XML 1.0 allows it in attributes and content: markup
    /// escaped, characters XML cannot carry (most controls) replaced.
    static func escape(_ text: String) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            case "\n": escaped += "&#10;"
            case "\t": escaped += "&#9;"
            case "\r": escaped += "&#13;"
            default:
                let value = scalar.value
                let allowed = value >= 0x20 && value != 0xFFFE && value != 0xFFFF
                escaped.unicodeScalars.append(allowed ? scalar : "\u{FFFD}")
            }
        }
        return escaped
    }
}
