import Foundation

/// One request line: `{"value": …, "activation_id": …, "deadline": …, …}`.
struct Activation {
    /// `value`, as JSONSerialization made it; nil when missing or null.
    let value: Any?
    /// Every other top-level field, by name.
    let context: [String: Any]

    init(line: Data) throws(ActionError) {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: line, options: [.fragmentsAllowed])
        } catch {
            throw .invalidRequest("the request line is not JSON: \(error.localizedDescription)")
        }
        guard var fields = object as? [String: Any] else {
            throw .invalidRequest("the request line is not a JSON object")
        }
        let value = fields.removeValue(forKey: "value")
        self.value = value is NSNull ? nil : value
        context = fields
    }

    /// `__OW_<KEY>` for every context field: strings as they are, other
    /// values as compact JSON (a numeric `deadline` becomes its digits).
    func exportEnvironment() {
        for (key, field) in context {
            let text = field as? String ?? JSONText.compact(field) ?? "\(field)"
            setenv("__OW_" + key.uppercased(), text, 1)
        }
    }
}
