import NIOHTTP1

/// What a request asks for, from its method and path.
enum Route: Equatable {
    case initialize
    case run
    case health

    /// The route, or the 404/405 to answer instead.
    static func resolve(_ head: HTTPRequestHead) -> Result<Route, ProxyError> {
        let path =
            head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let route: Route
        let allowed: HTTPMethod
        switch path {
        case "/init": (route, allowed) = (.initialize, .POST)
        case "/run": (route, allowed) = (.run, .POST)
        case "/health": (route, allowed) = (.health, .GET)
        default: return .failure(.notFound(path: path))
        }
        if head.method == allowed || (route == .health && head.method == .HEAD) {
            return .success(route)
        }
        return .failure(.methodNotAllowed(method: head.method.rawValue, path: path, allowed: allowed.rawValue))
    }
}
