import Foundation

/// Comparing and printing the values Foundation's JSON parser returns.
enum JSONValue {
    /// Whether two parsed JSON values are the same value: numbers by value,
    /// objects regardless of key order.
    static func equal(_ left: Any, _ right: Any) -> Bool {
        switch (left, right) {
        case (let left as [String: Any], let right as [String: Any]):
            return left.count == right.count
                && left.allSatisfy { key, value in right[key].map { equal(value, $0) } ?? false }
        case (let left as [Any], let right as [Any]):
            return left.count == right.count && zip(left, right).allSatisfy { equal($0, $1) }
        case (let left as String, let right as String):
            return left == right
        case (is NSNull, is NSNull):
            return true
        case (let left as NSNumber, let right as NSNumber):
            return isBoolean(left) == isBoolean(right) && left == right
        default:
            return false
        }
    }

    /// Compact JSON text of a value, for messages.
    static func text(_ value: Any) -> String {
        guard
            let data = try? JSONSerialization.data(
                withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys, .withoutEscapingSlashes])
        else { return "\(value)" }
        let text = String(decoding: data, as: UTF8.self)
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }

    /// JSON booleans come back as NSNumbers of type `c` (the parser makes
    /// no other numbers of that type), so `true` is not taken for `1`.
    private static func isBoolean(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c"
    }
}
