import NIOHTTP1

/// Every way a request can fail, and the one place where each becomes the
/// status and message of PROTOCOL.md §2–§3.
package enum ProxyError: Error, Equatable, CustomStringConvertible {
    // /init
    case alreadyInitialized
    /// The image has its action baked in (`__OW_ACTION_CODE…`): no init replaces it.
    case dedicatedAction(variable: String)
    case initializationInProgress
    case missingCode
    case invalidRequest(String)
    case compilationFailed(String)
    case startFailed(String)
    // /run
    case notInitialized
    /// The action baked into the image could not be initialized (why).
    case bakedActionFailed(String)
    /// The action had died before the run (why, when it was killed).
    case actionAlreadyExited(ExitReport?)
    /// The action died during the run.
    case actionExitedDuringRun(ExitReport?)
    case resultNotObjectOrArray
    case resultTooLarge(limit: Int)
    /// More runs wait for the action than `OW_MAX_WAITING_RUNS`.
    case tooManyWaitingRuns(limit: Int)
    case deadlineExceeded
    /// The run's deadline passed while it waited for the runs before it.
    case deadlinePassedWhileWaiting
    /// SIGTERM came: the proxy takes no more work.
    case shuttingDown
    /// The action answered `failed` (ActionAnswer): at init or at a run.
    case actionFailed(String)
    /// A web answer (`statusCode`, `headers`, `body`) that cannot be sent.
    case invalidWebAnswer(String)
    // HTTP
    case notFound(path: String)
    case methodNotAllowed(method: String, path: String, allowed: String)
    case bodyTooLarge(limit: Int)
    case malformedHTTP(String)

    var status: HTTPResponseStatus {
        switch self {
        case .alreadyInitialized, .dedicatedAction, .missingCode: .forbidden
        case .initializationInProgress: .conflict
        case .invalidRequest, .actionExitedDuringRun, .malformedHTTP: .badRequest
        case .compilationFailed, .startFailed, .resultNotObjectOrArray, .resultTooLarge, .actionFailed,
            .invalidWebAnswer:
            .badGateway
        case .notInitialized, .bakedActionFailed, .actionAlreadyExited: .internalServerError
        case .deadlineExceeded, .deadlinePassedWhileWaiting: .gatewayTimeout
        case .tooManyWaitingRuns, .shuttingDown: .serviceUnavailable
        case .notFound: .notFound
        case .methodNotAllowed: .methodNotAllowed
        case .bodyTooLarge: .payloadTooLarge
        }
    }

    var message: String {
        switch self {
        case .alreadyInitialized: "Cannot initialize the action more than once."
        case .dedicatedAction(let variable):
            "This container runs the action baked into its image (\(variable)); it cannot be initialized with another one."
        case .initializationInProgress: "Another initialization is in progress."
        case .missingCode: "Missing main/no code to execute."
        case .invalidRequest(let reason): reason
        case .compilationFailed(let output): output
        case .startFailed(let reason): "cannot start action: \(reason)"
        case .notInitialized: "no action defined yet"
        case .bakedActionFailed(let reason): "The action baked into this image failed to initialize: \(reason)"
        case .actionAlreadyExited(let report), .actionExitedDuringRun(let report):
            report.map { "command exited: the action was \($0.description)" } ?? "command exited"
        case .resultNotObjectOrArray: "The action did not return a dictionary or array."
        case .resultTooLarge(let limit): "The action's result is larger than the limit of \(limit) bytes."
        case .deadlineExceeded:
            "The action did not answer before the activation's deadline; it was stopped and is being restarted."
        case .deadlinePassedWhileWaiting:
            "The activation's deadline passed while it waited for the activations before it; the action did not run it."
        case .actionFailed(let message): message
        case .invalidWebAnswer(let reason): "The action's web answer cannot be sent: \(reason)"
        case .shuttingDown: "The proxy is shutting down and takes no more activations; send this one elsewhere."
        case .tooManyWaitingRuns(let limit):
            "The action runs one activation at a time and \(limit) are waiting already (OW_MAX_WAITING_RUNS); send this one elsewhere."
        case .notFound(let path):
            "Not found: \(path). This server answers POST /init, POST /run, / (init and run in one) and GET /health."
        case .methodNotAllowed(let method, let path, let allowed):
            "Method \(method) is not allowed on \(path); use \(allowed)."
        case .bodyTooLarge(let limit): "The request body is larger than the limit of \(limit) bytes."
        case .malformedHTTP(let reason): "Malformed HTTP request: \(reason)"
        }
    }

    /// With `OW_LOG_INIT_ERROR`, what the response says: the reference's
    /// sentence (upstream's tests look for it), then the cause, whose whole
    /// text goes to the log.
    var messageWhenLoggingInitErrors: String? {
        switch self {
        case .compilationFailed(let output):
            "The action failed to generate or locate a binary. See logs for details. "
                + output.trimmingWhitespace
        case .startFailed(let reason): "Cannot start action. Check logs for details. \(reason)"
        default: nil
        }
    }

    package var description: String { message }
}
