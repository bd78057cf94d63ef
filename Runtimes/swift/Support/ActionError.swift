import Foundation

/// What can go wrong around the action's own code, each with the message of
/// its `{"error": …}` result.
enum ActionError: Error, CustomStringConvertible {
    /// The proxy sent a line that is not an activation.
    case invalidRequest(String)
    /// `value` does not fit the entry point's input.
    case invalidInput(String)
    /// The entry point returned something that JSON cannot carry.
    case invalidResult(String)
    /// A completion handler was called with neither a result nor an error.
    case noResult

    var description: String {
        switch self {
        case .invalidRequest(let detail): "The action received an invalid request: \(detail)."
        case .invalidInput(let detail): "The action's input does not fit its parameter: \(detail)."
        case .invalidResult(let detail): "The action's result cannot be converted to JSON: \(detail)."
        case .noResult: "The action called its completion handler with neither a result nor an error."
        }
    }

    /// The `{"error": …}` result for any error, logged on stderr: an error of
    /// the action's own code is an application error, and the process goes on.
    static func result(for error: any Error) -> Data {
        let message = message(for: error)
        if error is ActionError {
            Log.write(message)
        } else {
            Log.write("The action threw \(String(reflecting: type(of: error))): \(message)")
        }
        return JSONText.errorResult(message)
    }

    /// A `LocalizedError`'s description where it has one; otherwise how the
    /// error describes itself (`localizedDescription` of a plain Swift error
    /// on Linux says only "The operation could not be completed").
    static func message(for error: any Error) -> String {
        if let localized = error as? any LocalizedError, let description = localized.errorDescription {
            return description
        }
        return String(describing: error)
    }
}
