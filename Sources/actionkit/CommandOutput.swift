import ActionKit
import Foundation

/// Progress on stderr: rewritten in place on a terminal, one line each
/// otherwise (a CI log).
struct ProgressLine {
    let prefix: String
    let inPlace = isatty(2) != 0

    /// A passing state: replaced by the next one on a terminal.
    func show(_ text: String) {
        let line = (inPlace ? "\r\u{1B}[K" : "") + "\(prefix): \(text)" + (inPlace ? "" : "\n")
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// A line that stays.
    func say(_ text: String) {
        let line = (inPlace ? "\r\u{1B}[K" : "") + "\(prefix): \(text)\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Removes a passing state before other output.
    func clear() {
        if inPlace { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}

/// How a report goes to stdout.
enum ReportForm {
    /// `--json`: the whole report, one line.
    case json([String: Any])
    /// The readable summary and the first failures.
    case text(String, failures: [String])
}

func printReport(_ form: ReportForm) throws {
    switch form {
    case .json(let object):
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    case .text(let text, let failures):
        print(text)
        for failure in failures.prefix(10) { print("  \(failure)") }
    }
}

/// The command with a relative program path made absolute: each proxy
/// runs in a working folder of its own, where `./proxy` is not.
func absoluteCommand(_ command: String) -> String {
    var words = command.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
    // NAME=value assignments may come first, as in a shell.
    guard
        let index = words.firstIndex(where: { word in
            !(word.isEmpty || (word.contains("=") && word.first.map { $0.isLetter || $0 == "_" } == true))
        })
    else { return command }
    let program = words[index]
    guard program.contains("/"), !program.hasPrefix("/"), !program.contains("'"), !program.contains("\""),
        !program.hasPrefix("~")
    else { return command }
    words[index] = shellQuoted(
        URL(fileURLWithPath: program, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
            .standardizedFileURL.path)
    return words.joined(separator: " ")
}
