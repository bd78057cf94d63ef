import Foundation

// The signatures an action's entry point may have. The compile script
// generates one line, `_actionRun(<main>)`, after the action's code: the type
// of the action's function picks the overload, and a function of another
// shape is a compile error at that line, which the script explains.
// Each overload takes the most general form of its shape: a synchronous or
// non-throwing function converts to it implicitly.

/// `func main(args: [String: Any]) -> [String: Any]`, also `throws` and `async`.
public func _actionRun(_ main: @escaping ([String: Any]) async throws -> [String: Any]) -> Never {
    ActionLoop.start { value in
        try JSONText.result(try await main(JSONText.dictionary(from: value)))
    }
}

/// `func main(args: Any) -> Any`: any JSON in, any JSON out (an array result).
public func _actionRun(_ main: @escaping (Any) async throws -> Any) -> Never {
    ActionLoop.start { value in
        try JSONText.result(try await main(value ?? [String: Any]()))
    }
}

/// `func main(param: In) async throws -> Out`, also synchronous or non-throwing.
public func _actionRun<Input: Decodable, Output: Encodable>(_ main: @escaping (Input) async throws -> Output)
    -> Never
{
    ActionLoop.start { value in
        try JSONCodable.encode(try await main(JSONCodable.decode(Input.self, from: value)))
    }
}

/// `func main(param: In, completion: @escaping (Out?, Error?) -> Void)`.
public func _actionRun<Input: Decodable, Output: Encodable>(
    _ main: @escaping (Input, @escaping (Output?, (any Error)?) -> Void) -> Void
) -> Never {
    ActionLoop.start { value in
        let input = try JSONCodable.decode(Input.self, from: value)
        return try await Completion.wait { main(input, $0) }
    }
}

/// `func main(completion: @escaping (Out?, Error?) -> Void)`: no input.
public func _actionRun<Output: Encodable>(_ main: @escaping (@escaping (Output?, (any Error)?) -> Void) -> Void)
    -> Never
{
    ActionLoop.start { _ in
        try await Completion.wait(main)
    }
}

/// Turns a completion handler into an awaited result.
private enum Completion {
    /// Calls `start` with a handler and waits until it is called (on any
    /// thread). The result is encoded where it arrives, so only its JSON
    /// crosses threads. A second call is logged and ignored: the activation
    /// has already been answered.
    static func wait<Output: Encodable>(_ start: (@escaping (Output?, (any Error)?) -> Void) -> Void)
        async throws -> Data
    {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Data, any Error>) in
            let once = Once()
            start { output, error in
                guard once.claim() else {
                    Log.write("The action called its completion handler more than once; later calls are ignored.")
                    return
                }
                if let error {
                    continuation.resume(throwing: error)
                } else if let output {
                    continuation.resume(with: Result { () throws(ActionError) in try JSONCodable.encode(output) })
                } else {
                    continuation.resume(throwing: ActionError.noResult)
                }
            }
        }
    }
}

private final class Once: @unchecked Sendable {
    private let lock = NSLock()
    private var claimed = false

    /// True the first time only.
    func claim() -> Bool {
        lock.withLock {
            defer { claimed = true }
            return !claimed
        }
    }
}
