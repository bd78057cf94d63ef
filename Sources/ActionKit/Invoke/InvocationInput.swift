import Foundation

/// Why an invocation's input was refused before anything started.
public enum InvocationInputError: Error, CustomStringConvertible, Equatable {
    case parameterPairs(Int)
    case parameterFile(String, String)
    case environment(String)
    case duration(String)
    case memory(String)

    public var description: String {
        switch self {
        case .parameterPairs(let count):
            "-p takes a KEY and a VALUE (got \(count) word\(count == 1 ? "" : "s") in all)"
        case .parameterFile(let path, let reason): "--param-file \(path): \(reason)"
        case .environment(let text): "--env takes KEY=VALUE, not \(text)"
        case .duration(let text): "not a duration: \(text) (write 60s, 500ms, 2m, or seconds)"
        case .memory(let text): "not a memory size: \(text) (write 256m, 1g, or megabytes)"
        }
    }
}

/// The action's parameters as `wsk` builds them: a parameter file's object,
/// then each `-p KEY VALUE` over it. A value that is valid JSON is that JSON
/// (`-p n 5` is the number 5, `-p l '[1,2]'` an array), anything else is a
/// string.
public struct ActionParameters: @unchecked Sendable {
    // @unchecked: the values are JSONSerialization values, never mutated
    // once parsed.
    public private(set) var values: [String: Any] = [:]

    public init() {}

    public init(pairs words: [String], file: String?) throws(InvocationInputError) {
        if let file { try merge(file: file) }
        guard words.count % 2 == 0 else { throw .parameterPairs(words.count) }
        for index in stride(from: 0, to: words.count, by: 2) {
            values[words[index]] = Self.value(words[index + 1])
        }
    }

    /// `text` as JSON when it parses as JSON, else as the string itself.
    public static func value(_ text: String) -> Any {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) ?? text
    }

    private mutating func merge(file path: String) throws(InvocationInputError) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .parameterFile(path, "cannot read it")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw .parameterFile(path, "not a JSON object")
        }
        values.merge(object) { $1 }
    }
}

/// Small parsers for the command line's units.
public enum InvocationUnits {
    /// `60s`, `500ms`, `2m`, `1h`, or a plain number of seconds.
    public static func seconds(_ text: String) throws(InvocationInputError) -> TimeInterval {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where trimmed.hasSuffix(suffix) {
            if let number = Double(trimmed.dropLast(suffix.count)), number > 0 { return number * scale }
            throw .duration(text)
        }
        if let number = Double(trimmed), number > 0 { return number }
        throw .duration(text)
    }

    /// Megabytes in a docker memory size (`256m`, `1g`, `512`): for the
    /// record's `limits` annotation.
    public static func megabytes(_ text: String) throws(InvocationInputError) -> Int {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [
            ("kb", 1.0 / 1024), ("k", 1.0 / 1024), ("mb", 1), ("m", 1), ("gb", 1024), ("g", 1024),
        ]
        for (suffix, scale) in units where trimmed.hasSuffix(suffix) {
            if let number = Double(trimmed.dropLast(suffix.count)), number > 0 { return Int(number * scale) }
            throw .memory(text)
        }
        if let number = Double(trimmed), number > 0 { return Int(number) }
        throw .memory(text)
    }

    /// `KEY=VALUE` pairs (the value may hold `=`).
    public static func environment(_ pairs: [String]) throws(InvocationInputError) -> [String: String] {
        var environment: [String: String] = [:]
        for pair in pairs {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                throw .environment(pair)
            }
            environment[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        return environment
    }
}
