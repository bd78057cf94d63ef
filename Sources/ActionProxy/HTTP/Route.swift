import NIOHTTP1

/// What a request asks for, from its method and path.
enum Route: Equatable {
    case initialize
    case run
    case health
    /// `/`: the single entrypoint (init, run, or both, by the body).
    case entrypoint

    /// The route, or the 404/405 to answer instead. `/` answers the methods
    /// of `__OW_HTTP_METHODS` (all by default).
    static func resolve(_ head: HTTPRequestHead, entrypointMethods: [String]) -> Result<Route, ProxyError> {
        let path =
            head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let route: Route
        let allowed: [String]
        switch path {
        case "/init": (route, allowed) = (.initialize, ["POST"])
        case "/run": (route, allowed) = (.run, ["POST"])
        case "/health": (route, allowed) = (.health, ["GET", "HEAD"])
        case "/": (route, allowed) = (.entrypoint, entrypointMethods)
        default: return .failure(.notFound(path: path))
        }
        if allowed.contains(head.method.rawValue) { return .success(route) }
        return .failure(
            .methodNotAllowed(
                method: head.method.rawValue, path: path,
                allowed: route == .health ? "GET" : allowed.joined(separator: ", ")))
    }
}
