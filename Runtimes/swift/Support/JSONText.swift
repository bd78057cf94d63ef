import Foundation

/// JSON for the `[String: Any]` and `Any` entry points, with Foundation's
/// JSONSerialization: numbers and booleans bridge as OpenWhisk's Swift users
/// expect (`args["n"] as? Int`, `as? Double`, `as? Bool`).
enum JSONText {
    /// `value` as the entry point's dictionary: a missing `value` is empty.
    static func dictionary(from value: Any?) throws(ActionError) -> [String: Any] {
        guard let value else { return [:] }
        guard let dictionary = value as? [String: Any] else {
            throw .invalidInput("expected a JSON object, got \(kind(of: value))")
        }
        return dictionary
    }

    /// Compact JSON of any result: an object, an array, or a value the proxy
    /// then reports as not a dictionary. Keys sorted, as for Codable results.
    static func result(_ value: Any) throws(ActionError) -> Data {
        if let problem = firstProblem(in: value, at: "result") {
            throw .invalidResult(problem)
        }
        do {
            return try JSONSerialization.data(
                withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys, .withoutEscapingSlashes])
        } catch {
            throw .invalidResult(error.localizedDescription)
        }
    }

    /// `{"error": message}`.
    static func errorResult(_ message: String) -> Data {
        (try? JSONSerialization.data(withJSONObject: ["error": message], options: [.withoutEscapingSlashes]))
            ?? Data(#"{"error":"The action failed."}"#.utf8)
    }

    /// Compact JSON text of a context field, or nil if it has none.
    static func compact(_ value: Any) -> String? {
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed]) else {
            return nil
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Where a result holds something JSON cannot carry (JSONSerialization
    /// would stop the process on it): `result["when"] is a Date`.
    private static func firstProblem(in value: Any, at path: String) -> String? {
        switch value {
        case let dictionary as [String: Any]:
            for (key, member) in dictionary {
                if let problem = firstProblem(in: member, at: "\(path)[\"\(key)\"]") { return problem }
            }
            return nil
        case let array as [Any]:
            for (index, element) in array.enumerated() {
                if let problem = firstProblem(in: element, at: "\(path)[\(index)]") { return problem }
            }
            return nil
        case let number as Double where !number.isFinite:
            return "\(path) is \(number), which JSON cannot represent"
        case is String, is NSNumber, is NSNull, is Bool, is Int, is Double:
            return nil
        default:
            return "\(path) is a \(type(of: value)), not a JSON value"
        }
    }

    /// The JSON kind of a parsed value, for messages.
    static func kind(of value: Any) -> String {
        switch value {
        case is [String: Any]: "an object"
        case is [Any]: "an array"
        case is String: "a string"
        case is NSNull: "null"
        // JSONSerialization's booleans are NSNumbers of type char.
        case let number as NSNumber: String(cString: number.objCType) == "c" ? "a boolean" : "a number"
        default: "\(type(of: value))"
        }
    }
}
