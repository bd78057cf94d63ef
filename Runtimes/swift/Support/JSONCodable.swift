import Foundation

/// JSON for the Codable entry points.
enum JSONCodable {
    /// Decodes `value` (as the request line carried it) as the entry point's
    /// input; a missing `value` decodes as `{}`.
    static func decode<Input: Decodable>(_ type: Input.Type, from value: Any?) throws(ActionError) -> Input {
        do {
            let data =
                try value.map { try JSONSerialization.data(withJSONObject: $0, options: [.fragmentsAllowed]) }
                ?? Data("{}".utf8)
            return try JSONDecoder().decode(Input.self, from: data)
        } catch let error as DecodingError {
            throw .invalidInput("\(Input.self): \(describe(error))")
        } catch {
            throw .invalidInput("\(Input.self): \(error.localizedDescription)")
        }
    }

    /// Keys sorted: Swift's dictionaries and JSONEncoder have no stable
    /// order, and the same result should read the same every time.
    static func encode<Output: Encodable>(_ output: Output) throws(ActionError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return try encoder.encode(output)
        } catch let error as EncodingError {
            if case .invalidValue(let value, let context) = error {
                throw .invalidResult("\(type(of: value)) at \(path(context.codingPath)): \(context.debugDescription)")
            }
            throw .invalidResult("\(error)")
        } catch {
            throw .invalidResult("\(error)")
        }
    }

    /// A DecodingError as one sentence that names the field, instead of its
    /// nested `CodingKeys(stringValue: …)` dump.
    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            "missing key \(path(context.codingPath + [key]))"
        case .valueNotFound(let type, let context):
            "\(path(context.codingPath)) is null, expected \(type)"
        case .typeMismatch(let type, let context):
            "\(path(context.codingPath)) is not \(type)"
        case .dataCorrupted(let context):
            "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            "\(error)"
        }
    }

    /// `items[2].name`, or `the input` for the top level.
    private static func path(_ keys: [any CodingKey]) -> String {
        guard !keys.isEmpty else { return "the input" }
        var text = ""
        for key in keys {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return "'\(text)'"
    }
}
