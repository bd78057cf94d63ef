import Foundation

/// How an activation ended, as the platform records it in
/// `response.status` (OpenWhisk's `ActivationResponse`: the four codes and
/// their exact texts).
public enum ActivationStatus: Int, Sendable, Comparable, CaseIterable {
    /// The action answered 200 with a result that has no `error` member.
    case success = 0
    /// The action answered 200 with `{"error": …}`: it handled its failure.
    case applicationError = 1
    /// The action failed to initialise, crashed, answered something that is
    /// not a result, or ran past its time limit.
    case developerError = 2
    /// The invoker's side failed: no container, no proxy to talk to.
    case whiskError = 3

    /// The platform's text for `response.status`.
    public var text: String {
        switch self {
        case .success: "success"
        case .applicationError: "application error"
        case .developerError: "action developer error"
        case .whiskError: "whisk internal error"
        }
    }

    /// The exit status of `actionkit invoke` for an activation that ended so:
    /// the platform's status code, 0 for success.
    public var exitCode: Int32 { Int32(rawValue) }

    public static func < (lhs: ActivationStatus, rhs: ActivationStatus) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// What the invoker makes of an exchange with the proxy: a status and the
/// activation's result.
public struct ActivationOutcome: @unchecked Sendable {
    // @unchecked: `result` holds JSONSerialization values (dictionaries,
    // arrays, strings, numbers), which are immutable once built.
    public var status: ActivationStatus
    /// The result as the record shows it: the action's object or array, or
    /// `{"error": …}`.
    public var result: Any
    /// The activation ran past its time limit (the record's `timeout` annotation).
    public var timedOut: Bool = false

    public init(status: ActivationStatus, result: Any, timedOut: Bool = false) {
        self.status = status
        self.result = result
        self.timedOut = timedOut
    }

    /// `{"error": message}` with the given status.
    public static func error(_ status: ActivationStatus, _ message: Any, timedOut: Bool = false) -> ActivationOutcome {
        ActivationOutcome(status: status, result: ["error": message], timedOut: timedOut)
    }
}

/// The platform's messages for the failures it records (OpenWhisk's
/// `Messages`), so that a record reads as the platform's would.
public enum PlatformMessages {
    public static let abnormalInitialization = "The action did not initialize and exited unexpectedly."
    public static let abnormalRun = "The action did not produce a valid response and exited unexpectedly."
    public static let resourceProvisionError = "Failed to provision resources to run the action."

    public static func timedOut(milliseconds: Int, duringInit: Bool) -> String {
        "The action exceeded its time limits of \(milliseconds) milliseconds"
            + (duringInit ? " during initialization." : ".")
    }

    public static func invalidRunResponse(_ body: String) -> String {
        "The action did not produce a valid JSON response" + (body.isEmpty ? "." : ": \(body)")
    }

    public static func invalidInitResponse(_ body: String) -> String {
        "The action failed during initialization" + (body.isEmpty ? "." : ": \(body)")
    }

    public static func truncatedResponse(_ body: Data, limit: Int) -> String {
        "The action produced a response that exceeded the allowed length: \(body.count) > \(limit) bytes. "
            + "The truncated response was: \(String(decoding: body.prefix(limit), as: UTF8.self))"
    }

    public static func truncatedLogs(limit: Int) -> String {
        "Logs were truncated because the total bytes size exceeds the limit of \(limit) bytes."
    }

    public static let logsIncomplete = "There was an issue while collecting your logs. Data might be missing."
    public static let logsAfterFailure = "The action did not initialize or run as expected. Log data might be missing."
}

/// The platform's limits on what an activation brings back (OpenWhisk's
/// `whisk.activation.payload.max` and the default `log-limit`).
public enum ActivationLimits {
    public static let resultBytes = 1 << 20
    public static let logBytes = 10 << 20

    /// The lines that fit in `logBytes` (each counts its length and a
    /// newline), then the platform's notice when some did not.
    public static func limit(_ lines: [String], to limit: Int = logBytes) -> [String] {
        var total = 0
        for (index, line) in lines.enumerated() {
            total += line.utf8.count + 1
            if total > limit { return Array(lines[..<index]) + [PlatformMessages.truncatedLogs(limit: limit)] }
        }
        return lines
    }
}

/// The invoker's reading of `/init` and `/run` answers. It follows
/// OpenWhisk's invoker: a 200 is a result (with `error`: the application's
/// failure), any other status is the container's failure whatever its body
/// says, and running past the time limit overrides the answer.
public enum ActivationInterpreter {
    /// An `/init` that did not answer 200 (a 200 is no outcome: the run follows).
    public static func initFailure(_ answer: Result<HTTPResponse, HTTPClientError>, timeoutMilliseconds: Int)
        -> ActivationOutcome
    {
        switch answer {
        case .success(let response):
            if let error = response.object?["error"] {
                return .error(.developerError, error)
            }
            return .error(.developerError, PlatformMessages.invalidInitResponse(response.text))
        case .failure(.timedOut):
            return .error(
                .developerError, PlatformMessages.timedOut(milliseconds: timeoutMilliseconds, duringInit: true),
                timedOut: true)
        case .failure:
            return .error(.developerError, PlatformMessages.abnormalInitialization)
        }
    }

    /// A `/run` answer (or its absence) after `elapsedMilliseconds`.
    public static func run(
        _ answer: Result<HTTPResponse, HTTPClientError>, elapsedMilliseconds: Int, timeoutMilliseconds: Int
    ) -> ActivationOutcome {
        // The platform checks the time first: whatever came back late (our
        // proxy's 504 at the deadline, or nothing) is a timeout.
        let lateAnswer: Bool
        switch answer {
        case .success(let response): lateAnswer = response.status == 504
        case .failure(.timedOut): lateAnswer = true
        case .failure: lateAnswer = false
        }
        if elapsedMilliseconds >= timeoutMilliseconds || lateAnswer {
            return .error(
                .developerError, PlatformMessages.timedOut(milliseconds: timeoutMilliseconds, duringInit: false),
                timedOut: true)
        }
        guard case .success(let response) = answer else {
            return .error(.developerError, PlatformMessages.abnormalRun)
        }
        // Over the limit, the platform reads only its first megabyte: an
        // application error (the container is kept).
        if response.status == 200 && response.body.count > ActivationLimits.resultBytes {
            return .error(
                .applicationError,
                PlatformMessages.truncatedResponse(response.body, limit: ActivationLimits.resultBytes))
        }
        switch response.json {
        case let object as [String: Any]:
            if response.status == 200 {
                if let error = object["error"] { return .error(.applicationError, error) }
                return ActivationOutcome(status: .success, result: object)
            }
            return .error(.developerError, object["error"] ?? PlatformMessages.invalidRunResponse(response.text))
        case let array as [Any] where response.status == 200:
            // Newer platforms accept an array as a result (our contract does).
            return ActivationOutcome(status: .success, result: array)
        default:
            return .error(.developerError, PlatformMessages.invalidRunResponse(response.text))
        }
    }
}
