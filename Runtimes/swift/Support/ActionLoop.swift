import Dispatch
import Foundation

/// What one activation does with its `value`: the JSON text of its result.
/// Errors it throws become `{"error": …}` results.
typealias ActivationHandler = (_ value: Any?) async throws -> Data

/// The launcher: acknowledges the start, then serves one request line from
/// stdin per activation and answers one result line on fd 3, forever.
enum ActionLoop {
    /// Serves `handler` and never returns. The loop runs on a thread of its
    /// own so that the main thread stays free for `DispatchQueue.main` and
    /// `@MainActor` code of the action, and the blocking reads of stdin never
    /// hold a thread of the cooperative pool that the action's tasks need.
    static func start(_ handler: @escaping ActivationHandler) -> Never {
        let pipes = ProxyPipes()
        let loop = Thread { [handler = UncheckedSendable(handler)] in serve(pipes, handler.value) }
        loop.name = "action loop"
        loop.start()
        dispatchMain()
    }

    private static func serve(_ pipes: ProxyPipes, _ handler: @escaping ActivationHandler) -> Never {
        if let wait = ProcessInfo.processInfo.environment["__OW_WAIT_FOR_ACK"], !wait.isEmpty {
            pipes.writeResult(Data(#"{"ok":true}"#.utf8))
        }
        while let line = pipes.readRequest() {
            if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) { continue }
            let result = run(line, handler)
            // The action's own log lines must reach the log before the
            // result does: the proxy writes its sentinels once it has the result.
            Log.flush()
            pipes.writeResult(result)
        }
        exit(0)
    }

    /// One activation, as the JSON text of its result; failures included.
    private static func run(_ line: Data, _ handler: @escaping ActivationHandler) -> Data {
        let outcome = Outcome()
        let semaphore = DispatchSemaphore(value: 0)
        let handler = UncheckedSendable(handler)
        Task {
            do {
                let activation = try Activation(line: line)
                activation.exportEnvironment()
                outcome.set(try await handler.value(activation.value))
            } catch {
                outcome.set(ActionError.result(for: error))
            }
            semaphore.signal()
        }
        semaphore.wait()
        return outcome.get()
    }
}

/// The result of the activation, handed from its task to the loop thread
/// (the semaphore orders the two accesses; the lock makes that explicit).
private final class Outcome: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()

    func set(_ value: Data) { lock.withLock { data = value } }
    func get() -> Data { lock.withLock { data } }
}

/// Carries a value that is used by one thread at a time across an isolation
/// boundary the compiler cannot see through (a thread start, a task start).
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
